import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { storyVariants, type NetworkId } from "@/db/schema";
import { db } from "@/lib/db";
import { composeSuggestions, createShares, startingVariant } from "@/lib/shares";
import type { Scope } from "@/lib/tenant";
import { makeOrganization, makePublishedStory, makeSharer } from "../support/factories";

/**
 * The suggested text a person starts from: in their language (else the story's), the
 * variant colleagues have started from least, and the same one again for the same person.
 */

type VariantSpec = { network: NetworkId; language: "da" | "en"; text: string };

async function storyWithVariants(scope: Scope, variants: VariantSpec[], language: "da" | "en" = "da") {
  const story = await makePublishedStory(scope, { language });
  const position = new Map<string, number>();
  await db()
    .insert(storyVariants)
    .values(
      variants.map((v) => {
        const key = `${v.network}/${v.language}`;
        const p = position.get(key) ?? 0;
        position.set(key, p + 1);
        return { orgId: scope.orgId, storyId: story.id, ...v, position: p };
      }),
    );
  const rows = await db().select().from(storyVariants).where(eq(storyVariants.storyId, story.id));
  const idOf = (text: string) => rows.find((r) => r.text === text)!.id;
  return { story, idOf };
}

const threeDanishOnX: VariantSpec[] = [
  { network: "x", language: "da", text: "Vi bygger vindmøller" },
  { network: "x", language: "da", text: "Nyt fra Esbjerg: vindmøller" },
  { network: "x", language: "da", text: "Havvind er på vej" },
  { network: "x", language: "en", text: "We are building wind turbines" },
  { network: "linkedin", language: "da", text: "LinkedIn-tekst om vindmøller" },
];

describe("startingVariant: which language", () => {
  it("prefers the person's language, then the story's, then any", async () => {
    const { cli } = await makeOrganization();
    const person = await makeSharer(cli);
    const { story, idOf } = await storyWithVariants(cli, threeDanishOnX);
    const start = (languages: Array<"da" | "en">, network: NetworkId = "x") =>
      startingVariant(db(), cli, { userId: person.user.id, storyId: story.id, network, languages });

    expect(await start(["en", "da"])).toEqual({ variantId: idOf("We are building wind turbines"), text: "We are building wind turbines", language: "en" });
    expect((await start(["da", "en"]))!.language).toBe("da");
    // No variant in the person's language on LinkedIn: the story's language.
    expect(await start(["en", "da"], "linkedin")).toMatchObject({ variantId: idOf("LinkedIn-tekst om vindmøller"), language: "da" });
    // Neither language given has one: any of the network's variants.
    expect(await start(["en"], "linkedin")).toMatchObject({ variantId: idOf("LinkedIn-tekst om vindmøller") });
    // No variant for the network at all.
    expect(await start(["da"], "mastodon")).toBeNull();
  });

  it("never offers another story's or another organisation's variants", async () => {
    const { cli } = await makeOrganization();
    const { cli: other } = await makeOrganization();
    const person = await makeSharer(cli);
    const { story } = await storyWithVariants(cli, [{ network: "x", language: "da", text: "Vores egen tekst" }]);
    await storyWithVariants(cli, [{ network: "x", language: "en", text: "Another story's text" }]);
    expect(await startingVariant(db(), cli, { userId: person.user.id, storyId: story.id, network: "x", languages: ["en"] })).toMatchObject({
      text: "Vores egen tekst",
    });
    // Asked in another organisation's scope, the story has no variants there.
    expect(await startingVariant(db(), other, { userId: person.user.id, storyId: story.id, network: "x", languages: ["da"] })).toBeNull();
  });
});

describe("startingVariant: spread over colleagues", () => {
  it("spreads five colleagues starting in turn over three variants: none used twice before each is used once", async () => {
    const { cli } = await makeOrganization();
    const { story, idOf } = await storyWithVariants(cli, threeDanishOnX);
    const danish = new Set(["Vi bygger vindmøller", "Nyt fra Esbjerg: vindmøller", "Havvind er på vej"].map(idOf));
    const used = new Map<string, number>();

    for (let i = 0; i < 5; i++) {
      const person = await makeSharer(cli, { networks: ["x"] });
      const start = await startingVariant(db(), cli, { userId: person.user.id, storyId: story.id, network: "x", languages: ["da"] });
      expect(danish.has(start!.variantId)).toBe(true);
      const counts = [...danish].map((id) => used.get(id) ?? 0);
      // The chosen variant is one of the least used so far.
      expect(used.get(start!.variantId) ?? 0).toBe(Math.min(...counts));
      used.set(start!.variantId, (used.get(start!.variantId) ?? 0) + 1);

      const [share] = await createShares(db(), cli, person.user.id, {
        storyId: story.id,
        posts: [{ connectionId: person.connections.x!.id, text: `${start!.text} (${i})`, variantId: start!.variantId }],
      });
      expect(share!.variantId).toBe(start!.variantId);
      if (i === 2) expect([...used.values()].sort()).toEqual([1, 1, 1]);
    }
    expect([...used.values()].sort()).toEqual([1, 2, 2]);
  });

  it("gives the same person the same start twice, whatever they shared since", async () => {
    const { cli } = await makeOrganization();
    const { story } = await storyWithVariants(cli, threeDanishOnX);
    const person = await makeSharer(cli, { networks: ["x"] });
    const ask = () => startingVariant(db(), cli, { userId: person.user.id, storyId: story.id, network: "x", languages: ["da"] });
    const first = await ask();
    expect(await ask()).toEqual(first);
    await createShares(db(), cli, person.user.id, {
      storyId: story.id,
      posts: [{ connectionId: person.connections.x!.id, text: first!.text, variantId: first!.variantId }],
    });
    expect(await ask()).toEqual(first);
  });

  it("records no variant that is not the story's", async () => {
    const { cli } = await makeOrganization();
    const { story } = await storyWithVariants(cli, threeDanishOnX);
    const { idOf: otherStoryVariant } = await storyWithVariants(cli, [{ network: "x", language: "da", text: "Fremmed tekst" }]);
    const person = await makeSharer(cli, { networks: ["x"] });
    const [share] = await createShares(db(), cli, person.user.id, {
      storyId: story.id,
      posts: [{ connectionId: person.connections.x!.id, text: "Hej", variantId: otherStoryVariant("Fremmed tekst") }],
    });
    expect(share!.variantId).toBeNull();
  });
});

describe("composeSuggestions: every suggestion to choose from", () => {
  it("lists each network's suggestions in the person's language in the editor's order, starting where the rotation starts", async () => {
    const { cli } = await makeOrganization();
    const person = await makeSharer(cli, { networks: ["x"] });
    const { story, idOf } = await storyWithVariants(cli, threeDanishOnX);
    const { byNetwork, variantRefused } = await composeSuggestions(db(), cli, {
      userId: person.user.id,
      storyId: story.id,
      networks: ["x", "linkedin", "mastodon"],
      languages: ["da", "en"],
    });
    expect(variantRefused).toBe(false);
    expect(byNetwork.x!.suggestions.map((s) => s.text)).toEqual(["Vi bygger vindmøller", "Nyt fra Esbjerg: vindmøller", "Havvind er på vej"]);
    const start = await startingVariant(db(), cli, { userId: person.user.id, storyId: story.id, network: "x", languages: ["da", "en"] });
    expect(byNetwork.x!.startId).toBe(start!.variantId);
    expect(byNetwork.linkedin).toEqual({ suggestions: [{ id: idOf("LinkedIn-tekst om vindmøller"), text: "LinkedIn-tekst om vindmøller", language: "da" }], startId: idOf("LinkedIn-tekst om vindmøller") });
    // No suggestion for the network: nothing (the composer starts from the title and link).
    expect(byNetwork.mastodon).toBeUndefined();
    // In English only the English one.
    const english = await composeSuggestions(db(), cli, { userId: person.user.id, storyId: story.id, networks: ["x"], languages: ["en"] });
    expect(english.byNetwork.x!.suggestions.map((s) => s.id)).toEqual([idOf("We are building wind turbines")]);
  });

  it("starts from the suggestion a link names when it is the story's, in its language, and refuses another story's", async () => {
    const { cli } = await makeOrganization();
    const { cli: other } = await makeOrganization();
    const person = await makeSharer(cli, { networks: ["x"] });
    const { story, idOf } = await storyWithVariants(cli, threeDanishOnX);
    const { idOf: otherStory } = await storyWithVariants(cli, [{ network: "x", language: "da", text: "En anden historie" }]);
    const { idOf: otherOrg } = await storyWithVariants(other, [{ network: "x", language: "da", text: "En anden organisation" }]);
    const ask = (variantId: string) => composeSuggestions(db(), cli, { userId: person.user.id, storyId: story.id, networks: ["x", "linkedin"], languages: ["da"], variantId });

    const chosen = await ask(idOf("Havvind er på vej"));
    expect(chosen.variantRefused).toBe(false);
    expect(chosen.byNetwork.x!.startId).toBe(idOf("Havvind er på vej"));
    // The link's suggestion is English although the person reads Danish: the English ones are offered.
    const english = await ask(idOf("We are building wind turbines"));
    expect(english.byNetwork.x).toEqual({ suggestions: [{ id: idOf("We are building wind turbines"), text: "We are building wind turbines", language: "en" }], startId: idOf("We are building wind turbines") });
    expect(english.byNetwork.linkedin!.startId).toBe(idOf("LinkedIn-tekst om vindmøller"));

    const rotation = (await ask("00000000-0000-4000-8000-000000000000")).byNetwork.x!.startId;
    for (const refused of [otherStory("En anden historie"), otherOrg("En anden organisation"), "00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
      const answer = await ask(refused);
      expect(answer.variantRefused).toBe(true);
      expect(answer.byNetwork.x!.startId).toBe(rotation);
      expect(answer.byNetwork.x!.suggestions.map((s) => s.id)).not.toContain(refused);
    }
  });
});

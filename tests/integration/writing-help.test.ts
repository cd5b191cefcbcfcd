import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditLog, shares, storyVariants } from "@/db/schema";
import * as inMyWordsRoute from "@/app/api/v1/writing/in-my-words/route";
import * as suggestedTextsRoute from "@/app/api/v1/writing/suggested-texts/route";
import * as translateRoute from "@/app/api/v1/writing/translate/route";
import { sseEvents, textOf } from "@/lib/ai/sse";
import { createApiToken } from "@/lib/auth/api-tokens";
import { closeDb, db } from "@/lib/db";
import { exportMyData } from "@/lib/me/export";
import { updateGovernance } from "@/lib/orgs/governance";
import { createShares } from "@/lib/shares";
import { updateStory } from "@/lib/stories";
import { setWritingExamplesOptIn, updateWritingHelpSettings, writingHelpState } from "@/lib/writing/budget";
import { rewriteInMyWords, translateText } from "@/lib/writing/rewrite";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/openai";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { envOverride } from "../support/env-override";
import { makeMember, makeOrganization, makePublishedStory, makeSharer } from "../support/factories";

/**
 * Writing help for employees and through the API (issue 16, items 1, 3, 4 and 6): "in my
 * words" with the person's earlier posts only after they opted in, Danish ⇄ English, each
 * result checked as compose checks it; the organisation's switch and monthly budget; the
 * share marked as written with help; JSON by default and server-sent events when asked.
 */

vi.mock("@/lib/auth/config", () => ({ auth: async () => null }));

let database: TestDatabase;
let fake: FakeOpenAI;
const { set: setEnv, restore: restoreEnv } = envOverride();

beforeAll(async () => {
  [database, fake] = await Promise.all([createTestDatabase("writing_help"), startFakeOpenAI()]);
  setEnv({ DATABASE_URL: database.url, AI_BASE_URL: fake.baseUrl, AI_API_KEY: undefined, AI_MODEL: "ripple-test-model", AI_MAX_TOKENS: "600" });
}, 60_000);

afterAll(async () => {
  await closeDb();
  await Promise.all([fake?.close(), database?.drop()]);
  restoreEnv();
});

async function scene() {
  const { cli } = await makeOrganization("Nordlys Energi");
  await updateGovernance(db(), cli, { approvalRequired: false, disclosureHashtag: "#nordlysansat", blockedWords: ["garanteret"] });
  const editor = await makeMember(cli, ["editor"]);
  const person = await makeSharer(cli, { networks: ["linkedin"], name: "Karla Skriver" });
  const story = await makePublishedStory(cli, { title: "Skagerrak Syd leverer strøm", summary: "Havvindmølleparken forsyner 400.000 hjem.", canonicalUrl: "https://nordlys.example/skagerrak", language: "da" });
  return { cli, editor, person, story };
}

const userMessage = (index = -1) => fake.completions.at(index)!.messages.find((m) => m.role === "user")!.content;

describe("in my words and translation", () => {
  it("rewrites in the chosen tone, and sends the person's earlier posts only after they opted in (audited)", async () => {
    const { cli, person, story } = await scene();
    // Two earlier posts of theirs, published.
    for (const text of ["Min første tekst om vind.", "Min anden tekst om strøm."]) {
      const [share] = await createShares(db(), person.scope, person.user.id, { storyId: story.id, posts: [{ connectionId: person.connections.linkedin!.id, text }] }, new Date(), { enqueue: false });
      await db().update(shares).set({ status: "published", publishedAt: new Date() }).where(eq(shares.id, share!.id));
    }
    const input = { storyId: story.id, network: "linkedin" as const, text: "Skagerrak Syd forsyner nu 400.000 hjem med strøm.", language: "da" as const, tone: "brief" as const };

    fake.answer({ text: "400.000 hjem får strøm fra Skagerrak Syd." });
    const first = await rewriteInMyWords(db(), person.scope, person.user.id, input);
    expect(first).toMatchObject({ text: "400.000 hjem får strøm fra Skagerrak Syd.", shortened: false });
    expect(fake.completions.at(-1)!.messages[0]!.content).toContain("Tone: kort");
    expect(userMessage()).not.toContain("Min første tekst");
    expect(userMessage()).not.toContain("Karla");

    await setWritingExamplesOptIn(db(), person.scope, person.user.id, true);
    fake.answer({ text: "Vind og strøm: 400.000 hjem." });
    await rewriteInMyWords(db(), person.scope, person.user.id, input);
    expect(userMessage()).toContain("Min første tekst om vind.");
    expect(userMessage()).toContain("Min anden tekst om strøm.");
    const audits = await db().select().from(auditLog).where(and(eq(auditLog.orgId, cli.orgId), eq(auditLog.action, "member.writingExamples")));
    expect(audits.map((a) => a.after)).toEqual([{ writingExamples: true }]);
  });

  it("translates into the other language, and a result over the limit twice or with a blocked phrase leaves the person's text, with the reason", async () => {
    const { person, story } = await scene();
    fake.answer({ text: "Skagerrak Syd now powers 400,000 homes." });
    const translated = await translateText(db(), person.scope, { storyId: story.id, network: "x", text: "Skagerrak Syd forsyner nu 400.000 hjem.", to: "en" });
    expect(translated.text).toBe("Skagerrak Syd now powers 400,000 homes.");
    expect(fake.completions.at(-1)!.messages[0]!.content).toContain("into natural English");

    const long = "Vindmøllerne drejer og leverer strøm. ".repeat(12);
    fake.answer({ text: long }, { text: long });
    await expect(translateText(db(), person.scope, { storyId: story.id, network: "x", text: "Too long.", to: "da" })).rejects.toMatchObject({ code: "writingTooLong" });
    fake.answer({ text: "Garanteret grøn strøm." });
    await expect(rewriteInMyWords(db(), person.scope, person.user.id, { storyId: story.id, network: "x", text: "Grøn strøm.", language: "da", tone: "personal" })).rejects.toMatchObject({
      code: "writingBlockedPhrase",
    });
  });
});

describe("the organisation's switch and budget", () => {
  it("counts requests per month, refuses past the budget without asking the model, and the switch turns it off (audited)", async () => {
    const { cli, editor, person, story } = await scene();
    const admin = await makeMember(cli, ["admin"]);
    await updateWritingHelpSettings(db(), admin.scope, { enabled: true, monthlyRequests: 2 });
    const input = { storyId: story.id, network: "linkedin" as const, text: "Strøm til 400.000 hjem.", language: "da" as const, tone: "personal" as const };
    fake.answer({ text: "Et." }, { text: "To." });
    await rewriteInMyWords(db(), person.scope, person.user.id, input);
    await rewriteInMyWords(db(), person.scope, person.user.id, input);
    const sent = fake.completions.length;
    await expect(rewriteInMyWords(db(), person.scope, person.user.id, input)).rejects.toMatchObject({ code: "writingHelpBudgetSpent" });
    expect(fake.completions).toHaveLength(sent);
    expect(await writingHelpState(db(), cli.orgId)).toMatchObject({ used: 2, remaining: 0, available: false, reason: "budget" });

    await updateWritingHelpSettings(db(), admin.scope, { enabled: false, monthlyRequests: null });
    const token = (await createApiToken(db(), cli, { userId: editor.user.id, name: "intranet" })).token;
    const refused = await post(suggestedTextsRoute.POST, "suggested-texts", token, { storyId: story.id, network: "linkedin", language: "da" });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ title: "writingHelpOff" });
    expect(fake.completions).toHaveLength(sent);
    const audits = await db().select().from(auditLog).where(and(eq(auditLog.orgId, cli.orgId), eq(auditLog.action, "org.writingHelp")));
    expect(audits.map((a) => a.after)).toEqual([
      { enabled: true, monthlyRequests: 2 },
      { enabled: false, monthlyRequests: null },
    ]);
  });
});

function post(handler: (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>, path: string, token: string, body: unknown, accept?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, "content-type": "application/json", ...(accept && { accept }) };
  return handler(new Request(`http://localhost/api/v1/writing/${path}`, { method: "POST", headers, body: JSON.stringify(body) }), { params: Promise.resolve({}) });
}

describe("/api/v1/writing", () => {
  it("answers JSON by default and server-sent events when asked, under the roles; a kept text and a share made with help are marked", async () => {
    const { cli, editor, person, story } = await scene();
    const editorToken = (await createApiToken(db(), cli, { userId: editor.user.id, name: "intranet" })).token;
    const employeeToken = (await createApiToken(db(), cli, { userId: person.user.id, name: "bot" })).token;

    fake.answer({ text: "Stolt af Skagerrak Syd.\n---\nStrøm til 400.000 hjem.\n---\nGaranteret grøn." });
    const json = await post(suggestedTextsRoute.POST, "suggested-texts", editorToken, { storyId: story.id, network: "linkedin", language: "da", count: 3 });
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({ texts: [{ text: "Stolt af Skagerrak Syd." }, { text: "Strøm til 400.000 hjem." }], dropped: [{ reason: "blockedPhrase" }] });

    // An employee may not ask for suggested texts; the body is validated.
    expect((await post(suggestedTextsRoute.POST, "suggested-texts", employeeToken, { storyId: story.id, network: "linkedin", language: "da" })).status).toBe(403);
    expect((await post(inMyWordsRoute.POST, "in-my-words", employeeToken, { storyId: story.id, network: "linkedin", text: "", language: "da", tone: "loud" })).status).toBe(422);

    // Streamed: the words as they come, then the checked result.
    fake.answer({ text: "Jeg er stolt af det her projekt.", pieceDelayMs: 5 });
    const streamed = await post(inMyWordsRoute.POST, "in-my-words", employeeToken, { storyId: story.id, network: "linkedin", text: "Stolt af projektet.", language: "da", tone: "personal" }, "text/event-stream");
    expect(streamed.headers.get("content-type")).toContain("text/event-stream");
    const events = [];
    for await (const event of sseEvents(textOf(streamed.body!))) events.push({ event: event.event, data: JSON.parse(event.data) as Record<string, unknown> });
    const pieces = events.filter((e) => e.event === "text").map((e) => e.data.text);
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join("")).toBe("Jeg er stolt af det her projekt.");
    expect(events.at(-1)).toMatchObject({ event: "result", data: { text: "Jeg er stolt af det her projekt." } });

    // A model that is busy: an error event with the code, and Retry-After in JSON.
    const failing = await startFakeOpenAI();
    setEnv({ AI_BASE_URL: `${failing.baseUrl.replace(/\/v1$/, "")}/missing/v1` });
    try {
      const down = await post(translateRoute.POST, "translate", employeeToken, { storyId: story.id, network: "linkedin", text: "Hej.", to: "en" });
      expect(down.status).toBeGreaterThanOrEqual(500);
      expect(await down.json()).toMatchObject({ code: expect.stringMatching(/^writing(Unavailable|Invalid)$/) });
    } finally {
      setEnv({ AI_BASE_URL: fake.baseUrl });
      await failing.close();
    }

    // Kept by the editor: an ordinary suggested text, marked; a share from it is marked too, as is one the person rewrote.
    await updateStory(db(), editor.scope, story.id, { variants: [{ network: "linkedin", language: "da", text: "Stolt af Skagerrak Syd.", assisted: true }, { network: "linkedin", language: "da", text: "Egen tekst." }] });
    const variants = await db().select().from(storyVariants).where(eq(storyVariants.storyId, story.id)).orderBy(storyVariants.position);
    expect(variants.map((v) => [v.text, v.assisted])).toEqual([
      ["Stolt af Skagerrak Syd.", true],
      ["Egen tekst.", false],
    ]);
    const made = [];
    for (const post of [
      { text: "Stolt af Skagerrak Syd.", variantId: variants[0]!.id },
      { text: "Egen tekst, omskrevet.", variantId: variants[1]!.id, assisted: true },
      { text: "Helt min egen.", variantId: variants[1]!.id },
    ]) {
      const [share] = await createShares(db(), person.scope, person.user.id, { storyId: story.id, posts: [{ connectionId: person.connections.linkedin!.id, ...post }] }, new Date(), { enqueue: false });
      made.push(share!);
    }
    expect(made.map((s) => s.assisted)).toEqual([true, true, false]);

    // The person's export lists their texts written with help, and their opt-in.
    const exported = await exportMyData(db(), person.scope, person.user.id);
    // (as posted: the tracked link and the disclosure tag in)
    expect(exported.textsWrittenWithHelp.map((t) => t.text.split(" http")[0])).toEqual(["Stolt af Skagerrak Syd.", "Egen tekst, omskrevet."]);
    expect(exported.shares.find((share) => share.text.startsWith("Helt min egen."))).toMatchObject({ writtenWithHelp: false });
    expect(exported.membership.writingHelpStyleExamples).toBe(false);
  });
});

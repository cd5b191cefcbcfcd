import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { stories, type NewStory } from "@/db/schema";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { createStory, getStory, listCalendar, listLibraryStories, listReviewQueue, submitStory, updateStory, type StoryFilter } from "@/lib/stories";
import { createTeam } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import { createTopic } from "@/lib/topics";
import { makeMember, makeOrganization } from "../support/factories";

const DAY = 24 * 3_600_000;
const day = (n: number) => new Date(Date.parse("2030-05-01T08:00:00Z") + n * DAY);

async function titles(scope: Scope, filter: StoryFilter = {}) {
  return (await listLibraryStories(db(), scope, filter)).map((s) => s.title).sort();
}

/** A story inserted straight into the table (for windows and statuses the write path would not take). */
async function insertStory(scope: Scope, title: string, values: Partial<Omit<NewStory, "orgId" | "slug" | "title">> = {}) {
  const [story] = await db()
    .insert(stories)
    .values({ orgId: scope.orgId, slug: `s-${randomBytes(5).toString("hex")}`, title, language: "da", status: "published", ...values })
    .returning();
  return story!;
}

async function library() {
  const { cli } = await makeOrganization("Vestkyst Energi A/S");
  const editor = await makeMember(cli, ["editor"], { name: "Ida Redaktør" });
  return { cli, editor };
}

describe("the story library", () => {
  it("filters by status, topic and language, with names of topics, audiences and author", async () => {
    const { cli, editor } = await library();
    const energi = await createTopic(db(), cli, "Energi");
    const kultur = await createTopic(db(), cli, "Kultur");
    const salg = await createTeam(db(), cli, { name: "Salg" });
    const a = await createStory(db(), editor.scope, {
      title: "Energi på dansk",
      language: "da",
      topicIds: [energi.id, kultur.id],
      audienceTeamIds: [salg.id],
      variants: [
        { network: "x", language: "da", text: "a" },
        { network: "x", language: "da", text: "b" },
      ],
    });
    await createStory(db(), editor.scope, { title: "Energy in English", language: "en", topicIds: [energi.id] });
    const review = await createStory(db(), editor.scope, { title: "Kultur til review", language: "da", topicIds: [kultur.id] });
    await submitStory(db(), editor.scope, review.id);

    expect(await titles(editor.scope, { status: "in_review" })).toEqual(["Kultur til review"]);
    expect(await titles(editor.scope, { status: "draft" })).toEqual(["Energi på dansk", "Energy in English"]);
    expect(await titles(editor.scope, { topicId: energi.id })).toEqual(["Energi på dansk", "Energy in English"]);
    expect(await titles(editor.scope, { language: "en" })).toEqual(["Energy in English"]);
    expect(await titles(editor.scope, { topicId: kultur.id, status: "draft", language: "da" })).toEqual(["Energi på dansk"]);

    const [row] = (await listLibraryStories(db(), editor.scope)).filter((s) => s.id === a.id);
    expect(row).toMatchObject({ variantCount: 2, topicNames: ["Energi", "Kultur"], audienceNames: ["Salg"], authorName: "Ida Redaktør", source: "manual" });
  });

  it("lists a story for a team under its sub-teams, and not under other teams", async () => {
    const { cli, editor } = await library();
    const salg = await createTeam(db(), cli, { name: "Salg" });
    const oest = await createTeam(db(), cli, { name: "Salg Øst", parentId: salg.id });
    const teknik = await createTeam(db(), cli, { name: "Teknik" });
    await createStory(db(), editor.scope, { title: "For Salg", language: "da", audienceTeamIds: [salg.id] });
    await createStory(db(), editor.scope, { title: "For Salg Øst", language: "da", audienceTeamIds: [oest.id] });
    await createStory(db(), editor.scope, { title: "For Teknik", language: "da", audienceTeamIds: [teknik.id] });

    expect(await titles(editor.scope, { teamId: oest.id })).toEqual(["For Salg", "For Salg Øst"]);
    expect(await titles(editor.scope, { teamId: salg.id })).toEqual(["For Salg"]);
    expect(await titles(editor.scope, { teamId: teknik.id })).toEqual(["For Teknik"]);

    // Another organisation's team id finds nothing here.
    const other = await makeOrganization();
    const foreign = await createTeam(db(), other.cli, { name: "Salg" });
    expect(await titles(editor.scope, { teamId: foreign.id })).toEqual([]);
  });

  it("searches with Danish and English stemming, a part of a compound word, and never across organisations", async () => {
    const { editor } = await library();
    await createStory(db(), editor.scope, { title: "Ny vindmølle ved Esbjerg", language: "da", summary: "Den står klar til vinter" });
    await createStory(db(), editor.scope, { title: "A new partnership with Ørsted", language: "en" });
    await createStory(db(), editor.scope, { title: "Havvindmølleparken vokser", language: "da" });
    await createStory(db(), editor.scope, { title: "Kantinen har ny kok", language: "da", body: "Der serveres frikadeller med persillesovs" });
    await createStory(db(), editor.scope, { title: "Rabat på 50% i kantinen", language: "da" });

    const other = await library();
    await createStory(db(), other.editor.scope, { title: "Vindmøller hos konkurrenten", language: "da" });
    await createStory(db(), other.editor.scope, { title: "Partnerships elsewhere", language: "en" });

    // "vindmøller" is not a substring of "vindmølle": this is the Danish stemmer at work.
    expect(await titles(editor.scope, { q: "vindmøller" })).toEqual(["Ny vindmølle ved Esbjerg"]);
    expect(await titles(editor.scope, { q: "partnerships" })).toEqual(["A new partnership with Ørsted"]);
    expect(await titles(editor.scope, { q: "vindmølle" })).toEqual(["Havvindmølleparken vokser", "Ny vindmølle ved Esbjerg"]);
    expect(await titles(editor.scope, { q: "persillesovs" })).toEqual(["Kantinen har ny kok"]);
    expect(await titles(editor.scope, { q: "VINTER" })).toEqual(["Ny vindmølle ved Esbjerg"]);
    // Every word must be there.
    expect(await titles(editor.scope, { q: "vindmølle Aarhus" })).toEqual([]);
    // LIKE wildcards are literal.
    expect(await titles(editor.scope, { q: "%" })).toEqual(["Rabat på 50% i kantinen"]);
    expect(await titles(editor.scope, { q: "_" })).toEqual([]);
    // Search syntax is not an error.
    expect(await titles(editor.scope, { q: `"vindmølle -esbjerg` })).toEqual(expect.any(Array));

    expect(await titles(other.editor.scope, { q: "vindmølle" })).toEqual(["Vindmøller hos konkurrenten"]);
  });

  it("finds a story by its new words after an edit", async () => {
    const { editor } = await library();
    const story = await createStory(db(), editor.scope, { title: "Foreløbig titel", language: "da" });
    await updateStory(db(), editor.scope, story.id, { title: "Solceller på taget" });
    expect(await titles(editor.scope, { q: "solcellerne" })).toEqual(["Solceller på taget"]);
    expect(await titles(editor.scope, { q: "foreløbig" })).toEqual([]);
  });

  it("shows a story of another organisation to nobody here", async () => {
    const { editor } = await library();
    const other = await library();
    const theirs = await createStory(db(), other.editor.scope, { title: "Deres hemmelighed", language: "da" });
    expect(await titles(editor.scope)).toEqual([]);
    await expect(getStory(db(), editor.scope, theirs.id)).rejects.toBeInstanceOf(DomainError);
    await expect(getStory(db(), editor.scope, theirs.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe("the editors' calendar", () => {
  it("lists the stories whose window overlaps the range, drafts left out", async () => {
    const { cli } = await library();
    await insertStory(cli, "Inside", { status: "approved", publishAt: day(3), expiresAt: day(4) });
    await insertStory(cli, "Starts before, ends inside", { publishAt: day(-5), expiresAt: day(2) });
    await insertStory(cli, "Spans the range", { publishAt: day(-4), expiresAt: day(30) });
    await insertStory(cli, "Open-ended, started before", { publishAt: day(-20) });
    await insertStory(cli, "Published without a time", { publishAt: null, publishedAt: day(5) });
    await insertStory(cli, "Ended before", { publishAt: day(-10), expiresAt: day(0) });
    await insertStory(cli, "Starts at the end", { status: "approved", publishAt: day(7) });
    await insertStory(cli, "Starts after", { status: "approved", publishAt: day(9) });
    await insertStory(cli, "A draft inside", { status: "draft", publishAt: day(3) });
    const other = await makeOrganization();
    await insertStory(other.cli, "Another organisation's", { publishAt: day(3) });

    const entries = await listCalendar(db(), cli, day(1), day(7));
    // Earliest start first.
    expect(entries.map((e) => e.title)).toEqual([
      "Open-ended, started before",
      "Starts before, ends inside",
      "Spans the range",
      "Inside",
      "Published without a time",
    ]);
    expect(entries.find((e) => e.title === "Inside")).toMatchObject({ status: "approved", publishAt: day(3), expiresAt: day(4), pinned: false });
  });
});

describe("the review queue", () => {
  it("lists the stories waiting for review, oldest first", async () => {
    const { editor } = await library();
    for (const title of ["Først", "Dernæst", "Til sidst"]) {
      const story = await createStory(db(), editor.scope, { title, language: "da" });
      await submitStory(db(), editor.scope, story.id);
    }
    await createStory(db(), editor.scope, { title: "Bare en kladde", language: "da" });
    expect((await listReviewQueue(db(), editor.scope)).map((s) => s.title)).toEqual(["Først", "Dernæst", "Til sidst"]);
  });

  it("starts with the oldest story waiting even when more than 200 wait", async () => {
    const { cli, editor } = await library();
    const base = Date.parse("2030-01-01T00:00:00Z");
    await db()
      .insert(stories)
      .values(
        Array.from({ length: 205 }, (_, i) => ({
          orgId: cli.orgId,
          slug: `review-${i}`,
          title: `Venter ${String(i).padStart(3, "0")}`,
          language: "da" as const,
          status: "in_review" as const,
          createdAt: new Date(base + i * 60_000),
          updatedAt: new Date(base + i * 60_000),
        })),
      );
    const queue = await listReviewQueue(db(), editor.scope);
    expect(queue[0]!.title).toBe("Venter 000");
    expect(queue.slice(0, 3).map((s) => s.title)).toEqual(["Venter 000", "Venter 001", "Venter 002"]);
  });
});

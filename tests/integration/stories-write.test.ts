import { randomUUID } from "node:crypto";
import { and, asc, count, eq, inArray, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { auditLog, stories, storyAudiences, storyTopics, storyTransitions, storyVariants } from "@/db/schema";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { updateGovernance } from "@/lib/orgs/governance";
import { approveStory, archiveStory, createStory, getStory, submitStory, updateStory } from "@/lib/stories";
import { createTeam } from "@/lib/teams";
import { createTopic } from "@/lib/topics";
import { makeMember, makeOrganization } from "../support/factories";

const HOUR = 3_600_000;

/** A refusal as the edges report it: status, code and field errors (zod issues keyed by path, like lib/auth/guard). */
async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error("expected a refusal, but it succeeded");
    },
    (e: unknown) => e,
  );
  if (error instanceof DomainError) return { status: error.status, code: error.code, fieldErrors: error.fieldErrors ?? {} };
  if (error instanceof z.ZodError) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of error.issues) (fieldErrors[issue.path.join(".") || "_"] ??= []).push(issue.message);
    return { status: 422, code: "invalidInput", fieldErrors };
  }
  throw error;
}

/** How many rows a story write leaves behind in the organisation. */
async function footprint(orgId: string) {
  const n = async (query: Promise<Array<{ n: number }>>) => (await query)[0]!.n;
  const storyIds = db().select({ id: stories.id }).from(stories).where(eq(stories.orgId, orgId));
  return {
    stories: await n(db().select({ n: count() }).from(stories).where(eq(stories.orgId, orgId))),
    variants: await n(db().select({ n: count() }).from(storyVariants).where(eq(storyVariants.orgId, orgId))),
    topics: await n(db().select({ n: count() }).from(storyTopics).where(inArray(storyTopics.storyId, storyIds))),
    audiences: await n(db().select({ n: count() }).from(storyAudiences).where(inArray(storyAudiences.storyId, storyIds))),
    transitions: await n(db().select({ n: count() }).from(storyTransitions).where(eq(storyTransitions.orgId, orgId))),
    audits: await n(db().select({ n: count() }).from(auditLog).where(and(eq(auditLog.orgId, orgId), like(auditLog.action, "story.%")))),
  };
}

async function auditsOf(storyId: string) {
  return db().select().from(auditLog).where(eq(auditLog.targetId, storyId)).orderBy(asc(auditLog.id));
}

async function transitionsOf(storyId: string) {
  return db().select().from(storyTransitions).where(eq(storyTransitions.storyId, storyId)).orderBy(asc(storyTransitions.createdAt));
}

async function newsroom(governance: { approvalRequired?: boolean; disclosureHashtag?: string | null; blockedWords?: string[] } = {}) {
  const { cli } = await makeOrganization("Nordlys A/S");
  const admin = await makeMember(cli, ["admin"]);
  const editor = await makeMember(cli, ["editor", "employee"], { name: "Ida Redaktør" });
  if (Object.keys(governance).length > 0) {
    await updateGovernance(db(), admin.scope, { approvalRequired: true, disclosureHashtag: null, blockedWords: [], ...governance });
  }
  return { cli, admin, editor };
}

const base = { title: "Nyhed", language: "da" as const };

describe("creating a story", () => {
  it("stores the fields, topics, audiences and variants, positioned per network and language", async () => {
    const { cli, editor } = await newsroom();
    const energi = await createTopic(db(), cli, "Energi");
    const job = await createTopic(db(), cli, "Job");
    const salg = await createTeam(db(), cli, { name: "Salg" });
    const publishAt = new Date(Date.now() + 2 * HOUR);
    const expiresAt = new Date(Date.now() + 48 * HOUR);

    const created = await createStory(db(), editor.scope, {
      title: "  Vi åbner i Aarhus  ",
      summary: "Et nyt kontor",
      body: "**Stort** for os",
      canonicalUrl: "https://nordlys.example/aarhus",
      imageUrl: "",
      language: "da",
      topicIds: [energi.id, job.id, energi.id],
      audienceTeamIds: [salg.id],
      publishAt: publishAt.toISOString(),
      expiresAt,
      pinned: true,
      variants: [
        { network: "x", language: "da", text: "Første på X" },
        { network: "linkedin", language: "da", text: "På LinkedIn" },
        { network: "x", language: "da", text: "Anden på X" },
        { network: "x", language: "en", text: "First on X" },
      ],
    });

    expect(created).toMatchObject({
      orgId: cli.orgId,
      title: "Vi åbner i Aarhus",
      summary: "Et nyt kontor",
      body: "**Stort** for os",
      canonicalUrl: "https://nordlys.example/aarhus",
      imageUrl: null,
      language: "da",
      status: "draft",
      source: "manual",
      pinned: true,
      createdBy: editor.user.id,
      approvedBy: null,
      publishedAt: null,
    });
    expect(created.publishAt).toEqual(publishAt);
    expect(created.expiresAt).toEqual(expiresAt);

    const detail = await getStory(db(), editor.scope, created.id);
    expect([...detail.topicIds].sort()).toEqual([energi.id, job.id].sort());
    expect(detail.audienceTeamIds).toEqual([salg.id]);
    expect(detail.authorName).toBe("Ida Redaktør");
    expect(detail.variants.map(({ network, language, position, text }) => ({ network, language, position, text }))).toEqual([
      { network: "linkedin", language: "da", position: 0, text: "På LinkedIn" },
      { network: "x", language: "da", position: 0, text: "Første på X" },
      { network: "x", language: "da", position: 1, text: "Anden på X" },
      { network: "x", language: "en", position: 0, text: "First on X" },
    ]);
  });

  it("makes the slug from the Danish title and keeps it unique in the organisation", async () => {
    const { editor } = await newsroom();
    const other = await newsroom();
    const title = "Æbleskiver på Ærø – sådan!";

    const first = await createStory(db(), editor.scope, { ...base, title });
    const second = await createStory(db(), editor.scope, { ...base, title });
    const third = await createStory(db(), editor.scope, { ...base, title: title.toUpperCase() });
    const elsewhere = await createStory(db(), other.editor.scope, { ...base, title });

    expect(first.slug).toBe("aebleskiver-paa-aeroe-saadan");
    expect(second.slug).toBe("aebleskiver-paa-aeroe-saadan-2");
    expect(third.slug).toBe("aebleskiver-paa-aeroe-saadan-3");
    expect(elsewhere.slug).toBe("aebleskiver-paa-aeroe-saadan");
    expect((await createStory(db(), editor.scope, { ...base, title: "!!!" })).slug).toBe("story");
  });

  it("gives stories with the same title created at the same moment distinct slugs", async () => {
    const { cli, editor } = await newsroom();
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => createStory(db(), editor.scope, { ...base, title: "Samtidig nyhed" })));

    // A lost race on the stories_org_slug unique index must not surface as a database error (a 500).
    const failures = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as { cause?: { code?: string; constraint_name?: string } }).cause ?? r.reason] : []));
    expect(failures.map((f) => `${(f as { code?: string }).code} ${(f as { constraint_name?: string }).constraint_name ?? ""}`.trim())).toEqual([]);
    const slugs = (await db().select({ slug: stories.slug }).from(stories).where(eq(stories.orgId, cli.orgId))).map((s) => s.slug).sort();
    expect(slugs).toEqual(["samtidig-nyhed", "samtidig-nyhed-2", "samtidig-nyhed-3", "samtidig-nyhed-4"]);
  });

  it("audits the creation with a snapshot and records the first step by the author", async () => {
    const { cli, editor } = await newsroom();
    const topic = await createTopic(db(), cli, "Klima");
    const story = await createStory(db(), editor.scope, {
      ...base,
      title: "Grøn strøm",
      topicIds: [topic.id],
      variants: [{ network: "linkedin", language: "da", text: "Del den" }],
    });

    const audits = await auditsOf(story.id);
    expect(audits.map((a) => a.action)).toEqual(["story.create"]);
    expect(audits[0]).toMatchObject({ orgId: cli.orgId, actorUserId: editor.user.id, actorKind: "user", targetType: "story", before: null });
    expect(audits[0]!.after).toMatchObject({
      id: story.id,
      title: "Grøn strøm",
      status: "draft",
      topicIds: [topic.id],
      audienceTeamIds: [],
      variants: [{ network: "linkedin", language: "da", text: "Del den" }],
    });
    expect(audits[0]!.after).not.toHaveProperty("search");

    const steps = await transitionsOf(story.id);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ orgId: cli.orgId, fromStatus: null, toStatus: "draft", actorUserId: editor.user.id, note: null });
  });
  it("keeps an unchanged suggested text's row when the story is edited, so shares that started from it stay linked", async () => {
    const { editor } = await newsroom();
    const story = await createStory(db(), editor.scope, {
      ...base,
      title: "Varianter",
      variants: [
        { network: "linkedin", language: "da", text: "Første" },
        { network: "linkedin", language: "da", text: "Anden" },
      ],
    });
    const before = await db().select().from(storyVariants).where(eq(storyVariants.storyId, story.id));
    const second = before.find((v) => v.text === "Anden")!;
    await updateStory(db(), editor.scope, story.id, {
      variants: [
        { network: "linkedin", language: "da", text: "Anden" },
        { network: "linkedin", language: "da", text: "Ny tekst" },
      ],
    });
    const after = await db().select().from(storyVariants).where(eq(storyVariants.storyId, story.id));
    expect(after.map((v) => `${v.text}@${v.position}`).sort()).toEqual(["Anden@0", "Ny tekst@1"]);
    expect(after.find((v) => v.text === "Anden")!.id).toBe(second.id);
    expect(after.some((v) => v.text === "Første")).toBe(false);
  });
});

describe("refusing a story, writing nothing", () => {
  it("refuses over-long fields, invalid URLs and an expiry before the publish time", async () => {
    const { cli, editor } = await newsroom();
    const before = await footprint(cli.orgId);

    expect(await refusal(createStory(db(), editor.scope, { ...base, title: "Å".repeat(201) }))).toMatchObject({ status: 422, fieldErrors: { title: ["tooLong"] } });
    expect(await refusal(createStory(db(), editor.scope, { ...base, summary: "ø".repeat(601) }))).toMatchObject({ fieldErrors: { summary: ["tooLong"] } });
    expect(
      await refusal(createStory(db(), editor.scope, { ...base, variants: [{ network: "linkedin", language: "da", text: "x".repeat(5001) }] })),
    ).toMatchObject({ fieldErrors: { "variants.0.text": ["tooLong"] } });
    expect(await refusal(createStory(db(), editor.scope, { ...base, canonicalUrl: "nordlys.example/uden-skema" }))).toMatchObject({
      fieldErrors: { canonicalUrl: ["invalidUrl"] },
    });
    expect(await refusal(createStory(db(), editor.scope, { ...base, imageUrl: "javascript:alert(1)" }))).toMatchObject({
      fieldErrors: { imageUrl: ["invalidUrl"] },
    });
    expect(await refusal(createStory(db(), editor.scope, { ...base, canonicalUrl: `https://nordlys.example/${"a".repeat(2048)}` }))).toMatchObject({
      fieldErrors: { canonicalUrl: ["tooLong"] },
    });
    expect(
      await refusal(createStory(db(), editor.scope, { ...base, publishAt: new Date(Date.now() + 2 * HOUR), expiresAt: new Date(Date.now() + HOUR) })),
    ).toMatchObject({ fieldErrors: { expiresAt: ["expiresBeforePublish"] } });

    expect(await footprint(cli.orgId)).toEqual(before);
  });

  it("refuses unknown topics and topics or teams of another organisation", async () => {
    const { cli, editor } = await newsroom();
    const mine = await createTopic(db(), cli, "Mit emne");
    const other = await newsroom();
    const foreignTopic = await createTopic(db(), other.cli, "Fremmed emne");
    const foreignTeam = await createTeam(db(), other.cli, { name: "Fremmed team" });
    const before = await footprint(cli.orgId);

    expect(await refusal(createStory(db(), editor.scope, { ...base, topicIds: [mine.id, randomUUID()] }))).toMatchObject({
      status: 422,
      code: "unknownTopic",
      fieldErrors: { topicIds: ["unknownTopic"] },
    });
    expect(await refusal(createStory(db(), editor.scope, { ...base, topicIds: [foreignTopic.id] }))).toMatchObject({ fieldErrors: { topicIds: ["unknownTopic"] } });
    expect(await refusal(createStory(db(), editor.scope, { ...base, topicIds: ["not-a-uuid"] }))).toMatchObject({ status: 422 });
    expect(await refusal(createStory(db(), editor.scope, { ...base, audienceTeamIds: [foreignTeam.id] }))).toMatchObject({
      status: 422,
      code: "unknownTeam",
      fieldErrors: { audienceTeamIds: ["unknownTeam"] },
    });
    expect(await refusal(createStory(db(), editor.scope, { ...base, audienceTeamIds: [randomUUID()] }))).toMatchObject({ fieldErrors: { audienceTeamIds: ["unknownTeam"] } });

    expect(await footprint(cli.orgId)).toEqual(before);
    expect(await footprint(other.cli.orgId)).toMatchObject({ stories: 0 });
  });

  it("refuses a blocked phrase in the title, summary, body or a variant, case-insensitively with Danish letters, on whole words", async () => {
    const { cli, editor } = await newsroom({ blockedWords: ["grønvask", "Skjult Agenda", "c++"] });
    const before = await footprint(cli.orgId);

    expect(await refusal(createStory(db(), editor.scope, { ...base, title: "Ingen GRØNVASK her" }))).toMatchObject({
      status: 422,
      code: "storyBreaksRules",
      fieldErrors: { title: ["blockedPhrase:grønvask"] },
    });
    expect(await refusal(createStory(db(), editor.scope, { ...base, body: "Vi har en skjult\n  agenda." }))).toMatchObject({
      fieldErrors: { body: ["blockedPhrase:Skjult Agenda"] },
    });
    expect(await refusal(createStory(db(), editor.scope, { ...base, summary: "Grønvask? (Grønvask!)" }))).toMatchObject({
      fieldErrors: { summary: ["blockedPhrase:grønvask"] },
    });
    expect(
      await refusal(createStory(db(), editor.scope, { ...base, variants: [{ network: "linkedin", language: "da", text: "Vi koder i C++ nu" }] })),
    ).toMatchObject({ fieldErrors: { "variants.0.text": ["blockedPhrase:c++"] } });
    expect(await footprint(cli.orgId)).toEqual(before);

    // Whole words only, and the phrase is literal: none of these is a match.
    const fine = await createStory(db(), editor.scope, {
      ...base,
      title: "Grønvaskning og antigrønvask",
      body: "Skjult agendapunkt; vi skriver abc++ og c+ og Skjult-agenda",
    });
    expect(fine.status).toBe("draft");
  });

  it("counts the disclosure hashtag in an X variant's 280", async () => {
    const text = `${"Ord ".repeat(67)}ja`; // 270 characters
    expect(text).toHaveLength(270);

    const withoutTag = await newsroom();
    const ok = await createStory(db(), withoutTag.editor.scope, { ...base, variants: [{ network: "x", language: "da", text }] });
    expect(ok.id).toBeTruthy();

    const { cli, editor } = await newsroom({ disclosureHashtag: "nordlysansat" });
    const before = await footprint(cli.orgId);
    expect(await refusal(createStory(db(), editor.scope, { ...base, variants: [{ network: "x", language: "da", text }] }))).toMatchObject({
      status: 422,
      code: "storyBreaksRules",
      fieldErrors: { "variants.0.text": ["tooLongFor:280"] },
    });
    expect(await footprint(cli.orgId)).toEqual(before);

    // The same text carrying the tag already is not tagged twice; other networks have room.
    const carrying = `${"Ord ".repeat(65)}#nordlysansat`;
    await createStory(db(), editor.scope, {
      ...base,
      variants: [
        { network: "x", language: "da", text: carrying },
        { network: "linkedin", language: "da", text },
      ],
    });
  });
});

describe("updating a story", () => {
  it("changes only the fields given, replaces the variants, and audits before and after", async () => {
    const { cli, editor } = await newsroom();
    const topic = await createTopic(db(), cli, "Energi");
    const team = await createTeam(db(), cli, { name: "Salg" });
    const story = await createStory(db(), editor.scope, {
      ...base,
      title: "Gammel titel",
      summary: "Resumé",
      body: "Tekst",
      topicIds: [topic.id],
      audienceTeamIds: [team.id],
      variants: [
        { network: "x", language: "da", text: "En" },
        { network: "x", language: "da", text: "To" },
      ],
    });

    const renamed = await updateStory(db(), editor.scope, story.id, { title: "Ny titel" });
    expect(renamed).toMatchObject({ title: "Ny titel", summary: "Resumé", body: "Tekst", slug: story.slug, status: "draft" });
    let detail = await getStory(db(), editor.scope, story.id);
    expect(detail.topicIds).toEqual([topic.id]);
    expect(detail.audienceTeamIds).toEqual([team.id]);
    expect(detail.variants.map((v) => v.text)).toEqual(["En", "To"]);

    await updateStory(db(), editor.scope, story.id, { variants: [{ network: "linkedin", language: "en", text: "Only this" }], audienceTeamIds: [] });
    detail = await getStory(db(), editor.scope, story.id);
    expect(detail.variants.map(({ network, language, position, text }) => ({ network, language, position, text }))).toEqual([
      { network: "linkedin", language: "en", position: 0, text: "Only this" },
    ]);
    expect(detail.audienceTeamIds).toEqual([]);
    expect(detail.topicIds).toEqual([topic.id]);
    expect(detail.title).toBe("Ny titel");

    const updates = (await auditsOf(story.id)).filter((a) => a.action === "story.update");
    expect(updates).toHaveLength(2);
    expect(updates[0]).toMatchObject({ actorUserId: editor.user.id, before: { title: "Gammel titel" }, after: { title: "Ny titel" } });
    expect(updates[1]!.before).toMatchObject({ variants: [{ text: "En" }, { text: "To" }], audienceTeamIds: [team.id] });
    expect(updates[1]!.after).toMatchObject({ variants: [{ network: "linkedin", language: "en", text: "Only this" }], audienceTeamIds: [] });
  });

  it("refuses an update that breaks the rules or the window, changing nothing", async () => {
    const { cli, editor } = await newsroom({ blockedWords: ["hemmelig"] });
    const story = await createStory(db(), editor.scope, { ...base, title: "Åben titel", publishAt: new Date(Date.now() + 2 * HOUR) });
    const other = await newsroom();
    const foreignTopic = await createTopic(db(), other.cli, "Fremmed");
    const before = await footprint(cli.orgId);

    expect(await refusal(updateStory(db(), editor.scope, story.id, { title: "Hemmelig titel" }))).toMatchObject({ fieldErrors: { title: ["blockedPhrase:hemmelig"] } });
    expect(await refusal(updateStory(db(), editor.scope, story.id, { expiresAt: new Date(Date.now() + HOUR) }))).toMatchObject({
      status: 422,
      fieldErrors: { expiresAt: ["expiresBeforePublish"] },
    });
    expect(await refusal(updateStory(db(), editor.scope, story.id, { topicIds: [foreignTopic.id] }))).toMatchObject({ fieldErrors: { topicIds: ["unknownTopic"] } });
    expect(await refusal(updateStory(db(), editor.scope, story.id, { title: "" }))).toMatchObject({ fieldErrors: { title: ["required"] } });

    expect(await footprint(cli.orgId)).toEqual(before);
    expect((await getStory(db(), editor.scope, story.id)).title).toBe("Åben titel");
  });

  it("sends an approved story that is not yet published back to review when its content changes", async () => {
    const { cli, editor } = await newsroom();
    const reviewer = await makeMember(cli, ["editor"], { name: "Bo Godkender" });
    const story = await createStory(db(), editor.scope, { ...base, title: "Senere", publishAt: new Date(Date.now() + 24 * HOUR) });
    await submitStory(db(), editor.scope, story.id);
    const approved = await approveStory(db(), reviewer.scope, story.id);
    expect(approved).toMatchObject({ status: "approved", approvedBy: reviewer.user.id });

    // Pinning is not content: it stays approved.
    expect((await updateStory(db(), editor.scope, story.id, { pinned: true })).status).toBe("approved");

    const edited = await updateStory(db(), editor.scope, story.id, { summary: "Ændret efter godkendelse" });
    expect(edited).toMatchObject({ status: "in_review", approvedBy: null, approvedAt: null, summary: "Ændret efter godkendelse" });
    const last = (await transitionsOf(story.id)).at(-1);
    expect(last).toMatchObject({ fromStatus: "approved", toStatus: "in_review", note: "editedAfterApproval", actorUserId: editor.user.id });
  });

  it("keeps an approved story approved after an edit when approval is not required", async () => {
    const { editor } = await newsroom({ approvalRequired: false });
    const story = await createStory(db(), editor.scope, { ...base, publishAt: new Date(Date.now() + 24 * HOUR) });
    await approveStory(db(), editor.scope, story.id);
    expect((await updateStory(db(), editor.scope, story.id, { title: "Rettet" })).status).toBe("approved");
  });

  it("refuses to change an archived story, and a story of another organisation is not found", async () => {
    const { editor } = await newsroom();
    const story = await createStory(db(), editor.scope, { ...base, title: "Arkiveres" });
    await archiveStory(db(), editor.scope, story.id);
    expect(await refusal(updateStory(db(), editor.scope, story.id, { title: "Nej" }))).toMatchObject({ status: 422, code: "storyArchived" });

    const other = await newsroom();
    const foreign = await createStory(db(), other.editor.scope, { ...base, title: "Deres" });
    expect(await refusal(updateStory(db(), editor.scope, foreign.id, { title: "Vores nu" }))).toMatchObject({ status: 404 });
    const [row] = await db().select().from(stories).where(eq(stories.id, foreign.id));
    expect(row!.title).toBe("Deres");
    expect((await auditsOf(foreign.id)).map((a) => a.action)).toEqual(["story.create"]);
    expect((await auditsOf(story.id)).map((a) => a.action)).toEqual(["story.create", "story.archived"]);
  });
});

import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, stories, storyTransitions } from "@/db/schema";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { updateGovernance } from "@/lib/orgs/governance";
import { getQueue } from "@/lib/queue";
import { approveStory, archiveStory, createStory, rejectStory, runDueLifecycle, storyHistory, submitStory, updateStory } from "@/lib/stories";
import { makeMember, makeOrganization } from "../support/factories";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The sweep (runDueLifecycle without a story id) sees every organisation in the shared
 * test database. Stories here whose time is the sweep's business live in 2001, so the
 * sweep, run with a "now" in 2001, cannot touch other files' stories and theirs cannot
 * touch these.
 */
const ERA = Date.parse("2001-03-01T09:00:00Z");
const at = (minutes: number) => new Date(ERA + minutes * MINUTE);

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error("expected a refusal, but it succeeded");
    },
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw error;
  return { status: error.status, code: error.code, fieldErrors: error.fieldErrors };
}

async function row(storyId: string) {
  const [story] = await db().select().from(stories).where(eq(stories.id, storyId));
  return story!;
}

async function steps(storyId: string) {
  return db().select().from(storyTransitions).where(eq(storyTransitions.storyId, storyId)).orderBy(asc(storyTransitions.createdAt));
}

const path = (rows: Array<{ fromStatus: string | null; toStatus: string }>) => rows.map((r) => `${r.fromStatus ?? "∅"}→${r.toStatus}`);

async function newsroom(approvalRequired = true) {
  const { cli } = await makeOrganization("Fjordkraft A/S");
  const admin = await makeMember(cli, ["admin"], { name: "Anne Admin" });
  const author = await makeMember(cli, ["editor", "employee"], { name: "Ida Skribent" });
  const reviewer = await makeMember(cli, ["editor"], { name: "Bo Godkender" });
  if (!approvalRequired) await updateGovernance(db(), admin.scope, { approvalRequired: false, disclosureHashtag: null, blockedWords: [] });
  return { cli, admin, author, reviewer };
}

const draft = (title = "Vindmøller i Vesterhavet", extra: Record<string, unknown> = {}) => ({ title, language: "da", ...extra });

describe("the story lifecycle with approval required", () => {
  it("sends a draft to review, recorded and audited", async () => {
    const { author } = await newsroom();
    const story = await createStory(db(), author.scope, draft());

    const submitted = await submitStory(db(), author.scope, story.id);
    expect(submitted.status).toBe("in_review");
    expect(path(await steps(story.id))).toEqual(["∅→draft", "draft→in_review"]);
    expect((await steps(story.id)).at(-1)!.actorUserId).toBe(author.user.id);
    const audits = await db().select().from(auditLog).where(eq(auditLog.targetId, story.id)).orderBy(asc(auditLog.id));
    expect(audits.at(-1)).toMatchObject({ action: "story.in_review", actorUserId: author.user.id, before: { status: "draft" }, after: { status: "in_review" } });
  });

  it("does not let the author approve their own story; another editor can, and it goes live at once", async () => {
    const { author, reviewer } = await newsroom();
    const story = await createStory(db(), author.scope, draft());
    await submitStory(db(), author.scope, story.id);

    expect(await refusal(approveStory(db(), author.scope, story.id))).toMatchObject({ status: 409, code: "cannotApproveOwn" });
    expect((await row(story.id)).status).toBe("in_review");
    expect(await steps(story.id)).toHaveLength(2);

    const before = Date.now();
    const published = await approveStory(db(), reviewer.scope, story.id);
    expect(published).toMatchObject({ status: "published", approvedBy: reviewer.user.id });
    expect(published.publishedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(published.approvedAt).toEqual(published.publishedAt);
    expect(published.publishAt).toEqual(published.publishedAt);
    const recorded = await steps(story.id);
    expect(recorded.slice(2).map((s) => s.actorUserId)).toEqual([reviewer.user.id, reviewer.user.id]);
    expect(new Set(path(recorded))).toEqual(new Set(["∅→draft", "draft→in_review", "in_review→approved", "approved→published"]));
  });

  it("does not let an editor approve a draft that skipped review", async () => {
    const { author, reviewer } = await newsroom();
    const story = await createStory(db(), author.scope, draft());
    expect(await refusal(approveStory(db(), reviewer.scope, story.id))).toMatchObject({ status: 409, code: "wrongStatus" });
    expect((await row(story.id)).status).toBe("draft");
  });

  it("publishes at once a story whose publish time has passed, keeping that time", async () => {
    const { author, reviewer } = await newsroom();
    const publishAt = new Date(Date.now() - 2 * HOUR);
    const story = await createStory(db(), author.scope, draft("Allerede tid", { publishAt }));
    await submitStory(db(), author.scope, story.id);

    const published = await approveStory(db(), reviewer.scope, story.id);
    expect(published.status).toBe("published");
    expect(published.publishAt).toEqual(publishAt);
    expect(published.publishedAt!.getTime()).toBeGreaterThan(publishAt.getTime());
  });

  it("leaves a story with a future publish time approved, with delayed jobs on the lifecycle queue", async () => {
    const { author, reviewer } = await newsroom();
    const publishAt = new Date(Date.now() + 3 * HOUR);
    const expiresAt = new Date(Date.now() + 30 * HOUR);
    const story = await createStory(db(), author.scope, draft("Senere", { publishAt, expiresAt }));
    await submitStory(db(), author.scope, story.id);

    const before = Date.now();
    const approved = await approveStory(db(), reviewer.scope, story.id);
    const after = Date.now();
    expect(approved).toMatchObject({ status: "approved", approvedBy: reviewer.user.id, publishedAt: null });

    const queue = getQueue("lifecycle");
    const publishJob = await queue.getJob(`story-publish-${story.id}-${publishAt.getTime()}`);
    expect(publishJob).toBeTruthy();
    expect(publishJob!.name).toBe("story.publish");
    expect(publishJob!.data).toEqual({ storyId: story.id });
    expect(await publishJob!.getState()).toBe("delayed");
    expect(publishJob!.opts.delay).toBeGreaterThanOrEqual(publishAt.getTime() - after);
    expect(publishJob!.opts.delay).toBeLessThanOrEqual(publishAt.getTime() - before);

    const expireJob = await queue.getJob(`story-expire-${story.id}-${expiresAt.getTime()}`);
    expect(expireJob).toMatchObject({ name: "story.expire", data: { storyId: story.id } });
    expect(expireJob!.opts.delay).toBeGreaterThanOrEqual(expiresAt.getTime() - after);
    expect(expireJob!.opts.delay).toBeLessThanOrEqual(expiresAt.getTime() - before);
  });

  it("queues a new publish job when an approved story's time is moved, and the old one then finds nothing to do", async () => {
    const { author, reviewer } = await newsroom();
    const first = new Date(Date.now() + 3 * HOUR);
    const moved = new Date(Date.now() + 5 * HOUR);
    const story = await createStory(db(), author.scope, draft("Flyttes", { publishAt: first }));
    await submitStory(db(), author.scope, story.id);
    await approveStory(db(), reviewer.scope, story.id);

    const updated = await updateStory(db(), author.scope, story.id, { publishAt: moved });
    expect(updated.status).toBe("approved");
    const job = await getQueue("lifecycle").getJob(`story-publish-${story.id}-${moved.getTime()}`);
    expect(job).toMatchObject({ name: "story.publish", data: { storyId: story.id } });
    // The old job, run at the old time, leaves the story alone.
    expect(await runDueLifecycle(db(), { storyId: story.id, now: new Date(first.getTime() + 1000) })).toEqual({ published: 0, archived: 0 });
    expect((await row(story.id)).status).toBe("approved");
  });

  it("sends a story in review back to draft only with a reason", async () => {
    const { author, reviewer } = await newsroom();
    const story = await createStory(db(), author.scope, draft());
    await submitStory(db(), author.scope, story.id);

    expect(await refusal(rejectStory(db(), reviewer.scope, story.id, "   "))).toMatchObject({ status: 422, code: "reasonRequired", fieldErrors: { note: ["required"] } });
    expect((await row(story.id)).status).toBe("in_review");

    const rejected = await rejectStory(db(), reviewer.scope, story.id, "  Skriv en kortere rubrik  ");
    expect(rejected.status).toBe("draft");
    expect((await steps(story.id)).at(-1)).toMatchObject({ fromStatus: "in_review", toStatus: "draft", note: "Skriv en kortere rubrik", actorUserId: reviewer.user.id });
    // …and it can go round again.
    expect((await submitStory(db(), author.scope, story.id)).status).toBe("in_review");
  });

  it("refuses a step from the wrong status and changes nothing", async () => {
    const { author, reviewer } = await newsroom();
    const story = await createStory(db(), author.scope, draft());
    const snapshot = async () => ({ story: await row(story.id), steps: (await steps(story.id)).length });

    const asDraft = await snapshot();
    expect(await refusal(rejectStory(db(), reviewer.scope, story.id, "nej"))).toMatchObject({ status: 409, code: "wrongStatus" });
    expect(await snapshot()).toEqual(asDraft);

    await submitStory(db(), author.scope, story.id);
    const inReview = await snapshot();
    expect(await refusal(submitStory(db(), author.scope, story.id))).toMatchObject({ status: 409, code: "wrongStatus" });
    expect(await snapshot()).toEqual(inReview);

    await approveStory(db(), reviewer.scope, story.id);
    const published = await snapshot();
    expect(await refusal(approveStory(db(), reviewer.scope, story.id))).toMatchObject({ status: 409, code: "wrongStatus" });
    expect(await refusal(submitStory(db(), author.scope, story.id))).toMatchObject({ status: 409, code: "wrongStatus" });
    expect(await refusal(rejectStory(db(), reviewer.scope, story.id, "for sent"))).toMatchObject({ status: 409, code: "wrongStatus" });
    expect(await snapshot()).toEqual(published);

    await archiveStory(db(), reviewer.scope, story.id);
    const archived = await snapshot();
    expect(await refusal(archiveStory(db(), reviewer.scope, story.id))).toMatchObject({ status: 409, code: "wrongStatus" });
    expect(await refusal(approveStory(db(), reviewer.scope, story.id))).toMatchObject({ status: 409, code: "wrongStatus" });
    expect(await snapshot()).toEqual(archived);
  });

  it("lets exactly one of two concurrent approvals through", async () => {
    const { cli, author, reviewer } = await newsroom();
    const second = await makeMember(cli, ["editor"], { name: "Kim Kollega" });
    const story = await createStory(db(), author.scope, draft());
    await submitStory(db(), author.scope, story.id);

    const results = await Promise.allSettled([approveStory(db(), reviewer.scope, story.id), approveStory(db(), second.scope, story.id)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const [failed] = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(failed!.reason).toMatchObject({ status: 409, code: "wrongStatus" });
    const recorded = path(await steps(story.id));
    expect(recorded.filter((s) => s === "in_review→approved")).toHaveLength(1);
    expect(recorded.filter((s) => s === "approved→published")).toHaveLength(1);
  });

  it("refuses to approve a story whose expiry has passed", async () => {
    const { author, reviewer } = await newsroom();
    const story = await createStory(db(), author.scope, draft("Kort vindue", { expiresAt: new Date(Date.now() + MINUTE) }));
    await submitStory(db(), author.scope, story.id);
    expect(await refusal(approveStory(db(), reviewer.scope, story.id, new Date(Date.now() + 2 * MINUTE)))).toMatchObject({
      status: 422,
      code: "alreadyExpired",
    });
    expect((await row(story.id)).status).toBe("in_review");
  });
});

describe("the story lifecycle without required approval", () => {
  it("lets an editor approve their own draft directly", async () => {
    const { author } = await newsroom(false);
    const story = await createStory(db(), author.scope, draft());
    const published = await approveStory(db(), author.scope, story.id);
    expect(published).toMatchObject({ status: "published", approvedBy: author.user.id });
    expect(new Set(path(await steps(story.id)))).toEqual(new Set(["∅→draft", "draft→approved", "approved→published"]));
  });
});

describe("the lifecycle sweep", () => {
  it("publishes approved stories whose time has come and archives published stories past expiry, as the system, once", async () => {
    const { author, reviewer } = await newsroom();
    const make = async (title: string, window: { publishAt?: Date; expiresAt?: Date }, approveAt: Date) => {
      const story = await createStory(db(), author.scope, draft(title, window));
      await submitStory(db(), author.scope, story.id);
      return approveStory(db(), reviewer.scope, story.id, approveAt);
    };
    const dueNow = await make("Klar kl. 10", { publishAt: at(60), expiresAt: at(600) }, at(0));
    const later = await make("Klar kl. 12", { publishAt: at(180) }, at(0));
    const expiring = await make("Udløber kl. 9.30", { expiresAt: at(30) }, at(0));
    expect([dueNow.status, later.status, expiring.status]).toEqual(["approved", "approved", "published"]);

    const now = at(61);
    await runDueLifecycle(db(), { now });

    expect(await row(dueNow.id)).toMatchObject({ status: "published", publishedAt: now });
    expect((await row(later.id)).status).toBe("approved");
    expect(await row(expiring.id)).toMatchObject({ status: "archived", archivedAt: now });

    const published = (await steps(dueNow.id)).at(-1)!;
    expect(published).toMatchObject({ fromStatus: "approved", toStatus: "published", actorUserId: null });
    const archived = (await steps(expiring.id)).at(-1)!;
    expect(archived).toMatchObject({ fromStatus: "published", toStatus: "archived", actorUserId: null, note: "expired" });
    const systemAudits = await db().select().from(auditLog).where(eq(auditLog.targetId, dueNow.id));
    expect(systemAudits.find((a) => a.action === "story.published")).toMatchObject({ actorKind: "system", actorUserId: null });

    // Again, and concurrently: nothing more happens.
    const counts = async () => Promise.all([dueNow, later, expiring].map(async (s) => (await steps(s.id)).length));
    const stepsBefore = await counts();
    await Promise.all([runDueLifecycle(db(), { now }), runDueLifecycle(db(), { now }), runDueLifecycle(db(), { now, storyId: dueNow.id })]);
    expect(await counts()).toEqual(stepsBefore);

    // Later the second one goes live too, and the first comes down at its expiry.
    await runDueLifecycle(db(), { now: at(601) });
    expect((await row(later.id)).status).toBe("published");
    expect((await row(dueNow.id)).status).toBe("archived");
  });

  it("archives an approved story that expired before it was published", async () => {
    const { author, reviewer } = await newsroom();
    const story = await createStory(db(), author.scope, draft("Aldrig live", { publishAt: at(60), expiresAt: at(90) }));
    await submitStory(db(), author.scope, story.id);
    await approveStory(db(), reviewer.scope, story.id, at(0));

    const result = await runDueLifecycle(db(), { storyId: story.id, now: at(120) });
    expect(result).toEqual({ published: 0, archived: 1 });
    expect(await row(story.id)).toMatchObject({ status: "archived", publishedAt: null });
  });

  it("does nothing for a story given by id that is not due", async () => {
    const { author, reviewer } = await newsroom();
    const story = await createStory(db(), author.scope, draft("Ikke endnu", { publishAt: at(60) }));
    await submitStory(db(), author.scope, story.id);
    await approveStory(db(), reviewer.scope, story.id, at(0));
    expect(await runDueLifecycle(db(), { storyId: story.id, now: at(59) })).toEqual({ published: 0, archived: 0 });
    expect((await row(story.id)).status).toBe("approved");
  });
});

describe("a story's history", () => {
  it("lists every step in order with who took it", async () => {
    const { author, reviewer } = await newsroom();
    // Published by the lifecycle at its time, so that every step is a transaction of its own
    // (see the next case for two steps in one).
    const story = await createStory(db(), author.scope, draft("Vindmøller", { publishAt: at(60) }));
    await submitStory(db(), author.scope, story.id);
    await rejectStory(db(), reviewer.scope, story.id, "Mere om Esbjerg");
    await submitStory(db(), author.scope, story.id);
    await approveStory(db(), reviewer.scope, story.id, at(0));
    await runDueLifecycle(db(), { storyId: story.id, now: at(60) });
    await archiveStory(db(), author.scope, story.id, "Forældet");

    const history = await storyHistory(db(), author.scope, story.id);
    expect(history.map((h) => ({ step: `${h.fromStatus ?? "∅"}→${h.toStatus}`, by: h.actorName, note: h.note }))).toEqual([
      { step: "∅→draft", by: "Ida Skribent", note: null },
      { step: "draft→in_review", by: "Ida Skribent", note: null },
      { step: "in_review→draft", by: "Bo Godkender", note: "Mere om Esbjerg" },
      { step: "draft→in_review", by: "Ida Skribent", note: null },
      { step: "in_review→approved", by: "Bo Godkender", note: null },
      { step: "approved→published", by: null, note: null },
      { step: "published→archived", by: "Ida Skribent", note: "Forældet" },
    ]);
  });

  it("keeps two steps taken in one transaction in the order they happened", async () => {
    // approveStory records in_review→approved and approved→published in one transaction;
    // both rows get the same created_at (now() is the transaction's start time), and the
    // tie-break on a random uuid then orders them by chance. Ten stories make a lucky pass
    // (1 in 1024) practically impossible.
    const { author, reviewer } = await newsroom();
    const misordered: string[] = [];
    for (let i = 0; i < 10; i++) {
      const story = await createStory(db(), author.scope, draft(`Historie ${i}`));
      await submitStory(db(), author.scope, story.id);
      await approveStory(db(), reviewer.scope, story.id);
      const history = (await storyHistory(db(), author.scope, story.id)).map((h) => `${h.fromStatus ?? "∅"}→${h.toStatus}`);
      if (history.join(" ") !== "∅→draft draft→in_review in_review→approved approved→published") misordered.push(history.join(" "));
    }
    expect(misordered).toEqual([]);
  });

  it("shows nothing of a story of another organisation", async () => {
    const { author } = await newsroom();
    const other = await newsroom();
    const story = await createStory(db(), other.author.scope, draft());
    expect(await storyHistory(db(), author.scope, story.id)).toEqual([]);
    expect(await refusal(submitStory(db(), author.scope, story.id))).toMatchObject({ status: 404 });
    expect((await row(story.id)).status).toBe("draft");
  });
});

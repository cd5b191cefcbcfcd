import { and, eq, inArray, lte, or } from "drizzle-orm";
import { stories, type Story, type StoryStatus } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx, Tx } from "@/lib/db";
import { conflict, invalid, notFound } from "@/lib/errors";
import { mailNotices } from "@/lib/notifications";
import { getOrganizationSettings } from "@/lib/orgs";
import { queueStoryPush } from "@/lib/push/fan-out";
import { actorUserId, trustedScope, type Scope } from "@/lib/tenant";
import { announceStory } from "@/lib/webhooks/announce";
import { scheduleLifecycleJobs } from "./lifecycle-jobs";
import { recordTransition } from "./transitions";
import { cancelScheduledShares } from "./withdraw";

/**
 * draft → in_review → approved → published → archived. Each step is a guarded UPDATE
 * (it only happens from the state it expects), is recorded with who and when, and is
 * audited. Going live and coming down happen on the lifecycle queue at their time.
 */

async function lockStory(tx: Tx, scope: Scope, storyId: string): Promise<Story> {
  const [story] = await tx
    .select()
    .from(stories)
    .where(and(eq(stories.id, storyId), eq(stories.orgId, scope.orgId)))
    .for("update");
  if (!story) throw notFound("Story");
  return story;
}

function requireStatus(story: Story, allowed: StoryStatus[]) {
  if (!allowed.includes(story.status)) throw conflict("wrongStatus", `The story is ${story.status.replace("_", " ")}`);
}

async function move(tx: Tx, scope: Scope, story: Story, to: StoryStatus, extra: Partial<typeof stories.$inferInsert> = {}, note?: string | null) {
  const [after] = await tx
    .update(stories)
    .set({ status: to, ...extra })
    .where(and(eq(stories.id, story.id), eq(stories.status, story.status)))
    .returning();
  if (!after) throw conflict("wrongStatus", "The story changed meanwhile; reload and try again");
  await recordTransition(tx, scope, story.id, story.status, to, note);
  await audit(tx, scope, { action: `story.${to}`, targetType: "story", targetId: story.id, before: { status: story.status }, after: { status: to, ...(note ? { note } : {}) } });
  return after;
}

/** Sends a draft for review. */
export async function submitStory(db: DbOrTx, scope: Scope, storyId: string): Promise<Story> {
  return db.transaction(async (tx) => {
    const story = await lockStory(tx, scope, storyId);
    requireStatus(story, ["draft"]);
    return move(tx, scope, story, "in_review");
  });
}

/** Sends a story in review back to draft, saying why. */
export async function rejectStory(db: DbOrTx, scope: Scope, storyId: string, note: string): Promise<Story> {
  const reason = note.trim();
  if (!reason) throw invalid("reasonRequired", "Say what needs to change", { note: ["required"] });
  return db.transaction(async (tx) => {
    const story = await lockStory(tx, scope, storyId);
    requireStatus(story, ["in_review"]);
    return move(tx, scope, story, "draft", { approvedBy: null, approvedAt: null }, reason.slice(0, 1000));
  });
}

/**
 * Approves a story. When the organisation requires approval it must be in review and
 * the approver cannot be its author; otherwise an editor may approve a draft directly.
 * A story whose publish time has come (or has none) goes live at once.
 */
export async function approveStory(db: DbOrTx, scope: Scope, storyId: string, now = new Date()): Promise<Story> {
  const story = await db.transaction(async (tx) => {
    const current = await lockStory(tx, scope, storyId);
    const { approvalRequired } = await getOrganizationSettings(tx, scope.orgId);
    requireStatus(current, approvalRequired ? ["in_review"] : ["draft", "in_review"]);
    if (approvalRequired && current.createdBy && current.createdBy === actorUserId(scope)) {
      throw conflict("cannotApproveOwn", "Another editor must approve a story you wrote");
    }
    if (current.expiresAt && current.expiresAt <= now) throw invalid("alreadyExpired", "The story's expiry time has passed", { expiresAt: ["alreadyExpired"] });
    const approved = await move(tx, scope, current, "approved", { approvedBy: actorUserId(scope), approvedAt: now });
    if (!approved.publishAt || approved.publishAt <= now) {
      return move(tx, scope, approved, "published", { publishedAt: now, publishAt: approved.publishAt ?? now });
    }
    return approved;
  });
  await scheduleLifecycleJobs(story);
  if (story.status === "published") await wentLive(db, story);
  return story;
}

/**
 * Withdraws a story (from any state but archived): it leaves the feed, every scheduled
 * share of it is cancelled, and each employee affected is told in the app and by mail.
 */
export async function archiveStory(db: DbOrTx, scope: Scope, storyId: string, reason?: string | null) {
  const result = await db.transaction(async (tx) => {
    const story = await lockStory(tx, scope, storyId);
    if (story.status === "archived") throw conflict("wrongStatus", "The story is already archived");
    const archived = await move(tx, scope, story, "archived", { archivedAt: new Date() }, reason?.trim().slice(0, 1000) || null);
    const { cancelled, notices } = await cancelScheduledShares(tx, scope, archived, "withdrawn");
    return { story: archived, cancelled, notices };
  });
  await mailNotices(result.notices);
  return { story: result.story, cancelledShares: result.cancelled };
}

/** After the commit that put a story live: chat channels and the push of the employees it is for. Best-effort both. */
async function wentLive(db: DbOrTx, story: { id: string; orgId: string }) {
  await announceStory(db, story);
  await queueStoryPush(story);
}

const system = { kind: "system" } as const;

/**
 * Publishes due approved stories and archives expired ones (cancelling their waiting shares).
 * Run per story by the lifecycle queue and by a minute sweep, so a lost job only delays a step
 * by a minute. Safe to run in several workers at once.
 */
export async function runDueLifecycle(db: DbOrTx, options: { storyId?: string; now?: Date } = {}) {
  const now = options.now ?? new Date();
  const only = options.storyId ? [options.storyId] : undefined;
  const due = await db
    .select({ id: stories.id, orgId: stories.orgId, status: stories.status })
    .from(stories)
    .where(
      and(
        only ? inArray(stories.id, only) : undefined,
        or(and(eq(stories.status, "approved"), lte(stories.publishAt, now)), and(inArray(stories.status, ["approved", "published"]), lte(stories.expiresAt, now))),
      ),
    )
    .limit(500);
  let published = 0;
  let archived = 0;
  for (const row of due) {
    const scope = trustedScope(row.orgId, system);
    const outcome = await db.transaction(async (tx) => {
      const [story] = await tx.select().from(stories).where(eq(stories.id, row.id)).for("update", { skipLocked: true });
      if (!story) return null;
      if (story.expiresAt && story.expiresAt <= now && (story.status === "approved" || story.status === "published")) {
        const done = await move(tx, scope, story, "archived", { archivedAt: now }, "expired");
        const { notices } = await cancelScheduledShares(tx, scope, done, "expired");
        return { kind: "archived" as const, notices };
      }
      if (story.status === "approved" && story.publishAt && story.publishAt <= now) {
        await move(tx, scope, story, "published", { publishedAt: now });
        return { kind: "published" as const, notices: [] };
      }
      return null;
    });
    if (outcome?.kind === "published") {
      published++;
      await wentLive(db, row);
    }
    if (outcome?.kind === "archived") {
      archived++;
      await mailNotices(outcome.notices);
    }
  }
  return { published, archived };
}


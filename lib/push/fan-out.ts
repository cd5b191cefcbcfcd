import { and, eq, inArray, sql } from "drizzle-orm";
import { memberships, pushSubscriptions, shares, stories, storyAudiences } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { log } from "@/lib/log";
import { enqueue, enqueueBulk } from "@/lib/queue";
import { teamAndDescendantIds } from "@/lib/teams";
import { trustedScope } from "@/lib/tenant";
import { vapidConfig } from "./vapid";

/** The share outcomes a person hears about. */
export const pushedShareStatuses = ["published", "failed", "needs_attention"] as const;

const sendOptions = { attempts: 5, backoff: { type: "exponential", delay: 30_000 } } as const;

/**
 * Call after a story went live (its transaction committed). Best-effort, like the chat
 * announcement: a Redis failure is logged, never thrown. Nothing is queued while push is off.
 */
export async function queueStoryPush(story: { id: string }): Promise<void> {
  if (!vapidConfig()) return;
  try {
    await enqueue("notify", "push.story", { storyId: story.id }, { jobId: `push-story-${story.id}`, ...sendOptions });
  } catch (error) {
    log.error({ err: error, storyId: story.id }, "story push not queued");
  }
}

/** Call when a share has reached one of pushedShareStatuses. Best-effort. */
export async function queueSharePush(shareId: string, status: string): Promise<void> {
  if (!vapidConfig() || !(pushedShareStatuses as readonly string[]).includes(status)) return;
  try {
    await enqueue("notify", "push.share", { shareId }, { jobId: `push-share-${shareId}-${status}`, ...sendOptions });
  } catch (error) {
    log.error({ err: error, shareId }, "share push not queued");
  }
}

const activeMember = and(eq(memberships.orgId, pushSubscriptions.orgId), eq(memberships.userId, pushSubscriptions.userId), eq(memberships.status, "active"));

/**
 * The push.story job: every subscription of an active employee the story is for (the
 * audience rule of lib/teams/audience: no audience = everyone; a team = it and its sub-teams).
 */
export async function fanOutStory(db: DbOrTx, storyId: string): Promise<number> {
  const [story] = await db.select({ id: stories.id, orgId: stories.orgId, status: stories.status }).from(stories).where(eq(stories.id, storyId));
  if (!story || story.status !== "published") return 0;
  const targeted = await db.select({ teamId: storyAudiences.teamId }).from(storyAudiences).where(eq(storyAudiences.storyId, story.id));
  const teamIds = targeted.length ? await teamAndDescendantIds(db, trustedScope(story.orgId, { kind: "system" }), targeted.map((t) => t.teamId)) : null;
  if (teamIds?.length === 0) return 0;
  const rows = await db
    .select({ id: pushSubscriptions.id })
    .from(pushSubscriptions)
    .innerJoin(memberships, activeMember)
    .where(and(eq(pushSubscriptions.orgId, story.orgId), sql`'employee' = any(${memberships.roles})`, teamIds ? inArray(memberships.teamId, teamIds) : undefined));
  return queueSends(rows.map((r) => ({ data: { subscriptionId: r.id, storyId: story.id }, jobId: `push-${r.id}-story-${story.id}` })));
}

/** The push.share job: every subscription of the share's author, in the share's organisation only. */
export async function fanOutShare(db: DbOrTx, shareId: string): Promise<number> {
  const [share] = await db.select({ id: shares.id, orgId: shares.orgId, userId: shares.userId, status: shares.status }).from(shares).where(eq(shares.id, shareId));
  if (!share?.userId || !(pushedShareStatuses as readonly string[]).includes(share.status)) return 0;
  const rows = await db
    .select({ id: pushSubscriptions.id })
    .from(pushSubscriptions)
    .innerJoin(memberships, activeMember)
    .where(and(eq(pushSubscriptions.orgId, share.orgId), eq(pushSubscriptions.userId, share.userId)));
  return queueSends(rows.map((r) => ({ data: { subscriptionId: r.id, shareId: share.id }, jobId: `push-${r.id}-share-${share.id}-${share.status}` })));
}

async function queueSends(jobs: Array<{ data: { subscriptionId: string; storyId: string } | { subscriptionId: string; shareId: string }; jobId: string }>): Promise<number> {
  if (jobs.length === 0) return 0;
  await enqueueBulk("notify", "push.send", jobs.map(({ data, jobId }) => ({ data, options: { jobId, ...sendOptions } })));
  return jobs.length;
}

import { and, eq, gt, inArray, isNull, lt, or } from "drizzle-orm";
import { shares } from "@/db/schema";
import type { Database } from "@/lib/db";
import { getQueue, publishQueueFor } from "@/lib/queue";
import { isConnectable } from "@/lib/networks/types";
import { enqueuePublish, publishJobId } from "@/lib/queue/publish";
import { reachPollingEnded } from "@/lib/reach/poll";
import { countMissedShares } from "@/lib/reach/published";
import { pollJobId, REACH_POLLS_MS, scheduleReachPolls } from "@/lib/reach/schedule";
import { STALE_PUBLISHING_MS } from "./publish";

const LIVE_STATES = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);
const BATCH = 200;
/** How far back the reconciler resumes a first comment that lost its job. */
const COMMENT_RESUME_MS = 24 * 3600_000;

async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += BATCH) await Promise.all(items.slice(i, i + BATCH).map(fn));
}

/**
 * Postgres is the truth and Redis may lose everything: every minute, shares missing their
 * publish job or reach polls get them back, and published shares not yet counted are counted.
 * Idempotent: job ids come from the shares (docs/design-notes.md, "The reconciler").
 */
export async function reconcileShares(
  db: Database,
  now = new Date(),
): Promise<{ requeued: number; recovered: number; commentsResumed: number; reachRequeued: number; counted: number }> {
  const waiting = await db
    .select({ id: shares.id, network: shares.network, mode: shares.mode, status: shares.status, scheduledAt: shares.scheduledAt, publishingStartedAt: shares.publishingStartedAt })
    .from(shares)
    .where(and(eq(shares.mode, "api"), inArray(shares.status, ["scheduled", "publishing"])))
    .orderBy(shares.scheduledAt)
    .limit(20_000);
  let requeued = 0;
  let recovered = 0;
  await inBatches(waiting, async (share) => {
    if (!isConnectable(share.network)) return;
    const job = await getQueue(publishQueueFor(share.network)).getJob(publishJobId(share.id));
    const state = job ? await job.getState() : null;
    if (state && LIVE_STATES.has(state)) return;
    if (share.status === "scheduled") {
      await enqueuePublish(share, now.getTime());
      requeued++;
    } else {
      // Left in publishing with no live job: a dead worker. Queue it for when it counts as stale.
      const staleAt = (share.publishingStartedAt?.getTime() ?? now.getTime()) + STALE_PUBLISHING_MS;
      await enqueuePublish({ ...share, status: "scheduled", scheduledAt: new Date(Math.max(now.getTime(), staleAt + 1_000)) }, now.getTime());
      recovered++;
    }
  });

  // A first comment whose job Redis lost (posted, its comment not yet sent or not yet
  // recorded): a publish job again, which finds the share published and resumes the comment
  // (postFirstComment looks for a pending comment before sending). A day back at most.
  const unfinished = await db
    .select({ id: shares.id, network: shares.network, mode: shares.mode })
    .from(shares)
    .where(
      and(
        eq(shares.mode, "api"),
        eq(shares.status, "published"),
        eq(shares.placement, "first_comment"),
        or(isNull(shares.commentStatus), eq(shares.commentStatus, "pending")),
        lt(shares.publishedAt, new Date(now.getTime() - STALE_PUBLISHING_MS)),
        gt(shares.publishedAt, new Date(now.getTime() - COMMENT_RESUME_MS)),
      ),
    )
    .limit(5_000);
  let commentsResumed = 0;
  await inBatches(unfinished, async (share) => {
    if (!isConnectable(share.network)) return;
    const job = await getQueue(publishQueueFor(share.network)).getJob(publishJobId(share.id));
    if (job && LIVE_STATES.has(await job.getState())) return;
    await enqueuePublish({ ...share, status: "scheduled", scheduledAt: now }, now.getTime());
    commentsResumed++;
  });

  const oldestPolled = new Date(now.getTime() - REACH_POLLS_MS.at(-1)!);
  const published = await db
    .select({ id: shares.id, publishedAt: shares.publishedAt })
    .from(shares)
    .where(and(eq(shares.mode, "api"), eq(shares.status, "published"), gt(shares.publishedAt, oldestPolled), lt(shares.publishedAt, now)))
    .limit(50_000);
  let reachRequeued = 0;
  await inBatches(published, async (share) => {
    const next = REACH_POLLS_MS.findIndex((after) => share.publishedAt!.getTime() + after > now.getTime());
    if (next === -1) return;
    if (await getQueue("reach").getJob(pollJobId(share.id, next))) return;
    // Polling that ended (a deleted post, a revoked token) stays ended.
    if (await reachPollingEnded(share.id)) return;
    await scheduleReachPolls(share.id, share.publishedAt!, now.getTime());
    reachRequeued++;
  });

  // Published but never counted as shared (the process died in between): count them now.
  const counted = await countMissedShares(db, now);
  return { requeued, recovered, commentsResumed, reachRequeued, counted };
}

import { and, eq, gt, isNull, lt, or } from "drizzle-orm";
import { shares } from "@/db/schema";
import type { Database } from "@/lib/db";
import { getQueue, publishQueueFor, redis, type QueueName } from "@/lib/queue";
import { isConnectable } from "@/lib/networks/types";
import { enqueuePublish, publishJobId } from "@/lib/queue/publish";
import { reachPollingEnded } from "@/lib/reach/poll";
import { countMissedShares } from "@/lib/reach/published";
import { pollJobId, REACH_POLLS_MS, scheduleReachPolls } from "@/lib/reach/schedule";
import { STALE_PUBLISHING_MS } from "./publish";

const BATCH = 200;
/** Shares read from PostgreSQL at a time, in index order; one pipelined Redis check per queue each. */
const PAGE = 1_000;
/** How far back the reconciler resumes a first comment that lost its job. */
const COMMENT_RESUME_MS = 24 * 3600_000;

async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += BATCH) await Promise.all(items.slice(i, i + BATCH).map(fn));
}

/**
 * What became of these job ids on one queue: "live" (waiting, delayed, active), "finished"
 * (completed or failed, kept for a while), or absent. One pipelined round trip reading the
 * job hashes' creation and finish times; a queue's keys share a slot, so in a cluster the
 * pipeline goes to one node.
 */
export async function jobStates(queue: QueueName, jobIds: readonly string[]): Promise<Map<string, "live" | "finished">> {
  const states = new Map<string, "live" | "finished">();
  if (jobIds.length === 0) return states;
  const q = getQueue(queue);
  const pipeline = redis().pipeline();
  for (const id of jobIds) pipeline.hmget(q.toKey(id), "timestamp", "finishedOn");
  const results = (await pipeline.exec()) ?? [];
  results.forEach(([error, value], i) => {
    if (error) throw error;
    const [createdAt, finishedOn] = value as [string | null, string | null];
    if (createdAt !== null) states.set(jobIds[i]!, finishedOn === null ? "live" : "finished");
  });
  return states;
}

type Pending = Pick<typeof shares.$inferSelect, "id" | "network" | "mode" | "status" | "scheduledAt" | "publishingStartedAt">;

/**
 * Every share of one status waiting to be published, walked in (scheduled time, id) order a
 * page at a time, with no cap: a page's jobs are checked in one round trip per queue.
 */
async function walkPending(db: Database, status: "scheduled" | "publishing", visit: (page: Pending[]) => Promise<void>) {
  let after: { at: Date; id: string } | undefined;
  for (;;) {
    const page = await db
      .select({ id: shares.id, network: shares.network, mode: shares.mode, status: shares.status, scheduledAt: shares.scheduledAt, publishingStartedAt: shares.publishingStartedAt })
      .from(shares)
      .where(
        and(
          eq(shares.status, status),
          eq(shares.mode, "api"),
          after ? or(gt(shares.scheduledAt, after.at), and(eq(shares.scheduledAt, after.at), gt(shares.id, after.id))) : undefined,
        ),
      )
      .orderBy(shares.scheduledAt, shares.id)
      .limit(PAGE);
    if (page.length === 0) return;
    await visit(page);
    if (page.length < PAGE) return;
    const last = page.at(-1)!;
    after = { at: last.scheduledAt, id: last.id };
  }
}

/**
 * Postgres is the truth and Redis may lose everything: every minute, shares missing their
 * publish job or reach polls get them back, and published shares not yet counted are counted.
 * Idempotent: job ids come from the shares (docs/design-notes.md, "The reconciler").
 */
export async function reconcileShares(
  db: Database,
  now = new Date(),
): Promise<{ requeued: number; recovered: number; commentsResumed: number; reachRequeued: number; counted: number; checked: number }> {
  let requeued = 0;
  let recovered = 0;
  let checked = 0;
  const visit = async (page: Pending[]) => {
    checked += page.length;
    const byQueue = new Map<QueueName, Pending[]>();
    for (const share of page) {
      if (!isConnectable(share.network)) continue;
      const queue = publishQueueFor(share.network);
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), share]);
    }
    for (const [queue, list] of byQueue) {
      const jobs = await jobStates(queue, list.map((share) => publishJobId(share.id)));
      await inBatches(
        list.filter((share) => jobs.get(publishJobId(share.id)) !== "live"),
        async (share) => {
          if (share.status === "scheduled") {
            await enqueuePublish(share, now.getTime());
            requeued++;
          } else {
            // Left in publishing with no live job: a dead worker. Queue it for when it counts as stale.
            const staleAt = (share.publishingStartedAt?.getTime() ?? now.getTime()) + STALE_PUBLISHING_MS;
            await enqueuePublish({ ...share, status: "scheduled", scheduledAt: new Date(Math.max(now.getTime(), staleAt + 1_000)) }, now.getTime());
            recovered++;
          }
        },
      );
    }
  };
  await walkPending(db, "scheduled", visit);
  await walkPending(db, "publishing", visit);

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
    );
  let commentsResumed = 0;
  for (const network of new Set(unfinished.map((share) => share.network))) {
    if (!isConnectable(network)) continue;
    const queue = publishQueueFor(network);
    const list = unfinished.filter((share) => share.network === network);
    const jobs = await jobStates(queue, list.map((share) => publishJobId(share.id)));
    await inBatches(
      list.filter((share) => jobs.get(publishJobId(share.id)) !== "live"),
      async (share) => {
        await enqueuePublish({ ...share, status: "scheduled", scheduledAt: now }, now.getTime());
        commentsResumed++;
      },
    );
  }

  // Published shares still being polled, in (published time, id) order a page at a time:
  // the next poll's job is checked for the whole page in one round trip.
  const oldestPolled = new Date(now.getTime() - REACH_POLLS_MS.at(-1)!);
  let reachRequeued = 0;
  let after: { at: Date; id: string } | undefined;
  for (;;) {
    const page = await db
      .select({ id: shares.id, publishedAt: shares.publishedAt })
      .from(shares)
      .where(
        and(
          eq(shares.status, "published"),
          eq(shares.mode, "api"),
          lt(shares.publishedAt, now),
          after ? or(gt(shares.publishedAt, after.at), and(eq(shares.publishedAt, after.at), gt(shares.id, after.id))) : gt(shares.publishedAt, oldestPolled),
        ),
      )
      .orderBy(shares.publishedAt, shares.id)
      .limit(PAGE);
    checked += page.length;
    const due = page.flatMap((share) => {
      const next = REACH_POLLS_MS.findIndex((wait) => share.publishedAt!.getTime() + wait > now.getTime());
      return next === -1 ? [] : [{ ...share, jobId: pollJobId(share.id, next) }];
    });
    // Any job of the next poll, even a failed one, means it was scheduled: only a missing one is lost.
    const jobs = await jobStates("reach", due.map((share) => share.jobId));
    await inBatches(
      due.filter((share) => !jobs.has(share.jobId)),
      async (share) => {
        // Polling that ended (a deleted post, a revoked token) stays ended.
        if (await reachPollingEnded(share.id)) return;
        await scheduleReachPolls(share.id, share.publishedAt!, now.getTime());
        reachRequeued++;
      },
    );
    if (page.length < PAGE) break;
    const last = page.at(-1)!;
    after = { at: last.publishedAt!, id: last.id };
  }

  // Published but never counted as shared (the process died in between): count them now.
  const counted = await countMissedShares(db, now);
  return { requeued, recovered, commentsResumed, reachRequeued, counted, checked };
}

import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { shares } from "@/db/schema";
import type { Database } from "@/lib/db";
import { getQueue, publishQueueFor, redis, type QueueName, type RedisClient } from "@/lib/queue";
import { isConnectable } from "@/lib/networks/types";
import { enqueuePublish, publishJobId } from "@/lib/queue/publish";
import { countMissedShares } from "@/lib/reach/published";
import { STALE_PUBLISHING_MS } from "./publish";

const BATCH = 200;
/** Shares read from PostgreSQL at a time, in index order; one pipelined Redis check per queue each. */
const PAGE = 5_000;
/** How far back the reconciler resumes a first comment that lost its job. */
const COMMENT_RESUME_MS = 24 * 3600_000;

/** The pages of `pages`, the next one read from PostgreSQL while the current one is checked in Redis. */
async function* readAhead<T>(pages: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = pages.next();
  for (;;) {
    const current = await next;
    if (current.done) return;
    next = pages.next();
    // A failed read ahead is seen when its turn comes, not as an unhandled rejection before.
    next.catch(() => undefined);
    yield current.value;
  }
}

async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += BATCH) await Promise.all(items.slice(i, i + BATCH).map(fn));
}

/**
 * KEYS[1]: the queue's job key prefix; ARGV: job ids. Per id 0 (no job), 1 (live: waiting,
 * delayed, active) or 2 (finished). The keys are made here, as BullMQ's own scripts make
 * them, and share the queue's slot.
 */
const JOB_STATES = `
local out = {}
for i, id in ipairs(ARGV) do
  local v = redis.call('HMGET', KEYS[1] .. id, 'timestamp', 'finishedOn')
  if not v[1] then out[i] = 0 elseif not v[2] then out[i] = 1 else out[i] = 2 end
end
return out`;

type JobStatesCommand = { ripple_job_states: (keys: number, prefix: string, ...ids: string[]) => Promise<number[]> };

/**
 * What became of these job ids on one queue: "live" (waiting, delayed, active), "finished"
 * (completed or failed, kept for a while), or absent. One script per call reads the job
 * hashes' creation and finish times in Redis itself (a pipeline of HMGETs spent most of its
 * time in the client); a queue's keys share a slot, so in a cluster it runs on one node.
 */
export async function jobStates(queue: QueueName, jobIds: readonly string[]): Promise<Map<string, "live" | "finished">> {
  const states = new Map<string, "live" | "finished">();
  if (jobIds.length === 0) return states;
  const q = getQueue(queue);
  const client = redis() as RedisClient & Partial<JobStatesCommand>;
  if (!client.ripple_job_states) client.defineCommand("ripple_job_states", { lua: JOB_STATES });
  const codes = await (client as RedisClient & JobStatesCommand).ripple_job_states(1, q.toKey(""), ...jobIds);
  codes.forEach((code, i) => {
    if (code !== 0) states.set(jobIds[i]!, code === 1 ? "live" : "finished");
  });
  return states;
}

type Pending = Pick<typeof shares.$inferSelect, "id" | "network" | "mode" | "status" | "scheduledAt" | "publishingStartedAt">;

/** The scheduled time as PostgreSQL's text, microseconds and all: a JS Date keeps milliseconds, and a page would start again within its last one. */
const exactScheduledAt = sql<string>`${shares.scheduledAt}::text`;

type Cursor = { at: string; id: string };

/** Pages of `read` in (scheduled time, id) order, each starting after the last row of the one before, until one comes back short. */
async function* keysetPages<T extends Cursor>(read: (after: Cursor | undefined) => Promise<T[]>): AsyncGenerator<T[]> {
  let after: Cursor | undefined;
  for (;;) {
    const page = await read(after);
    if (page.length > 0) yield page;
    if (page.length < PAGE) return;
    const last = page.at(-1)!;
    after = { at: last.at, id: last.id };
  }
}

/** A row comparison the index (status, scheduled time, id) starts from. */
const startingAfter = (after: Cursor) => sql`(${shares.scheduledAt}, ${shares.id}) > (${after.at}::timestamptz, ${after.id}::uuid)`;

/** Every share of one status waiting to be published, in (scheduled time, id) order a page at a time, with no cap. */
export function pendingPages(db: Database, status: "scheduled" | "publishing") {
  return keysetPages((after) =>
    db
      .select({ id: shares.id, network: shares.network, mode: shares.mode, status: shares.status, scheduledAt: shares.scheduledAt, publishingStartedAt: shares.publishingStartedAt, at: exactScheduledAt })
      .from(shares)
      .where(and(eq(shares.status, status), eq(shares.mode, "api"), after ? startingAfter(after) : undefined))
      .orderBy(shares.scheduledAt, shares.id)
      .limit(PAGE),
  );
}

/**
 * Postgres is the truth and Redis may lose everything: every minute, shares missing their
 * publish job get it back, and published shares not yet counted are counted. (Reach polls need
 * no reconciling: they are scheduled in PostgreSQL, lib/reach/schedule.ts.)
 * Idempotent: job ids come from the shares (docs/design-notes.md, "The reconciler").
 */
export async function reconcileShares(
  db: Database,
  now = new Date(),
): Promise<{ requeued: number; recovered: number; commentsResumed: number; counted: number; checked: number }> {
  let requeued = 0;
  let recovered = 0;
  let checked = 0;
  const visit = async (page: Pending[]) => {
    checked += page.length;
    const byQueue = new Map<QueueName, Pending[]>();
    for (const share of page) {
      if (!isConnectable(share.network)) continue;
      const queue = publishQueueFor(share.network);
      const list = byQueue.get(queue);
      if (list) list.push(share);
      else byQueue.set(queue, [share]);
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
  for (const status of ["scheduled", "publishing"] as const) for await (const page of readAhead(pendingPages(db, status))) await visit(page);

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

  // Published but never counted as shared (the process died in between): count them now.
  const counted = await countMissedShares(db, now);
  return { requeued, recovered, commentsResumed, counted, checked };
}

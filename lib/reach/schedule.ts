import { and, eq, sql } from "drizzle-orm";
import { reachPolls, shares } from "@/db/schema";
import type { Database, DbOrTx } from "@/lib/db";
import { enqueueBulk } from "@/lib/queue";

/**
 * Reach polls are scheduled in PostgreSQL, just in time: a published share has one row in
 * reach_polls, its next poll and when it is due. Every 30 s the dispatcher claims the due rows
 * in batches and queues one job each; each poll moves its row on to the next one. Redis holds
 * only polls that are due, never a share's thirty days of delayed jobs, and PostgreSQL is the
 * truth: a claim moves due_at a lease ahead, so a job Redis lost is claimed again
 * (docs/design-notes.md, "Reach polls").
 */

/** When a published share's reach is polled: about 1 h, 6 h, 1 d, 3 d, 7 d and 30 d after. */
export const REACH_POLLS_MS = [1, 6, 24, 72, 168, 720].map((hours) => hours * 3600_000);

/** The job id of a share's n-th poll: one job per poll, however often it is claimed. */
export function pollJobId(shareId: string, poll: number): string {
  return `reach-${shareId}-${poll}`;
}

/** A claimed poll's time to run before it is claimed again (its job lost with Redis, say). */
export const POLL_LEASE_MS = 15 * 60_000;
/** Rows claimed a statement. */
const CLAIM_BATCH = 1_000;
/**
 * At most this many a run (every 30 s): the reach worker's limiter runs 20 a second, so more
 * would only wait in Redis and outlive their lease. The rest stay due for the next run.
 */
export const CLAIM_MAX = 5_000;

const JOB_OPTIONS = { attempts: 3, backoff: { type: "exponential" as const, delay: 60_000 } };

/**
 * The dispatcher: claims due polls oldest first (FOR UPDATE SKIP LOCKED, so two dispatchers
 * share the work) and queues their jobs. A failure to queue leaves the claimed rows to come due
 * again after the lease. Returns how many it queued.
 */
export async function claimDuePolls(db: Database, now = new Date(), max = CLAIM_MAX): Promise<number> {
  const leaseEnd = new Date(now.getTime() + POLL_LEASE_MS).toISOString();
  let claimed = 0;
  while (claimed < max) {
    const rows = await db.execute<{ share_id: string; poll: number }>(sql`
      update ${reachPolls} p set due_at = ${leaseEnd}::timestamptz
      from (
        select share_id from ${reachPolls} where due_at <= ${now.toISOString()}::timestamptz
        order by due_at limit ${Math.min(CLAIM_BATCH, max - claimed)} for update skip locked
      ) due
      where p.share_id = due.share_id
      returning p.share_id, p.poll`);
    if (rows.length === 0) break;
    await enqueueBulk(
      "reach",
      "share.poll",
      rows.map((row) => ({ data: { shareId: row.share_id, poll: row.poll }, options: { jobId: pollJobId(row.share_id, row.poll), ...JOB_OPTIONS } })),
    );
    claimed += rows.length;
    if (rows.length < CLAIM_BATCH) break;
  }
  return claimed;
}

/** The first poll's row, for the statement that marks a share published (the same transaction). */
export const FIRST_POLL = { poll: 0, afterMs: REACH_POLLS_MS[0]! };

/**
 * After poll `poll` ran (or was given up): the share's row moves to the first later poll still
 * ahead (polls missed while nothing ran are skipped, not run in a burst), or goes after the
 * last. Only from `poll` itself: a late or repeated job of an earlier poll changes nothing.
 */
export async function movePollOn(db: DbOrTx, shareId: string, poll: number, now = new Date()): Promise<void> {
  const [share] = await db.select({ publishedAt: shares.publishedAt }).from(shares).where(eq(shares.id, shareId));
  const publishedAt = share?.publishedAt?.getTime();
  const next = publishedAt === undefined ? -1 : REACH_POLLS_MS.findIndex((after, n) => n > poll && publishedAt + after > now.getTime());
  const thisPoll = and(eq(reachPolls.shareId, shareId), eq(reachPolls.poll, poll));
  if (next === -1) await db.delete(reachPolls).where(thisPoll);
  else await db.update(reachPolls).set({ poll: next, dueAt: new Date(publishedAt! + REACH_POLLS_MS[next]!) }).where(thisPoll);
}

/** Polling of the share ends for good (a deleted post, a revoked token): whichever poll it was at. */
export async function endPolls(db: DbOrTx, shareId: string): Promise<void> {
  await db.delete(reachPolls).where(eq(reachPolls.shareId, shareId));
}

/** The share's next poll and when it is due; null once polling ended or finished. */
export async function nextPollOf(db: DbOrTx, shareId: string): Promise<{ poll: number; dueAt: Date } | null> {
  const [row] = await db.select({ poll: reachPolls.poll, dueAt: reachPolls.dueAt }).from(reachPolls).where(eq(reachPolls.shareId, shareId));
  return row ?? null;
}

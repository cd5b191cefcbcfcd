import { and, eq, gt, inArray, isNotNull, isNull, lte, notExists, sql } from "drizzle-orm";
import { reachSnapshots, shares, socialConnections } from "@/db/schema";
import type { Database, DbOrTx } from "@/lib/db";
import { log } from "@/lib/log";
import { awardPoints, type PointsAward } from "./points";
import { addToRollups, shareFacts, type RollupDelta } from "./rollups";

/**
 * Counts published shares as shared, once, with the account's followers as potential reach
 * (an estimate). The "estimated" snapshot (poll null, unique) marks it; rollups and points are
 * added only for one this call inserted, so concurrent callers count a share once.
 */
export async function recordPublished(db: DbOrTx, shareIds: readonly string[]): Promise<number> {
  const ids = [...new Set(shareIds)];
  if (ids.length === 0) return 0;
  return db.transaction(async (tx) => {
    // Ordered by share id: two batches holding the same share (the publisher's and the
    // reconciler's) take the snapshot's unique-index locks in the same order, so neither
    // can wait on the other in a cycle.
    const counted = await tx.execute<{ share_id: string; reached: number | null; day: string; captured_at: Date | string }>(sql`
      insert into ${reachSnapshots} (org_id, share_id, captured_at, source, poll, reached)
      select ${shares.orgId}, ${shares.id}, ${shares.publishedAt}, 'estimated', null,
        -- Followers at publishing; a share link's account is not known to Ripple.
        case when ${shares.mode} = 'api' then ${socialConnections.followerCount} end
      from ${shares} left join ${socialConnections} on ${socialConnections.id} = ${shares.connectionId}
      where ${and(inArray(shares.id, ids), eq(shares.status, "published"), isNotNull(shares.publishedAt))}
      order by ${shares.id}
      on conflict do nothing
      returning share_id, reached, (captured_at at time zone 'UTC')::date::text as day, captured_at`);
    if (counted.length === 0) return 0;

    const facts = await shareFacts(tx, counted.map((c) => c.share_id));
    const deltas: RollupDelta[] = [];
    const awards: PointsAward[] = [];
    for (const { share_id: shareId, reached, day, captured_at: publishedAt } of counted) {
      const share = facts.get(shareId);
      if (!share) continue;
      // The publish day, UTC (as utcDay), as Postgres computed it for the stored moment.
      deltas.push({ facts: share, day, delta: { shares: 1, estimatedReach: reached ?? 0 } });
      // Dated when the share was published, also when the reconciler counts it later.
      awards.push({ orgId: share.orgId, userId: share.userId, action: "share", count: 1, shareId, at: new Date(publishedAt) });
    }
    await addToRollups(tx, deltas);
    await awardPoints(tx, awards);
    return counted.length;
  });
}

/**
 * For a person confirming a post; a failure only logs (the reconciler counts within a minute).
 * Kept off the publisher's path: a PostgreSQL restart mid-transaction hung postgres.js's pool
 * and stopped publishing (tests/faults/postgres-restarted.test.ts).
 */
export async function countPublishedNow(db: DbOrTx, shareIds: readonly string[]): Promise<void> {
  try {
    await recordPublished(db, shareIds);
  } catch (error) {
    log.warn({ err: error, shares: shareIds.length }, "published shares not counted yet; the reconciler will count them");
  }
}

/** How far back the reconciler looks for published shares that were never counted, and how many it reads at a time. */
export const MISSED_WINDOW_MS = 2 * 24 * 3600_000;
export const MISSED_PAGE = 1_000;
const COUNT_BATCH = 200;
/** Shares published this recently are left for the next run (their publisher may still be finishing). */
const MISSED_GRACE_MS = 10_000;

/**
 * The reconciler's catch-up, and how the publisher's shares get counted: published in the
 * last two days without an "estimated" snapshot, a page at a time until none is left, so a
 * campaign's burst reaches the reports within the minute however large. Returns the count.
 */
export async function countMissedShares(db: Database, now = new Date()): Promise<number> {
  let counted = 0;
  for (;;) {
    const page = await missedShares(db, now);
    let pageCounted = 0;
    // A few hundred a transaction: short locks, and a burst of a campaign is counted in a few.
    for (let i = 0; i < page.length; i += COUNT_BATCH) pageCounted += await recordPublished(db, page.slice(i, i + COUNT_BATCH).map((m) => m.id));
    counted += pageCounted;
    if (pageCounted > 0) log.debug({ counted: pageCounted }, "published shares counted");
    // Counted shares leave the query; a page none of which could be counted would come back as it is.
    if (page.length < MISSED_PAGE || pageCounted === 0) return counted;
  }
}

function missedShares(db: Database, now: Date) {
  return db
    .select({ id: shares.id })
    .from(shares)
    .where(
      and(
        eq(shares.status, "published"),
        gt(shares.publishedAt, new Date(now.getTime() - MISSED_WINDOW_MS)),
        lte(shares.publishedAt, new Date(now.getTime() - MISSED_GRACE_MS)),
        notExists(
          db
            .select({ one: sql`1` })
            .from(reachSnapshots)
            .where(and(eq(reachSnapshots.shareId, shares.id), eq(reachSnapshots.source, "estimated"), isNull(reachSnapshots.poll))),
        ),
      ),
    )
    .limit(MISSED_PAGE);
}

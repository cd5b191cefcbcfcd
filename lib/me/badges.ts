import { and, asc, eq, sql } from "drizzle-orm";
import { dailyRollups, pointsLedger } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { isoWeekStart, utcDay } from "@/lib/time";
import type { Scope } from "@/lib/tenant";

/**
 * Computed (never stored) from the daily user rollups and points ledger, so badges follow the
 * figures and vanish with a deleted account. earnedOn is the UTC day the threshold was
 * crossed, or null where the daily grain cannot tell.
 */
export const badgeIds = ["firstShare", "shares10", "shares50", "clicks100", "networks3", "streak4", "points1000"] as const;
export type BadgeId = (typeof badgeIds)[number];
export type Badge = { id: BadgeId; earned: boolean; earnedOn: string | null; progress: number; target: number };

/** One user rollup row per network and day (never network 'all'). */
export type DayRow = { day: string; network: string; shares: number; clicks: number };

const DAY_MS = 86_400_000;

/** The day a running total of `figure` first reaches `target`, or null; and the total. */
function crossing(days: Array<{ day: string; value: number }>, target: number): { on: string | null; total: number } {
  let total = 0;
  let on: string | null = null;
  for (const { day, value } of days) {
    total += value;
    if (on === null && total >= target) on = day;
  }
  return { on, total };
}

/** Sums per day over networks, days in order. */
function perDay(rows: readonly DayRow[], figure: "shares" | "clicks") {
  const byDay = new Map<string, number>();
  for (const r of rows) if (r[figure] > 0) byDay.set(r.day, (byDay.get(r.day) ?? 0) + r[figure]);
  return [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, value]) => ({ day, value }));
}

/**
 * The badges from the rows. Pure, so the thresholds are tested without a database.
 * points: the ledger's total and the day it first reached 1,000 (null if it has not).
 */
export function computeBadges(rows: readonly DayRow[], points: { total: number; reached1000On: string | null }): Badge[] {
  const shares = perDay(rows, "shares");
  const clicks = perDay(rows, "clicks");
  const badge = (id: BadgeId, target: number, progress: number, on: string | null): Badge => ({
    id,
    earned: progress >= target,
    earnedOn: progress >= target ? on : null,
    progress: Math.min(progress, target),
    target,
  });

  const first = crossing(shares, 1);
  const ten = crossing(shares, 10);
  const fifty = crossing(shares, 50);
  const hundredClicks = crossing(clicks, 100);

  // Networks: the first day on each; the third of those is the day the badge came.
  const firstOnNetwork = new Map<string, string>();
  for (const r of [...rows].sort((a, b) => (a.day < b.day ? -1 : 1))) if (r.shares > 0 && !firstOnNetwork.has(r.network)) firstOnNetwork.set(r.network, r.day);
  const networkDays = [...firstOnNetwork.values()].sort();

  // Weeks in a row (ISO weeks, UTC) with at least one share: the first run of four.
  let run = 0;
  let best = 0;
  let streakOn: string | null = null;
  let previousWeek: string | null = null;
  for (const { day } of shares) {
    const week = isoWeekStart(day);
    if (week === previousWeek) continue;
    const consecutive = previousWeek !== null && new Date(`${week}T00:00:00Z`).getTime() - new Date(`${previousWeek}T00:00:00Z`).getTime() === 7 * DAY_MS;
    run = consecutive ? run + 1 : 1;
    best = Math.max(best, run);
    if (run >= 4 && streakOn === null) streakOn = day;
    previousWeek = week;
  }

  return [
    badge("firstShare", 1, first.total, first.on),
    badge("shares10", 10, ten.total, ten.on),
    badge("shares50", 50, fifty.total, fifty.on),
    badge("clicks100", 100, hundredClicks.total, hundredClicks.on),
    badge("networks3", 3, networkDays.length, networkDays[2] ?? null),
    badge("streak4", 4, best, streakOn),
    badge("points1000", 1000, points.total, points.reached1000On),
  ];
}

/** The person's badges in this organisation. */
export async function myBadges(db: DbOrTx, scope: Scope, userId: string): Promise<Badge[]> {
  const [rows, [points]] = await Promise.all([
    db
      .select({ day: dailyRollups.day, network: dailyRollups.network, shares: dailyRollups.shares, clicks: dailyRollups.clicks })
      .from(dailyRollups)
      .where(
        and(
          eq(dailyRollups.orgId, scope.orgId),
          eq(dailyRollups.dimension, "user"),
          eq(dailyRollups.dimensionId, userId),
          sql`${dailyRollups.network} <> 'all'`,
          sql`(${dailyRollups.shares} > 0 or ${dailyRollups.clicks} > 0)`,
        ),
      )
      .orderBy(asc(dailyRollups.day)),
    // The running total over the ledger in order; the first entry at or past 1,000.
    db.execute<{ total: string | null; reached: Date | string | null }>(sql`
      select (select sum(points) from ${pointsLedger} where org_id = ${scope.orgId} and user_id = ${userId}) as total,
             (select created_at from (
                select created_at, sum(points) over (order by created_at, id) as running
                from ${pointsLedger} where org_id = ${scope.orgId} and user_id = ${userId}
              ) ledger where running >= 1000 order by created_at limit 1) as reached`),
  ]);
  const reached = points?.reached ? utcDay(new Date(points.reached)) : null;
  return computeBadges(rows, { total: Number(points?.total ?? 0), reached1000On: reached });
}

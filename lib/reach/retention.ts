import { eq, sql } from "drizzle-orm";
import { organizations, type rollupDimensionEnum } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { log } from "@/lib/log";
import { parseSettings } from "@/lib/orgs/settings";
import { monthStart, monthsBefore, utcDay } from "@/lib/time";

/**
 * Daily rollup rows of the busiest dimensions live as long as the clicks they came from
 * (the organisation's clickRetentionMonths, default 13), counted in whole months; after that
 * their month's row, kept by the same upsert since the first click, holds them. Folding is
 * deleting: monthly_rollups already has every day's delta.
 *
 * A person's days (`user`: badges and streaks, who shared in a week, adoption) and a story's
 * days (its timeline) are small, one row a person or story and active day and network, and
 * stay. What goes is per share, per story within a team, per person and link placement, and the
 * team, network and organisation totals: docs/design-notes.md, "Daily rollups".
 */
export const FOLDED_DIMENSIONS = ["org", "network", "share", "team", "team_story", "user_placement", "team_placement"] as const satisfies ReadonlyArray<(typeof rollupDimensionEnum.enumValues)[number]>;

/** Rows one DELETE removes, and DELETEs per maintenance run (the rest waits an hour). */
const FOLD_BATCH = 5_000;
const MAX_BATCHES_PER_RUN = 200;

/** The first day still held by day for an organisation keeping clicks `retentionMonths`: the first of the month the retention ends in. */
export function dailyHorizon(retentionMonths: number, now = new Date()): string {
  return monthStart(utcDay(monthsBefore(now, retentionMonths)));
}

/** The organisation's daily horizon (see dailyHorizon). */
export async function dailyHorizonOf(db: DbOrTx, orgId: string, now = new Date()): Promise<string> {
  const [org] = await db.select({ settings: organizations.settings }).from(organizations).where(eq(organizations.id, orgId));
  return dailyHorizon(parseSettings(org?.settings).clickRetentionMonths, now);
}

/** Deletes the folded dimensions' daily rows before each organisation's horizon; returns how many. */
export async function foldOldDays(db: DbOrTx, now = new Date()): Promise<number> {
  const orgs = await db.select({ id: organizations.id, settings: organizations.settings }).from(organizations);
  const dimensions = sql.raw(FOLDED_DIMENSIONS.map((d) => `'${d}'`).join(", "));
  // Only a DELETE that removed rows spends the budget: every organisation is looked at each
  // run (one index probe for one with nothing to fold), however many there are.
  let budget = MAX_BATCHES_PER_RUN;
  let folded = 0;
  for (const org of orgs) {
    if (budget === 0) break;
    const horizon = dailyHorizon(parseSettings(org.settings).clickRetentionMonths, now);
    for (;;) {
      // The (org_id, day) index finds the oldest days; a batch at a time keeps locks short.
      const result = await db.execute(sql`
        delete from daily_rollups where ctid = any(array(
          select ctid from daily_rollups
           where org_id = ${org.id} and day < ${horizon}::date and dimension in (${dimensions})
           limit ${FOLD_BATCH}))`);
      const count = (result as unknown as { count: number }).count;
      folded += count;
      if (count > 0) budget--;
      if (count < FOLD_BATCH || budget === 0) break;
    }
  }
  if (folded > 0) log.info({ rows: folded }, "daily rollups past retention folded into their months");
  return folded;
}

import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "./client";
import type { DailyRollup } from "./schema";

/**
 * Rollup rows that change owner: an erased person's (lib/me/delete-account.ts) and a deleted
 * team's by story and by placement (lib/teams). Kept by lib/reach/rollups.ts.
 */

/** A rollup row's figure columns. */
export const rollupColumns = ["shares", "clicks", "unique_visitors", "bot_clicks", "impressions", "engagements", "estimated_reach"] as const;

/**
 * team_story rows of shares by people in no team, or in a team since deleted, are
 * "none:<storyId>"; their team_placement rows are "none".
 */
export const NO_TEAM = "none";

/** A team_story row's id: "<teamId>:<storyId>", or "none:<storyId>" for no team. */
export function teamStoryId(teamId: string | null, storyId: string): string {
  return `${teamId ?? NO_TEAM}:${storyId}`;
}

/**
 * Moves one table's rows of `dimension` whose dimension_id matches `ids` to the id `to` (an SQL
 * expression over the moved row), adding to the rows there, and deletes them. Rows are taken
 * in key order, as addToRollups takes them. Returns how many rows moved.
 */
export async function moveRollupRows(db: DbOrTx, table: "daily_rollups" | "monthly_rollups", orgId: string, dimension: DailyRollup["dimension"], ids: SQL, to: SQL): Promise<number> {
  const [t, d] = [sql.raw(table), sql.raw(table === "daily_rollups" ? "day" : "month")];
  const figures = sql.raw(rollupColumns.join(", "));
  const add = sql.raw(rollupColumns.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(", "));
  const rows = sql`org_id = ${orgId} and dimension = ${dimension} and ${ids}`;
  await db.execute(sql`
    insert into ${t} (org_id, dimension, dimension_id, network, ${d}, ${figures})
    select org_id, dimension, ${to}, network, ${d}, ${figures}
    from ${t} where ${rows}
    order by 3, network, ${d}
    on conflict (org_id, dimension, dimension_id, network, ${d}) do update set ${add}`);
  const deleted = await db.execute(sql`delete from ${t} where ${rows}`);
  return (deleted as unknown as { count: number }).count;
}

/**
 * A deleted team's figures by story and by placement move to "none" (no team), daily and
 * monthly, in the deleting transaction: no report can ask for the team any more, and a whole
 * organisation's stories and placements (its story and organisation rows less the "none" rows)
 * must leave them out, as its teams' totals do.
 */
export async function moveTeamRowsToNoTeam(db: DbOrTx, orgId: string, teamId: string): Promise<void> {
  for (const table of ["daily_rollups", "monthly_rollups"] as const) {
    await moveRollupRows(db, table, orgId, "team_story", sql`dimension_id >= ${teamId} and dimension_id < ${`${teamId}g`}`, sql`${`${NO_TEAM}:`} || split_part(dimension_id, ':', 2)`);
    await moveRollupRows(db, table, orgId, "team_placement", sql`dimension_id = ${teamId}`, sql`${NO_TEAM}`);
  }
}

import type postgres from "postgres";
import { fillShareActivity } from "./share-activity";

/**
 * Data a migration's new shape needs, made once after the migrations committed (a new enum
 * value cannot be used in the transaction that added it). Each runs in a transaction of its
 * own with the tables it fills locked against writes, and is recorded in data_backfills, so it
 * runs once however many processes start.
 */
type Backfill = { name: string; run: (sql: postgres.TransactionSql) => Promise<unknown> };

const figures = ["shares", "clicks", "unique_visitors", "bot_clicks", "impressions", "engagements", "estimated_reach"];

/**
 * Rows by where the link went for one dimension, daily and monthly: the sums of the shares'
 * rows per network, grouped by `owner` (an expression over the joined rows), replacing any a
 * writer made between the migration and the lock. Writers of rollups wait while it runs.
 */
async function placementRows(sql: postgres.TransactionSql, dimension: string, owner: string, join: string): Promise<void> {
  await sql`lock table daily_rollups, monthly_rollups in share row exclusive mode`;
  for (const [table, date] of [
    ["daily_rollups", "day"],
    ["monthly_rollups", "month"],
  ] as const) {
    await sql.unsafe(`
      insert into ${table} (org_id, dimension, dimension_id, network, ${date}, ${figures.join(", ")})
      select r.org_id, '${dimension}'::rollup_dimension, ${owner}, r.network || ':' || s.placement, r.${date}, ${figures.map((f) => `sum(r.${f})`).join(", ")}
      from ${table} r join shares s on s.id::text = r.dimension_id ${join}
      where r.dimension = 'share' and r.network <> 'all'
      group by 1, 2, 3, 4, 5
      order by 5
      on conflict (org_id, dimension, dimension_id, network, ${date}) do update set ${figures.map((f) => `${f} = excluded.${f}`).join(", ")}`);
  }
}

/** user_placement rows (migration 0023): each person's figures by where the link went. */
const userPlacement: Backfill = {
  name: "0023_user_placement_rollups",
  run: (sql) => placementRows(sql, "user_placement", "s.user_id", "and s.user_id is not null"),
};

/**
 * team_placement rows (migration 0024): each team's figures by where the link went. A share
 * counts for the team its sharer is in now: the team at the time of each event is not known
 * afterwards.
 */
const teamPlacement: Backfill = {
  name: "0024_team_placement_rollups",
  run: (sql) => placementRows(sql, "team_placement", "m.team_id::text", "join memberships m on m.org_id = s.org_id and m.user_id = s.user_id and m.team_id is not null"),
};

const shareActivity: Backfill = {
  name: "0024_share_activity",
  run: async (sql) => {
    // Publishing counts shares into both; it waits while this runs.
    await sql`lock table memberships, daily_rollups, monthly_rollups in share row exclusive mode`;
    await fillShareActivity(sql);
  },
};

export const backfills: readonly Backfill[] = [userPlacement, teamPlacement, shareActivity];

/** Runs the backfills not yet recorded. Returns their names. */
export async function runBackfills(client: postgres.Sql): Promise<string[]> {
  const ran: string[] = [];
  for (const backfill of backfills) {
    const done = await client.begin(async (sql) => {
      // Taken in the transaction: a second process waits here, then finds it recorded.
      await sql`select pg_advisory_xact_lock(hashtext('ripple:backfill'))`;
      const [recorded] = await sql`select 1 from data_backfills where name = ${backfill.name}`;
      if (recorded) return false;
      await backfill.run(sql);
      await sql`insert into data_backfills (name) values (${backfill.name})`;
      return true;
    });
    if (done) ran.push(backfill.name);
  }
  return ran;
}

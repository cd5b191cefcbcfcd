import type postgres from "postgres";
import { NO_TEAM, rollupColumns } from "./rollup-rows";
import { fillShareActivity } from "./share-activity";

/**
 * Data a migration's new shape needs, made once after the migrations committed (a new enum
 * value cannot be used in the transaction that added it). Each runs in a transaction of its
 * own with the tables it fills locked against writes, and is recorded in data_backfills, so it
 * runs once however many processes start.
 */
type Backfill = { name: string; run: (sql: postgres.TransactionSql) => Promise<unknown> };

const figures = rollupColumns;

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

/**
 * team_story rows of no team ("none:<storyId>", lib/reach/rollups.ts): each story's rows less
 * what the existing teams' rows hold, daily and monthly; the rows of teams since deleted are
 * in that difference, and go. Daily rows from each organisation's first unfolded day on (its
 * earliest daily organisation row): folded days hold no team_story rows to subtract.
 */
const noTeamStories: Backfill = {
  name: "no_team_story_rollups",
  run: async (sql) => {
    await sql`lock table daily_rollups, monthly_rollups in share row exclusive mode`;
    for (const [table, date] of [
      ["daily_rollups", "day"],
      ["monthly_rollups", "month"],
    ] as const) {
      const since = table === "daily_rollups" ? `and r.day >= (select f.day from firsts f where f.org_id = r.org_id)` : "";
      await sql.unsafe(`
        with firsts as (select org_id, min(day) as day from daily_rollups where dimension = 'org' group by 1),
        teamed as (
          select r.org_id, split_part(r.dimension_id, ':', 2) as story_id, r.network, r.${date}, ${figures.map((f) => `sum(r.${f}) as ${f}`).join(", ")}
          from ${table} r join teams t on t.org_id = r.org_id and t.id::text = split_part(r.dimension_id, ':', 1)
          where r.dimension = 'team_story'
          group by 1, 2, 3, 4)
        insert into ${table} (org_id, dimension, dimension_id, network, ${date}, ${figures.join(", ")})
        select r.org_id, 'team_story', '${NO_TEAM}:' || r.dimension_id, r.network, r.${date}, ${figures.map((f) => `r.${f} - coalesce(t.${f}, 0)`).join(", ")}
        from ${table} r left join teamed t on t.org_id = r.org_id and t.story_id = r.dimension_id and t.network = r.network and t.${date} = r.${date}
        where r.dimension = 'story' ${since}
          and (${figures.map((f) => `r.${f} <> coalesce(t.${f}, 0)`).join(" or ")})
        order by 3, 4, 5
        on conflict (org_id, dimension, dimension_id, network, ${date}) do update set ${figures.map((f) => `${f} = excluded.${f}`).join(", ")}`);
      await sql.unsafe(`
        delete from ${table} r
        where r.dimension = 'team_story' and r.dimension_id not like '${NO_TEAM}:%'
          and not exists (select 1 from teams t where t.org_id = r.org_id and t.id::text = split_part(r.dimension_id, ':', 1))`);
    }
  },
};

/**
 * People's days by network and placement, day first, with what ranks them: who shared in a
 * range of days, and the top advocates' days, each read in one range for a whole organisation
 * (a team report's partial months and weekly series). Here rather than in a migration: on a
 * fresh database 'user_placement' joins the enum in the migrations' one transaction, which
 * may not use it yet (db/schema/reach.ts).
 */
const placementDays: Backfill = {
  name: "placement_days_index",
  run: (sql) =>
    sql`create index if not exists daily_rollups_placement_days on daily_rollups (org_id, day, dimension_id, network)
        include (shares, clicks, engagements) where dimension = 'user_placement'`,
};

/**
 * The organisation's rows by placement (lib/reach/rollups.ts), from its shares' rows, and the
 * team rows by placement of no team ("none"): each organisation row less what the existing
 * teams' rows hold, daily and monthly, as noTeamStories does for the stories; the rows of teams
 * since deleted are in that difference, and go.
 */
const orgPlacement: Backfill = {
  name: "org_placement_rollups",
  run: async (sql) => {
    await placementRows(sql, "org", "r.org_id::text", "");
    for (const [table, date] of [
      ["daily_rollups", "day"],
      ["monthly_rollups", "month"],
    ] as const) {
      await sql.unsafe(`
        with teamed as (
          select r.org_id, r.network, r.${date}, ${figures.map((f) => `sum(r.${f}) as ${f}`).join(", ")}
          from ${table} r join teams t on t.org_id = r.org_id and t.id::text = r.dimension_id
          where r.dimension = 'team_placement'
          group by 1, 2, 3)
        insert into ${table} (org_id, dimension, dimension_id, network, ${date}, ${figures.join(", ")})
        select r.org_id, 'team_placement', '${NO_TEAM}', r.network, r.${date}, ${figures.map((f) => `r.${f} - coalesce(t.${f}, 0)`).join(", ")}
        from ${table} r left join teamed t on t.org_id = r.org_id and t.network = r.network and t.${date} = r.${date}
        where r.dimension = 'org' and r.network like '%:%'
          and (${figures.map((f) => `r.${f} <> coalesce(t.${f}, 0)`).join(" or ")})
        order by 4, 5
        on conflict (org_id, dimension, dimension_id, network, ${date}) do update set ${figures.map((f) => `${f} = excluded.${f}`).join(", ")}`);
      await sql.unsafe(`
        delete from ${table} r
        where r.dimension = 'team_placement' and r.dimension_id <> '${NO_TEAM}'
          and not exists (select 1 from teams t where t.org_id = r.org_id and t.id::text = r.dimension_id)`);
    }
  },
};

export const backfills: readonly Backfill[] = [userPlacement, teamPlacement, shareActivity, noTeamStories, placementDays, orgPlacement];

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

import { sql, type SQL } from "drizzle-orm";
import { memberships, stories, storyAudiences, teams } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import type { Scope } from "@/lib/tenant";

/**
 * The audience rule: a story for a team is for that team's members and for the members of
 * every team below it. So the teams whose stories reach a person are their own team and
 * every team above it; a story with no audience is for the whole organisation.
 */
async function upFrom(db: DbOrTx, scope: Scope, start: SQL): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`
    with recursive up as (
      ${start}
      union
      select t.id, t.parent_id from ${teams} t join up on t.id = up.parent_id where t.org_id = ${scope.orgId}
    )
    select id from up`);
  return rows.map((r) => r.id);
}

/** A team and every team above it. */
export function teamAndAncestorIds(db: DbOrTx, scope: Scope, teamId: string): Promise<string[]> {
  return upFrom(db, scope, sql`select id, parent_id from ${teams} where org_id = ${scope.orgId} and id = ${teamId}`);
}

/** The teams whose stories reach the member: their own team and every team above it. */
export function memberAudienceTeamIds(db: DbOrTx, scope: Scope, userId: string): Promise<string[]> {
  return upFrom(
    db,
    scope,
    sql`select t.id, t.parent_id from ${teams} t join ${memberships} m on m.team_id = t.id where m.user_id = ${userId} and m.org_id = ${scope.orgId}`,
  );
}

/** The story is targeted at one of these teams. */
export function storyTargets(teamIds: readonly string[]): SQL {
  return teamIds.length ? sql`exists (select 1 from ${storyAudiences} a where a.story_id = ${stories.id} and a.team_id in ${teamIds})` : sql`false`;
}

/** The story reaches a member of these teams (memberAudienceTeamIds): it has no audience, or targets one of them. */
export function storyReaches(teamIds: readonly string[]): SQL {
  return sql`(not exists (select 1 from ${storyAudiences} a where a.story_id = ${stories.id}) or ${storyTargets(teamIds)})`;
}

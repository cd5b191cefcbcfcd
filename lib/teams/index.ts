import { and, asc, count, eq, inArray, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { memberships, teamManagers, teams, type Team } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { moveTeamRowsToNoTeam } from "@/db/rollup-rows";
import { conflict, invalid, notFound } from "@/lib/errors";
import type { Scope } from "@/lib/tenant";

export const teamNameSchema = z.string().trim().min(1, "required").max(80, "tooLong");

export type TeamWithCounts = Team & { memberCount: number; managerIds: string[] };

/** Every team of the organisation with its direct member count, ordered by name. */
export async function listTeams(db: DbOrTx, scope: Scope): Promise<TeamWithCounts[]> {
  const rows = await db
    .select({
      team: teams,
      // Qualified by hand: inside a sub-select drizzle would print the bare column name.
      memberCount: sql<number>`(select count(*)::int from ${memberships} m where m.team_id = "teams"."id" and m.status <> 'deactivated')`,
      managerIds: sql<string[]>`coalesce((select array_agg(tm.user_id order by tm.user_id) from ${teamManagers} tm where tm.team_id = "teams"."id"), '{}')`,
    })
    .from(teams)
    .where(eq(teams.orgId, scope.orgId))
    .orderBy(asc(teams.name));
  return rows.map((r) => ({ ...r.team, memberCount: r.memberCount, managerIds: r.managerIds }));
}

export type TeamNode = TeamWithCounts & { children: TeamNode[]; depth: number };

/** Arranges a flat team list as a tree, siblings in Danish alphabetical order (Æ, Ø, Å last). */
const byName = new Intl.Collator("da", { sensitivity: "base", numeric: true });

export function buildTeamTree(list: TeamWithCounts[]): TeamNode[] {
  const nodes = new Map<string, TeamNode>(list.map((t) => [t.id, { ...t, children: [], depth: 0 }]));
  const roots: TeamNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const setDepth = (node: TeamNode, depth: number) => {
    node.depth = depth;
    node.children.sort((a, b) => byName.compare(a.name, b.name));
    node.children.forEach((c) => setDepth(c, depth + 1));
  };
  roots.sort((a, b) => byName.compare(a.name, b.name));
  roots.forEach((r) => setDepth(r, 0));
  return roots;
}

/** Depth-first order with depth, for selects and indented lists. */
export function flattenTeamTree(roots: TeamNode[]): TeamNode[] {
  const out: TeamNode[] = [];
  const walk = (n: TeamNode) => {
    out.push(n);
    n.children.forEach(walk);
  };
  roots.forEach(walk);
  return out;
}

/** The given teams and all their sub-teams, within the organisation. */
export async function teamAndDescendantIds(db: DbOrTx, scope: Scope, teamIds: string[]): Promise<string[]> {
  if (teamIds.length === 0) return [];
  const rows = await db.execute<{ id: string }>(sql`
    with recursive tree as (
      select id from ${teams} where org_id = ${scope.orgId} and id in ${teamIds}
      union
      select t.id from ${teams} t join tree on t.parent_id = tree.id where t.org_id = ${scope.orgId}
    )
    select id from tree`);
  return rows.map((r) => r.id);
}

async function getTeamInOrg(db: DbOrTx, scope: Scope, teamId: string): Promise<Team> {
  const [team] = await db
    .select()
    .from(teams)
    .where(and(eq(teams.id, teamId), eq(teams.orgId, scope.orgId)))
    .limit(1);
  if (!team) throw notFound("Team");
  return team;
}

/** Throws a field error unless the team exists in the organisation (null = no team). */
export async function assertTeamInOrg(db: DbOrTx, scope: Scope, teamId: string | null | undefined, field = "teamId") {
  if (!teamId) return;
  const [team] = await db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.id, teamId), eq(teams.orgId, scope.orgId)))
    .limit(1);
  if (!team) throw invalid("unknownTeam", "No such team in this organisation", { [field]: ["unknownTeam"] });
}

function uniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code === "23505" || e?.cause?.code === "23505";
}

export async function createTeam(db: DbOrTx, scope: Scope, input: { name: string; parentId?: string | null }): Promise<Team> {
  const name = teamNameSchema.parse(input.name);
  return db.transaction(async (tx) => {
    await assertTeamInOrg(tx, scope, input.parentId, "parentId");
    try {
      const [team] = await tx
        .insert(teams)
        .values({ orgId: scope.orgId, name, parentId: input.parentId ?? null })
        .returning();
      await audit(tx, scope, { action: "team.create", targetType: "team", targetId: team!.id, after: team });
      return team!;
    } catch (error) {
      if (uniqueViolation(error)) throw conflict("teamNameTaken", "A team with this name already exists here");
      throw error;
    }
  });
}

export async function renameTeam(db: DbOrTx, scope: Scope, teamId: string, newName: string): Promise<Team> {
  const name = teamNameSchema.parse(newName);
  return db.transaction(async (tx) => {
    const before = await getTeamInOrg(tx, scope, teamId);
    try {
      const [after] = await tx.update(teams).set({ name }).where(eq(teams.id, teamId)).returning();
      await audit(tx, scope, { action: "team.rename", targetType: "team", targetId: teamId, before, after });
      return after!;
    } catch (error) {
      if (uniqueViolation(error)) throw conflict("teamNameTaken", "A team with this name already exists here");
      throw error;
    }
  });
}

/** Moves a team under another (or to the top); refuses to make a team its own ancestor. */
export async function moveTeam(db: DbOrTx, scope: Scope, teamId: string, parentId: string | null): Promise<Team> {
  return db.transaction(async (tx) => {
    // Serialise tree changes in the organisation so two concurrent moves cannot form a cycle.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${"teams:" + scope.orgId}))`);
    const before = await getTeamInOrg(tx, scope, teamId);
    if (parentId) {
      await assertTeamInOrg(tx, scope, parentId, "parentId");
      const subtree = await teamAndDescendantIds(tx, scope, [teamId]);
      if (subtree.includes(parentId)) throw invalid("teamCycle", "A team cannot be moved under itself or its sub-teams", { parentId: ["teamCycle"] });
    }
    try {
      const [after] = await tx.update(teams).set({ parentId }).where(eq(teams.id, teamId)).returning();
      await audit(tx, scope, { action: "team.move", targetType: "team", targetId: teamId, before, after });
      return after!;
    } catch (error) {
      if (uniqueViolation(error)) throw conflict("teamNameTaken", "A team with this name already exists there");
      throw error;
    }
  });
}

/** Deletes an empty team (no sub-teams, no members). */
export async function deleteTeam(db: DbOrTx, scope: Scope, teamId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${"teams:" + scope.orgId}))`);
    const before = await getTeamInOrg(tx, scope, teamId);
    const [children] = await tx.select({ n: count() }).from(teams).where(eq(teams.parentId, teamId));
    const [members] = await tx
      .select({ n: count() })
      .from(memberships)
      // Deactivated members do not keep a team alive (the list does not count them either);
      // their team is cleared by the foreign key.
      .where(and(eq(memberships.teamId, teamId), eq(memberships.orgId, scope.orgId), ne(memberships.status, "deactivated")));
    if ((children?.n ?? 0) > 0 || (members?.n ?? 0) > 0) {
      throw conflict("teamNotEmpty", "Move its sub-teams and members first");
    }
    await moveTeamRowsToNoTeam(tx, scope.orgId, teamId);
    await tx.delete(teams).where(eq(teams.id, teamId));
    await audit(tx, scope, { action: "team.delete", targetType: "team", targetId: teamId, before });
  });
}

/** Sets who manages a team; each must be an active member holding the manager role. */
export async function setTeamManagers(db: DbOrTx, scope: Scope, teamId: string, userIds: string[]): Promise<void> {
  const wanted = [...new Set(userIds)];
  await db.transaction(async (tx) => {
    await getTeamInOrg(tx, scope, teamId);
    if (wanted.length > 0) {
      const eligible = await tx
        .select({ userId: memberships.userId })
        .from(memberships)
        .where(
          and(
            eq(memberships.orgId, scope.orgId),
            inArray(memberships.userId, wanted),
            eq(memberships.status, "active"),
            sql`'manager' = any(${memberships.roles})`,
          ),
        );
      if (eligible.length !== wanted.length) {
        throw invalid("notAManager", "Only active members with the manager role can manage a team", { managers: ["notAManager"] });
      }
    }
    const before = (await tx.select({ userId: teamManagers.userId }).from(teamManagers).where(eq(teamManagers.teamId, teamId))).map((r) => r.userId).sort();
    await tx.delete(teamManagers).where(eq(teamManagers.teamId, teamId));
    if (wanted.length > 0) {
      await tx.insert(teamManagers).values(wanted.map((userId) => ({ orgId: scope.orgId, teamId, userId })));
    }
    await audit(tx, scope, { action: "team.managers", targetType: "team", targetId: teamId, before: { managers: before }, after: { managers: [...wanted].sort() } });
  });
}

/** Team ids a manager reports on: the teams they manage and every sub-team. */
export async function managedTeamIds(db: DbOrTx, scope: Scope, userId: string): Promise<string[]> {
  const direct = await db
    .select({ teamId: teamManagers.teamId })
    .from(teamManagers)
    .where(and(eq(teamManagers.orgId, scope.orgId), eq(teamManagers.userId, userId)));
  return teamAndDescendantIds(db, scope, direct.map((d) => d.teamId));
}

export { memberAudienceTeamIds, storyReaches, storyTargets, teamAndAncestorIds } from "./audience";

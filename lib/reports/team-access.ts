import { and, eq, inArray } from "drizzle-orm";
import { memberships, teamManagers, teams, type Role } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { teamAndDescendantIds } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";

/** Which teams a viewer may report on: those they manage and all below; admins every team. */

export type Viewer = { userId: string; roles: readonly Role[] };

export type TeamRow = { id: string; parentId: string | null; name: string };

export const byName = new Intl.Collator("da", { sensitivity: "base", numeric: true });

/** Depth-first, siblings by name (Danish order); roots are the teams whose parent is not in the list. */
export function treeOrder(list: TeamRow[]): Array<{ id: string; name: string; depth: number }> {
  const ids = new Set(list.map((t) => t.id));
  const children = new Map<string | null, TeamRow[]>();
  for (const team of list) {
    const parent = team.parentId && ids.has(team.parentId) ? team.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), team]);
  }
  const out: Array<{ id: string; name: string; depth: number }> = [];
  const walk = (parent: string | null, depth: number) => {
    for (const team of (children.get(parent) ?? []).sort((a, b) => byName.compare(a.name, b.name))) {
      out.push({ id: team.id, name: team.name, depth });
      walk(team.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

async function rolesOf(db: DbOrTx, scope: Scope, userId: string): Promise<Role[]> {
  const [row] = await db
    .select({ roles: memberships.roles })
    .from(memberships)
    .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId), eq(memberships.status, "active")))
    .limit(1);
  return row?.roles ?? [];
}

/** The teams a viewer manages directly; null = every team of the organisation (admins). */
export async function managedTeamIds(db: DbOrTx, scope: Scope, viewer: Viewer): Promise<string[] | null> {
  if (viewer.roles.includes("admin")) return null;
  if (!viewer.roles.includes("manager")) return [];
  const direct = await db
    .select({ teamId: teamManagers.teamId })
    .from(teamManagers)
    .where(and(eq(teamManagers.orgId, scope.orgId), eq(teamManagers.userId, viewer.userId)));
  return direct.map((d) => d.teamId);
}

/** Team ids a viewer may report on: the teams they manage and all below; null = every team of the organisation (admins). */
async function visibleTeamIds(db: DbOrTx, scope: Scope, viewer: Viewer): Promise<Set<string> | null> {
  const managed = await managedTeamIds(db, scope, viewer);
  if (managed === null) return null;
  return new Set(managed.length ? await teamAndDescendantIds(db, scope, managed) : []);
}

/**
 * The teams a person may report on, as an indented tree: the teams they manage and all
 * their sub-teams (depth 0 = a team they manage); for admins every team of the organisation.
 */
export async function managedTeams(db: DbOrTx, scope: Scope, userId: string): Promise<Array<{ id: string; name: string; depth: number }>> {
  const visible = await visibleTeamIds(db, scope, { userId, roles: await rolesOf(db, scope, userId) });
  if (visible && visible.size === 0) return [];
  const rows = await db
    .select({ id: teams.id, parentId: teams.parentId, name: teams.name })
    .from(teams)
    .where(and(eq(teams.orgId, scope.orgId), visible ? inArray(teams.id, [...visible]) : undefined));
  return treeOrder(rows);
}

/** Ids of a team and everything below it, from the organisation's whole (small) team list. */
export function subtreeOf(rootId: string, list: TeamRow[]): string[] {
  const children = new Map<string, string[]>();
  for (const t of list) if (t.parentId) children.set(t.parentId, [...(children.get(t.parentId) ?? []), t.id]);
  const out: string[] = [];
  const stack = [rootId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    out.push(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}

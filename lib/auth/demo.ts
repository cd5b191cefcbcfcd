import { and, asc, eq, sql } from "drizzle-orm";
import { memberships, organizations, roleIds, users, type Role } from "@/db/schema";
import { demoUsers } from "@/db/seed";
import type { DbOrTx } from "@/lib/db";

export type DemoPersona = { email: string; name: string | null; role: Role };

/**
 * One person per role from the demo organisations, for the demo sign-in buttons. The
 * seed's own personas come first; in a demo organisation made otherwise, the member
 * holding the fewest roles who joined first stands for the role.
 */
export async function demoPersonas(db: DbOrTx): Promise<DemoPersona[]> {
  const rows = await activeDemoMembers(db).orderBy(asc(sql`cardinality(${memberships.roles})`), asc(memberships.joinedAt), asc(users.email));
  const rank = (email: string) => {
    const i = demoUsers.findIndex((u) => u.email === email);
    return i === -1 ? demoUsers.length : i;
  };
  const ordered = [...rows].sort((a, b) => rank(a.email) - rank(b.email));
  const personas: DemoPersona[] = [];
  for (const role of roleIds) {
    const row = ordered.find((r) => r.roles.includes(role) && !personas.some((p) => p.email === r.email));
    if (row) personas.push({ email: row.email, name: row.name, role });
  }
  return personas;
}

export type DemoPeopleGroup = { role: Role; people: Array<{ email: string; name: string | null }> };

/**
 * Every other active member of the demo organisations, by their first role in the order
 * admin, editor, manager, employee (a second editor signs in here to approve a story).
 * The personas are left out: they have their own buttons.
 */
export async function demoPeople(db: DbOrTx, personas: readonly DemoPersona[]): Promise<DemoPeopleGroup[]> {
  const rows = await activeDemoMembers(db).orderBy(asc(users.name), asc(users.email));
  const shown = new Set(personas.map((p) => p.email));
  const groups = roleIds.map((role): DemoPeopleGroup => ({ role, people: [] }));
  for (const row of rows) {
    if (shown.has(row.email)) continue;
    shown.add(row.email); // a person in two demo organisations once
    const group = groups.find((g) => row.roles.includes(g.role));
    group?.people.push({ email: row.email, name: row.name });
  }
  return groups.filter((g) => g.people.length > 0);
}

/** The active members of the demo organisations, with their roles. */
function activeDemoMembers(db: DbOrTx) {
  return db
    .select({ email: users.email, name: users.name, roles: memberships.roles })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(organizations.isDemo, true), eq(memberships.status, "active")))
    .$dynamic();
}

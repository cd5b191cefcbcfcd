import { and, asc, eq, sql } from "drizzle-orm";
import { memberships, organizations, roleIds, users, type Role } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";

export type DemoPersona = { email: string; name: string | null; role: Role };

/** One person per role from the demo organisations, for the demo sign-in buttons. */
export async function demoPersonas(db: DbOrTx): Promise<DemoPersona[]> {
  const rows = await db
    .select({ email: users.email, name: users.name, roles: memberships.roles })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(organizations.isDemo, true), eq(memberships.status, "active")))
    .orderBy(asc(sql`cardinality(${memberships.roles})`), asc(memberships.joinedAt), asc(users.email));
  const personas: DemoPersona[] = [];
  for (const role of roleIds) {
    const row = rows.find((r) => r.roles.includes(role) && !personas.some((p) => p.email === r.email));
    if (row) personas.push({ email: row.email, name: row.name, role });
  }
  return personas;
}

import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { directoryGroupMembers, directoryGroups, roleIds, teams } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { assertTeamInOrg } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import { grantMapping, withdrawMapping } from "./groups";

/** What the admin sees of the directory's groups (Admin → Directory): mapped or waiting to be. */
export type DirectoryGroupRow = {
  id: string;
  displayName: string;
  externalId: string | null;
  teamId: string | null;
  teamName: string | null;
  role: (typeof roleIds)[number] | null;
  memberCount: number;
  updatedAt: Date;
};

export async function listDirectoryGroups(db: DbOrTx, scope: Scope): Promise<DirectoryGroupRow[]> {
  return db
    .select({
      id: directoryGroups.id,
      displayName: directoryGroups.displayName,
      externalId: directoryGroups.externalId,
      teamId: directoryGroups.teamId,
      teamName: teams.name,
      role: directoryGroups.role,
      memberCount: sql<number>`(select count(*)::int from ${directoryGroupMembers} m where m.group_id = "directory_groups"."id")`,
      updatedAt: directoryGroups.updatedAt,
    })
    .from(directoryGroups)
    .leftJoin(teams, eq(teams.id, directoryGroups.teamId))
    .where(eq(directoryGroups.orgId, scope.orgId))
    .orderBy(asc(directoryGroups.displayName));
}

/** "none", "role:<role>" or "team:<uuid>", the value of the mapping select. */
export const groupMappingSchema = z.object({
  groupId: z.uuid(),
  target: z.union([
    z.literal("none").transform(() => ({ teamId: null, role: null })),
    z.templateLiteral(["role:", z.enum(roleIds)]).transform((v) => ({ teamId: null, role: v.slice(5) as (typeof roleIds)[number] })),
    z.templateLiteral(["team:", z.uuid()]).transform((v) => ({ teamId: v.slice(5), role: null })),
  ]),
});

/**
 * Maps a directory group to a team or a role (or unmaps it). The group's current members
 * lose what the old mapping gave them and get what the new one gives, in one transaction:
 * if that would take the admin role from the last admin, nothing changes.
 */
export async function mapDirectoryGroup(db: DbOrTx, scope: Scope, input: { groupId: string; target: string }) {
  const { groupId, target } = groupMappingSchema.parse(input);
  return db.transaction(async (tx) => {
    const [group] = await tx
      .select()
      .from(directoryGroups)
      .where(and(eq(directoryGroups.id, groupId), eq(directoryGroups.orgId, scope.orgId)))
      .for("update");
    if (!group) throw notFound("Directory group");
    await assertTeamInOrg(tx, scope, target.teamId, "target");
    if (group.teamId === target.teamId && group.role === target.role) return group;
    const members = await tx.select({ id: directoryGroupMembers.membershipId }).from(directoryGroupMembers).where(eq(directoryGroupMembers.groupId, group.id));
    for (const m of members) await withdrawMapping(tx, scope, m.id, group.id, group);
    const [after] = await tx.update(directoryGroups).set({ ...target, updatedAt: new Date() }).where(eq(directoryGroups.id, group.id)).returning();
    for (const m of members) await grantMapping(tx, scope, m.id, target);
    await audit(tx, scope, {
      action: "directory_group.map",
      targetType: "directory_group",
      targetId: group.id,
      before: { teamId: group.teamId, role: group.role },
      after: { teamId: after!.teamId, role: after!.role },
    });
    return after!;
  });
}

import { and, asc, eq, ilike, isNull, ne, or, sql } from "drizzle-orm";
import { z } from "zod";
import { apiTokens, memberships, organizations, roleIds, teams, users, type Membership, type Role } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { conflict, notFound } from "@/lib/errors";
import { assertTeamInOrg } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import { actorUserId } from "@/lib/tenant";
import { emailSchema, ensureUser } from "@/lib/users";
import { activateInvitedMembershipsOf, issueInvitationLink } from "./invitation-links";

export const roleSchema = z.enum(roleIds);
/** One or more roles, de-duplicated and in canonical order. */
export const rolesSchema = z
  .preprocess((v) => v ?? [], z.array(roleSchema).min(1, "atLeastOneRole"))
  .transform((list) => roleIds.filter((r) => list.includes(r)));

export const inviteMemberSchema = z.object({
  email: emailSchema,
  name: z.string().trim().max(120).optional(),
  roles: rolesSchema,
  teamId: z.uuid().nullable().optional(),
});
export type InviteMemberInput = z.input<typeof inviteMemberSchema>;

export const updateMemberSchema = z.object({
  roles: rolesSchema.optional(),
  teamId: z.uuid().nullable().optional(),
});

export type MemberRow = {
  id: string;
  userId: string;
  email: string;
  name: string | null;
  roles: Role[];
  status: Membership["status"];
  teamId: string | null;
  teamName: string | null;
  invitedAt: Date | null;
  joinedAt: Date | null;
};

export async function listMembers(
  db: DbOrTx,
  scope: Scope,
  filter: { q?: string; status?: Membership["status"] } = {},
): Promise<MemberRow[]> {
  const q = filter.q?.trim();
  return db
    .select({
      id: memberships.id,
      userId: memberships.userId,
      email: users.email,
      name: users.name,
      roles: memberships.roles,
      status: memberships.status,
      teamId: memberships.teamId,
      teamName: teams.name,
      invitedAt: memberships.invitedAt,
      joinedAt: memberships.joinedAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(teams, eq(teams.id, memberships.teamId))
    .where(
      and(
        eq(memberships.orgId, scope.orgId),
        filter.status ? eq(memberships.status, filter.status) : undefined,
        q ? or(ilike(users.email, `%${escapeLike(q)}%`), ilike(users.name, `%${escapeLike(q)}%`)) : undefined,
      ),
    )
    .orderBy(asc(sql`coalesce(${users.name}, ${users.email})`));
}

function escapeLike(value: string) {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

async function getMembershipInOrg(db: DbOrTx, scope: Scope, membershipId: string): Promise<Membership> {
  const [row] = await db
    .select()
    .from(memberships)
    .where(and(eq(memberships.id, membershipId), eq(memberships.orgId, scope.orgId)))
    .for("update")
    .limit(1);
  if (!row) throw notFound("Member");
  return row;
}

/** An organisation keeps at least one active admin. */
async function assertAnotherActiveAdmin(db: DbOrTx, scope: Scope, membershipId: string) {
  const [other] = await db
    .select({ id: memberships.id })
    .from(memberships)
    .where(
      and(
        eq(memberships.orgId, scope.orgId),
        ne(memberships.id, membershipId),
        eq(memberships.status, "active"),
        sql`'admin' = any(${memberships.roles})`,
      ),
    )
    .limit(1);
  if (!other) throw conflict("lastAdmin", "The organisation needs at least one active admin");
}

const snapshot = (m: Membership) => ({ roles: m.roles, teamId: m.teamId, status: m.status });

/**
 * Invites a person by email: creates the user if new and an invited membership, with a
 * single-use invitation link (lib/members/invitation-links). The membership becomes
 * active at their first sign-in. Throws if they are already a member.
 */
export async function inviteMember(db: DbOrTx, scope: Scope, input: InviteMemberInput) {
  const parsed = inviteMemberSchema.parse(input);
  return db.transaction(async (tx) => {
    await assertTeamInOrg(tx, scope, parsed.teamId);
    // An empty name field means no name, so lists fall back to the address.
    const user = await ensureUser(tx, parsed.email, parsed.name || null);
    const [membership] = await tx
      .insert(memberships)
      .values({
        orgId: scope.orgId,
        userId: user.id,
        roles: parsed.roles,
        teamId: parsed.teamId ?? null,
        status: "invited",
        invitedBy: actorUserId(scope),
        invitedAt: new Date(),
      })
      .onConflictDoNothing()
      .returning();
    if (!membership) throw conflict("alreadyMember", `${parsed.email} is already a member`);
    const link = await issueInvitationLink(tx, scope, membership.id);
    await audit(tx, scope, {
      action: "member.invite",
      targetType: "membership",
      targetId: membership.id,
      after: { email: user.email, ...snapshot(membership), linkExpiresAt: link.expiresAt },
    });
    return { membership, user, link };
  });
}

/**
 * Adds a person as an active member straight away (the CLI and the seed do this; the
 * admin UI invites instead).
 */
export async function addActiveMember(db: DbOrTx, scope: Scope, input: InviteMemberInput) {
  const parsed = inviteMemberSchema.parse(input);
  return db.transaction(async (tx) => {
    await assertTeamInOrg(tx, scope, parsed.teamId);
    const user = await ensureUser(tx, parsed.email, parsed.name);
    const now = new Date();
    const [existing] = await tx
      .select()
      .from(memberships)
      .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, user.id)))
      .for("update");
    const values = { roles: parsed.roles, teamId: parsed.teamId ?? existing?.teamId ?? null, status: "active" as const };
    const [membership] = existing
      ? await tx.update(memberships).set({ ...values, deactivatedAt: null, joinedAt: existing.joinedAt ?? now }).where(eq(memberships.id, existing.id)).returning()
      : await tx.insert(memberships).values({ orgId: scope.orgId, userId: user.id, ...values, joinedAt: now }).returning();
    await audit(tx, scope, {
      action: existing ? "member.update" : "member.add",
      targetType: "membership",
      targetId: membership!.id,
      before: existing ? { email: user.email, ...snapshot(existing) } : null,
      after: { email: user.email, ...snapshot(membership!) },
    });
    return { membership: membership!, user };
  });
}

export async function updateMember(db: DbOrTx, scope: Scope, membershipId: string, input: z.input<typeof updateMemberSchema>) {
  const parsed = updateMemberSchema.parse(input);
  return db.transaction(async (tx) => {
    const before = await getMembershipInOrg(tx, scope, membershipId);
    if (parsed.teamId !== undefined) await assertTeamInOrg(tx, scope, parsed.teamId);
    if (parsed.roles && before.status === "active" && before.roles.includes("admin") && !parsed.roles.includes("admin")) {
      await assertAnotherActiveAdmin(tx, scope, membershipId);
    }
    const [after] = await tx
      .update(memberships)
      .set({
        ...(parsed.roles ? { roles: parsed.roles } : {}),
        ...(parsed.teamId !== undefined ? { teamId: parsed.teamId } : {}),
      })
      .where(eq(memberships.id, membershipId))
      .returning();
    await audit(tx, scope, { action: "member.update", targetType: "membership", targetId: membershipId, before: snapshot(before), after: snapshot(after!) });
    return after!;
  });
}

export async function deactivateMember(db: DbOrTx, scope: Scope, membershipId: string) {
  return db.transaction(async (tx) => {
    const before = await getMembershipInOrg(tx, scope, membershipId);
    if (before.status === "deactivated") return before;
    if (before.userId === actorUserId(scope)) throw conflict("cannotDeactivateSelf", "You cannot deactivate yourself");
    if (before.status === "active" && before.roles.includes("admin")) await assertAnotherActiveAdmin(tx, scope, membershipId);
    // Sessions signed in until now never act here again, also after reactivation (lib/auth/sessions).
    const [after] = await tx
      .update(memberships)
      .set({ status: "deactivated", deactivatedAt: new Date(), sessionsNotBefore: sql`clock_timestamp()` })
      .where(eq(memberships.id, membershipId))
      .returning();
    await audit(tx, scope, { action: "member.deactivate", targetType: "membership", targetId: membershipId, before: snapshot(before), after: snapshot(after!) });
    await revokeTokensOf(tx, scope, before.userId);
    return after!;
  });
}

/**
 * A deactivated member's API tokens in the organisation are revoked at once, each recorded
 * as a revocation: reactivation does not bring them back (the member makes new ones).
 */
async function revokeTokensOf(tx: DbOrTx, scope: Scope, userId: string) {
  const revoked = await tx
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.orgId, scope.orgId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning();
  for (const row of revoked) {
    const token = { name: row.name, prefix: row.prefix, userId: row.userId };
    await audit(tx, scope, { action: "api_token.revoke", targetType: "api_token", targetId: row.id, before: { ...token, revokedAt: null }, after: { ...token, revokedAt: row.revokedAt } });
  }
}

export async function reactivateMember(db: DbOrTx, scope: Scope, membershipId: string) {
  return db.transaction(async (tx) => {
    const before = await getMembershipInOrg(tx, scope, membershipId);
    if (before.status !== "deactivated") return before;
    // Someone who never signed in goes back to invited; the rest are active again.
    const status = before.joinedAt ? "active" : "invited";
    const [after] = await tx
      .update(memberships)
      .set({ status, deactivatedAt: null })
      .where(eq(memberships.id, membershipId))
      .returning();
    await audit(tx, scope, { action: "member.reactivate", targetType: "membership", targetId: membershipId, before: snapshot(before), after: snapshot(after!) });
    return after!;
  });
}

export type SessionMembership = {
  orgId: string;
  orgName: string;
  orgSlug: string;
  isDemo: boolean;
  roles: Role[];
  status: Membership["status"];
};

/** The columns of a SessionMembership, from memberships joined with organizations. */
export const sessionMembershipColumns = {
  orgId: memberships.orgId,
  orgName: organizations.name,
  orgSlug: organizations.slug,
  isDemo: organizations.isDemo,
  roles: memberships.roles,
  status: memberships.status,
};

/** The organisations a person may act in: active or invited (not deactivated) memberships. */
export async function usableMemberships(db: DbOrTx, userId: string): Promise<SessionMembership[]> {
  return db
    .select(sessionMembershipColumns)
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(and(eq(memberships.userId, userId), ne(memberships.status, "deactivated")))
    .orderBy(asc(organizations.name));
}

/** Marks invited memberships active at a person's first sign-in; their open invitation links end. */
export async function activateInvitedMemberships(db: DbOrTx, userId: string): Promise<void> {
  await activateInvitedMembershipsOf(db, userId);
}


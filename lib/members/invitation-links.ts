import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import { invitationLinks, memberships, organizations, users } from "@/db/schema";
import { audit } from "@/lib/audit";
import { randomBase62, sha256Hex } from "@/lib/crypto";
import type { DbOrTx } from "@/lib/db";
import { appUrl } from "@/lib/env/app-url";
import { conflict, notFound } from "@/lib/errors";
import { actorUserId, trustedScope, type Scope } from "@/lib/tenant";

/**
 * Invitation links: a single-use way in for an invited member that needs neither mail
 * nor single sign-on. The admin copies the link (it is also mailed when mail is set up);
 * opening it and confirming signs the person in once. Tokens are 43 base62 characters
 * (about 256 bits); only their SHA-256 is stored.
 */
export const INVITATION_LINK_DAYS = 7;
const TOKEN_PATTERN = /^[0-9A-Za-z]{43}$/;

export type IssuedInvitationLink = { token: string; url: string; expiresAt: Date };

export function invitationUrl(token: string): string {
  return appUrl(`/invite/${token}`);
}

/**
 * A fresh link for an invited membership of the scope's organisation; every earlier link
 * of it that is still unused stops working. Call it inside the invitation's transaction.
 */
export async function issueInvitationLink(tx: DbOrTx, scope: Scope, membershipId: string, now = new Date()): Promise<IssuedInvitationLink> {
  const [membership] = await tx
    .select({ id: memberships.id, status: memberships.status })
    .from(memberships)
    .where(and(eq(memberships.id, membershipId), eq(memberships.orgId, scope.orgId)))
    .limit(1);
  if (!membership) throw notFound("Member");
  if (membership.status !== "invited") throw conflict("notInvited", "Only a member who has not joined yet gets an invitation link");
  await revokeOpenLinks(tx, [membershipId], now);
  const token = randomBase62(43);
  const expiresAt = new Date(now.getTime() + INVITATION_LINK_DAYS * 24 * 3600_000);
  await tx.insert(invitationLinks).values({
    orgId: scope.orgId,
    membershipId,
    tokenHash: sha256Hex(token),
    createdBy: actorUserId(scope),
    expiresAt,
    createdAt: now,
  });
  return { token, url: invitationUrl(token), expiresAt };
}

/** Ends the unused links of these memberships (a newer link replaces them, or the person joined another way). */
async function revokeOpenLinks(tx: DbOrTx, membershipIds: string[], now: Date) {
  for (const membershipId of membershipIds) {
    await tx
      .update(invitationLinks)
      .set({ revokedAt: now })
      .where(and(eq(invitationLinks.membershipId, membershipId), isNull(invitationLinks.usedAt), isNull(invitationLinks.revokedAt)));
  }
}

/**
 * Invites a pending member again: a new link (the old one stops working), audited. Returns
 * the person's address and language for the mail.
 */
export async function reissueInvitation(db: DbOrTx, scope: Scope, membershipId: string, now = new Date()) {
  return db.transaction(async (tx) => {
    const link = await issueInvitationLink(tx, scope, membershipId, now);
    const [person] = await tx
      .select({ email: users.email, locale: users.locale })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.id, membershipId));
    await audit(tx, scope, {
      action: "member.reinvite",
      targetType: "membership",
      targetId: membershipId,
      after: { email: person!.email, linkExpiresAt: link.expiresAt },
    });
    return { link, email: person!.email, locale: person!.locale };
  });
}

export type InvitationLinkState = "valid" | "used" | "expired" | "replaced" | "withdrawn";

export type InvitationLinkInfo =
  | { state: "unknown" }
  | {
      state: InvitationLinkState;
      orgName: string;
      email: string;
      inviterName: string | null;
      expiresAt: Date;
      /** Whom to ask for a new link: the organisation's active admins, by name. */
      admins: string[];
    };

/** What a link is, without using it: for the page the link opens. */
export async function inspectInvitationLink(db: DbOrTx, token: string, now = new Date()): Promise<InvitationLinkInfo> {
  if (!TOKEN_PATTERN.test(token)) return { state: "unknown" };
  const [row] = await db
    .select({
      orgId: invitationLinks.orgId,
      orgName: organizations.name,
      email: users.email,
      status: memberships.status,
      invitedBy: memberships.invitedBy,
      expiresAt: invitationLinks.expiresAt,
      usedAt: invitationLinks.usedAt,
      revokedAt: invitationLinks.revokedAt,
    })
    .from(invitationLinks)
    .innerJoin(memberships, eq(memberships.id, invitationLinks.membershipId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(organizations, eq(organizations.id, invitationLinks.orgId))
    .where(eq(invitationLinks.tokenHash, sha256Hex(token)))
    .limit(1);
  if (!row) return { state: "unknown" };
  const state: InvitationLinkState = row.usedAt
    ? "used"
    : row.status === "deactivated"
      ? "withdrawn"
      : row.revokedAt
        ? "replaced"
        : row.expiresAt.getTime() <= now.getTime()
          ? "expired"
          : "valid";
  const [inviter] = row.invitedBy ? await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, row.invitedBy)) : [];
  return {
    state,
    orgName: row.orgName,
    email: row.email,
    inviterName: inviter ? (inviter.name ?? inviter.email) : null,
    expiresAt: row.expiresAt,
    admins: state === "valid" ? [] : await adminNames(db, row.orgId),
  };
}

async function adminNames(db: DbOrTx, orgId: string): Promise<string[]> {
  const rows = await db
    .select({ name: users.name, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.status, "active"), sql`'admin' = any(${memberships.roles})`))
    .orderBy(asc(sql`coalesce(${users.name}, ${users.email})`))
    .limit(5);
  return rows.map((r) => r.name ?? r.email);
}

export type AcceptedInvitation = { userId: string; email: string; name: string | null; orgId: string };

/**
 * Uses a link: at most once, before it expires, while it is the newest one and the
 * membership stands. Marks it used, activates the invited membership and records the
 * acceptance, in one transaction; null when the link does not work (nothing changes).
 */
export async function acceptInvitationLink(db: DbOrTx, token: string, now = new Date()): Promise<AcceptedInvitation | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  return db.transaction(async (tx) => {
    // One statement decides: of two simultaneous uses, only one finds the link unused.
    const [link] = await tx
      .update(invitationLinks)
      .set({ usedAt: now })
      .where(
        and(
          eq(invitationLinks.tokenHash, sha256Hex(token)),
          isNull(invitationLinks.usedAt),
          isNull(invitationLinks.revokedAt),
          gt(invitationLinks.expiresAt, now),
          sql`exists (select 1 from ${memberships} m where m.id = ${invitationLinks.membershipId} and m.status <> 'deactivated')`,
        ),
      )
      .returning({ id: invitationLinks.id, orgId: invitationLinks.orgId, membershipId: invitationLinks.membershipId });
    if (!link) return null;
    const [person] = await tx
      .select({ userId: users.id, email: users.email, name: users.name, status: memberships.status })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.id, link.membershipId));
    await activateInvitedMembershipsOf(tx, person!.userId, now);
    await audit(tx, trustedScope(link.orgId, { kind: "user", userId: person!.userId }), {
      action: "member.invitation_accept",
      targetType: "membership",
      targetId: link.membershipId,
      before: { status: person!.status },
      after: { status: "active", via: "invitation_link" },
    });
    return { userId: person!.userId, email: person!.email, name: person!.name, orgId: link.orgId };
  });
}

/**
 * Marks a person's invited memberships active (at their first sign-in, however they sign
 * in) and ends the invitation links those memberships still had open.
 */
export async function activateInvitedMembershipsOf(db: DbOrTx, userId: string, now = new Date()): Promise<void> {
  const activated = await db
    .update(memberships)
    .set({ status: "active", joinedAt: now })
    .where(and(eq(memberships.userId, userId), eq(memberships.status, "invited")))
    .returning({ id: memberships.id });
  await revokeOpenLinks(
    db,
    activated.map((m) => m.id),
    now,
  );
}

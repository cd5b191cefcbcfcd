import { and, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import {
  apiTokens,
  auditLog,
  dailyRollups,
  emvRateVersions,
  guidelineVersions,
  localeIds,
  media,
  memberships,
  monthlyRollups,
  notifications,
  oauthStates,
  pointsLedger,
  rssFeeds,
  shares,
  socialConnections,
  stories,
  storyTransitions,
  teamManagers,
  users,
  type Locale,
} from "@/db/schema";
import { disconnect } from "@/lib/connections/manage";
import type { Database, DbOrTx } from "@/lib/db";
import { conflict, DomainError, invalid, notFound } from "@/lib/errors";
import { log } from "@/lib/log";
import { moveRollupRows } from "@/db/rollup-rows";
import { dequeuePublish } from "@/lib/queue/publish";
import type { Scope } from "@/lib/tenant";
import { auditAboutThem } from "./export";

/**
 * GDPR erasure (art. 17) of one person in one organisation: their personal data goes, and the
 * organisation's totals stay exactly as they were (their rollups fold into "anonymous").
 * Step by step: docs/design-notes.md, "Erasure and anonymisation".
 */
export const ANONYMOUS_DIMENSION_ID = "anonymous";

/** The word a person types to confirm, in the language the page is shown in. */
export const confirmWords = { en: "DELETE", da: "SLET" } as const satisfies Record<Locale, string>;

export const deleteAccountSchema = z.object({
  confirm: z.string().trim().max(40),
  locale: z.enum(localeIds),
});

export type DeletionResult = {
  userDeleted: boolean;
  connections: number;
  revokedAtNetwork: number;
  sharesAnonymised: number;
  sharesCancelled: number;
};

async function assertNotLastAdmin(db: DbOrTx, scope: Scope, membershipId: string) {
  const [other] = await db
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.orgId, scope.orgId), ne(memberships.id, membershipId), eq(memberships.status, "active"), sql`'admin' = any(${memberships.roles})`))
    .limit(1);
  if (!other) throw conflict("lastAdminCannotLeave", "The organisation's last admin cannot delete their account");
}

function isAdmin(m: { roles: string[]; status: string }) {
  return m.status === "active" && m.roles.includes("admin");
}

/**
 * Moves a user's rollup rows, daily and monthly, into the "anonymous" user rows (adding to
 * rows that exist) and deletes theirs, and their rows by link placement. Rows in a fixed order, as addToRollups locks them
 * (daily rows, then monthly). Returns how many rows of theirs there were.
 */
export async function anonymiseUserRollups(db: DbOrTx, orgId: string, userId: string): Promise<number> {
  let moved = 0;
  for (const [table, name] of [
    [dailyRollups, "daily_rollups"],
    [monthlyRollups, "monthly_rollups"],
  ] as const) {
    const deleted = await moveRollupRows(db, name, orgId, "user", sql`dimension_id = ${userId}`, sql`${ANONYMOUS_DIMENSION_ID}`);
    moved += deleted;
    // By where their links went: only a team report of current members reads these, so they go.
    const placements = await db
      .delete(table)
      .where(and(eq(table.orgId, orgId), eq(table.dimension, "user_placement"), eq(table.dimensionId, userId)))
      .returning({ orgId: table.orgId });
    moved += placements.length;
  }
  return moved;
}

export async function deleteMyAccount(db: Database, scope: Scope, userId: string, raw: z.input<typeof deleteAccountSchema>): Promise<DeletionResult> {
  const input = deleteAccountSchema.parse(raw);
  if (input.confirm.toLocaleUpperCase(input.locale) !== confirmWords[input.locale]) {
    throw invalid("confirmWordMismatch", "Type the word shown to confirm", { confirm: ["confirmWordMismatch"] });
  }
  const mine = and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId));
  const [member] = await db.select().from(memberships).where(mine);
  if (!member) throw notFound("Member");
  // Checked before anything is revoked, and again under lock below.
  if (isAdmin(member)) await assertNotLastAdmin(db, scope, member.id);

  // 2. Tokens: revoked where the network allows, erased in any case (outside the
  //    transaction: each is a call to a network).
  const connections = await db
    .select({ id: socialConnections.id })
    .from(socialConnections)
    .where(and(eq(socialConnections.orgId, scope.orgId), eq(socialConnections.userId, userId)));
  let revokedAtNetwork = 0;
  let cancelledThroughConnections = 0;
  for (const { id } of connections) {
    try {
      const result = await disconnect(db, scope, userId, id);
      if (result.revokedAtNetwork) revokedAtNetwork++;
      cancelledThroughConnections += result.cancelledShares;
    } catch (error) {
      // Gone meanwhile (disconnected in another tab): nothing left to erase.
      if (!(error instanceof DomainError && error.status === 404)) throw error;
    }
  }

  const { result, cancelled } = await db.transaction(async (tx) => {
    // Admin memberships locked in a fixed order: two last admins leaving at once cannot both pass.
    await tx
      .select({ id: memberships.id })
      .from(memberships)
      .where(and(eq(memberships.orgId, scope.orgId), sql`'admin' = any(${memberships.roles})`))
      .orderBy(memberships.id)
      .for("update");
    const [locked] = await tx.select().from(memberships).where(mine).for("update");
    if (!locked) throw notFound("Member");
    if (isAdmin(locked)) await assertNotLastAdmin(tx, scope, locked.id);

    // Any connection made meanwhile is erased too (not revoked: the network is not called in here).
    await tx.delete(socialConnections).where(and(eq(socialConnections.orgId, scope.orgId), eq(socialConnections.userId, userId)));

    const ofThem = and(eq(shares.orgId, scope.orgId), eq(shares.userId, userId));
    const cancelled = await tx
      .update(shares)
      .set({ status: "cancelled", cancelledAt: new Date(), errorCode: "account_deleted" })
      .where(and(ofThem, eq(shares.status, "scheduled")))
      .returning({ id: shares.id, network: shares.network, mode: shares.mode });
    const anonymised = await tx
      .update(shares)
      .set({ userId: null, text: "", externalUrl: null, externalId: null, lastError: null })
      .where(ofThem)
      .returning({ id: shares.id });

    await anonymiseUserRollups(tx, scope.orgId, userId);

    await tx.delete(pointsLedger).where(and(eq(pointsLedger.orgId, scope.orgId), eq(pointsLedger.userId, userId)));
    await tx.delete(notifications).where(and(eq(notifications.orgId, scope.orgId), eq(notifications.userId, userId)));
    const tokenIds = (await tx.delete(apiTokens).where(and(eq(apiTokens.orgId, scope.orgId), eq(apiTokens.userId, userId))).returning({ id: apiTokens.id })).map((t) => t.id);
    await tx.delete(teamManagers).where(and(eq(teamManagers.orgId, scope.orgId), eq(teamManagers.userId, userId)));
    await tx.delete(oauthStates).where(and(eq(oauthStates.orgId, scope.orgId), eq(oauthStates.userId, userId)));

    // References to them in this organisation's records (the database does the same on
    // its own when the user row goes; needed when it stays for another organisation).
    await tx.update(stories).set({ createdBy: null }).where(and(eq(stories.orgId, scope.orgId), eq(stories.createdBy, userId)));
    await tx.update(stories).set({ approvedBy: null }).where(and(eq(stories.orgId, scope.orgId), eq(stories.approvedBy, userId)));
    await tx.update(storyTransitions).set({ actorUserId: null }).where(and(eq(storyTransitions.orgId, scope.orgId), eq(storyTransitions.actorUserId, userId)));
    await tx.update(rssFeeds).set({ createdBy: null }).where(and(eq(rssFeeds.orgId, scope.orgId), eq(rssFeeds.createdBy, userId)));
    await tx.update(guidelineVersions).set({ createdBy: null }).where(and(eq(guidelineVersions.orgId, scope.orgId), eq(guidelineVersions.createdBy, userId)));
    await tx.update(media).set({ createdBy: null }).where(and(eq(media.orgId, scope.orgId), eq(media.createdBy, userId)));
    await tx.update(emvRateVersions).set({ createdBy: null }).where(and(eq(emvRateVersions.orgId, scope.orgId), eq(emvRateVersions.createdBy, userId)));
    await tx.update(memberships).set({ invitedBy: null }).where(and(eq(memberships.orgId, scope.orgId), eq(memberships.invitedBy, userId)));

    // The audit trail keeps what happened and when, without the details about them.
    const connectionIds = (
      await tx
        .select({ id: auditLog.targetId })
        .from(auditLog)
        .where(and(eq(auditLog.orgId, scope.orgId), eq(auditLog.targetType, "social_connection"), eq(auditLog.actorUserId, userId)))
    ).flatMap((r) => (r.id ? [r.id] : []));
    await tx
      .update(auditLog)
      .set({ before: null, after: null })
      .where(and(eq(auditLog.orgId, scope.orgId), auditAboutThem(locked.id, userId, connectionIds, tokenIds)));
    await tx.update(auditLog).set({ actorUserId: null }).where(and(eq(auditLog.orgId, scope.orgId), eq(auditLog.actorUserId, userId)));

    await tx.delete(memberships).where(eq(memberships.id, locked.id));
    const [elsewhere] = await tx.select({ id: memberships.id }).from(memberships).where(eq(memberships.userId, userId)).limit(1);
    if (!elsewhere) await tx.delete(users).where(eq(users.id, userId));

    const result: DeletionResult = {
      userDeleted: !elsewhere,
      connections: connections.length,
      revokedAtNetwork,
      sharesAnonymised: anonymised.length,
      sharesCancelled: cancelled.length + cancelledThroughConnections,
    };
    // By nobody: naming the actor would name the person.
    await tx.insert(auditLog).values({ orgId: scope.orgId, actorUserId: null, actorKind: "user", action: "member.erased", targetType: "membership", targetId: locked.id, after: result });
    return { result, cancelled };
  });

  for (const share of cancelled) await dequeuePublish(share);
  // A click batch that read the shares' owner just before the transaction may have added
  // to their user rows after it: move anything that arrived meanwhile as well.
  const late = await db.transaction(async (tx) => {
    const moved = await anonymiseUserRollups(tx, scope.orgId, userId);
    await tx.delete(pointsLedger).where(and(eq(pointsLedger.orgId, scope.orgId), eq(pointsLedger.userId, userId)));
    return moved;
  });
  if (late > 0) log.info({ orgId: scope.orgId, rows: late }, "late rollup rows anonymised after an account deletion");
  return result;
}

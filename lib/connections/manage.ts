import { and, asc, eq } from "drizzle-orm";
import { shares, socialConnections, type SocialConnection } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { Database, DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { log } from "@/lib/log";
import { adapterFor } from "@/lib/networks/registry";
import { isConnectable, NetworkError } from "@/lib/networks/types";
import { dequeuePublish } from "@/lib/queue/publish";
import type { Scope } from "@/lib/tenant";
import { decryptTokens } from "./secrets";
import { accountContext, connectionTokens, markConnectionBroken } from "./tokens";

/** The nudge to re-connect comes this long before a connection stops working. */
export const EXPIRY_WARNING_MS = 7 * 24 * 60 * 60_000;

export type ConnectionStatus = SocialConnection["status"];

/**
 * When the connection stops working unless the person re-connects: the refresh token's
 * end where Ripple can refresh (null: it lasts as long as it is used), otherwise the
 * access token's (null: it does not expire, as on Mastodon).
 */
export function effectiveExpiry(row: Pick<SocialConnection, "network" | "refreshTokenEnc" | "tokenExpiresAt" | "refreshExpiresAt">): Date | null {
  const refreshable = row.refreshTokenEnc !== null && isConnectable(row.network) && adapterFor(row.network).refresh !== undefined;
  return refreshable ? row.refreshExpiresAt : row.tokenExpiresAt;
}

/** The status as of `now`, without waiting for the periodic check to write it. */
export function currentStatus(
  row: Pick<SocialConnection, "status" | "network" | "refreshTokenEnc" | "tokenExpiresAt" | "refreshExpiresAt">,
  now = new Date(),
): ConnectionStatus {
  if (row.status === "revoked" || row.status === "expired") return row.status;
  const expiry = effectiveExpiry(row);
  if (!expiry) return "active";
  if (expiry <= now) return "expired";
  return expiry.getTime() - now.getTime() <= EXPIRY_WARNING_MS ? "expiring" : "active";
}

/** One of the person's accounts as the connections page shows it. Never tokens. */
export type ConnectionView = {
  id: string;
  network: SocialConnection["network"];
  handle: string;
  displayName: string | null;
  instanceUrl: string | null;
  profileUrl: string | null;
  followerCount: number | null;
  followersFetchedAt: Date | null;
  status: ConnectionStatus;
  /** When it stops working unless re-connected; null when it does not expire. */
  expiresAt: Date | null;
  createdAt: Date;
};

/** What a connected account shows of itself (never tokens). */
export const accountColumns = {
  id: socialConnections.id,
  network: socialConnections.network,
  handle: socialConnections.handle,
  displayName: socialConnections.displayName,
  instanceUrl: socialConnections.instanceUrl,
  followerCount: socialConnections.followerCount,
  status: socialConnections.status,
};

export async function listConnections(db: DbOrTx, scope: Scope, userId: string, now = new Date()): Promise<ConnectionView[]> {
  const rows = await db
    .select({
      ...accountColumns,
      profileUrl: socialConnections.profileUrl,
      followersFetchedAt: socialConnections.followersFetchedAt,
      createdAt: socialConnections.createdAt,
      refreshTokenEnc: socialConnections.refreshTokenEnc,
      tokenExpiresAt: socialConnections.tokenExpiresAt,
      refreshExpiresAt: socialConnections.refreshExpiresAt,
    })
    .from(socialConnections)
    .where(and(eq(socialConnections.orgId, scope.orgId), eq(socialConnections.userId, userId)))
    .orderBy(asc(socialConnections.network), asc(socialConnections.createdAt));
  return rows.map(({ refreshTokenEnc, tokenExpiresAt, refreshExpiresAt, ...row }) => {
    const timing = { network: row.network, refreshTokenEnc, tokenExpiresAt, refreshExpiresAt };
    return { ...row, status: currentStatus({ ...timing, status: row.status }, now), expiresAt: effectiveExpiry(timing) };
  });
}

/**
 * Revokes at the network where it can (a failure only logs: the tokens are erased anyway),
 * deletes the row and cancels the shares still scheduled through it, which could no longer
 * be posted. Someone else's connection is not found.
 */
export async function disconnect(
  db: Database,
  scope: Scope,
  userId: string,
  connectionId: string,
): Promise<{ revokedAtNetwork: boolean; cancelledShares: number }> {
  const mine = and(eq(socialConnections.id, connectionId), eq(socialConnections.orgId, scope.orgId), eq(socialConnections.userId, userId));
  const [row] = await db.select().from(socialConnections).where(mine).limit(1);
  if (!row) throw notFound("Connection");

  let revokedAtNetwork = false;
  if (isConnectable(row.network)) {
    const adapter = adapterFor(row.network);
    if (adapter.revoke) {
      try {
        const tokens = decryptTokens(row);
        if (tokens) {
          await adapter.revoke(await accountContext(db, row), tokens);
          revokedAtNetwork = true;
        }
      } catch (error) {
        const detail = error instanceof NetworkError ? { kind: error.kind, status: error.status, code: error.code } : { err: error };
        log.warn({ connectionId, network: row.network, ...detail }, "revoking at the network failed; the tokens are erased anyway");
      }
    }
  }

  const cancelled = await db.transaction(async (tx) => {
    // Before the delete: it sets the shares' connection_id to null.
    const cancelledShares = await tx
      .update(shares)
      .set({ status: "cancelled", cancelledAt: new Date(), errorCode: "connection_removed" })
      .where(and(eq(shares.orgId, scope.orgId), eq(shares.connectionId, connectionId), eq(shares.status, "scheduled")))
      .returning({ id: shares.id, network: shares.network, mode: shares.mode });
    const deleted = await tx.delete(socialConnections).where(mine).returning({ id: socialConnections.id });
    if (deleted.length === 0) throw notFound("Connection");
    await audit(tx, scope, {
      action: "connection.delete",
      targetType: "social_connection",
      targetId: connectionId,
      before: { network: row.network, handle: row.handle, externalId: row.externalId, instanceUrl: row.instanceUrl },
      after: { revokedAtNetwork, cancelledShares: cancelledShares.length },
    });
    return cancelledShares;
  });
  for (const share of cancelled) await dequeuePublish(share);
  return { revokedAtNetwork, cancelledShares: cancelled.length };
}

/**
 * Reads the account's profile again: follower count, handle and name. Returns the
 * follower count (null when the network does not tell). A connection the network no
 * longer accepts is marked revoked (the person is told) and null returned.
 */
export async function refreshFollowers(db: Database, connectionId: string): Promise<number | null> {
  const [row] = await db.select().from(socialConnections).where(eq(socialConnections.id, connectionId)).limit(1);
  if (!row || row.status === "revoked" || row.status === "expired" || !isConnectable(row.network)) return null;
  const adapter = adapterFor(row.network);
  try {
    const tokens = await connectionTokens(db, row);
    if (!tokens) return null;
    const profile = await adapter.profile(await accountContext(db, row), tokens);
    const now = new Date();
    await db
      .update(socialConnections)
      .set({
        handle: profile.handle,
        displayName: profile.displayName,
        profileUrl: profile.profileUrl,
        followerCount: profile.followerCount ?? row.followerCount,
        followersFetchedAt: profile.followerCount === null ? row.followersFetchedAt : now,
      })
      .where(eq(socialConnections.id, row.id));
    return profile.followerCount;
  } catch (error) {
    if (error instanceof NetworkError && error.kind === "unauthorized") {
      const expired = row.tokenExpiresAt !== null && row.tokenExpiresAt <= new Date();
      await markConnectionBroken(db, row, expired ? "expired" : "revoked", error.code ?? "unauthorized");
      return null;
    }
    throw error;
  }
}

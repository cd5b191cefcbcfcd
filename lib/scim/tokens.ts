import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { scimTokens } from "@/db/schema";
import { audit } from "@/lib/audit";
import { randomBase62, sha256Hex } from "@/lib/crypto";
import type { DbOrTx, Tx } from "@/lib/db";
import { actorUserId, type Scope } from "@/lib/tenant";

/**
 * The bearer token a directory (Entra ID, Okta …) provisions one organisation with. Tokens
 * look like scim_<43 base62 characters>; only their SHA-256 is stored. An organisation has
 * one token in use: creating a new one revokes the old.
 */
const TOKEN_PREFIX = "scim_";
const TOKEN_PATTERN = /^scim_[0-9A-Za-z]{43}$/;

export async function createScimToken(db: DbOrTx, scope: Scope) {
  const token = TOKEN_PREFIX + randomBase62(43);
  return db.transaction(async (tx) => {
    await revokeInUse(tx, scope, { replaced: true });
    const [row] = await tx
      .insert(scimTokens)
      .values({ orgId: scope.orgId, tokenHash: sha256Hex(token), prefix: token.slice(0, 9), createdBy: actorUserId(scope) })
      .returning();
    await audit(tx, scope, { action: "scim_token.create", targetType: "scim_token", targetId: row!.id, after: { prefix: row!.prefix } });
    return { token, record: row! };
  });
}

/** Revokes the organisation's token in use, if any; returns whether there was one. */
export async function revokeScimToken(db: DbOrTx, scope: Scope): Promise<boolean> {
  return db.transaction(async (tx) => (await revokeInUse(tx, scope, {})).length > 0);
}

/** Revokes the organisation's token in use (at most one), each revocation in the audit log. */
async function revokeInUse(tx: Tx, scope: Scope, note: { replaced?: true }) {
  const revoked = await tx
    .update(scimTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(scimTokens.orgId, scope.orgId), isNull(scimTokens.revokedAt)))
    .returning({ id: scimTokens.id, prefix: scimTokens.prefix });
  for (const old of revoked) {
    await audit(tx, scope, { action: "scim_token.revoke", targetType: "scim_token", targetId: old.id, after: { prefix: old.prefix, ...note } });
  }
  return revoked;
}

export type ScimTokenStatus = { prefix: string; createdAt: Date; lastUsedAt: Date | null } | null;

/** The token in use (never the token itself): its first characters, when made and last used. */
export async function currentScimToken(db: DbOrTx, scope: Scope): Promise<ScimTokenStatus> {
  const [row] = await db
    .select({ prefix: scimTokens.prefix, createdAt: scimTokens.createdAt, lastUsedAt: scimTokens.lastUsedAt })
    .from(scimTokens)
    .where(and(eq(scimTokens.orgId, scope.orgId), isNull(scimTokens.revokedAt)))
    .orderBy(desc(scimTokens.createdAt))
    .limit(1);
  return row ?? null;
}

/** The organisation a well-formed, known and unrevoked token provisions; null otherwise. */
export async function verifyScimToken(db: DbOrTx, token: string): Promise<{ tokenId: string; orgId: string } | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const [row] = await db
    .select({ tokenId: scimTokens.id, orgId: scimTokens.orgId })
    .from(scimTokens)
    .where(and(eq(scimTokens.tokenHash, sha256Hex(token)), isNull(scimTokens.revokedAt)))
    .limit(1);
  if (!row) return null;
  // At most one write a minute per token.
  await db
    .update(scimTokens)
    .set({ lastUsedAt: new Date() })
    .where(and(eq(scimTokens.id, row.tokenId), sql`(${scimTokens.lastUsedAt} is null or ${scimTokens.lastUsedAt} < now() - interval '1 minute')`));
  return row;
}

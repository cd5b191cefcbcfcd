import { and, eq, isNull, sql } from "drizzle-orm";
import { apiTokens, memberships, type Role } from "@/db/schema";
import { audit } from "@/lib/audit";
import { randomBase62, sha256Hex } from "@/lib/crypto";
import type { DbOrTx } from "@/lib/db";
import { invalid } from "@/lib/errors";
import type { Scope } from "@/lib/tenant";

/** Tokens look like rpl_<40 base62 characters>; only their SHA-256 is stored. */
const TOKEN_PREFIX = "rpl_";
const TOKEN_PATTERN = /^rpl_[0-9A-Za-z]{40}$/;

export async function createApiToken(db: DbOrTx, scope: Scope, input: { userId: string; name: string; expiresAt?: Date | null }) {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 80) throw invalid("invalidTokenName", "Token name must be 1–80 characters", { name: ["invalidTokenName"] });
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw invalid("expiryInPast", "A token cannot expire in the past", { expiresAt: ["expiryInPast"] });
  }
  const token = TOKEN_PREFIX + randomBase62(40);
  return db.transaction(async (tx) => {
    const [member] = await tx
      .select({ id: memberships.id })
      .from(memberships)
      .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, input.userId), eq(memberships.status, "active")));
    if (!member) throw invalid("notAMember", "The token's user must be an active member of the organisation");
    const [row] = await tx
      .insert(apiTokens)
      .values({ orgId: scope.orgId, userId: input.userId, name, tokenHash: sha256Hex(token), prefix: token.slice(0, 10), expiresAt: input.expiresAt ?? null })
      .returning();
    await audit(tx, scope, {
      action: "api_token.create",
      targetType: "api_token",
      targetId: row!.id,
      after: { name: row!.name, prefix: row!.prefix, userId: row!.userId, expiresAt: row!.expiresAt },
    });
    return { token, record: row! };
  });
}

export type TokenIdentity = { tokenId: string; userId: string; orgId: string; roles: Role[] };

/**
 * The member a bearer token acts as, if the token is well-formed, known, not revoked or
 * expired, and its member is still active.
 */
export async function verifyApiToken(db: DbOrTx, token: string): Promise<TokenIdentity | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const [row] = await db
    .select({ tokenId: apiTokens.id, userId: apiTokens.userId, orgId: apiTokens.orgId, roles: memberships.roles })
    .from(apiTokens)
    .innerJoin(memberships, and(eq(memberships.orgId, apiTokens.orgId), eq(memberships.userId, apiTokens.userId)))
    .where(
      and(
        eq(apiTokens.tokenHash, sha256Hex(token)),
        isNull(apiTokens.revokedAt),
        sql`(${apiTokens.expiresAt} is null or ${apiTokens.expiresAt} > now())`,
        eq(memberships.status, "active"),
      ),
    )
    .limit(1);
  if (!row) return null;
  // At most one write a minute per token.
  await db
    .update(apiTokens)
    .set({ lastUsedAt: new Date() })
    .where(and(eq(apiTokens.id, row.tokenId), sql`(${apiTokens.lastUsedAt} is null or ${apiTokens.lastUsedAt} < now() - interval '1 minute')`));
  return row;
}

import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { apiTokens, memberships, users, type Role } from "@/db/schema";
import { audit } from "@/lib/audit";
import { randomBase62, sha256Hex } from "@/lib/crypto";
import type { DbOrTx } from "@/lib/db";
import { conflict, invalid, notFound } from "@/lib/errors";
import type { Scope } from "@/lib/tenant";

/** Tokens look like rpl_<40 base62 characters>; only their SHA-256 is stored. */
const TOKEN_PREFIX = "rpl_";
const TOKEN_PATTERN = /^rpl_[0-9A-Za-z]{40}$/;
const DAY_MS = 86_400_000;

/** A new token lives this many days unless told otherwise, and never longer than a year. */
export const API_TOKEN_DEFAULT_DAYS = 90;
export const API_TOKEN_MAX_DAYS = 365;
/** The lifetimes the forms offer. */
export const apiTokenDayChoices = [30, 90, 180, 365] as const;

export const apiTokenDaysSchema = z.coerce
  .number({ error: "tokenDaysRange" })
  .int("tokenDaysRange")
  .min(1, "tokenDaysRange")
  .max(API_TOKEN_MAX_DAYS, "tokenDaysRange");

/** What a member sends to make a token for themselves: a name and a lifetime in days. */
export const newApiTokenSchema = z.object({
  name: z.string().trim().min(1, "invalidTokenName").max(80, "invalidTokenName"),
  days: apiTokenDaysSchema.default(API_TOKEN_DEFAULT_DAYS),
});

/** `days` from now. */
export function expiryInDays(days: number, now = new Date()): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

export async function createApiToken(db: DbOrTx, scope: Scope, input: { userId: string; name: string; expiresAt?: Date }) {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 80) throw invalid("invalidTokenName", "Token name must be 1–80 characters", { name: ["invalidTokenName"] });
  const now = Date.now();
  const expiresAt = input.expiresAt ?? expiryInDays(API_TOKEN_DEFAULT_DAYS, new Date(now));
  if (expiresAt.getTime() <= now) throw invalid("expiryInPast", "A token cannot expire in the past", { days: ["expiryInPast"] });
  if (expiresAt.getTime() > now + API_TOKEN_MAX_DAYS * DAY_MS) {
    throw invalid("tokenDaysRange", `A token lives at most ${API_TOKEN_MAX_DAYS} days`, { days: ["tokenDaysRange"] });
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
      .values({ orgId: scope.orgId, userId: input.userId, name, tokenHash: sha256Hex(token), prefix: token.slice(0, 10), expiresAt })
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

export type ApiTokenStatus = "active" | "expired" | "revoked";

export function apiTokenStatus(row: { revokedAt: Date | null; expiresAt: Date | null }, now = new Date()): ApiTokenStatus {
  if (row.revokedAt) return "revoked";
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

export type ApiTokenRow = {
  id: string;
  name: string;
  prefix: string;
  userId: string;
  ownerName: string | null;
  ownerEmail: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  status: ApiTokenStatus;
};

/** The organisation's tokens, newest first; with `userId`, only that member's. Never the secret. */
export async function listApiTokens(db: DbOrTx, scope: Scope, options: { userId?: string } = {}): Promise<ApiTokenRow[]> {
  const rows = await db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      userId: apiTokens.userId,
      ownerName: users.name,
      ownerEmail: users.email,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.orgId, scope.orgId), options.userId ? eq(apiTokens.userId, options.userId) : undefined))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
  const now = new Date();
  return rows.map((row) => ({ ...row, status: apiTokenStatus(row, now) }));
}

/**
 * Revokes one token of the organisation at once, found by id or by its prefix; with
 * `ownerId`, only a token of that member (anyone else's is not found). Revoking a revoked
 * token changes nothing.
 */
export async function revokeApiToken(db: DbOrTx, scope: Scope, which: { tokenId: string } | { prefix: string }, options: { ownerId?: string } = {}) {
  return db.transaction(async (tx) => {
    const found = await tx
      .select()
      .from(apiTokens)
      .where(
        and(
          eq(apiTokens.orgId, scope.orgId),
          "tokenId" in which ? eq(apiTokens.id, which.tokenId) : eq(apiTokens.prefix, which.prefix),
          options.ownerId ? eq(apiTokens.userId, options.ownerId) : undefined,
        ),
      )
      .for("update");
    // A prefix has 6 random characters: two tokens may share one, and then only the id will do.
    if (found.length > 1) throw conflict("ambiguousTokenPrefix", "Several tokens start with this prefix; use the token's id");
    const row = found[0];
    if (!row) throw notFound("API token");
    if (row.revokedAt) return { record: row, changed: false };
    const [updated] = await tx.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, row.id)).returning();
    await audit(tx, scope, {
      action: "api_token.revoke",
      targetType: "api_token",
      targetId: row.id,
      before: { name: row.name, prefix: row.prefix, userId: row.userId, revokedAt: null },
      after: { name: row.name, prefix: row.prefix, userId: row.userId, revokedAt: updated!.revokedAt },
    });
    return { record: updated!, changed: true };
  });
}

export type TokenIdentity = { tokenId: string; userId: string; orgId: string; roles: Role[] };

/** Why a bearer token was refused: expired and revoked are told apart so an integrator knows what to fix. */
export type TokenRefusal = "unknown" | "expired" | "revoked";

/** The RFC 9457 `type` of the 401 for each refusal; an expired or revoked token says which. */
export const tokenProblemTypes = {
  unknown: "about:blank",
  expired: "urn:ripple:problem:token-expired",
  revoked: "urn:ripple:problem:token-revoked",
} as const satisfies Record<TokenRefusal, string>;

/**
 * The member a bearer token acts as, if the token is well-formed, known, not revoked or
 * expired, and its member is still active; otherwise why not. Only the holder of a real
 * token learns that it expired or was revoked; a guess is just unknown.
 */
export async function checkApiToken(db: DbOrTx, token: string): Promise<{ ok: true; identity: TokenIdentity } | { ok: false; reason: TokenRefusal }> {
  if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: "unknown" };
  const [row] = await db
    .select({
      tokenId: apiTokens.id,
      userId: apiTokens.userId,
      orgId: apiTokens.orgId,
      roles: memberships.roles,
      active: sql<boolean>`${memberships.status} = 'active'`,
      revokedAt: apiTokens.revokedAt,
      expired: sql<boolean>`coalesce(${apiTokens.expiresAt} <= now(), false)`,
    })
    .from(apiTokens)
    .innerJoin(memberships, and(eq(memberships.orgId, apiTokens.orgId), eq(memberships.userId, apiTokens.userId)))
    .where(eq(apiTokens.tokenHash, sha256Hex(token)))
    .limit(1);
  if (!row || !row.active) return { ok: false, reason: "unknown" };
  if (row.revokedAt) return { ok: false, reason: "revoked" };
  if (row.expired) return { ok: false, reason: "expired" };
  // At most one write a minute per token.
  await db
    .update(apiTokens)
    .set({ lastUsedAt: new Date() })
    .where(and(eq(apiTokens.id, row.tokenId), isNull(apiTokens.revokedAt), sql`(${apiTokens.lastUsedAt} is null or ${apiTokens.lastUsedAt} < now() - interval '1 minute')`));
  return { ok: true, identity: { tokenId: row.tokenId, userId: row.userId, orgId: row.orgId, roles: row.roles } };
}

/** The member a bearer token acts as, or null when it is refused for any reason. */
export async function verifyApiToken(db: DbOrTx, token: string): Promise<TokenIdentity | null> {
  const result = await checkApiToken(db, token);
  return result.ok ? result.identity : null;
}

import { and, eq, inArray } from "drizzle-orm";
import { socialConnections, type SocialConnection } from "@/db/schema";
import type { Database, DbOrTx } from "@/lib/db";
import { log } from "@/lib/log";
import { addNotices, mailNotices } from "@/lib/notifications";
import { adapterFor } from "@/lib/networks/registry";
import { isConnectable, NetworkError, type AccountContext, type TokenSet } from "@/lib/networks/types";
import { trustedScope } from "@/lib/tenant";
import { oauthClientFor } from "./clients";
import { decryptTokens, encryptTokens } from "./secrets";

/** Refresh this long before the access token expires, so a post never starts with a dying token. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** What calls for this account need besides its tokens: its server and Ripple's client there. */
export async function accountContext(db: DbOrTx, connection: Pick<SocialConnection, "orgId" | "network" | "instanceUrl">): Promise<AccountContext> {
  if (!isConnectable(connection.network)) throw new Error(`No adapter for ${connection.network}`);
  const adapter = adapterFor(connection.network);
  const client = adapter.kind === "oauth" ? await oauthClientFor(db, adapter, connection, { register: false }) : null;
  return { instanceUrl: connection.instanceUrl, client };
}

/**
 * The context for acting as the account (publishing, looking up, reading metrics): its
 * server and client, who it is (saves the adapters a who-am-I request per call) and where
 * tokens an adapter renewed on the way are stored (Bluesky rotates its refresh JWT).
 */
export async function actingContext(db: Database, connection: SocialConnection): Promise<AccountContext> {
  return {
    ...(await accountContext(db, connection)),
    account: { externalId: connection.externalId, handle: connection.handle },
    saveTokens: (tokens) => storeTokens(db, connection.id, tokens),
  };
}

/** Renewed tokens, encrypted, in place of the connection's old ones. */
async function storeTokens(db: DbOrTx, connectionId: string, tokens: TokenSet): Promise<void> {
  await db
    .update(socialConnections)
    .set({ ...encryptTokens(connectionId, tokens), lastError: null })
    .where(eq(socialConnections.id, connectionId));
}

function needsRefresh(tokens: TokenSet, now: number, marginMs = REFRESH_MARGIN_MS): boolean {
  return tokens.refreshToken !== null && tokens.expiresAt !== null && tokens.expiresAt.getTime() - now < marginMs;
}

/**
 * A connection's usable tokens, refreshed first when about to expire; null when erased.
 * Server-side only: never to a browser or into a job. A refused refresh marks the connection,
 * tells the person and throws the NetworkError ("unauthorized").
 */
export async function connectionTokens(db: Database, connection: SocialConnection, now = new Date()): Promise<TokenSet | null> {
  const stored = decryptTokens(connection);
  if (!stored || !needsRefresh(stored, now.getTime())) return stored;
  return refreshConnection(db, connection.id, now);
}

/**
 * Renews a connection's tokens under a row lock, so two workers never spend the same
 * refresh token (X and Bluesky hand out a new one each time). Whoever waited on the lock
 * finds the renewed tokens and uses them.
 */
export async function refreshConnection(db: Database, connectionId: string, now = new Date(), marginMs = REFRESH_MARGIN_MS): Promise<TokenSet | null> {
  type Outcome = { tokens: TokenSet | null } | { refused: NetworkError; row: SocialConnection };
  const outcome = await db.transaction(async (tx): Promise<Outcome> => {
    const [row] = await tx.select().from(socialConnections).where(eq(socialConnections.id, connectionId)).for("update");
    if (!row) return { tokens: null };
    const tokens = decryptTokens(row);
    if (!tokens || !needsRefresh(tokens, now.getTime(), marginMs) || !isConnectable(row.network)) return { tokens };
    const adapter = adapterFor(row.network);
    if (!adapter.refresh) return { tokens };
    try {
      const next = await adapter.refresh(await accountContext(tx, row), tokens);
      await storeTokens(tx, row.id, next);
      return { tokens: next };
    } catch (error) {
      if (error instanceof NetworkError && error.kind === "unauthorized") return { refused: error, row };
      throw error;
    }
  });
  if ("refused" in outcome) {
    const { row, refused } = outcome;
    const expired = row.refreshExpiresAt !== null && row.refreshExpiresAt <= now;
    await markConnectionBroken(db, row, expired ? "expired" : "revoked", refused.code ?? "refreshRefused");
    throw refused;
  }
  return outcome.tokens;
}

/**
 * The network no longer accepts the connection's tokens: status expired or revoked, the
 * reason kept, and the person told once (only a connection still counted as working
 * changes, so repeated failures do not repeat the notice).
 */
export async function markConnectionBroken(
  db: Database,
  connection: Pick<SocialConnection, "id" | "orgId" | "userId" | "network" | "handle" | "tokenExpiresAt">,
  status: "expired" | "revoked",
  reason: string,
): Promise<boolean> {
  const notices = await db.transaction(async (tx) => {
    const changed = await tx
      .update(socialConnections)
      .set({ status, lastError: reason.slice(0, 200) })
      .where(and(eq(socialConnections.id, connection.id), inArray(socialConnections.status, ["active", "expiring"])))
      .returning({ id: socialConnections.id });
    if (changed.length === 0) return [];
    return addNotices(tx, trustedScope(connection.orgId, { kind: "system" }), [
      {
        userId: connection.userId,
        kind: "connection.expired",
        data: { connectionId: connection.id, network: connection.network, handle: connection.handle, expiresAt: connection.tokenExpiresAt?.toISOString() ?? null },
      },
    ]);
  });
  if (notices.length > 0) {
    log.info({ connectionId: connection.id, network: connection.network, status, reason }, "connection no longer works");
    await mailNotices(notices);
  }
  return notices.length > 0;
}

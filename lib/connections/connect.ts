import { createHash, randomUUID } from "node:crypto";
import { and, eq, gt, lt } from "drizzle-orm";
import { oauthStates, socialConnections, type SocialConnection } from "@/db/schema";
import { audit } from "@/lib/audit";
import { decryptSecret, encryptSecret, randomBase62 } from "@/lib/crypto";
import type { Database } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { log } from "@/lib/log";
import { adapterFor } from "@/lib/networks/registry";
import { NetworkError, type ConnectableNetwork, type Profile, type TokenSet } from "@/lib/networks/types";
import type { Scope } from "@/lib/tenant";
import { isAvailableTo, oauthClientFor } from "./clients";
import { blueskyConnectSchema, startConnectSchema, type BlueskyConnectInput, type StartConnectInput } from "./schemas";
import { encryptTokens, secretContext } from "./secrets";

/** How long a person has to approve at the network. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

/** Failure codes of connecting, each an errors.* message; the callback puts them in ?error=. */
export const connectErrorCodes = [
  "networkUnavailable",
  "instanceRequired",
  "instanceInvalid",
  "instanceUnreachable",
  "oauthStateInvalid",
  "oauthDenied",
  "oauthExchangeFailed",
  "connectFailed",
  "blueskyLoginFailed",
  "rateLimited",
] as const;
export type ConnectErrorCode = (typeof connectErrorCodes)[number];

const fail = (status: DomainError["status"], code: ConnectErrorCode, message: string, fieldErrors?: Record<string, string[]>) =>
  new DomainError(status, code, message, fieldErrors);

/** Logs a network failure without anything secret (NetworkError messages carry none). */
function logFailure(what: string, network: ConnectableNetwork, error: unknown) {
  if (error instanceof NetworkError) log.warn({ network, kind: error.kind, status: error.status, code: error.code, detail: error.message }, what);
  else log.error({ network, err: error }, what);
}

/** A server the person typed could not be used: the message for its field. */
function serverFailure(error: unknown, field: string, network: ConnectableNetwork): DomainError {
  logFailure("server refused", network, error);
  if (error instanceof NetworkError && error.kind === "rateLimited") return fail(429, "rateLimited", "Too many attempts at the network");
  const unreachable = error instanceof NetworkError && error.kind === "unavailable";
  const code: ConnectErrorCode = unreachable ? "instanceUnreachable" : "instanceInvalid";
  return fail(422, code, "The server cannot be used", { [field]: [code] });
}

/**
 * Step one of an OAuth connection: remembers a single-use state (with the PKCE verifier,
 * encrypted) for ten minutes and returns the network's consent page to send the browser
 * to. For Mastodon, Ripple is registered on the instance first (once per instance).
 */
export async function startConnect(db: Database, scope: Scope, userId: string, input: StartConnectInput): Promise<{ redirectUrl: string }> {
  const { network, instanceUrl: typed } = startConnectSchema.parse(input);
  const adapter = adapterFor(network);
  if (adapter.kind !== "oauth" || !(await isAvailableTo(db, scope.orgId, network))) throw fail(422, "networkUnavailable", `${network} is not configured on this server`);

  let instanceUrl: string | null = null;
  if (adapter.clientSource.kind === "perInstance") {
    if (!typed) throw fail(422, "instanceRequired", "Name your server", { instanceUrl: ["instanceRequired"] });
    try {
      instanceUrl = adapter.clientSource.normalizeInstance(typed);
    } catch (error) {
      throw serverFailure(error, "instanceUrl", network);
    }
  }
  let client;
  try {
    client = await oauthClientFor(db, adapter, { orgId: scope.orgId, instanceUrl }, { register: true });
  } catch (error) {
    throw serverFailure(error, "instanceUrl", network);
  }
  if (!client) throw fail(422, "networkUnavailable", `${network} is not configured on this server`);

  const id = randomUUID();
  const state = randomBase62(43);
  const verifier = adapter.pkce ? randomBase62(64) : null;
  const now = new Date();
  // Unused states of anyone, past their time, go now (an index on expires_at keeps it cheap).
  await db.delete(oauthStates).where(lt(oauthStates.expiresAt, now));
  await db.insert(oauthStates).values({
    id,
    state,
    orgId: scope.orgId,
    userId,
    network,
    instanceUrl,
    codeVerifierEnc: verifier ? encryptSecret(verifier, secretContext.codeVerifier(id)) : null,
    returnTo: "/connections",
    expiresAt: new Date(now.getTime() + OAUTH_STATE_TTL_MS),
  });
  const codeChallenge = verifier ? createHash("sha256").update(verifier).digest("base64url") : null;
  return { redirectUrl: adapter.authorizeUrl({ instanceUrl, client }, { state, codeChallenge }) };
}

/** What networks send back when the person declines: RFC 6749's code, and LinkedIn's own. */
const DECLINED = new Set(["access_denied", "user_cancelled_authorize", "user_cancelled_login"]);

export type CallbackInput = { network: ConnectableNetwork; state?: string | null; code?: string | null; error?: string | null };

/**
 * Step two, the network's redirect back. DELETE … RETURNING makes the state single-use:
 * unknown, expired, used, or another network's or person's (left unconsumed) →
 * "oauthStateInvalid", nothing stored. A used code is refused: "oauthExchangeFailed".
 */
export async function completeConnect(db: Database, scope: Scope, userId: string, input: CallbackInput): Promise<ConnectionSummary> {
  const { network } = input;
  if (!input.state) throw fail(400, "oauthStateInvalid", "No state");
  const [pending] = await db
    .delete(oauthStates)
    .where(
      and(
        eq(oauthStates.state, input.state),
        eq(oauthStates.network, network),
        eq(oauthStates.orgId, scope.orgId),
        eq(oauthStates.userId, userId),
        gt(oauthStates.expiresAt, new Date()),
      ),
    )
    .returning();
  if (!pending) throw fail(400, "oauthStateInvalid", "Unknown, expired or used state");
  if (input.error) throw fail(400, DECLINED.has(input.error) ? "oauthDenied" : "oauthExchangeFailed", `The network answered ${input.error.slice(0, 50)}`);
  if (!input.code) throw fail(400, "oauthExchangeFailed", "No code");

  const adapter = adapterFor(network);
  if (adapter.kind !== "oauth") throw fail(400, "oauthStateInvalid", "Not an OAuth network");
  const client = await oauthClientFor(db, adapter, { orgId: scope.orgId, instanceUrl: pending.instanceUrl }, { register: false });
  if (!client) throw fail(422, "networkUnavailable", `${network} is not configured on this server`);
  const ctx = { instanceUrl: pending.instanceUrl, client };
  const codeVerifier = pending.codeVerifierEnc ? decryptSecret(pending.codeVerifierEnc, secretContext.codeVerifier(pending.id)) : null;

  let tokens: TokenSet;
  try {
    tokens = await adapter.exchangeCode(ctx, { code: input.code, codeVerifier });
  } catch (error) {
    logFailure("OAuth code exchange failed", network, error);
    if (error instanceof NetworkError && error.kind === "rateLimited") throw fail(429, "rateLimited", "Rate limited");
    throw fail(400, "oauthExchangeFailed", "The network refused the code");
  }
  let profile: Profile;
  try {
    profile = await adapter.profile(ctx, tokens);
  } catch (error) {
    logFailure("profile after OAuth failed", network, error);
    // Do not leave a grant behind that nobody holds.
    await adapter.revoke?.(ctx, tokens).catch((e: unknown) => logFailure("revoking an unused grant failed", network, e));
    throw fail(422, "connectFailed", "The network did not say who the account is");
  }
  return saveConnection(db, scope, userId, { network, instanceUrl: pending.instanceUrl, tokens, profile });
}

/** Connects a Bluesky account with its handle and an app password. */
export async function connectBluesky(db: Database, scope: Scope, userId: string, input: BlueskyConnectInput): Promise<ConnectionSummary> {
  const { identifier, appPassword, pdsUrl } = blueskyConnectSchema.parse(input);
  const adapter = adapterFor("bluesky");
  if (adapter.kind !== "password") throw new Error("bluesky adapter is not a password adapter");
  let service = adapter.defaultService;
  if (pdsUrl) {
    try {
      service = adapter.normalizeService(pdsUrl);
    } catch (error) {
      throw serverFailure(error, "pdsUrl", "bluesky");
    }
  }
  let session;
  try {
    session = await adapter.login(service, { identifier, password: appPassword });
  } catch (error) {
    if (error instanceof NetworkError && (error.kind === "unauthorized" || (error.kind === "invalid" && error.status === 400))) {
      logFailure("Bluesky sign-in refused", "bluesky", error);
      throw fail(422, "blueskyLoginFailed", "Bluesky refused the handle or app password", { appPassword: ["blueskyLoginFailed"] });
    }
    throw serverFailure(error, "pdsUrl", "bluesky");
  }
  return saveConnection(db, scope, userId, { network: "bluesky", instanceUrl: service, tokens: session.tokens, profile: session.profile });
}

/** A connection as the UI and the API see it: never tokens. */
export type ConnectionSummary = Pick<
  SocialConnection,
  "id" | "network" | "externalId" | "handle" | "displayName" | "instanceUrl" | "profileUrl" | "followerCount" | "status" | "tokenExpiresAt"
> & { reconnected: boolean };

/**
 * Saves the account: new, or (same person, network and external id) its tokens replaced
 * and its status active again. The tokens are encrypted for the row, whose id is fixed
 * before encrypting. Audited without secrets.
 */
async function saveConnection(
  db: Database,
  scope: Scope,
  userId: string,
  account: { network: ConnectableNetwork; instanceUrl: string | null; tokens: TokenSet; profile: Profile },
): Promise<ConnectionSummary> {
  const { network, instanceUrl, tokens, profile } = account;
  const now = new Date();
  const fields = {
    handle: profile.handle,
    displayName: profile.displayName,
    instanceUrl,
    profileUrl: profile.profileUrl,
    followerCount: profile.followerCount,
    followersFetchedAt: profile.followerCount === null ? null : now,
    status: "active" as const,
    lastError: null,
    nudgedAt: null,
  };
  return db.transaction(async (tx) => {
    const key = and(
      eq(socialConnections.orgId, scope.orgId),
      eq(socialConnections.userId, userId),
      eq(socialConnections.network, network),
      eq(socialConnections.externalId, profile.externalId),
    );
    let reconnected = false;
    const id = randomUUID();
    let [row] = await tx
      .insert(socialConnections)
      .values({ id, orgId: scope.orgId, userId, network, externalId: profile.externalId, ...fields, ...encryptTokens(id, tokens) })
      .onConflictDoNothing({ target: [socialConnections.orgId, socialConnections.userId, socialConnections.network, socialConnections.externalId] })
      .returning();
    if (!row) {
      // The same account again: keep the row (shares point at it), replace the tokens.
      const [existing] = await tx.select({ id: socialConnections.id }).from(socialConnections).where(key).for("update");
      if (!existing) throw new Error("connection vanished during re-connect");
      [row] = await tx
        .update(socialConnections)
        .set({ ...fields, ...encryptTokens(existing.id, tokens) })
        .where(eq(socialConnections.id, existing.id))
        .returning();
      reconnected = true;
    }
    const saved = row!;
    await audit(tx, scope, {
      action: "connection.create",
      targetType: "social_connection",
      targetId: saved.id,
      after: { network, handle: saved.handle, externalId: saved.externalId, instanceUrl, reconnected },
    });
    return summary(saved, reconnected);
  });
}

export function summary(row: SocialConnection, reconnected = false): ConnectionSummary {
  return {
    id: row.id,
    network: row.network,
    externalId: row.externalId,
    handle: row.handle,
    displayName: row.displayName,
    instanceUrl: row.instanceUrl,
    profileUrl: row.profileUrl,
    followerCount: row.followerCount,
    status: row.status,
    tokenExpiresAt: row.tokenExpiresAt,
    reconnected,
  };
}

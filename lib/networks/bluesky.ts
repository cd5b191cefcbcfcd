import { AtpAgent, XRPCError } from "@atproto/api";
import type { NetworkId } from "@/db/schema";
import { env } from "@/lib/env";
import { safeFetchAsFetch, UnsafeFetchError } from "@/lib/net/safe-fetch";
import { fetchFailure, normalizeServerUrl, retryAfterMs } from "./http";
import { NetworkError, type AccountContext, type PasswordAdapter, type Profile, type TokenSet } from "./types";

/**
 * Bluesky, on any PDS, with a handle and an app password (networks.md §5).
 *
 * - Sign-in: com.atproto.server.createSession through @atproto/api's AtpAgent, on the
 *   service the person names (default https://bsky.social, the entryway of Bluesky's own
 *   PDSes). Every request goes through safeFetch: the service is an address a person typed.
 * - Stored: the access JWT (about 2 hours) and the refresh JWT (about 90 days), encrypted;
 *   their expiry comes from the JWTs' own exp claim. The DID is the external id.
 * - Refresh: com.atproto.server.refreshSession with the refresh JWT as bearer; it hands
 *   back a new pair.
 * - Disconnect: com.atproto.server.deleteSession with the refresh JWT, which ends the
 *   session at the PDS (the access JWT is stateless and dies within its two hours).
 * - Followers: app.bsky.actor.getProfile on the public AppView (BLUESKY_APPVIEW_URL); a
 *   failure there leaves the count unknown and does not stop the connection.
 *
 * Why not atproto OAuth: it requires PAR, DPoP-bound tokens and a client_id that is the
 * URL of a public client-metadata document the person's PDS must fetch. A self-hosted
 * Ripple on localhost or an intranet cannot offer that URL, and DPoP keys would add a
 * per-connection key pair to store. App passwords work on every PDS, can be revoked by
 * the person at any time in their Bluesky settings, and cannot change the account's
 * password or e-mail. Worth revisiting for public installs.
 */

export const BLUESKY_DEFAULT_SERVICE = "https://bsky.social";

const NETWORK: NetworkId = "bluesky";

function agentFor(service: string): AtpAgent {
  return new AtpAgent({ service, fetch: safeFetchAsFetch({ timeoutMs: 10_000, maxBytes: 1024 * 1024 }) });
}

/** An XRPC failure as a NetworkError kind (ExpiredToken is a 400 on atproto, not a 401). */
export function blueskyError(error: unknown, what: string, url = BLUESKY_DEFAULT_SERVICE): NetworkError {
  if (error instanceof NetworkError) return error;
  if (error instanceof XRPCError) {
    const cause = error.cause;
    if (cause instanceof UnsafeFetchError) return fetchFailure(NETWORK, url, cause);
    const status = error.status;
    const code = error.error;
    const details = { status: status > 1 ? status : undefined, code, cause: error };
    const message = `bluesky: ${what} failed (${status > 1 ? `HTTP ${status} ` : ""}${code})`;
    if (status === 429 || code === "RateLimitExceeded") {
      const headers = Object.fromEntries(Object.entries(error.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
      return new NetworkError(NETWORK, "rateLimited", message, { ...details, retryAfterMs: retryAfterMs(headers) });
    }
    if (status === 401 || code === "ExpiredToken" || code === "InvalidToken" || code === "AuthenticationRequired") return new NetworkError(NETWORK, "unauthorized", message, details);
    if (status === 403 || code === "AccountTakedown") return new NetworkError(NETWORK, "forbidden", message, details);
    if (status >= 500 || status <= 1) return new NetworkError(NETWORK, "unavailable", message, details);
    return new NetworkError(NETWORK, "invalid", message, details);
  }
  if (error instanceof UnsafeFetchError) return fetchFailure(NETWORK, url, error);
  return new NetworkError(NETWORK, "unavailable", `bluesky: ${what} failed`, { cause: error });
}

/** The exp claim of a JWT, unverified (only to know when to refresh or nudge). */
export function jwtExpiry(jwt: string): Date | null {
  const payload = jwt.split(".")[1];
  if (!payload) return null;
  try {
    const exp = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? new Date(exp * 1000) : null;
  } catch {
    return null;
  }
}

function tokenSet(accessJwt: string, refreshJwt: string): TokenSet {
  return { accessToken: accessJwt, refreshToken: refreshJwt, expiresAt: jwtExpiry(accessJwt), refreshExpiresAt: jwtExpiry(refreshJwt), scopes: [] };
}

function serviceOf(ctx: AccountContext): string {
  return ctx.instanceUrl ?? BLUESKY_DEFAULT_SERVICE;
}

/** Followers and display name from the AppView; null when it does not know the account (yet). */
async function publicProfile(did: string): Promise<{ followersCount: number | null; displayName: string | null } | null> {
  try {
    const { data } = await agentFor(env().BLUESKY_APPVIEW_URL).app.bsky.actor.getProfile({ actor: did });
    return { followersCount: data.followersCount ?? null, displayName: data.displayName || null };
  } catch {
    return null;
  }
}

async function describe(did: string, handle: string): Promise<Profile> {
  const view = await publicProfile(did);
  return {
    externalId: did,
    handle,
    displayName: view?.displayName ?? null,
    profileUrl: `https://bsky.app/profile/${encodeURIComponent(handle)}`,
    followerCount: view?.followersCount ?? null,
  };
}

export const bluesky: PasswordAdapter = {
  id: "bluesky",
  kind: "password",
  defaultService: BLUESKY_DEFAULT_SERVICE,
  normalizeService: (input) => normalizeServerUrl(input, "bluesky"),

  async login(service, { identifier, password }) {
    const agent = agentFor(service);
    let session;
    try {
      ({ data: session } = await agent.login({ identifier, password }));
    } catch (error) {
      throw blueskyError(error, "sign-in", service);
    }
    return { tokens: tokenSet(session.accessJwt, session.refreshJwt), profile: await describe(session.did, session.handle) };
  },

  async refresh(ctx, tokens) {
    if (!tokens.refreshToken) throw new NetworkError(NETWORK, "unauthorized", "bluesky: no refresh token");
    const service = serviceOf(ctx);
    try {
      const { data } = await agentFor(service).com.atproto.server.refreshSession(undefined, { headers: { authorization: `Bearer ${tokens.refreshToken}` } });
      return tokenSet(data.accessJwt, data.refreshJwt);
    } catch (error) {
      throw blueskyError(error, "session refresh", service);
    }
  },

  async revoke(ctx, tokens) {
    if (!tokens.refreshToken) return;
    const service = serviceOf(ctx);
    try {
      await agentFor(service).com.atproto.server.deleteSession(undefined, { headers: { authorization: `Bearer ${tokens.refreshToken}` } });
    } catch (error) {
      throw blueskyError(error, "sign-out", service);
    }
  },

  async profile(ctx, tokens) {
    const service = serviceOf(ctx);
    let session;
    try {
      ({ data: session } = await agentFor(service).com.atproto.server.getSession(undefined, { headers: { authorization: `Bearer ${tokens.accessToken}` } }));
    } catch (error) {
      throw blueskyError(error, "getSession", service);
    }
    return describe(session.did, session.handle);
  },
};

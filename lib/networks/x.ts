import { z } from "zod";
import { env } from "@/lib/env";
import { apiUrl, expectBody, networkFetch, oauthTokenSchema, queryString, refreshGrantClassifier, tokenSetFrom, type Classifier } from "./http";
import { NetworkError, type OAuthAdapter, type OAuthClient } from "./types";

/**
 * X: OAuth 2.0 authorisation code with PKCE (S256) as a confidential client (Basic auth
 * on the token endpoints), networks.md §2.
 *
 * - offline.access brings a refresh token; access tokens live two hours, so the
 *   publisher refreshes before use and stores the new refresh token X hands back
 *   (whether the old one keeps working is unverified: we never rely on it).
 * - Disconnecting revokes the refresh token and the access token at /2/oauth2/revoke.
 * - Followers: GET /2/users/me?user.fields=public_metrics → followers_count.
 */

export const X_SCOPES = ["tweet.read", "tweet.write", "users.read", "offline.access"] as const;

const classify: Classifier = (response) => {
  const detail = (response.body as { detail?: unknown } | null)?.detail;
  if (response.status === 403 && typeof detail === "string" && /duplicate/i.test(detail)) return { kind: "duplicate", code: "duplicate" };
  return null;
};

function basic(client: OAuthClient) {
  return { username: client.clientId, password: client.clientSecret };
}

const meSchema = z.object({
  data: z.object({
    id: z.string().min(1),
    username: z.string().min(1),
    name: z.string().optional(),
    public_metrics: z.object({ followers_count: z.number().int().nonnegative().optional() }).optional(),
  }),
});

export const x: OAuthAdapter = {
  id: "x",
  kind: "oauth",
  scopes: X_SCOPES,
  pkce: true,
  clientSource: {
    kind: "configured",
    load() {
      const { X_CLIENT_ID, X_CLIENT_SECRET } = env();
      return X_CLIENT_ID && X_CLIENT_SECRET ? { clientId: X_CLIENT_ID, clientSecret: X_CLIENT_SECRET } : null;
    },
  },

  authorizeUrl({ client }, { state, codeChallenge }) {
    if (!codeChallenge) throw new NetworkError("x", "invalid", "x: PKCE is required");
    const query = queryString({
      response_type: "code",
      client_id: client.clientId,
      redirect_uri: client.redirectUri,
      scope: X_SCOPES.join(" "),
      state,
      code_challenge: codeChallenge,
      code_challenge_method: "S256",
    });
    return `${apiUrl(env().X_AUTH_URL, "/i/oauth2/authorize")}?${query}`;
  },

  async exchangeCode({ client }, { code, codeVerifier }) {
    if (!codeVerifier) throw new NetworkError("x", "invalid", "x: PKCE verifier missing");
    const response = await networkFetch(
      "x",
      apiUrl(env().X_API_URL, "/2/oauth2/token"),
      {
        basic: basic(client),
        form: { grant_type: "authorization_code", code, redirect_uri: client.redirectUri, code_verifier: codeVerifier, client_id: client.clientId },
      },
      classify,
    );
    return tokenSetFrom(expectBody("x", "the token request", oauthTokenSchema, response.body), Date.now(), X_SCOPES);
  },

  async refresh({ client }, tokens) {
    if (!client) throw new NetworkError("x", "invalid", "x: not configured on this server");
    if (!tokens.refreshToken) throw new NetworkError("x", "unauthorized", "x: no refresh token (re-connect needed)");
    const response = await networkFetch(
      "x",
      apiUrl(env().X_API_URL, "/2/oauth2/token"),
      { basic: basic(client), form: { grant_type: "refresh_token", refresh_token: tokens.refreshToken, client_id: client.clientId } },
      refreshGrantClassifier,
    );
    const next = tokenSetFrom(expectBody("x", "the refresh request", oauthTokenSchema, response.body), Date.now(), tokens.scopes);
    return { ...next, refreshToken: next.refreshToken ?? tokens.refreshToken };
  },

  async revoke({ client }, tokens) {
    if (!client) throw new NetworkError("x", "invalid", "x: not configured on this server");
    const url = apiUrl(env().X_API_URL, "/2/oauth2/revoke");
    // The refresh token first: with it gone no new access token can be minted.
    const revocations: Array<[string, string]> = [];
    if (tokens.refreshToken) revocations.push([tokens.refreshToken, "refresh_token"]);
    revocations.push([tokens.accessToken, "access_token"]);
    let firstFailure: unknown;
    for (const [token, hint] of revocations) {
      try {
        await networkFetch("x", url, { basic: basic(client), form: { token, token_type_hint: hint, client_id: client.clientId } }, classify);
      } catch (error) {
        firstFailure ??= error;
      }
    }
    if (firstFailure) throw firstFailure;
  },

  async profile(_ctx, tokens) {
    const response = await networkFetch("x", `${apiUrl(env().X_API_URL, "/2/users/me")}?user.fields=public_metrics`, { bearer: tokens.accessToken }, classify);
    const { data } = expectBody("x", "users/me", meSchema, response.body);
    return {
      externalId: data.id,
      handle: `@${data.username}`,
      displayName: data.name ?? null,
      profileUrl: `https://x.com/${encodeURIComponent(data.username)}`,
      followerCount: data.public_metrics?.followers_count ?? null,
    };
  },
};

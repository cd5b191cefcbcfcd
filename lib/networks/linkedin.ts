import { z } from "zod";
import { env } from "@/lib/env";
import { apiUrl, expectBody, networkFetch, oauthTokenSchema, queryString, refreshGrantClassifier, tokenSetFrom, type Classifier } from "./http";
import { NetworkError, type OAuthAdapter } from "./types";

/**
 * LinkedIn: a member posts as themselves (networks.md §1).
 *
 * - Products "Sign In with LinkedIn using OpenID Connect" (openid profile email) and
 *   "Share on LinkedIn" (w_member_social). Authorisation code flow with the client secret;
 *   no PKCE (LinkedIn's member flow does not document it).
 * - Access tokens live 60 days. Refresh tokens come only to approved partners; when one
 *   is issued (refresh_token + refresh_token_expires_in) it is used, otherwise the person
 *   re-connects, nudged seven days before the expiry.
 * - The author of a post is urn:li:person:{sub}, sub from /v2/userinfo (/v2/me answers 403
 *   to OpenID-only apps).
 * - Followers: not available. A member's follower count needs r_member_social or the
 *   Community Management API, neither open to a self-hosted install; followerCount is null.
 * - Revocation: LinkedIn documents no endpoint for a member token (networks.md has none),
 *   so disconnecting erases the token on our side only; the member can remove Ripple under
 *   LinkedIn's Settings → Data privacy → Permitted services.
 */

export const LINKEDIN_SCOPES = ["openid", "profile", "email", "w_member_social"] as const;

/** The author URN of a member's posts. */
export function linkedinAuthorUrn(externalId: string): string {
  return `urn:li:person:${externalId}`;
}

/** Headers the versioned /rest API requires (the publisher uses them). */
export function linkedinRestHeaders(): Record<string, string> {
  return { "LinkedIn-Version": env().LINKEDIN_VERSION, "X-Restli-Protocol-Version": "2.0.0" };
}

const classify: Classifier = (response) => {
  const body = response.body as { status?: number; code?: string; errorDetails?: { inputErrors?: Array<{ code?: string }> } } | null;
  if (response.status === 426) return { kind: "invalid", code: body?.code ?? "NONEXISTENT_VERSION", message: "LINKEDIN_VERSION is no longer active" };
  if (body?.errorDetails?.inputErrors?.some((e) => e.code === "DUPLICATE_POST")) return { kind: "duplicate", code: "DUPLICATE_POST" };
  return null;
};

const userinfoSchema = z.object({
  sub: z.string().min(1),
  name: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  email: z.string().optional(),
  picture: z.string().optional(),
});

export const linkedin: OAuthAdapter = {
  id: "linkedin",
  kind: "oauth",
  scopes: LINKEDIN_SCOPES,
  pkce: false,
  clientSource: {
    kind: "configured",
    load() {
      const { LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET } = env();
      return LINKEDIN_CLIENT_ID && LINKEDIN_CLIENT_SECRET ? { clientId: LINKEDIN_CLIENT_ID, clientSecret: LINKEDIN_CLIENT_SECRET } : null;
    },
  },

  authorizeUrl({ client }, { state }) {
    const query = queryString({
      response_type: "code",
      client_id: client.clientId,
      redirect_uri: client.redirectUri,
      scope: LINKEDIN_SCOPES.join(" "),
      state,
    });
    return `${apiUrl(env().LINKEDIN_AUTH_URL, "/oauth/v2/authorization")}?${query}`;
  },

  async exchangeCode({ client }, { code }) {
    const response = await networkFetch(
      "linkedin",
      apiUrl(env().LINKEDIN_AUTH_URL, "/oauth/v2/accessToken"),
      { form: { grant_type: "authorization_code", code, redirect_uri: client.redirectUri, client_id: client.clientId, client_secret: client.clientSecret } },
      classify,
    );
    return tokenSetFrom(expectBody("linkedin", "the token request", oauthTokenSchema, response.body), Date.now(), LINKEDIN_SCOPES);
  },

  async refresh({ client }, tokens) {
    if (!client) throw new NetworkError("linkedin", "invalid", "linkedin: not configured on this server");
    if (!tokens.refreshToken) throw new NetworkError("linkedin", "unauthorized", "linkedin: no refresh token (re-connect needed)");
    const response = await networkFetch(
      "linkedin",
      apiUrl(env().LINKEDIN_AUTH_URL, "/oauth/v2/accessToken"),
      { form: { grant_type: "refresh_token", refresh_token: tokens.refreshToken, client_id: client.clientId, client_secret: client.clientSecret } },
      refreshGrantClassifier,
    );
    const next = tokenSetFrom(expectBody("linkedin", "the refresh request", oauthTokenSchema, response.body), Date.now(), tokens.scopes);
    // The refresh token's life counts from the first grant and is not extended (networks.md §1).
    return { ...next, refreshToken: next.refreshToken ?? tokens.refreshToken, refreshExpiresAt: next.refreshExpiresAt ?? tokens.refreshExpiresAt };
  },

  async profile(_ctx, tokens) {
    const response = await networkFetch("linkedin", apiUrl(env().LINKEDIN_API_URL, "/v2/userinfo"), { bearer: tokens.accessToken }, classify);
    const info = expectBody("linkedin", "userinfo", userinfoSchema, response.body);
    const name = info.name ?? ([info.given_name, info.family_name].filter(Boolean).join(" ") || null);
    return {
      externalId: info.sub,
      handle: name ?? info.email ?? info.sub,
      displayName: name,
      // The public profile URL needs the vanity name, which OpenID scopes do not give.
      profileUrl: null,
      followerCount: null,
    };
  },
};

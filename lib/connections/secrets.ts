import { decryptSecret, encryptSecret } from "@/lib/crypto";
import type { TokenSet } from "@/lib/networks/types";
import type { SocialConnection } from "@/db/schema";

/**
 * The associated data every stored secret is encrypted with: table, row id and which
 * secret. A ciphertext copied to another row, or from the access to the refresh column,
 * does not decrypt.
 */
export const secretContext = {
  access: (connectionId: string) => `social_connections:${connectionId}:access_token`,
  refresh: (connectionId: string) => `social_connections:${connectionId}:refresh_token`,
  clientSecret: (appId: string) => `network_apps:${appId}:client_secret`,
  orgAppSecret: (appId: string) => `org_network_apps:${appId}:client_secret`,
  codeVerifier: (stateId: string) => `oauth_states:${stateId}:code_verifier`,
};

/** The token columns of a connection row, encrypted for that row. */
export function encryptTokens(connectionId: string, tokens: TokenSet) {
  return {
    accessTokenEnc: encryptSecret(tokens.accessToken, secretContext.access(connectionId)),
    refreshTokenEnc: tokens.refreshToken ? encryptSecret(tokens.refreshToken, secretContext.refresh(connectionId)) : null,
    tokenExpiresAt: tokens.expiresAt,
    refreshExpiresAt: tokens.refreshExpiresAt,
    scopes: tokens.scopes,
  };
}

/**
 * The decrypted tokens of a connection row as stored (lib/connections/tokens.ts's
 * connectionTokens refreshes them first when needed). Server-side only: never send the
 * result to a browser or put it in a job. Null when the tokens were erased.
 */
export function decryptTokens(
  connection: Pick<SocialConnection, "id" | "accessTokenEnc" | "refreshTokenEnc" | "tokenExpiresAt" | "refreshExpiresAt" | "scopes">,
): TokenSet | null {
  if (!connection.accessTokenEnc) return null;
  return {
    accessToken: decryptSecret(connection.accessTokenEnc, secretContext.access(connection.id)),
    refreshToken: connection.refreshTokenEnc ? decryptSecret(connection.refreshTokenEnc, secretContext.refresh(connection.id)) : null,
    expiresAt: connection.tokenExpiresAt,
    refreshExpiresAt: connection.refreshExpiresAt,
    scopes: connection.scopes,
  };
}

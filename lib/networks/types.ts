import type { NetworkId } from "@/db/schema";

/**
 * One adapter per network with a posting API (LinkedIn, X, Mastodon, Bluesky), all
 * behind one interface, so generic code (lib/connections, the publisher) never asks
 * "is this LinkedIn?": what differs is a property or a method of the adapter.
 *
 * This issue covers connecting an account. Publishing and reach metrics are added to the
 * same interface by the publishing work (publish(ctx, tokens, post), metrics(ctx, tokens,
 * ids)); they will throw the same NetworkError kinds.
 */

/** The networks an employee can connect an account of. */
export const connectableNetworks = ["linkedin", "x", "mastodon", "bluesky"] as const satisfies readonly NetworkId[];
export type ConnectableNetwork = (typeof connectableNetworks)[number];

export function isConnectable(network: string): network is ConnectableNetwork {
  return (connectableNetworks as readonly string[]).includes(network);
}

/** What a network gave us to act for the person. Plaintext: lives in memory only, stored encrypted. */
export type TokenSet = {
  accessToken: string;
  /** null when the network issues none (LinkedIn outside partner programmes, Mastodon). */
  refreshToken: string | null;
  /** null when the token does not expire (Mastodon: until revoked). */
  expiresAt: Date | null;
  /** When the refresh token stops working, if the network says (LinkedIn partners, Bluesky's JWT). */
  refreshExpiresAt: Date | null;
  scopes: string[];
};

/** Who the account is, as the network describes it. */
export type Profile = {
  /** Stable id at the network: LinkedIn's OpenID "sub", X's user id, Mastodon's account id, Bluesky's DID. */
  externalId: string;
  /** What people recognise: @name, @name@instance, name.bsky.social; LinkedIn has no handle: the member's name. */
  handle: string;
  displayName: string | null;
  profileUrl: string | null;
  /** null when the network does not tell us (LinkedIn with member scopes). */
  followerCount: number | null;
};

/** Ripple's own client at a network: from configuration (LinkedIn, X) or registered per instance (Mastodon). */
export type OAuthClient = {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
};

/** What calls made for one account need besides its tokens. */
export type AccountContext = {
  /** The Mastodon instance or Bluesky service the account lives on; null for single-service networks. */
  instanceUrl: string | null;
  /** Ripple's client there (OAuth networks); null when none is needed or none is known any more. */
  client: OAuthClient | null;
};

/**
 * Every failure at a network comes out as one of these, so callers decide without
 * knowing the network:
 *  - unauthorized: the token is expired, revoked or invalid (refresh, else re-connect);
 *  - forbidden: the token lacks a permission, or the account may not do this;
 *  - rateLimited: try again after `retryAfterMs` (when the network said);
 *  - duplicate: the network refuses the same post twice (LinkedIn 422, X 403);
 *  - invalid: the request or the answer is wrong (a bug or a misconfiguration; retrying does not help);
 *  - unavailable: the network is down, slow or unreachable (retry later).
 */
export const networkErrorKinds = ["unauthorized", "forbidden", "rateLimited", "duplicate", "invalid", "unavailable"] as const;
export type NetworkErrorKind = (typeof networkErrorKinds)[number];

export class NetworkError extends Error {
  constructor(
    readonly network: NetworkId,
    readonly kind: NetworkErrorKind,
    message: string,
    readonly details: {
      /** HTTP status, when there was an answer. */
      status?: number;
      /** The network's own error code (invalid_grant, DUPLICATE_POST, ExpiredToken…). */
      code?: string;
      /** From Retry-After or the network's rate-limit reset header. */
      retryAfterMs?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "NetworkError";
  }

  get status() {
    return this.details.status;
  }

  get code() {
    return this.details.code;
  }

  get retryAfterMs() {
    return this.details.retryAfterMs;
  }

  /** Worth trying again later, unchanged. */
  get transient() {
    return this.kind === "rateLimited" || this.kind === "unavailable";
  }
}

/** A share as it goes out: the final text (tracked link and disclosure in) and the card's details. */
export type OutgoingPost = {
  /** The share's id: the idempotency key where the network has one (Mastodon), the rkey seed elsewhere. */
  shareId: string;
  text: string;
  language: "da" | "en";
  link: { url: string; title: string; description: string; imageUrl: string | null };
};

/** What the network says it made. */
export type PublishedPost = { externalId: string; url: string | null };

/** What both kinds of adapter share. */
interface AdapterBase {
  readonly id: ConnectableNetwork;
  /** Renew the access token with the refresh token. Absent where the network has no refresh (Mastodon). */
  refresh?(ctx: AccountContext, tokens: TokenSet): Promise<TokenSet>;
  /** Revoke the grant at the network. Absent where the API offers no revocation (LinkedIn). */
  revoke?(ctx: AccountContext, tokens: TokenSet): Promise<void>;
  /** Who the account is and, where the network tells, how many follow it. */
  profile(ctx: AccountContext, tokens: TokenSet): Promise<Profile>;
  /**
   * Posts one share. Failures are NetworkErrors; where the network can tell a repeat
   * from a new post (Mastodon's Idempotency-Key) a repeat returns the first post.
   */
  publish?(ctx: AccountContext, tokens: TokenSet, post: OutgoingPost): Promise<PublishedPost>;
}

/** A Mastodon instance's own text rules, read from its configuration. */
export type InstanceLimits = { maxCharacters: number | null; charactersPerUrl: number | null };

export type RegisteredClient = { clientId: string; clientSecret: string; scopes: string; limits: InstanceLimits };

/**
 * How Ripple gets its OAuth client:
 *  - configured: one client id and secret from the environment (null when not set: the
 *    network is then not offered);
 *  - perInstance: the person names a server and Ripple registers itself there once,
 *    cached in network_apps (lib/connections/clients.ts).
 */
export type ClientSource =
  | { kind: "configured"; load(): Omit<OAuthClient, "redirectUri"> | null }
  | {
      kind: "perInstance";
      /** The server's canonical origin from what a person typed; throws NetworkError "invalid" when it is not a usable address. */
      normalizeInstance(input: string): string;
      register(instanceUrl: string, redirectUri: string): Promise<RegisteredClient>;
    };

/** OAuth 2 authorisation-code networks (LinkedIn, X, Mastodon). */
export interface OAuthAdapter extends AdapterBase {
  readonly kind: "oauth";
  readonly scopes: readonly string[];
  /** Send a PKCE S256 challenge (X requires it). */
  readonly pkce: boolean;
  readonly clientSource: ClientSource;
  authorizeUrl(ctx: AccountContext & { client: OAuthClient }, request: { state: string; codeChallenge: string | null }): string;
  /** Trade the callback's code for tokens. A used, expired or foreign code is refused by the network (NetworkError). */
  exchangeCode(ctx: AccountContext & { client: OAuthClient }, grant: { code: string; codeVerifier: string | null }): Promise<TokenSet>;
}

/** Networks where the person gives Ripple a dedicated password (Bluesky app passwords). */
export interface PasswordAdapter extends AdapterBase {
  readonly kind: "password";
  /** Used when the person names no server. */
  readonly defaultService: string;
  /** The server's canonical origin; throws NetworkError "invalid" when it is not a usable address. */
  normalizeService(input: string): string;
  /** Signs in; a wrong identifier or password is NetworkError "unauthorized". */
  login(service: string, credentials: { identifier: string; password: string }): Promise<{ tokens: TokenSet; profile: Profile }>;
}

export type NetworkAdapter = OAuthAdapter | PasswordAdapter;

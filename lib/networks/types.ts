import type { NetworkId, Locale } from "@/db/schema";
import type { PostAppearance } from "./appearance";
import type { Measurement, MeasureOptions } from "./measure";

/**
 * One adapter per network with a posting API, behind one interface, so generic code never
 * asks "is this LinkedIn?": what differs is a property or a method. Contract per member and
 * per network: docs/networks/README.md.
 */

/** The networks an employee can connect an account of. */
export const connectableNetworks = ["linkedin", "x", "mastodon", "bluesky", "threads"] as const satisfies readonly NetworkId[];
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
  /**
   * Who the account is, as stored with the connection. publish and findPost need it; without
   * it they ask the network (one more request), so pass it whenever the row is at hand.
   */
  account?: { externalId: string; handle: string };
  /**
   * Stores tokens renewed on the way: Bluesky's agent refreshes by itself and the old refresh
   * JWT dies two hours later, so without this the session is lost. At most once per call.
   */
  saveTokens?: (tokens: TokenSet) => Promise<void>;
};

/**
 * Every failure at a network is one of these, so callers decide without knowing the network;
 * only rateLimited and unavailable are worth retrying. Meanings: docs/networks/README.md.
 */
export const networkErrorKinds = ["unauthorized", "forbidden", "rateLimited", "duplicate", "invalid", "unavailable"] as const;
export type NetworkErrorKind = (typeof networkErrorKinds)[number];

/**
 * NetworkError code of an answer in a shape Ripple cannot read (a changed API version):
 * asking again gets the same shape, so a metric poll ends with it instead of retrying.
 */
export const UNEXPECTED_ANSWER = "UNEXPECTED_ANSWER";

/**
 * NetworkError code of a call made with an API version the network has retired (LinkedIn's
 * own code for its 426): nothing posts until the configuration names a live version.
 */
export const API_VERSION_RETIRED = "NONEXISTENT_VERSION";

/** Unit prices of a network's API, as published on `asOf` at `source`. */
export type ApiPricing = {
  currency: string;
  /** A post without a link. */
  post: number;
  /** A post with a URL in it (every share's post carries its tracked link). */
  postWithLink: number;
  /** One post read (the exactly-once look-up, a metric poll). */
  read: number;
  asOf: string;
  source: string;
};

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
      /**
       * "duplicate" only: the id of the post the network says this one repeats, when it
       * says (LinkedIn's DUPLICATE_POST names the URN; X does not).
       */
      existingId?: string;
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

  get existingId() {
    return this.details.existingId;
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
  /**
   * When the share was created. Fixed for the share's life: Bluesky's record key is
   * derived from it (with shareId), and findPost does not look at posts older than it.
   */
  createdAt: Date;
  text: string;
  /**
   * The share's own tracked link (https://<app>/r/<code>), which is in `text`. Unique per
   * share, so finding it in the author's recent posts proves the share was posted.
   */
  trackedUrl: string;
  language: Locale;
  link: { url: string; title: string; description: string; imageUrl: string | null };
  /**
   * Where the link goes (the organisation's choice, recorded on the share): "card" (absent)
   * sends the card where the network takes one; "text" leaves the card out, the URL stays
   * in the text. X and Mastodon make their own card from the URL either way.
   */
  placement?: "card" | "text" | "first_comment";
  /**
   * A network that publishes in two steps (Threads: create a container, then publish it):
   * the first step's id as stored on the share by an earlier try, and how to store it. `save`
   * commits before the second step, so a try killed after it finds the id and finishes that
   * draft instead of making a second one. `recreated`: the one allowed re-creation was used.
   */
  draft?: { stored: { id: string; recreated: boolean } | null; save(id: string, recreated: boolean): Promise<void> };
};

/** The link's comment under a share's post (placement first_comment). */
export type PostedComment = { externalId: string };

/** What the network says it made. */
export type PublishedPost = {
  externalId: string;
  url: string | null;
  /** The endpoint's rate-limit state after the call, where the network tells (X's x-rate-limit-* headers). */
  rateLimit?: { limit: number; remaining: number; resetAt: Date };
};

/** What findPost learnt: the post, null when it certainly does not exist, "unknown" when the network cannot tell. */
export type FoundPost = PublishedPost | null | "unknown";

/**
 * A published post's counts as the network reports them at `measuredAt`. null where the
 * network does not report the figure (to this token, for this post's age): never 0 for
 * "unknown". Totals since publishing, not deltas.
 */
export type PostMetrics = {
  /** Times shown: LinkedIn IMPRESSION, X impression_count; null on Mastodon and Bluesky (not reported). */
  impressions: number | null;
  /** Distinct members who saw it: LinkedIn MEMBERS_REACHED; null elsewhere. */
  reached: number | null;
  /** Likes, favourites, LinkedIn reactions. */
  reactions: number | null;
  /** Reshares, retweets, reblogs (boosts), reposts. */
  reposts: number | null;
  /** Replies, comments. */
  replies: number | null;
  /** Quote posts (X, Bluesky, Mastodon 4.5+ when it says); null on LinkedIn (quoting is a reshare there). */
  quotes: number | null;
  /** Link clicks the network counted: X url_link_clicks (author's token, posts under 30 days); null elsewhere. */
  clicks: number | null;
  /** Saves and bookmarks: X bookmark_count, Bluesky bookmarkCount, LinkedIn POST_SAVE where offered. */
  saves: number | null;
  measuredAt: Date;
  source: "network";
};

/** A post to read metrics for: its id at the network and when it was published (X's 30-day cutoff). */
export type MeasuredPost = { externalId: string; publishedAt: Date };

/**
 * Counts by externalId, or "gone" when the post no longer exists (stop polling quietly).
 * A post absent from the map got no answer this time (not indexed yet): ask at the next poll.
 */
export type MetricsResult = Map<string, PostMetrics | "gone">;

/** What a share window is opened with; each network reads the parts it takes. */
export type ShareWindowInput = { url: string; text: string; hashtag?: string | null; facebookAppId?: string | null; mastodonInstance?: string | null };

/** A network's own share window for a link (networks.md §8): how people share where Ripple does not post for them. */
export interface ShareWindow {
  /** Whether the window takes the text too; if not, the person pastes it from the clipboard. */
  readonly takesText: boolean;
  /** Whether the window lives on the person's own server, which they name (Mastodon). */
  readonly asksInstance?: boolean;
  url(input: ShareWindowInput): string;
}

/** At most `max` posts in any stretch of `windowMs`. */
export type PostWindow = { max: number; windowMs: number };

/** What both kinds of adapter share. */
interface AdapterBase {
  readonly id: ConnectableNetwork;
  readonly shareWindow: ShareWindow;
  /** How the network shows a post (client-safe, lib/networks/appearance.ts): the composer's preview. */
  readonly appearance: PostAppearance;
  /**
   * How many posts Ripple sends per account, and for its app as a whole where the network
   * limits that, a little under the network's documented limits so other calls fit too.
   */
  readonly postLimits: { account: PostWindow; app?: PostWindow };
  /**
   * Posting the same text again is itself the look-up: the network refuses the repeat and
   * names the first post (LinkedIn's DUPLICATE_POST), so an unanswerable findPost is no
   * reason to stop.
   */
  readonly repeatNamesFirstPost?: boolean;
  /**
   * How long after a share's first try posting it again is harmless because the network
   * returns the first post instead of a new one (Mastodon keeps an Idempotency-Key for an
   * hour). Within it a recovery simply repeats the call; absent: no such window.
   */
  readonly idempotencyWindowMs?: number;
  /**
   * The network charges per call (X since 2026): its published unit prices, the defaults of an
   * organisation's budget (lib/orgs/api-budget.ts). Absent: calls cost nothing.
   */
  readonly pricing?: ApiPricing;
  /** The public address of a post from its id alone, where the network's addresses allow (a LinkedIn URN). */
  postUrl?(externalId: string): string;
  /**
   * How long before the access token expires the periodic refresh renews it, where that is
   * earlier than Ripple's default twenty minutes (Threads: a week, of its 60 days).
   */
  readonly refreshAheadMs?: number;
  /** Renew the access token with the refresh token. Absent where the network has no refresh (Mastodon). */
  refresh?(ctx: AccountContext, tokens: TokenSet): Promise<TokenSet>;
  /** Revoke the grant at the network. Absent where the API offers no revocation (LinkedIn). */
  revoke?(ctx: AccountContext, tokens: TokenSet): Promise<void>;
  /** Who the account is and, where the network tells, how many follow it. */
  profile(ctx: AccountContext, tokens: TokenSet): Promise<Profile>;
  /**
   * A text's length as this network counts it (lib/networks/measure.ts measureText for
   * this network: the same numbers the composer and POST /api/v1/compose/check show).
   * Mastodon: pass the instance's limit and characters_reserved_per_url in options.
   */
  measure(text: string, options?: MeasureOptions): Measurement;
  /**
   * Reach of the account's posts in one batch (split where the network takes fewer ids). A
   * deleted post is "gone" in the answer, not a failure of the call (docs/networks/README.md).
   */
  metrics?(ctx: AccountContext, tokens: TokenSet, posts: readonly MeasuredPost[]): Promise<MetricsResult>;
  /**
   * Posts one share. A post may exist although publish did not return, so call findPost
   * before posting again. "duplicate" (LinkedIn with existingId, X without) means this share
   * is already posted: the text holds its unique tracked link (docs/networks/README.md).
   */
  publish?(ctx: AccountContext, tokens: TokenSet, post: OutgoingPost): Promise<PublishedPost>;
  /**
   * The share's post; null only when it certainly does not exist, "unknown" when the network
   * cannot tell. Errors throw: never read them as "not posted" (docs/networks/README.md).
   */
  findPost?(ctx: AccountContext, tokens: TokenSet, post: OutgoingPost): Promise<FoundPost>;
  /**
   * Posts `text` as the author's first comment (reply) under their post `parent`: the link of a
   * first_comment share. `key` is unique to the share's comment: Mastodon's Idempotency-Key,
   * Bluesky's record key seed; networks without such a key ignore it.
   */
  comment?(ctx: AccountContext, tokens: TokenSet, parent: PublishedPost, text: string, key: string): Promise<PostedComment>;
  /**
   * The author's comment under `parent` holding `text` (and, where the network keys it, made
   * under `key`); null when certainly absent, "unknown" when the network cannot tell
   * (LinkedIn: reading comments needs a permission LinkedIn rarely grants).
   */
  findComment?(ctx: AccountContext, tokens: TokenSet, parent: PublishedPost, text: string, key: string): Promise<PostedComment | null | "unknown">;
}

/** A Mastodon instance's own text rules, read from its configuration. */
export type InstanceLimits = { maxCharacters: number | null; charactersPerUrl: number | null };

export type RegisteredClient = { clientId: string; clientSecret: string; scopes: string; limits: InstanceLimits };

/**
 * How Ripple gets its OAuth client: from the environment (null when unset: the network is
 * not offered), the organisation's own app (null when its admin entered none), or
 * registered once per server the person names (lib/connections/clients.ts).
 */
export type ClientSource =
  | { kind: "configured"; load(): Omit<OAuthClient, "redirectUri"> | null }
  /** The organisation's own app at the network, entered by its admin (Threads: lib/connections/org-apps.ts). */
  | { kind: "perOrganisation" }
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

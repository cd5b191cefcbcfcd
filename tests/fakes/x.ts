import * as twitterTextModule from "twitter-text";
import { measureText } from "@/lib/networks/measure";
import {
  authorize,
  type AuthorizeCheck,
  basicCredentials,
  AuthorizationCodes,
  bearerToken,
  Clock,
  codeChallenge,
  type FakeRequest,
  type FakeResponse,
  type FakeServer,
  field,
  FixedWindows,
  isRecord,
  isRedirectUri,
  json,
  randomToken,
  router,
  sameSecret,
  snowflakes,
  startFakeServer,
  TokenStore,
} from "./common";

/**
 * A fake X API v2 after networks.md §2: OAuth 2.0 with PKCE for a confidential client
 * (Basic auth at the token endpoint, refresh tokens with offline.access), posting with
 * twitter-text length checks and the duplicate 403, post look-ups whose non-public metrics
 * only the author gets within 30 days, and x-rate-limit-* headers on every API response.
 */

// twitter-text is CommonJS; see lib/networks/measure.ts for why both shapes occur.
const twitterText = (twitterTextModule as unknown as { default?: typeof twitterTextModule }).default ?? twitterTextModule;

export interface FakeXOptions {
  clientId: string;
  clientSecret: string;
  /** The app's registered callback URLs; any http(s) URL when absent. */
  redirectUris?: string[];
  /** POST /2/tweets per user per 15 minutes (default 100). */
  userLimit?: number;
  /** The app name on the consent page (default "Ripple"). */
  appName?: string;
  /** GET /i/oauth2/authorize redirects at once, as "ripple-user". */
  autoApprove?: boolean;
  latencyMs?: number;
}

export interface XUser {
  id: string;
  username: string;
  name: string;
  followers: number;
  following: number;
  listed: number;
  createdAt: Date;
}

export interface PublicMetrics {
  retweet_count: number;
  reply_count: number;
  like_count: number;
  quote_count: number;
  bookmark_count: number;
  impression_count: number;
}
export interface NonPublicMetrics {
  impression_count: number;
  url_link_clicks: number;
  user_profile_clicks: number;
}
export interface OrganicMetrics {
  impression_count: number;
  like_count: number;
  reply_count: number;
  retweet_count: number;
  url_link_clicks: number;
  user_profile_clicks: number;
}

export interface XTweet {
  id: string;
  authorId: string;
  /** The text as X returns it, links replaced by t.co links. */
  text: string;
  /** The text as sent. */
  sentText: string;
  /** entities.urls: each t.co link in `text` with the link it stands for. */
  urls: Array<{ start: number; end: number; url: string; expanded_url: string; display_url: string }>;
  createdAt: Date;
  /** reply.in_reply_to_tweet_id as sent: the post this one answers. */
  inReplyToId: string | null;
  deleted: boolean;
  publicMetrics: PublicMetrics;
  nonPublicMetrics: NonPublicMetrics;
  organicMetrics: OrganicMetrics;
}

export interface FakeX extends FakeServer {
  /** Every post created, deleted ones included (flagged). */
  tweets: XTweet[];
  /** The user signed in as `username`, created on first use. */
  user(username: string): XUser;
  /** A 2-hour access token for `username` without the OAuth dance (default: tweet.read tweet.write users.read). */
  createToken(username: string, scopes?: string[]): string;
  /** As if the user revoked the app: 401 from now on. */
  revokeToken(token: string): void;
  expireToken(token: string): void;
  setFollowers(username: string, followers: number): void;
  setMetrics(id: string, metrics: { public?: Partial<PublicMetrics>; nonPublic?: Partial<NonPublicMetrics>; organic?: Partial<OrganicMetrics> }): void;
  /** Back-dates a post (the 30-day cutoff for non-public metrics). */
  setCreatedAt(id: string, createdAt: Date): void;
  /** As if the user deleted the post. */
  deleteTweet(id: string): void;
  /** Empties every rate-limit window. */
  resetRateLimits(): void;
}

const ACCESS_TTL_S = 7200;
const WINDOW_MS = 15 * 60_000;
const PRIVATE_METRICS_MS = 30 * 24 * 3600_000;
const TWITTER_EPOCH = 1288834974657n;
const SCOPES = [
  "tweet.read", "tweet.write", "tweet.moderate.write", "users.read", "users.email", "follows.read", "follows.write", "offline.access",
  "space.read", "mute.read", "mute.write", "like.read", "like.write", "list.read", "list.write", "block.read", "block.write",
  "bookmark.read", "bookmark.write", "media.write",
];
/** POST /2/tweets body fields (networks.md §2). */
const TWEET_FIELDS = ["text", "reply", "quote_tweet_id", "media", "poll", "reply_settings", "geo", "card_uri", "community_id", "nullcast", "edit_options", "for_super_followers_only", "direct_message_deep_link"];
/**
 * Per-user limits per 15 minutes. POST and GET /2/tweets are from networks.md; the others
 * (and the default for endpoints not listed) are UNVERIFIED.
 */
const ENDPOINT_LIMITS: Record<string, number> = { "GET /2/tweets": 5000, "GET /2/users/me": 75, "GET /2/users/:id/tweets": 900 };
const DEFAULT_LIMIT = 900;

const TROUBLESHOOTING = "https://developer.x.com/en/support/x-api/error-troubleshooting";

const problem = (status: number, title: string, detail = title) => json(status, { title, detail, type: "about:blank", status });
const UNAUTHORIZED = () => problem(401, "Unauthorized");
// The body for a missing scope is UNVERIFIED (networks.md §2).
const FORBIDDEN = () => problem(403, "Forbidden");
const TOO_MANY = { title: "Too Many Requests", detail: "Too Many Requests", type: "about:blank", status: 429 };
const DUPLICATE = () => problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.");
/** ErrorV2 of an invalid request. */
const invalidRequest = (errors: Array<{ message: string; parameters: Record<string, string[]> }>) =>
  json(400, { errors, title: "Invalid Request", detail: "One or more parameters to your request was invalid.", type: `${TROUBLESHOOTING}#invalid-request` });

// Token endpoint errors [3p node-twitter-api-v2#496, tweepy#2035]; the refresh message is UNVERIFIED.
const CLIENT_REJECTED = { error: "unauthorized_client", error_description: "Missing valid authorization header" };
const CODE_REJECTED = { error: "invalid_request", error_description: "Value passed for the authorization code was invalid." };
const REFRESH_REJECTED = { error: "invalid_request", error_description: "Value passed for the token was invalid." };

const splitList = (value: string | null) => (value ?? "").split(",").filter(Boolean);

export async function startFakeX(options: FakeXOptions): Promise<FakeX> {
  const userLimit = options.userLimit ?? 100;
  const clock = new Clock();
  const nextTweetId = snowflakes(clock, 22n, TWITTER_EPOCH);
  const codes = new AuthorizationCodes(clock);
  const tokens = new TokenStore(clock);
  const limits = new FixedWindows(clock, WINDOW_MS, false);
  const users = new Map<string, XUser>();
  const tweets: XTweet[] = [];
  let nextUserId = 1_400_000_000_000_000_000n;

  const user = (username: string): XUser => {
    let found = users.get(username);
    if (!found) {
      nextUserId += 1n;
      found = { id: nextUserId.toString(), username, name: username, followers: 0, following: 0, listed: 0, createdAt: new Date(clock.now()) };
      users.set(username, found);
    }
    return found;
  };

  // --- OAuth ---------------------------------------------------------------------------

  // X shows one generic error page for a bad authorize request.
  const SOMETHING_WRONG = "Something went wrong. You weren't able to give access to the App. Go back and try logging in again.";

  const checkAuthorize = (params: URLSearchParams): AuthorizeCheck => {
    const redirectUri = params.get("redirect_uri");
    const registered = options.redirectUris ? options.redirectUris.includes(redirectUri ?? "") : isRedirectUri(redirectUri);
    const scopes = (params.get("scope") ?? "").split(/\s+/).filter(Boolean);
    const challenge = codeChallenge(params);
    const state = params.get("state");
    const valid =
      params.get("client_id") === options.clientId &&
      redirectUri !== null &&
      registered &&
      params.get("response_type") === "code" &&
      scopes.length > 0 &&
      scopes.every((scope) => SCOPES.includes(scope)) &&
      challenge !== undefined &&
      challenge !== "invalid" &&
      state !== null;
    if (!valid) return { ok: false, message: SOMETHING_WRONG };
    return { ok: true, request: { clientId: options.clientId, redirectUri, scopes, state, codeChallenge: challenge }, appName: options.appName ?? "Ripple" };
  };

  const oauthAuthorize = (req: FakeRequest) =>
    authorize(req, {
      network: "Fake X",
      autoApprove: options.autoApprove ?? false,
      codes,
      check: checkAuthorize,
      denied: { error: "access_denied", error_description: "The user denied the request" },
    });

  const issueTokens = (account: string, scopes: string[]) => {
    const access = tokens.issue("access", { account, clientId: options.clientId, scopes, expiresAt: clock.now() + ACCESS_TTL_S * 1000 });
    // A refresh token only with offline.access; its lifetime is not documented.
    const refresh = scopes.includes("offline.access") ? tokens.issue("refresh", { account, clientId: options.clientId, scopes }) : undefined;
    return json(200, {
      token_type: "bearer",
      expires_in: ACCESS_TTL_S,
      access_token: access.value,
      scope: scopes.join(" "),
      ...(refresh && { refresh_token: refresh.value }),
    });
  };

  /** Confidential client: HTTP Basic with client id and secret. */
  const clientAuthenticated = (req: FakeRequest) => {
    const basic = basicCredentials(req);
    return basic?.id === options.clientId && sameSecret(basic.secret, options.clientSecret);
  };

  const oauthToken = (req: FakeRequest) => {
    if (!clientAuthenticated(req)) return json(401, CLIENT_REJECTED);
    const grantType = field(req.body, "grant_type");
    if (grantType === "authorization_code") {
      const grant = codes.redeem(field(req.body, "code"), {
        clientId: options.clientId,
        redirectUri: field(req.body, "redirect_uri"),
        codeVerifier: field(req.body, "code_verifier"),
      });
      if (!grant) return json(400, CODE_REJECTED);
      user(grant.account);
      return issueTokens(grant.account, grant.scopes);
    }
    if (grantType === "refresh_token") {
      const check = tokens.check(field(req.body, "refresh_token"), "refresh");
      if (!check.ok) return json(400, REFRESH_REJECTED);
      // Each refresh returns a new refresh token; the old one stops working (reported by
      // users, UNVERIFIED in networks.md).
      tokens.revoke(check.token.value);
      return issueTokens(check.token.account, check.token.scopes);
    }
    return json(400, { error: "invalid_request", error_description: "Missing required parameter [grant_type]." });
  };

  const oauthRevoke = (req: FakeRequest) => {
    if (!clientAuthenticated(req)) return json(401, CLIENT_REJECTED);
    tokens.revoke(field(req.body, "token") ?? "");
    return json(200, { revoked: true });
  };

  // --- API -----------------------------------------------------------------------------

  type Auth = { ok: true; user: XUser } | { ok: false; reply: FakeResponse };

  const authenticate = (req: FakeRequest, scopes: string[]): Auth => {
    const check = tokens.check(bearerToken(req));
    if (!check.ok) return { ok: false, reply: UNAUTHORIZED() };
    if (!scopes.every((scope) => check.token.scopes.includes(scope))) return { ok: false, reply: FORBIDDEN() };
    return { ok: true, user: user(check.token.account) };
  };

  const usersMe = (req: FakeRequest) => {
    const auth = authenticate(req, ["tweet.read", "users.read"]);
    if (!auth.ok) return auth.reply;
    const u = auth.user;
    const fields = splitList(req.query.get("user.fields"));
    const tweetCount = tweets.filter((t) => t.authorId === u.id && !t.deleted).length;
    return json(200, {
      data: {
        id: u.id,
        name: u.name,
        username: u.username,
        ...(fields.includes("created_at") && { created_at: u.createdAt.toISOString() }),
        ...(fields.includes("description") && { description: "" }),
        ...(fields.includes("profile_image_url") && { profile_image_url: `https://pbs.twimg.example/profile_images/${u.id}/normal.jpg` }),
        ...(fields.includes("public_metrics") && {
          public_metrics: { followers_count: u.followers, following_count: u.following, tweet_count: tweetCount, listed_count: u.listed },
        }),
      },
    });
  };

  /** t.co wraps every link X finds; entities.urls says which link each t.co link stands for. */
  const wrapLinks = (text: string): Pick<XTweet, "text" | "urls"> => {
    let out = "";
    let cursor = 0;
    const urls: XTweet["urls"] = [];
    for (const url of twitterText.extractUrlsWithIndices(text)) {
      out += text.slice(cursor, url.indices[0]);
      const short = `https://t.co/${randomToken(8).replace(/[-_]/g, "a").slice(0, 10)}`;
      const expanded = /^https?:\/\//i.test(url.url) ? url.url : `http://${url.url}`;
      urls.push({ start: [...out].length, end: [...out].length + short.length, url: short, expanded_url: expanded, display_url: url.url.replace(/^https?:\/\//i, "").slice(0, 26) });
      out += short;
      cursor = url.indices[1];
    }
    return { text: out + text.slice(cursor), urls };
  };

  const createTweet = (req: FakeRequest) => {
    const auth = authenticate(req, ["tweet.read", "tweet.write", "users.read"]);
    if (!auth.ok) return auth.reply;
    if (!isRecord(req.body)) return invalidRequest([{ message: "Request body must be a JSON object", parameters: {} }]);
    const body = req.body;
    // X rejects fields outside its schema; this message is UNVERIFIED.
    const unknown = Object.keys(body).find((name) => !TWEET_FIELDS.includes(name));
    if (unknown) return invalidRequest([{ message: `$.${unknown}: is not defined in the schema and the schema does not allow additional properties`, parameters: {} }]);
    const text = typeof body.text === "string" ? body.text : "";
    if (text === "" && body.media === undefined) return invalidRequest([{ message: "Requires one of the following fields: text, media", parameters: {} }]);
    // The over-length answer is UNVERIFIED (networks.md §2): a 400 problem with errors[].
    if (!measureText("x", text).ok) return invalidRequest([{ message: "Tweet text is too long", parameters: { text: [text] } }]);
    if (tweets.some((t) => t.authorId === auth.user.id && !t.deleted && t.sentText === text)) return DUPLICATE();
    // A reply names an existing post (the error for one that is gone is UNVERIFIED).
    let inReplyToId: string | null = null;
    if (body.reply !== undefined) {
      const target = isRecord(body.reply) ? body.reply.in_reply_to_tweet_id : undefined;
      if (typeof target !== "string" || !tweets.some((t) => t.id === target && !t.deleted)) {
        return invalidRequest([{ message: "The Tweet you are replying to has been deleted or is not visible to you.", parameters: { "reply.in_reply_to_tweet_id": [String(target)] } }]);
      }
      inReplyToId = target;
      const parent = tweets.find((t) => t.id === target)!;
      parent.publicMetrics.reply_count += 1;
    }
    const tweet: XTweet = {
      id: nextTweetId(),
      authorId: auth.user.id,
      ...wrapLinks(text),
      sentText: text,
      createdAt: new Date(clock.now()),
      inReplyToId,
      deleted: false,
      publicMetrics: { retweet_count: 0, reply_count: 0, like_count: 0, quote_count: 0, bookmark_count: 0, impression_count: 0 },
      nonPublicMetrics: { impression_count: 0, url_link_clicks: 0, user_profile_clicks: 0 },
      organicMetrics: { impression_count: 0, like_count: 0, reply_count: 0, retweet_count: 0, url_link_clicks: 0, user_profile_clicks: 0 },
    };
    tweets.push(tweet);
    return json(201, { data: { id: tweet.id, text: tweet.text, edit_history_tweet_ids: [tweet.id] } });
  };

  const notFound = (value: string, resource: "tweet" | "user", parameter: string) => ({
    value,
    detail: `Could not find ${resource} with ${parameter}: [${value}].`,
    title: "Not Found Error",
    resource_type: resource,
    parameter,
    resource_id: value,
    type: `${TROUBLESHOOTING}#resource-not-found`,
  });

  /**
   * Renders posts with the requested tweet.fields. A post whose non-public or organic
   * metrics the caller may not see (not the author, or 30 days old or more) is left out
   * with a Field Authorization Error, as X does [3p node-twitter-api-v2#432]; that the
   * 30-day cutoff fails the same way is UNVERIFIED.
   */
  const renderTweets = (list: XTweet[], fields: string[], caller: XUser, parameter: string) => {
    const data: Array<Record<string, unknown>> = [];
    const errors: Array<Record<string, unknown>> = [];
    const privateField = fields.find((f) => f === "non_public_metrics" || f === "organic_metrics");
    for (const t of list) {
      if (privateField && (t.authorId !== caller.id || clock.now() - t.createdAt.getTime() >= PRIVATE_METRICS_MS)) {
        const name = `${privateField}.impression_count`;
        errors.push({
          value: t.id,
          detail: `Sorry, you are not authorized to access '${name}' on the Tweet with ${parameter}: [${t.id}].`,
          title: "Field Authorization Error",
          resource_type: "tweet",
          parameter,
          resource_id: t.id,
          field: name,
          section: "data",
          type: `${TROUBLESHOOTING}#not-authorized-for-field`,
        });
        continue;
      }
      data.push({
        id: t.id,
        text: t.text,
        edit_history_tweet_ids: [t.id],
        ...(fields.includes("author_id") && { author_id: t.authorId }),
        ...(fields.includes("created_at") && { created_at: t.createdAt.toISOString() }),
        ...(fields.includes("entities") && t.urls.length > 0 && { entities: { urls: t.urls } }),
        ...(fields.includes("referenced_tweets") && t.inReplyToId && { referenced_tweets: [{ type: "replied_to", id: t.inReplyToId }] }),
        ...(fields.includes("public_metrics") && { public_metrics: t.publicMetrics }),
        ...(fields.includes("non_public_metrics") && { non_public_metrics: t.nonPublicMetrics }),
        ...(fields.includes("organic_metrics") && { organic_metrics: t.organicMetrics }),
      });
    }
    return { data, errors };
  };

  const lookupTweets = (req: FakeRequest) => {
    const auth = authenticate(req, ["tweet.read", "users.read"]);
    if (!auth.ok) return auth.reply;
    const raw = req.query.get("ids") ?? "";
    const ids = splitList(raw);
    if (ids.length === 0 || ids.length > 100 || !ids.every((id) => /^\d{1,19}$/.test(id))) {
      return invalidRequest([{ message: `The \`ids\` query parameter value [${raw}] is not valid`, parameters: { ids: [raw] } }]);
    }
    const found = ids.flatMap((id) => tweets.filter((t) => t.id === id && !t.deleted));
    const missing = ids.filter((id) => !found.some((t) => t.id === id)).map((id) => notFound(id, "tweet", "ids"));
    const { data, errors } = renderTweets(found, splitList(req.query.get("tweet.fields")), auth.user, "ids");
    const allErrors = [...missing, ...errors];
    return json(200, { ...(data.length > 0 && { data }), ...(allErrors.length > 0 && { errors: allErrors }) });
  };

  const userTweets = (req: FakeRequest, id: string) => {
    const auth = authenticate(req, ["tweet.read", "users.read"]);
    if (!auth.ok) return auth.reply;
    const maxResults = Number(req.query.get("max_results") ?? 10);
    if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 100) {
      return invalidRequest([{ message: `The \`max_results\` query parameter value [${req.query.get("max_results")}] is not between 5 and 100`, parameters: { max_results: [String(req.query.get("max_results"))] } }]);
    }
    const owner = [...users.values()].find((u) => u.id === id);
    if (!owner) return json(200, { errors: [notFound(id, "user", "id")] });
    const recent = tweets
      .filter((t) => t.authorId === owner.id && !t.deleted)
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .slice(0, maxResults);
    const { data, errors } = renderTweets(recent, splitList(req.query.get("tweet.fields")), auth.user, "id");
    const ids = data.map((t) => String(t.id));
    return json(200, {
      ...(data.length > 0 && { data }),
      ...(errors.length > 0 && { errors }),
      meta: { result_count: data.length, ...(ids.length > 0 && { newest_id: ids[0], oldest_id: ids[ids.length - 1] }) },
    });
  };

  const routes = router(
    [
      ["GET", "/i/oauth2/authorize", oauthAuthorize],
      ["POST", "/i/oauth2/authorize", oauthAuthorize],
      ["POST", "/2/oauth2/token", oauthToken],
      ["POST", "/2/oauth2/revoke", oauthRevoke],
      ["GET", "/2/users/me", usersMe],
      ["POST", "/2/tweets", createTweet],
      ["GET", "/2/tweets", lookupTweets],
      ["GET", "/2/users/:id/tweets", (req, p) => userTweets(req, p.id!)],
    ],
    () => problem(404, "Not Found Error", "Sorry, that page does not exist"),
  );

  // Rate limits: per user (the token's) and endpoint; requests without a valid token share one bucket.
  const isApi = (req: FakeRequest) => req.path.startsWith("/2/");
  const bucket = (req: FakeRequest) => {
    const path = req.path
      .split("/")
      .map((segment, i) => (i > 1 && /^\d+$/.test(segment) ? ":id" : segment))
      .join("/");
    const endpoint = `${req.method} ${path}`;
    const check = tokens.check(bearerToken(req));
    return {
      key: `${check.ok ? check.token.account : "anonymous"} ${endpoint}`,
      limit: endpoint === "POST /2/tweets" ? userLimit : (ENDPOINT_LIMITS[endpoint] ?? DEFAULT_LIMIT),
    };
  };

  const server = await startFakeServer({
    clock,
    latencyMs: options.latencyMs,
    handle: (req) => {
      if (isApi(req)) {
        const { key, limit } = bucket(req);
        if (limits.hit(key, limit).exceeded) return json(429, TOO_MANY);
      }
      return routes(req);
    },
    faultBody: (status) => (status === 429 ? TOO_MANY : { title: `Fake X answered ${status}`, detail: `Fake X answered ${status}`, type: "about:blank", status }),
    // On every API response; the authorize page is x.com's website, not the API.
    decorate: (req, reply) => {
      if (!isApi(req)) return reply;
      const { key, limit } = bucket(req);
      const state = limits.peek(key, limit);
      const headers = {
        "x-rate-limit-limit": String(state.limit),
        "x-rate-limit-remaining": String(reply.status === 429 ? 0 : state.remaining),
        "x-rate-limit-reset": String(Math.ceil(state.resetAt / 1000)),
      };
      return { ...reply, headers: { ...headers, ...reply.headers } };
    },
  });

  const tweetById = (id: string) => {
    const tweet = tweets.find((t) => t.id === id);
    if (!tweet) throw new Error(`No post ${id}`);
    return tweet;
  };

  return {
    ...server,
    tweets,
    user,
    createToken: (username, scopes = ["tweet.read", "tweet.write", "users.read"]) => {
      user(username);
      return tokens.issue("access", { account: username, clientId: options.clientId, scopes, expiresAt: clock.now() + ACCESS_TTL_S * 1000 }).value;
    },
    revokeToken: (token) => void tokens.revoke(token),
    expireToken: (token) => void tokens.expire(token),
    setFollowers: (username, followers) => void (user(username).followers = followers),
    setMetrics: (id, metrics) => {
      const tweet = tweetById(id);
      Object.assign(tweet.publicMetrics, metrics.public);
      Object.assign(tweet.nonPublicMetrics, metrics.nonPublic);
      Object.assign(tweet.organicMetrics, metrics.organic);
    },
    setCreatedAt: (id, createdAt) => void (tweetById(id).createdAt = createdAt),
    deleteTweet: (id) => void (tweetById(id).deleted = true),
    resetRateLimits: () => limits.reset(),
  };
}

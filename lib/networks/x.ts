import { z } from "zod";
import { env } from "@/lib/env";
import {
  apiUrl,
  expectBody,
  inChunks,
  intHeader,
  networkFetch,
  oauthTokenSchema,
  postMetrics,
  queryString,
  refreshGrantClassifier,
  retryAfterMs,
  sameLink,
  searchRecentPosts,
  textHasLink,
  tokenSetFrom,
  type Classifier,
} from "./http";
import { postAppearances, postedText } from "./appearance";
import { measureText } from "./measure";
import { shareQuery } from "./share-window";
import { NetworkError, type AccountContext, type MetricsResult, type OAuthAdapter, type OAuthClient, type PostMetrics, type PublishedPost, type TokenSet } from "./types";

/**
 * X: OAuth 2.0 with PKCE as a confidential client (networks.md §2). Tokens, the duplicate
 * refusal, rate-limit headers and the 30-day metrics cutoff: docs/networks/x.md.
 */

export const X_SCOPES = ["tweet.read", "tweet.write", "users.read", "offline.access"] as const;

const classify: Classifier = (response) => {
  const detail = (response.body as { detail?: unknown } | null)?.detail;
  if (response.status === 403 && typeof detail === "string" && /duplicate/i.test(detail)) {
    return { kind: "duplicate", code: "duplicate", message: "the same post exists already (X does not say which)" };
  }
  if (response.status === 429) return { kind: "rateLimited", retryAfterMs: xRetryAfterMs(response.headers) };
  return null;
};

/**
 * Until x-rate-limit-reset (the 15-minute window, unix seconds), or later when a 24-hour
 * user or app cap is what ran out (x-*-limit-24hour-*, sent by some endpoints: networks.md §2).
 */
export function xRetryAfterMs(headers: Record<string, string>, now = Date.now()): number | undefined {
  const resets: number[] = [];
  for (const prefix of ["x-user-limit-24hour", "x-app-limit-24hour"]) {
    const reset = intHeader(headers, `${prefix}-reset`);
    if (reset !== undefined && intHeader(headers, `${prefix}-remaining`) === 0) resets.push(reset);
  }
  const window = intHeader(headers, "x-rate-limit-reset");
  if (window !== undefined) resets.push(window);
  if (resets.length === 0) return retryAfterMs(headers, now);
  return Math.max(0, Math.max(...resets) * 1000 - now);
}

/** The x-rate-limit-* headers of an answer, when all three are there. */
export function xRateLimit(headers: Record<string, string>): PublishedPost["rateLimit"] {
  const limit = intHeader(headers, "x-rate-limit-limit");
  const remaining = intHeader(headers, "x-rate-limit-remaining");
  const reset = intHeader(headers, "x-rate-limit-reset");
  return limit === undefined || remaining === undefined || reset === undefined ? undefined : { limit, remaining, resetAt: new Date(reset * 1000) };
}

/** A post's address: with the username when known, else X's id-only form. */
export function xPostUrl(id: string, handle: string | undefined): string {
  const username = handle?.replace(/^@/, "");
  return username ? `https://x.com/${encodeURIComponent(username)}/status/${id}` : `https://x.com/i/web/status/${id}`;
}

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

const createdSchema = z.object({ data: z.object({ id: z.string().min(1) }) });

const timelineSchema = z.object({
  data: z
    .array(
      z.object({
        id: z.string().min(1),
        text: z.string().optional(),
        created_at: z.string().optional(),
        entities: z
          .object({ urls: z.array(z.object({ url: z.string().optional(), expanded_url: z.string().optional(), unwound_url: z.string().optional() })).optional() })
          .optional(),
        referenced_tweets: z.array(z.object({ type: z.string(), id: z.string() })).optional(),
      }),
    )
    .optional(),
  meta: z.object({ next_token: z.string().optional() }).optional(),
  errors: z.array(z.unknown()).optional(),
});

const countsSchema = z.record(z.string(), z.number().nullable().optional());

const lookupSchema = z.object({
  data: z
    .array(
      z.object({
        id: z.string().min(1),
        public_metrics: countsSchema.optional(),
        non_public_metrics: countsSchema.optional(),
        organic_metrics: countsSchema.optional(),
      }),
    )
    .optional(),
  // Inline errors for ids X does not answer (networks.md §2: InlineErrorV2).
  errors: z
    .array(
      z
        .object({
          value: z.string().optional(),
          resource_id: z.string().optional(),
          resource_type: z.string().optional(),
          title: z.string().optional(),
          type: z.string().optional(),
        })
        .passthrough(),
    )
    .optional(),
});

/** Ids per GET /2/tweets (networks.md §2). */
const LOOKUP_MAX_IDS = 100;
/** non_public_metrics and organic_metrics exist for posts under 30 days old; an hour to spare for clocks. */
const PRIVATE_METRICS_MS = 30 * 24 * 3600_000 - 3600_000;
const PUBLIC_FIELDS = "public_metrics";
const ALL_FIELDS = "public_metrics,non_public_metrics,organic_metrics";

type LookupError = NonNullable<z.infer<typeof lookupSchema>["errors"]>[number];
const isNotFound = (e: LookupError) => e.title === "Not Found Error" || /resource-not-found/.test(e.type ?? "");
const isFieldRefused = (e: LookupError) => e.title === "Field Authorization Error" || /not-authorized-for-field/.test(e.type ?? "");

function xPostMetrics(post: NonNullable<z.infer<typeof lookupSchema>["data"]>[number], measuredAt: Date): PostMetrics {
  const pub = post.public_metrics ?? {};
  const priv = post.non_public_metrics ?? {};
  const organic = post.organic_metrics ?? {};
  return postMetrics(
    {
      impressions: priv.impression_count ?? organic.impression_count ?? pub.impression_count,
      reactions: pub.like_count,
      reposts: pub.retweet_count,
      replies: pub.reply_count,
      quotes: pub.quote_count,
      clicks: priv.url_link_clicks ?? organic.url_link_clicks,
      saves: pub.bookmark_count,
    },
    measuredAt,
  );
}

/**
 * One GET /2/tweets for up to 100 ids: their metrics into `result`, "gone" for the ids X
 * does not know (any more); returns the ids X refused the requested private fields for.
 */
async function lookupMetrics(tokens: TokenSet, ids: string[], fields: string, result: MetricsResult): Promise<string[]> {
  const query = queryString({ ids: ids.join(","), "tweet.fields": fields });
  const response = await networkFetch("x", `${apiUrl(env().X_API_URL, "/2/tweets")}?${query}`, { bearer: tokens.accessToken }, classify);
  const answer = expectBody("x", "the posts' metrics", lookupSchema, response.body);
  const measuredAt = new Date();
  for (const post of answer.data ?? []) if (ids.includes(post.id)) result.set(post.id, xPostMetrics(post, measuredAt));
  const refused: string[] = [];
  const errored = new Set<string>();
  for (const error of answer.errors ?? []) {
    const id = error.resource_id ?? error.value;
    if (!id || !ids.includes(id) || result.has(id)) continue;
    errored.add(id);
    if (isFieldRefused(error) && fields !== PUBLIC_FIELDS) refused.push(id);
    else if (isNotFound(error)) result.set(id, "gone");
    // Any other error (a protected or suspended author…): no answer this time.
  }
  // Neither in data nor in errors: X does not know it.
  for (const id of ids) if (!result.has(id) && !errored.has(id)) result.set(id, "gone");
  return refused;
}

const FIND_PAGE_SIZE = 20;
const T_CO = /https?:\/\/t\.co\/[0-9A-Za-z]+/g;

/** When X made a post, from its id (a snowflake: milliseconds since X's epoch in the high bits). */
export function xPostTime(id: string): Date | null {
  if (!/^\d{1,19}$/.test(id)) return null;
  return new Date(Number((BigInt(id) >> 22n) + 1288834974657n));
}

/**
 * Whether X's rendering of a post shows the words sent: X answers with &, < and > as HTML
 * entities and every link as a t.co link, so links count as one placeholder each.
 */
export function sameWords(shown: string, sent: string): boolean {
  const plain = (text: string) =>
    text
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&")
      .replace(/https?:\/\/\S+/g, "<link>")
      .replace(/\s+/g, " ")
      .trim();
  return plain(shown) === plain(sent);
}

type TimelinePost = NonNullable<z.infer<typeof timelineSchema>["data"]>[number];

/** The account's most recent posts (one page), or "unknown" where X does not let this app read them. */
async function recentPosts(account: { externalId: string }, tokens: TokenSet): Promise<z.infer<typeof timelineSchema> | "unknown"> {
  const query = queryString({ max_results: String(FIND_PAGE_SIZE), "tweet.fields": "entities,created_at,referenced_tweets" });
  let response;
  try {
    response = await networkFetch("x", `${apiUrl(env().X_API_URL, `/2/users/${encodeURIComponent(account.externalId)}/tweets`)}?${query}`, { bearer: tokens.accessToken }, classify);
  } catch (error) {
    // 403: the app's access level does not include reading timelines; 404/400: not offered.
    if (error instanceof NetworkError && (error.kind === "forbidden" || error.status === 404 || error.status === 400)) return "unknown";
    throw error;
  }
  const page = expectBody("x", "the user's posts", timelineSchema, response.body);
  // 200 with only errors: X does not know the user (any more).
  return !page.data && page.errors?.length ? "unknown" : page;
}

/** The account's user id and @handle: from the connection when the caller gave them, else from /2/users/me. */
async function whoami(ctx: AccountContext, tokens: TokenSet): Promise<{ externalId: string; handle: string }> {
  return ctx.account ?? (await x.profile(ctx, tokens));
}

export const x: OAuthAdapter = {
  id: "x",
  kind: "oauth",
  scopes: X_SCOPES,
  pkce: true,
  appearance: postAppearances.x,
  shareWindow: { takesText: true, url: ({ text }) => `https://x.com/intent/tweet?${shareQuery({ text })}` },
  // POST /2/tweets: 100 per 15 minutes per user, 10,000 per 24 hours per app.
  postLimits: { account: { max: 95, windowMs: 15 * 60_000 }, app: { max: 9_500, windowMs: 24 * 60 * 60_000 } },
  // Pay-per-use since 2026: "Content: Create" $0.015, "Content: Create (with URL)" $0.200,
  // "Posts: Read" $0.005 per post (docs/networks/x.md, "Pricing").
  pricing: { currency: "USD", post: 0.015, postWithLink: 0.2, read: 0.005, asOf: "2026-08-28", source: "https://docs.x.com/x-api/getting-started/pricing" },
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

  async publish(ctx, tokens, post) {
    const response = await networkFetch("x", apiUrl(env().X_API_URL, "/2/tweets"), { bearer: tokens.accessToken, json: { text: postedText(post) } }, classify);
    const { data } = expectBody("x", "the new post", createdSchema, response.body);
    return { externalId: data.id, url: xPostUrl(data.id, ctx.account?.handle), rateLimit: xRateLimit(response.headers) };
  },

  async findPost(ctx, tokens, post) {
    const account = await whoami(ctx, tokens);
    const page = await recentPosts(account, tokens);
    if (page === "unknown") return "unknown";
    const hasLink = (t: TimelinePost) =>
      (t.entities?.urls ?? []).some((u) => sameLink(u.expanded_url, post.trackedUrl) || sameLink(u.unwound_url, post.trackedUrl)) || textHasLink(t.text ?? "", post.trackedUrl);
    const found = searchRecentPosts(page.data ?? [], {
      complete: !page.meta?.next_token,
      since: post.createdAt,
      listedAt: (t) => (t.created_at ? new Date(t.created_at) : null),
      // first_comment: no link in the post, so its words, posted since the share was made
      // and not a reply. X refuses the same words twice, so at most one recent post has them;
      // the publisher still checks no other share holds it (lib/shares/publish.ts).
      matches:
        post.placement === "first_comment"
          ? (t) => !t.referenced_tweets?.length && sameWords(t.text ?? "", postedText(post)) && (t.created_at ? new Date(t.created_at).getTime() >= post.createdAt.getTime() - 60_000 : false)
          : hasLink,
      // X shows links as t.co links; without the expansion in entities such a post could be ours.
      undecidable: post.placement === "first_comment" ? undefined : (t) => (t.text?.match(T_CO) ?? []).some((short) => !(t.entities?.urls ?? []).some((u) => u.url === short && (u.expanded_url || u.unwound_url))),
    });
    return found === null || found === "unknown" ? found : { externalId: found.id, url: xPostUrl(found.id, account.handle) };
  },

  async comment(_ctx, tokens, parent, text) {
    const response = await networkFetch("x", apiUrl(env().X_API_URL, "/2/tweets"), { bearer: tokens.accessToken, json: { text, reply: { in_reply_to_tweet_id: parent.externalId } } }, classify);
    return { externalId: expectBody("x", "the reply", createdSchema, response.body).data.id };
  },

  async findComment(ctx, tokens, parent, text) {
    const account = await whoami(ctx, tokens);
    const page = await recentPosts(account, tokens);
    if (page === "unknown") return "unknown";
    const found = searchRecentPosts(page.data ?? [], {
      complete: !page.meta?.next_token,
      // The reply cannot be older than its post, whose time is in its id.
      since: xPostTime(parent.externalId) ?? new Date(0),
      listedAt: (t) => (t.created_at ? new Date(t.created_at) : null),
      matches: (t) =>
        (t.referenced_tweets ?? []).some((r) => r.type === "replied_to" && r.id === parent.externalId) &&
        ((t.entities?.urls ?? []).some((u) => sameLink(u.expanded_url, text) || sameLink(u.unwound_url, text)) || textHasLink(t.text ?? "", text)),
    });
    return found === null || found === "unknown" ? found : { externalId: found.id };
  },

  async metrics(_ctx, tokens, posts) {
    const result: MetricsResult = new Map();
    const now = Date.now();
    const ids = [...new Set(posts.map((p) => p.externalId))];
    const recent = new Set(posts.filter((p) => now - p.publishedAt.getTime() < PRIVATE_METRICS_MS).map((p) => p.externalId));
    const publicOnly = ids.filter((id) => !recent.has(id));
    for (const chunk of inChunks([...recent], LOOKUP_MAX_IDS)) publicOnly.push(...(await lookupMetrics(tokens, chunk, ALL_FIELDS, result)));
    for (const chunk of inChunks(publicOnly, LOOKUP_MAX_IDS)) await lookupMetrics(tokens, chunk, PUBLIC_FIELDS, result);
    return result;
  },

  measure: (text, options) => measureText("x", text, options),

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

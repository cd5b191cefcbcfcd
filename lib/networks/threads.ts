import { z } from "zod";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { postAppearances } from "./appearance";
import { expectBody, networkFetch, postMetrics, queryString, sameLink, textHasLink, type Classifier } from "./http";
import { measureText } from "./measure";
import { shareQuery } from "./share-window";
import { NetworkError, type AccountContext, type MetricsResult, type OAuthAdapter, type PostMetrics, type TokenSet } from "./types";

/**
 * Threads (Meta) by API, after docs/networks/threads.md: OAuth with the organisation's own
 * Threads app, long-lived tokens renewed in their last week, a text post with the tracked
 * link as its attachment in two steps (container, then publish) with the container stored
 * on the share in between, 250 posts a day per profile, insights for reach. Where the
 * organisation has no app, Threads stays a share window.
 */

export const THREADS_GRAPH = "https://graph.threads.net";
export const THREADS_API_VERSION = "v1.0";

/** threads_basic for every call, threads_content_publish to post, threads_manage_insights for reach (get-started). */
export const THREADS_SCOPES = ["threads_basic", "threads_content_publish", "threads_manage_insights"] as const;

/** "Text posts are limited to 500 characters" (posts); measure.ts counts them, emoji by UTF-8 bytes. */
export const THREADS_TEXT_LIMIT = 500;

/** 250 API-published posts per profile in a moving 24 hours, enforced by threads_publish (overview). */
export const THREADS_POSTS_PER_DAY = 250;

/** A long-lived token may be refreshed once it is a day old and until it expires (long-lived tokens). */
export const THREADS_REFRESH_MIN_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * The form body of POST /{threads-user-id}/threads for a share: a text post whose link
 * preview is the tracked link, named explicitly (link_attachment) rather than left to
 * "the first URL in the text", which could be another link the person wrote.
 */
export function threadsContainerBody(text: string, trackedUrl: string): URLSearchParams {
  const body = new URLSearchParams({ media_type: "TEXT", text });
  body.set("link_attachment", trackedUrl);
  return body;
}

/** GET /{container-id}?fields=status,error_message, as documented (troubleshooting). */
export const threadsContainerStatusSchema = z.object({
  id: z.string().min(1),
  status: z.enum(["EXPIRED", "ERROR", "FINISHED", "IN_PROGRESS", "PUBLISHED"]),
  error_message: z.string().optional(),
});
export type ThreadsContainerStatus = z.infer<typeof threadsContainerStatusSchema>;

/** What a retry does with the container id stored on a share before threads_publish was called. */
export type ContainerStep =
  | { kind: "publish" } // FINISHED: publish this container, never a new one
  | { kind: "findPublished" } // PUBLISHED: the post exists; look up its media id, post nothing
  | { kind: "wait" } // IN_PROGRESS: ask again later
  | { kind: "recreate" } // EXPIRED the first time: one new container
  | { kind: "needsAttention"; reason: string }; // ERROR, or expired again: a person decides

/**
 * The retry decision for a stored container. An expired container is created again once
 * only: a second expiry means something keeps the share from publishing within 24 hours,
 * and looping would hide it.
 */
export function nextContainerStep(status: ThreadsContainerStatus, alreadyRecreated: boolean): ContainerStep {
  switch (status.status) {
    case "FINISHED":
      return { kind: "publish" };
    case "PUBLISHED":
      return { kind: "findPublished" };
    case "IN_PROGRESS":
      return { kind: "wait" };
    case "EXPIRED":
      return alreadyRecreated ? { kind: "needsAttention", reason: "THREADS_CONTAINER_EXPIRED_TWICE" } : { kind: "recreate" };
    case "ERROR":
      return { kind: "needsAttention", reason: status.error_message ?? "UNKNOWN" };
  }
}

/** One post of GET /{threads-user-id}/threads?fields=id,text,link_attachment_url. */
export const threadsListedPostSchema = z.object({
  id: z.string().min(1),
  text: z.string().optional(),
  link_attachment_url: z.string().optional(),
});
export const threadsPostListSchema = z.object({ data: z.array(threadsListedPostSchema) });

/**
 * The published media id of a share among the person's own posts: the one carrying the
 * share's tracked link (unique per share) in its text or its link attachment. Null when
 * none does; the caller ends in needs attention rather than posting again.
 */
export function findSharePost(posts: readonly z.infer<typeof threadsListedPostSchema>[], trackedUrl: string): string | null {
  const found = posts.find((post) => (post.text !== undefined && textHasLink(post.text, trackedUrl)) || sameLink(post.link_attachment_url, trackedUrl));
  return found?.id ?? null;
}

/** GET /{threads-media-id}/insights: lifetime values by metric name (insights). */
export const threadsInsightsSchema = z.object({
  data: z.array(z.object({ name: z.string(), values: z.array(z.object({ value: z.number() })).min(1) })),
});

/**
 * Threads' insights as Ripple's figures: views are impressions, likes reactions. "shares"
 * (sends) has no figure of its own and is left out; reach, clicks and saves are not reported.
 */
export function threadsMetrics(insights: z.infer<typeof threadsInsightsSchema>, measuredAt = new Date()): PostMetrics {
  const value = (name: string) => insights.data.find((metric) => metric.name === name)?.values[0]?.value;
  return postMetrics(
    { impressions: value("views"), reactions: value("likes"), replies: value("replies"), reposts: value("reposts"), quotes: value("quotes") },
    measuredAt,
  );
}

/** GET /access_token (th_exchange_token) and /refresh_access_token (th_refresh_token) answers. */
export const threadsLongLivedTokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().int().positive(),
});

/**
 * Whether a long-lived token should be refreshed now: Threads allows it only once the token
 * is a day old and before it expires; Ripple refreshes in the last week so a missed run
 * still leaves days to try again.
 */
export function threadsTokenDueForRefresh(issuedAt: Date, expiresAt: Date, now = new Date()): boolean {
  const age = now.getTime() - issuedAt.getTime();
  const left = expiresAt.getTime() - now.getTime();
  return age >= THREADS_REFRESH_MIN_AGE_MS && left > 0 && left <= 7 * 24 * 60 * 60 * 1000;
}

/**
 * The calls a Threads share is published with, one per documented request, so the
 * exactly-once order below is written once and the adapter only supplies HTTP.
 */
export interface ThreadsPublishSteps {
  /** POST /{threads-user-id}/threads → the container id. */
  createContainer(body: URLSearchParams): Promise<string>;
  /** GET /{container-id}?fields=status,error_message. */
  containerStatus(containerId: string): Promise<ThreadsContainerStatus>;
  /** POST /{threads-user-id}/threads_publish (creation_id) → the media id. */
  publishContainer(containerId: string): Promise<string>;
  /** GET /{threads-user-id}/threads: the person's recent posts. */
  listPosts(): Promise<z.infer<typeof threadsListedPostSchema>[]>;
  /**
   * Stores the container id on the share and commits, before anything is published: a
   * worker killed after this finds the id on retry. `recreated` marks the one re-creation.
   */
  saveContainer(containerId: string, recreated: boolean): Promise<void>;
}

/** Where a Threads share stands: the container id stored on it, if any, and whether it was re-created once. */
export type StoredContainer = { containerId: string; recreated: boolean } | null;

export type ThreadsPublishOutcome =
  | { kind: "published"; mediaId: string }
  | { kind: "wait" }
  | { kind: "needsAttention"; reason: string };

/**
 * Publishes a share on Threads exactly once. With no stored container: create one, store
 * it, publish it. With one stored (an earlier attempt died somewhere after storing it): ask
 * its status and publish that container, or take the post it already became, or create it
 * again once if it expired. Never a second container while the first may still publish.
 */
export async function publishThreadsShare(steps: ThreadsPublishSteps, stored: StoredContainer, text: string, trackedUrl: string): Promise<ThreadsPublishOutcome> {
  if (!stored) return createAndPublish(steps, text, trackedUrl, false);
  const step = nextContainerStep(await steps.containerStatus(stored.containerId), stored.recreated);
  switch (step.kind) {
    case "publish":
      return { kind: "published", mediaId: await steps.publishContainer(stored.containerId) };
    case "findPublished": {
      const mediaId = findSharePost(await steps.listPosts(), trackedUrl);
      return mediaId ? { kind: "published", mediaId } : { kind: "needsAttention", reason: "THREADS_PUBLISHED_POST_NOT_FOUND" };
    }
    case "recreate":
      return createAndPublish(steps, text, trackedUrl, true);
    case "wait":
      return { kind: "wait" };
    case "needsAttention":
      return step;
  }
}

async function createAndPublish(steps: ThreadsPublishSteps, text: string, trackedUrl: string, recreated: boolean): Promise<ThreadsPublishOutcome> {
  const containerId = await steps.createContainer(threadsContainerBody(text, trackedUrl));
  await steps.saveContainer(containerId, recreated);
  return { kind: "published", mediaId: await steps.publishContainer(containerId) };
}

// ---------------------------------------------------------------------------------------
// HTTP, after docs/networks/threads.md. `base` is graph.threads.net, or a fake in tests.

const idSchema = z.object({ id: z.string().min(1) });

const graphErrorSchema = z.object({ error: z.object({ code: z.number().optional(), message: z.string().optional() }) });

/**
 * Meta answers most refusals with HTTP 400 and a Graph error code: 190 is a dead token
 * (connect again), 4, 17, 32 and 613 are its rate limits, including the 250 posts a day
 * (Graph API convention; the Threads error page was not in reach: UNVERIFIED, see
 * docs/networks/threads.md). Without this a day's limit would read as a bad request and
 * the share would fail instead of waiting.
 */
export const threadsClassifier: Classifier = (response) => {
  const parsed = graphErrorSchema.safeParse(response.body);
  const code = parsed.success ? parsed.data.error.code : undefined;
  if (code === 190) return { kind: "unauthorized", code: "190", message: "token expired or revoked" };
  if (code !== undefined && [4, 17, 32, 613].includes(code)) return { kind: "rateLimited", code: String(code), message: "Threads limit reached" };
  return null;
};

function graphUrl(base: string, path: string, query: Record<string, string> = {}): string {
  const url = new URL(path, base.endsWith("/") ? base : `${base}/`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.toString();
}

/** The five publishing calls for one person, over HTTP; saveContainer is the caller's committed write. */
export function threadsHttpSteps(base: string, userId: string, accessToken: string, saveContainer: ThreadsPublishSteps["saveContainer"]): ThreadsPublishSteps {
  const api = (path: string) => graphUrl(base, `${THREADS_API_VERSION}/${path}`);
  return {
    async createContainer(body) {
      const response = await networkFetch("threads", api(`${encodeURIComponent(userId)}/threads`), { form: Object.fromEntries(body), bearer: accessToken }, threadsClassifier);
      return expectBody("threads", "container", idSchema, response.body).id;
    },
    async containerStatus(containerId) {
      const response = await networkFetch("threads", graphUrl(base, `${THREADS_API_VERSION}/${encodeURIComponent(containerId)}`, { fields: "status,error_message" }), { bearer: accessToken }, threadsClassifier);
      return expectBody("threads", "container status", threadsContainerStatusSchema, response.body);
    },
    async publishContainer(containerId) {
      const response = await networkFetch("threads", api(`${encodeURIComponent(userId)}/threads_publish`), { form: { creation_id: containerId }, bearer: accessToken }, threadsClassifier);
      return expectBody("threads", "publish", idSchema, response.body).id;
    },
    async listPosts() {
      const response = await networkFetch("threads", graphUrl(base, `${THREADS_API_VERSION}/${encodeURIComponent(userId)}/threads`, { fields: "id,text,link_attachment_url" }), { bearer: accessToken }, threadsClassifier);
      return expectBody("threads", "posts", threadsPostListSchema, response.body).data;
    },
    saveContainer,
  };
}

/** GET /{media-id}/insights for the documented metrics. */
export async function fetchThreadsMetrics(base: string, accessToken: string, mediaId: string, measuredAt = new Date()): Promise<PostMetrics> {
  const url = graphUrl(base, `${THREADS_API_VERSION}/${encodeURIComponent(mediaId)}/insights`, { metric: "views,likes,replies,reposts,quotes,shares" });
  const response = await networkFetch("threads", url, { bearer: accessToken }, threadsClassifier);
  return threadsMetrics(expectBody("threads", "insights", threadsInsightsSchema, response.body), measuredAt);
}

/** Short-lived (one hour) → long-lived (60 days). Server-side only: it carries the app secret. */
export async function exchangeThreadsToken(base: string, appSecret: string, shortLived: string): Promise<z.infer<typeof threadsLongLivedTokenSchema>> {
  const url = graphUrl(base, "access_token", { grant_type: "th_exchange_token", client_secret: appSecret, access_token: shortLived });
  return expectBody("threads", "token exchange", threadsLongLivedTokenSchema, (await networkFetch("threads", url)).body);
}

/** A long-lived token a day old or more, before it expires → a new one for 60 days. */
export async function refreshThreadsToken(base: string, longLived: string): Promise<z.infer<typeof threadsLongLivedTokenSchema>> {
  const url = graphUrl(base, "refresh_access_token", { grant_type: "th_refresh_token", access_token: longLived });
  return expectBody("threads", "token refresh", threadsLongLivedTokenSchema, (await networkFetch("threads", url)).body);
}

// ---------------------------------------------------------------------------------------
// The adapter.

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a long-lived token lives (expires_in says; 60 days when it does not). */
const LONG_LIVED_MS = 60 * DAY_MS;
/** An in-progress container is asked about again this much later. */
const CONTAINER_WAIT_MS = 30_000;

const codeExchangeSchema = z.object({ access_token: z.string().min(1), user_id: z.union([z.string(), z.number()]).optional() });
const meSchema = z.object({ id: z.string().min(1), username: z.string().min(1), name: z.string().optional() });
const permalinkSchema = z.object({ permalink: z.string().url().optional() });

/**
 * A long-lived token as Ripple stores it: it renews itself, so it is its own refresh token
 * too, and renewing has no end of its own (refreshExpiresAt null): the connection stays
 * active while the weekly renewal works, and is marked when Threads refuses it.
 */
function longLivedTokens(token: z.infer<typeof threadsLongLivedTokenSchema>, now = Date.now()): TokenSet {
  return { accessToken: token.access_token, refreshToken: token.access_token, expiresAt: new Date(now + token.expires_in * 1000), refreshExpiresAt: null, scopes: [...THREADS_SCOPES] };
}

async function whoami(ctx: AccountContext, tokens: TokenSet): Promise<{ externalId: string; handle: string }> {
  return ctx.account ?? (await threads.profile(ctx, tokens));
}

/** The post's public address; null when Threads does not say (it is not needed to publish). */
async function permalink(base: string, accessToken: string, mediaId: string): Promise<string | null> {
  try {
    const response = await networkFetch("threads", graphUrl(base, `${THREADS_API_VERSION}/${encodeURIComponent(mediaId)}`, { fields: "permalink" }), { bearer: accessToken }, threadsClassifier);
    return permalinkSchema.parse(response.body).permalink ?? null;
  } catch {
    return null;
  }
}

const userInsightsSchema = z.object({
  data: z.array(z.object({ name: z.string(), total_value: z.object({ value: z.number() }).optional(), values: z.array(z.object({ value: z.number() })).optional() })),
});
const publishingLimitSchema = z.object({
  data: z.array(z.object({ quota_usage: z.number(), config: z.object({ quota_total: z.number(), quota_duration: z.number().optional() }).optional() })),
});

/**
 * The profile's followers (user insights, followers_count: the current total); null when
 * Threads does not say (a token without threads_manage_insights): a count is not needed to post.
 */
async function followerCount(base: string, userId: string, accessToken: string): Promise<number | null> {
  try {
    const response = await networkFetch("threads", graphUrl(base, `${THREADS_API_VERSION}/${encodeURIComponent(userId)}/threads_insights`, { metric: "followers_count" }), { bearer: accessToken }, threadsClassifier);
    const metric = userInsightsSchema.parse(response.body).data.find((m) => m.name === "followers_count");
    return metric?.total_value?.value ?? metric?.values?.[0]?.value ?? null;
  } catch {
    return null;
  }
}

/** How long a profile at its day's quota waits before Ripple asks again: the moving day frees a slot as its oldest post turns a day old. */
const QUOTA_WAIT_MS = 60 * 60_000;

/**
 * Before a new container: whether the profile's moving 24 hours still have room
 * (threads_publishing_limit counts posts made elsewhere too, which Ripple's own window does not
 * see). Full: rateLimited, nothing created. The check failing is no reason not to post: the
 * publish step's own refusal is classified as a rate limit too.
 */
async function checkPublishingQuota(base: string, userId: string, accessToken: string): Promise<void> {
  let quota;
  try {
    const response = await networkFetch("threads", graphUrl(base, `${THREADS_API_VERSION}/${encodeURIComponent(userId)}/threads_publishing_limit`, { fields: "quota_usage,config" }), { bearer: accessToken }, threadsClassifier);
    quota = publishingLimitSchema.parse(response.body).data[0];
  } catch (error) {
    if (error instanceof NetworkError && error.kind === "unauthorized") throw error;
    log.info({ err: error }, "threads: publishing quota not known; posting anyway");
    return;
  }
  const total = quota?.config?.quota_total ?? THREADS_POSTS_PER_DAY;
  if (quota && quota.quota_usage >= total) {
    throw new NetworkError("threads", "rateLimited", `threads: the profile has used its ${total} posts of the last 24 hours`, { retryAfterMs: QUOTA_WAIT_MS, code: "THREADS_QUOTA_USED" });
  }
}

export const threads: OAuthAdapter = {
  id: "threads",
  kind: "oauth",
  scopes: THREADS_SCOPES,
  pkce: false,
  appearance: postAppearances.threads,
  shareWindow: { takesText: true, url: ({ text }) => `https://www.threads.net/intent/post?${shareQuery({ text })}` },
  // 250 API-published posts per profile in 24 hours (overview): a few kept for the person's own tools.
  postLimits: { account: { max: THREADS_POSTS_PER_DAY - 10, windowMs: DAY_MS } },
  clientSource: { kind: "perOrganisation" },
  // Renewed in the last week of its 60 days, so a missed run leaves days to try again.
  refreshAheadMs: 7 * DAY_MS,

  authorizeUrl({ client }, { state }) {
    const query = queryString({ client_id: client.clientId, redirect_uri: client.redirectUri, scope: THREADS_SCOPES.join(","), response_type: "code", state });
    return `${graphUrl(env().THREADS_AUTH_URL, "oauth/authorize")}?${query}`;
  },

  async exchangeCode({ client }, { code }) {
    const base = env().THREADS_API_URL;
    const response = await networkFetch(
      "threads",
      graphUrl(base, "oauth/access_token"),
      { form: { client_id: client.clientId, client_secret: client.clientSecret, grant_type: "authorization_code", redirect_uri: client.redirectUri, code } },
      threadsClassifier,
    );
    const shortLived = expectBody("threads", "the code exchange", codeExchangeSchema, response.body).access_token;
    // The one-hour token is traded at once and never stored.
    return longLivedTokens(await exchangeThreadsToken(base, client.clientSecret, shortLived));
  },

  async refresh(_ctx, tokens) {
    if (!tokens.expiresAt) return tokens;
    // Threads renews a token only once it is a day old: a younger one is kept as it is.
    const issuedAt = new Date(tokens.expiresAt.getTime() - LONG_LIVED_MS);
    if (Date.now() - issuedAt.getTime() < THREADS_REFRESH_MIN_AGE_MS) return tokens;
    return longLivedTokens(await refreshThreadsToken(env().THREADS_API_URL, tokens.accessToken));
  },

  async profile(_ctx, tokens) {
    const base = env().THREADS_API_URL;
    const response = await networkFetch("threads", graphUrl(base, `${THREADS_API_VERSION}/me`, { fields: "id,username,name" }), { bearer: tokens.accessToken }, threadsClassifier);
    const me = expectBody("threads", "me", meSchema, response.body);
    return {
      externalId: me.id,
      handle: `@${me.username}`,
      displayName: me.name ?? null,
      profileUrl: `https://www.threads.net/@${encodeURIComponent(me.username)}`,
      followerCount: await followerCount(base, me.id, tokens.accessToken),
    };
  },

  measure: (text, options) => measureText("threads", text, options),

  async publish(ctx, tokens, post) {
    const base = env().THREADS_API_URL;
    const { externalId } = await whoami(ctx, tokens);
    const save = post.draft?.save ?? (async () => {});
    // A stored container is finished, not made again: only a new one waits for the quota.
    if (!post.draft?.stored) await checkPublishingQuota(base, externalId, tokens.accessToken);
    const outcome = await publishThreadsShare(threadsHttpSteps(base, externalId, tokens.accessToken, save), post.draft?.stored ? { containerId: post.draft.stored.id, recreated: post.draft.stored.recreated } : null, post.text, post.trackedUrl);
    switch (outcome.kind) {
      case "published":
        return { externalId: outcome.mediaId, url: await permalink(base, tokens.accessToken, outcome.mediaId) };
      case "wait":
        throw new NetworkError("threads", "unavailable", "threads: the container is still being processed", { retryAfterMs: CONTAINER_WAIT_MS });
      case "needsAttention":
        // Published, but not found among the person's posts: never post again, a person decides.
        if (outcome.reason === "THREADS_PUBLISHED_POST_NOT_FOUND") throw new NetworkError("threads", "duplicate", "threads: the container was published but its post was not found", { code: outcome.reason });
        throw new NetworkError("threads", "invalid", `threads: the container cannot be published (${outcome.reason.slice(0, 200)})`, { code: outcome.reason.slice(0, 100) });
    }
  },

  /**
   * Certain without searching: a share's container is stored before it is published, so no
   * stored container, or one not PUBLISHED, means no post. A published one is looked up
   * among the person's posts by the tracked link.
   */
  async findPost(ctx, tokens, post) {
    const stored = post.draft?.stored;
    if (!stored) return null;
    const base = env().THREADS_API_URL;
    const { externalId } = await whoami(ctx, tokens);
    const steps = threadsHttpSteps(base, externalId, tokens.accessToken, async () => {});
    const status = await steps.containerStatus(stored.id);
    if (status.status !== "PUBLISHED") return null;
    const mediaId = findSharePost(await steps.listPosts(), post.trackedUrl);
    return mediaId ? { externalId: mediaId, url: await permalink(base, tokens.accessToken, mediaId) } : "unknown";
  },

  async metrics(_ctx, tokens, posts) {
    const result: MetricsResult = new Map();
    for (const { externalId } of posts) {
      try {
        result.set(externalId, await fetchThreadsMetrics(env().THREADS_API_URL, tokens.accessToken, externalId));
      } catch (error) {
        // A deleted post's insights are refused as an unsupported request (Graph code 100).
        if (error instanceof NetworkError && error.kind === "invalid" && error.status === 400) result.set(externalId, "gone");
        else throw error;
      }
    }
    return result;
  },
};

import { z } from "zod";
import { env, linkedinVersionFor } from "@/lib/env";
import { log } from "@/lib/log";
import { safeFetch } from "@/lib/net/safe-fetch";
import {
  apiUrl,
  expectBody,
  networkFetch,
  postMetrics,
  oauthTokenSchema,
  queryString,
  refreshGrantClassifier,
  retryAfterMs,
  sameLink,
  searchRecentPosts,
  textHasLink,
  tokenSetFrom,
  type Classifier,
  type MetricFigures,
} from "./http";
import { postAppearances, postedText } from "./appearance";
import { measureText } from "./measure";
import { shareQuery } from "./share-window";
import { API_VERSION_RETIRED, NetworkError, UNEXPECTED_ANSWER, type AccountContext, type MetricsResult, type OAuthAdapter, type OutgoingPost, type TokenSet } from "./types";

/**
 * LinkedIn: a member posts as themselves (networks.md §1). Scopes, tokens, the duplicate
 * check that makes a repeat safe, and metrics: docs/networks/linkedin.md.
 */

export const LINKEDIN_SCOPES = ["openid", "profile", "email", "w_member_social"] as const;

/**
 * Post analytics only where the app has that product: a scope the app lacks fails the whole
 * consent (unauthorized_scope_error).
 */
export function linkedinScopes(): readonly string[] {
  return env().LINKEDIN_POST_ANALYTICS ? [...LINKEDIN_SCOPES, "r_member_postAnalytics"] : LINKEDIN_SCOPES;
}

/** The author URN of a member's posts. */
export function linkedinAuthorUrn(externalId: string): string {
  return `urn:li:person:${externalId}`;
}

/** Headers the versioned /rest API requires (the publisher uses them). */
export function linkedinRestHeaders(): Record<string, string> {
  return { "LinkedIn-Version": env().LINKEDIN_VERSION, "X-Restli-Protocol-Version": "2.0.0" };
}

/** Ms until LinkedIn's daily limits reset: midnight UTC (networks.md §1; no header says it). */
export function untilMidnightUtc(now = Date.now()): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return next.getTime() - now;
}

const classify: Classifier = (response) => {
  const body = response.body as { status?: number; code?: string; message?: string; errorDetails?: { inputErrors?: Array<{ code?: string }> } } | null;
  if (response.status === 426) {
    return {
      kind: "invalid",
      code: API_VERSION_RETIRED,
      message: `LinkedIn-Version ${env().LINKEDIN_VERSION} is not active any more: set LINKEDIN_VERSION to ${linkedinVersionFor(new Date())} (or unset it for that default)`,
    };
  }
  if (body?.errorDetails?.inputErrors?.some((e) => e.code === "DUPLICATE_POST")) {
    // "…Content is a duplicate of urn:li:share:7…" (networks.md §1).
    const existingId = /urn:li:(?:share|ugcPost|activity):[0-9]+/.exec(body.message ?? "")?.[0];
    return { kind: "duplicate", code: "DUPLICATE_POST", message: "the same post exists already", existingId };
  }
  if (response.status === 429) return { kind: "rateLimited", retryAfterMs: retryAfterMs(response.headers) ?? untilMidnightUtc() };
  return null;
};

/**
 * Characters of LinkedIn's "little" text format that must be backslash-escaped in a
 * post's commentary (unescaped parentheses silently cut the post short). The set is
 * LinkedIn's documented list as we read it; the exact set is UNVERIFIED (networks.md §1).
 */
const LITTLE_RESERVED = /[\\|{}@[\]()<>#*_~]/g;

export function escapeLittleText(text: string): string {
  return text.replace(LITTLE_RESERVED, (c) => `\\${c}`);
}

/**
 * A hashtag as LinkedIn's composer makes one: `#` at the start, after white space or an
 * opening bracket or quote, then letters, digits or underscores with at least one letter
 * (Danish æ, ø, å and any other script included). `C#`, `abc#def`, `https://a.dk/#top`, a
 * lone `#`, `#2026` and `#🌱` are no tags: their `#` is sent escaped and shows as typed.
 */
const HASHTAG = /(?<=^|[\s([{"'“‘«])#((?=[\p{L}\p{M}\p{N}_]*\p{L})[\p{L}\p{M}\p{N}_]+)/gu;

/**
 * The commentary of a post: each hashtag in LinkedIn's hashtag template
 * (`{hashtag|\#|word}`, little text format), so it is a clickable, discoverable tag; every
 * other reserved character escaped (docs/networks/linkedin.md, "Commentary").
 */
export function linkedinCommentary(text: string): string {
  let out = "";
  let last = 0;
  for (const match of text.matchAll(HASHTAG)) {
    out += escapeLittleText(text.slice(last, match.index)) + `{hashtag|\\#|${escapeLittleText(match[1]!)}}`;
    last = match.index + match[0].length;
  }
  return out + escapeLittleText(text.slice(last));
}

/** The text a person sees, from commentary (for finding a share's link in it): templates back to `#word`, escapes undone. */
export function unescapeLittleText(text: string): string {
  return text
    .replace(/\{hashtag\|\\#\|((?:\\.|[^\\}])*)\}/g, "\\#$1")
    .replace(/\\([\\|{}@[\]()<>#*_~])/g, "$1");
}

/**
 * The link card. LinkedIn does not scrape links, so the card is what we send: the tracked
 * link, the story's title and summary, and the story's image as an uploaded urn:li:image
 * when there is one.
 */
export function linkedinArticle(post: OutgoingPost, thumbnail?: string) {
  return { article: { source: post.trackedUrl, title: post.link.title, description: post.link.description, ...(thumbnail && { thumbnail }) } };
}

/** What POST /rest/posts gets for a share. */
export function linkedinPostBody(authorId: string, post: OutgoingPost, thumbnail?: string) {
  return {
    author: linkedinAuthorUrn(authorId),
    commentary: linkedinCommentary(postedText(post)),
    visibility: "PUBLIC",
    distribution: { feedDistribution: "MAIN_FEED", targetEntities: [], thirdPartyDistributionChannels: [] },
    // "URL in the text": no article, so LinkedIn shows the commentary with its link only.
    // "First comment": neither; the comment carries the link.
    ...((post.placement ?? "card") === "card" && { content: linkedinArticle(post, thumbnail) }),
    lifecycleState: "PUBLISHED",
    isReshareDisabledByAuthor: false,
  };
}

/** LinkedIn's image limits are in pixels (36,152,320); a story's card image stays far below this. */
const THUMBNAIL_MAX_BYTES = 5 * 1024 * 1024;
const THUMBNAIL_TYPES = new Set(["image/jpeg", "image/png", "image/gif"]);

const initializeUploadSchema = z.object({ value: z.object({ uploadUrl: z.string().url(), image: z.string().regex(/^urn:li:image:/) }) });

/**
 * The upload URL LinkedIn hands out lives on its own hosts (www.linkedin.com/dms-uploads/…);
 * anything else is not sent the member's token. The configured API host is allowed too (a
 * test's fake LinkedIn).
 */
function isLinkedInUploadUrl(url: string): boolean {
  const { protocol, host, hostname } = new URL(url);
  return (protocol === "https:" && (hostname === "linkedin.com" || hostname.endsWith(".linkedin.com"))) || host === new URL(env().LINKEDIN_API_URL).host;
}

/**
 * The story's image as a LinkedIn image for the card (docs/networks/linkedin.md, "Link card
 * image"): fetched through safeFetch (the address comes from a story), then the Images API's
 * initializeUpload, then the bytes PUT to the upload URL. Any failure gives no thumbnail: a
 * card without an image, never a failed post.
 */
async function uploadThumbnail(tokens: TokenSet, author: string, imageUrl: string | null): Promise<string | undefined> {
  if (!imageUrl) return undefined;
  try {
    const image = await safeFetch(imageUrl, {
      maxBytes: THUMBNAIL_MAX_BYTES,
      timeoutMs: 5_000,
      headers: { accept: "image/jpeg, image/png, image/gif" },
      wantBody: (head) => head.status === 200 && THUMBNAIL_TYPES.has(head.contentType ?? ""),
    });
    if (image.status !== 200 || !THUMBNAIL_TYPES.has(image.contentType ?? "") || image.body.length === 0) {
      log.info({ imageUrl, status: image.status, contentType: image.contentType }, "linkedin: the story's image is not one LinkedIn takes; the card goes without");
      return undefined;
    }
    const init = await networkFetch(
      "linkedin",
      `${apiUrl(env().LINKEDIN_API_URL, "/rest/images")}?action=initializeUpload`,
      { bearer: tokens.accessToken, headers: restHeaders("action"), json: { initializeUploadRequest: { owner: author } } },
      classify,
    );
    const { value } = expectBody("linkedin", "initializeUpload", initializeUploadSchema, init.body);
    if (!isLinkedInUploadUrl(value.uploadUrl)) throw new Error(`the upload URL is not LinkedIn's (${new URL(value.uploadUrl).host})`);
    await networkFetch("linkedin", value.uploadUrl, { method: "PUT", bearer: tokens.accessToken, bytes: { data: image.body, contentType: image.contentType! }, timeoutMs: 15_000 }, classify);
    return value.image;
  } catch (error) {
    log.warn({ err: error, imageUrl }, "linkedin: the card image could not be uploaded; posting without it");
    return undefined;
  }
}

export function linkedinPostUrl(urn: string): string {
  return `https://www.linkedin.com/feed/update/${urn}/`;
}

const postsPageSchema = z.object({
  elements: z.array(
    z.object({
      id: z.string().min(1),
      commentary: z.string().optional(),
      content: z.object({ article: z.object({ source: z.string().optional() }).optional() }).optional(),
      createdAt: z.number().optional(),
      lastModifiedAt: z.number().optional(),
    }),
  ),
});

const FIND_PAGE_SIZE = 20;

/** A comment as the Comments API answers (docs/networks/linkedin.md, "First comment"). */
const commentSchema = z.object({
  id: z.string().optional(),
  commentUrn: z.string().optional(),
  $URN: z.string().optional(),
  actor: z.string().optional(),
  message: z.object({ text: z.string().optional() }).optional(),
});
const commentsPageSchema = z.object({ elements: z.array(commentSchema), paging: z.object({ total: z.number().optional() }).optional() });
/** A comment's name, whichever field the answer gives it in (the exact shape is UNVERIFIED). */
const commentId = (comment: z.infer<typeof commentSchema>) => comment.commentUrn ?? comment.$URN ?? comment.id;
const commentsUrl = (postUrn: string) => apiUrl(env().LINKEDIN_API_URL, `/rest/socialActions/${encodeURIComponent(postUrn)}/comments`);

/** The member's OpenID subject: from the connection when the caller gave it, else from /v2/userinfo. */
async function authorId(ctx: AccountContext, tokens: TokenSet): Promise<string> {
  return ctx.account?.externalId ?? (await linkedin.profile(ctx, tokens)).externalId;
}

/** The analytics finder's metric types and the PostMetrics figure each one fills. */
const ANALYTICS_METRICS = [
  ["IMPRESSION", "impressions"],
  ["MEMBERS_REACHED", "reached"],
  ["RESHARE", "reposts"],
  ["REACTION", "reactions"],
  ["COMMENT", "replies"],
  // In the 2026-03 documentation only (networks.md §1): an API version without it answers 400.
  ["POST_SAVE", "saves"],
] as const satisfies ReadonlyArray<readonly [string, keyof MetricFigures]>;
const OPTIONAL_METRICS = new Set<string>(["POST_SAVE"]);

/**
 * The metric type as a string ("IMPRESSION") or, as older API versions answer, an object of
 * one member whose value is that string ({"com.linkedin…CreatorPostAnalyticsMetricTypeV1":
 * "IMPRESSION"}; the member's name varies, so any single member is read: docs/networks/linkedin.md).
 */
const metricTypeSchema = z.union([
  z.string(),
  z
    .record(z.string(), z.string())
    .refine((value) => Object.keys(value).length === 1, "one member")
    .transform((value) => Object.values(value)[0]!),
]);

const analyticsSchema = z.object({
  elements: z.array(z.object({ count: z.number().nonnegative().optional(), metricType: metricTypeSchema.optional() }).passthrough()),
});

/**
 * The finder's entity parameter for a post URN, Rest.li 2.0 style: the structure
 * characters literal, the URN inside percent-encoded. null for a URN the finder does not
 * take (urn:li:activity:…, which a duplicate answer can name).
 */
export function linkedinAnalyticsEntity(urn: string): string | null {
  if (/^urn:li:share:\d+$/.test(urn)) return `(share:${encodeURIComponent(urn)})`;
  if (/^urn:li:ugcPost:\d+$/.test(urn)) return `(ugc:${encodeURIComponent(urn)})`;
  return null;
}

/** One metric type's total for one post: the count, null when LinkedIn gives none, "gone" for a deleted post. */
async function analyticsCount(tokens: TokenSet, entity: string, metricType: string): Promise<number | null | "gone"> {
  const query = `q=entity&entity=${entity}&${queryString({ queryType: metricType, aggregation: "TOTAL" })}`;
  let response;
  try {
    response = await networkFetch(
      "linkedin",
      `${apiUrl(env().LINKEDIN_API_URL, "/rest/memberCreatorPostAnalytics")}?${query}`,
      { bearer: tokens.accessToken, headers: restHeaders("finder") },
      classify,
    );
  } catch (error) {
    if (error instanceof NetworkError && (error.status === 404 || error.status === 410)) return "gone";
    if (error instanceof NetworkError && error.status === 400 && OPTIONAL_METRICS.has(metricType)) return null;
    throw error;
  }
  const { elements } = expectBody("linkedin", "post analytics", analyticsSchema, response.body, { code: UNEXPECTED_ANSWER });
  const counted = elements.filter((e) => e.count !== undefined && (e.metricType === undefined || e.metricType === metricType));
  return counted.length === 0 ? null : counted.reduce((sum, e) => sum + (e.count ?? 0), 0);
}

function restHeaders(method: "create" | "finder" | "action"): Record<string, string> {
  return { ...linkedinRestHeaders(), "X-RestLi-Method": method };
}

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
  get scopes() {
    return linkedinScopes();
  },
  pkce: false,
  postUrl: linkedinPostUrl,
  appearance: postAppearances.linkedin,
  shareWindow: { takesText: false, url: ({ url }) => `https://www.linkedin.com/sharing/share-offsite/?${shareQuery({ url })}` },
  // Member limits appear only in the developer portal (UNVERIFIED): a conservative 150 a day.
  postLimits: { account: { max: 150, windowMs: 24 * 60 * 60_000 } },
  repeatNamesFirstPost: true,
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
      scope: linkedinScopes().join(" "),
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
    return tokenSetFrom(expectBody("linkedin", "the token request", oauthTokenSchema, response.body), Date.now(), linkedinScopes());
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

  async publish(ctx, tokens, post) {
    const author = await authorId(ctx, tokens);
    const thumbnail = (post.placement ?? "card") !== "card" ? undefined : await uploadThumbnail(tokens, linkedinAuthorUrn(author), post.link.imageUrl);
    const body = linkedinPostBody(author, post, thumbnail);
    const response = await networkFetch(
      "linkedin",
      apiUrl(env().LINKEDIN_API_URL, "/rest/posts"),
      { bearer: tokens.accessToken, headers: restHeaders("create"), json: body },
      classify,
    );
    const urn = response.headers["x-restli-id"];
    if (!urn) throw new NetworkError("linkedin", "invalid", "linkedin: the post was created but its id (x-restli-id) is missing", { status: response.status });
    return { externalId: urn, url: linkedinPostUrl(urn) };
  },

  async findPost(ctx, tokens, post) {
    const author = linkedinAuthorUrn(await authorId(ctx, tokens));
    let response;
    try {
      response = await networkFetch(
        "linkedin",
        `${apiUrl(env().LINKEDIN_API_URL, "/rest/posts")}?${queryString({ q: "author", author, count: String(FIND_PAGE_SIZE) })}`,
        { bearer: tokens.accessToken, headers: restHeaders("finder") },
        classify,
      );
    } catch (error) {
      // 403: the finder needs r_member_social (select developers only). 404/400: not offered.
      if (error instanceof NetworkError && (error.kind === "forbidden" || error.status === 404 || error.status === 400)) return "unknown";
      throw error;
    }
    const { elements } = expectBody("linkedin", "the posts finder", postsPageSchema, response.body);
    const found = searchRecentPosts(elements, {
      complete: elements.length < FIND_PAGE_SIZE,
      since: post.createdAt,
      // The last change, not the creation: the finder's order is by last modification
      // (UNVERIFIED), and that bound holds whichever of the two it sorts by.
      listedAt: (p) => {
        const at = p.lastModifiedAt ?? p.createdAt;
        return at === undefined ? null : new Date(at);
      },
      matches:
        post.placement === "first_comment"
          ? // No link in the post: its words, in a post made since the share was.
            (p) => unescapeLittleText(p.commentary ?? "").trim() === postedText(post) && (p.createdAt ?? 0) >= post.createdAt.getTime() - 60_000
          : (p) => sameLink(p.content?.article?.source, post.trackedUrl) || textHasLink(unescapeLittleText(p.commentary ?? ""), post.trackedUrl),
    });
    return found === null || found === "unknown" ? found : { externalId: found.id, url: linkedinPostUrl(found.id) };
  },

  async comment(ctx, tokens, parent, text) {
    const actor = linkedinAuthorUrn(await authorId(ctx, tokens));
    const response = await networkFetch(
      "linkedin",
      commentsUrl(parent.externalId),
      // The comment's text is plain text, not little text: no escaping.
      { bearer: tokens.accessToken, headers: restHeaders("create"), json: { actor, object: parent.externalId, message: { text } } },
      classify,
    );
    const created = commentSchema.safeParse(response.body);
    const id = (created.success ? commentId(created.data) : undefined) ?? response.headers["x-restli-id"];
    if (!id) throw new NetworkError("linkedin", "invalid", "linkedin: the comment was created but its id is missing", { status: response.status });
    return { externalId: id };
  },

  async findComment(ctx, tokens, parent, text) {
    const actor = linkedinAuthorUrn(await authorId(ctx, tokens));
    let response;
    try {
      response = await networkFetch(
        "linkedin",
        commentsUrl(parent.externalId),
        { bearer: tokens.accessToken, headers: linkedinRestHeaders() },
        classify,
      );
    } catch (error) {
      // 403: reading comments needs r_member_social (select developers only).
      if (error instanceof NetworkError && (error.kind === "forbidden" || error.status === 404 || error.status === 400)) return "unknown";
      throw error;
    }
    const page = expectBody("linkedin", "the post's comments", commentsPageSchema, response.body);
    const found = page.elements.find((c) => c.actor === actor && textHasLink(c.message?.text ?? "", text));
    if (found) {
      const id = commentId(found);
      return id ? { externalId: id } : "unknown";
    }
    // More comments than one page shows: the author's could be on the next.
    return page.paging?.total !== undefined && page.paging.total > page.elements.length ? "unknown" : null;
  },

  async metrics(_ctx, tokens, posts) {
    const result: MetricsResult = new Map();
    // Posts one after the other (LinkedIn's daily limits are per member and app), the
    // metric types of a post side by side.
    for (const { externalId } of posts) {
      const entity = linkedinAnalyticsEntity(externalId);
      if (!entity) continue;
      const counts = await Promise.all(ANALYTICS_METRICS.map(([metricType]) => analyticsCount(tokens, entity, metricType)));
      if (counts.includes("gone")) {
        result.set(externalId, "gone");
        continue;
      }
      const figures: Partial<Record<keyof MetricFigures, number | null>> = {};
      ANALYTICS_METRICS.forEach(([, figure], i) => (figures[figure] = counts[i] as number | null));
      result.set(externalId, postMetrics(figures));
    }
    return result;
  },

  measure: (text, options) => measureText("linkedin", text, options),

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

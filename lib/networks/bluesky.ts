import { createHash } from "node:crypto";
import { type AppBskyFeedPost, AtpAgent, type BlobRef, RichText, XRPCError } from "@atproto/api";
import { TID } from "@atproto/common-web";
import type { NetworkId } from "@/db/schema";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { safeFetch, safeFetchAsFetch, UnsafeFetchError } from "@/lib/net/safe-fetch";
import { fetchFailure, inChunks, normalizeServerUrl, postMetrics, retryAfterMs, sameLink, textHasLink } from "./http";
import { postAppearances, postedText } from "./appearance";
import { measureText } from "./measure";
import { shareQuery } from "./share-window";
import {
  NetworkError,
  type AccountContext,
  type MetricsResult,
  type OutgoingPost,
  type PasswordAdapter,
  type Profile,
  type PublishedPost,
  type TokenSet,
} from "./types";

/**
 * Bluesky, on any PDS, with a handle and an app password (networks.md §5). Sessions, the
 * share-derived record key, metrics and why not atproto OAuth: docs/networks/bluesky.md.
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

/** The sub claim of a JWT, unverified: the account's DID in a PDS access JWT. */
export function jwtSubject(jwt: string): string | null {
  const payload = jwt.split(".")[1];
  if (!payload) return null;
  try {
    const sub = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub?: unknown }).sub;
    return typeof sub === "string" && sub.startsWith("did:") ? sub : null;
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

export const BLUESKY_POST_COLLECTION = "app.bsky.feed.post";

/** The blob limit of a link card's thumb (app.bsky.embed.external). */
export const BLUESKY_THUMB_MAX_BYTES = 1_000_000;

/**
 * A TID from the share alone (creation ms, microseconds and clock id from a hash of its
 * id), so every attempt writes the same record. A collision (about one in a million per
 * pair) makes publish refuse rather than overwrite: docs/networks/bluesky.md.
 */
export function blueskyRecordKey(post: Pick<OutgoingPost, "shareId" | "createdAt">): string {
  const hash = createHash("sha256").update(post.shareId).digest();
  const clockId = hash.readUInt16BE(0) % 1024;
  const microseconds = hash.readUInt16BE(2) % 1000;
  return TID.fromTime(post.createdAt.getTime() * 1000 + microseconds, clockId).toString();
}

/**
 * The record key of a share's first comment: a TID a little after its post's (so the reply
 * sorts after the post), its clock id and microseconds from a hash of `key`. Every try
 * writes the same record, so the comment exists once whatever crashes in between.
 */
export function blueskyCommentKey(parentRkey: string, key: string): string {
  const hash = createHash("sha256").update(key).digest();
  const clockId = hash.readUInt16BE(0) % 1024;
  return TID.fromTime(TID.fromStr(parentRkey).timestamp() + 1 + (hash.readUInt16BE(2) % 1000), clockId).toString();
}

/** The parts of an at:// URI of a record. */
function recordPath(uri: string): { repo: string; collection: string; rkey: string } | null {
  const parts = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(uri);
  return parts ? { repo: parts[1]!, collection: parts[2]!, rkey: parts[3]! } : null;
}

export function blueskyPostUrl(did: string, rkey: string): string {
  // The DID, not the handle: handles change, a post's address should not.
  return `https://bsky.app/profile/${did}/post/${rkey}`;
}

/**
 * Mentions are left out: without resolution their "did" is the handle, which the PDS
 * refuses. createdAt is the time of writing, else a scheduled share appears backdated.
 */
export function blueskyPostRecord(post: OutgoingPost, thumb: BlobRef | undefined, now = new Date()): AppBskyFeedPost.Record {
  const rt = new RichText({ text: postedText(post) });
  rt.detectFacetsWithoutResolution();
  const facets = (rt.facets ?? []).filter((facet) => facet.features.every((feature) => feature.$type !== "app.bsky.richtext.facet#mention"));
  return {
    $type: "app.bsky.feed.post",
    text: rt.text,
    createdAt: now.toISOString(),
    langs: [post.language],
    ...(facets.length > 0 && { facets }),
    // "URL in the text": no card; the link facet above keeps the URL clickable. "First
    // comment": neither link nor card, the reply carries the link.
    ...((post.placement ?? "card") === "card" && {
      embed: {
        $type: "app.bsky.embed.external",
        external: { uri: post.trackedUrl, title: post.link.title, description: post.link.description, ...(thumb && { thumb }) },
      },
    }),
  };
}

/**
 * The story's image as a blob on the person's PDS, for the card. Fetched through
 * safeFetch (the address comes from a story), at most 1,000,000 bytes, image/* only.
 * Any failure gives no thumb: a card without an image, never a failed post.
 */
async function uploadThumb(agent: AtpAgent, imageUrl: string | null): Promise<BlobRef | undefined> {
  if (!imageUrl) return undefined;
  try {
    const isImage = (contentType: string | null) => contentType?.startsWith("image/") ?? false;
    const image = await safeFetch(imageUrl, {
      maxBytes: BLUESKY_THUMB_MAX_BYTES,
      timeoutMs: 5_000,
      headers: { accept: "image/*" },
      wantBody: (head) => head.status === 200 && isImage(head.contentType),
    });
    if (image.status !== 200 || !isImage(image.contentType) || image.body.length === 0) return undefined;
    const { data } = await agent.com.atproto.repo.uploadBlob(new Uint8Array(image.body), { encoding: image.contentType! });
    return data.blob;
  } catch (error) {
    log.info({ err: error, imageUrl }, "bluesky: no thumb for the card");
    return undefined;
  }
}

/** The DID a call acts as: from the connection, from the access JWT, or (a PDS with other JWTs) from getSession. */
async function sessionDid(ctx: AccountContext, tokens: TokenSet, agent: AtpAgent): Promise<string> {
  const known = ctx.account?.externalId ?? jwtSubject(tokens.accessToken);
  if (known) return known;
  const { data } = await agent.com.atproto.server.getSession(undefined, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
  return data.did;
}

/**
 * Runs calls as the account with its stored JWTs. The agent refreshes an expired access
 * JWT by itself and repeats the call; the renewed tokens go to ctx.saveTokens (the old
 * refresh JWT stops working two hours after the rotation).
 */
async function asAccount<T>(ctx: AccountContext, tokens: TokenSet, what: string, run: (agent: AtpAgent, did: string) => Promise<T>): Promise<T> {
  const service = serviceOf(ctx);
  const renewal: { tokens: TokenSet | null } = { tokens: null };
  const agent = new AtpAgent({
    service,
    fetch: safeFetchAsFetch({ timeoutMs: 10_000, maxBytes: 1024 * 1024 }),
    persistSession: (event, session) => {
      if (event === "update" && session) renewal.tokens = tokenSet(session.accessJwt, session.refreshJwt);
    },
  });
  try {
    const did = await sessionDid(ctx, tokens, agent);
    // refreshJwt "" when there is none: the agent then does not try to refresh.
    agent.sessionManager.session = { did, handle: ctx.account?.handle ?? did, accessJwt: tokens.accessToken, refreshJwt: tokens.refreshToken ?? "", active: true };
    return await run(agent, did);
  } catch (error) {
    throw blueskyError(error, what, service);
  } finally {
    if (renewal.tokens && ctx.saveTokens) {
      // A failure to store must not hide what happened at the network.
      await ctx.saveTokens(renewal.tokens).catch((error: unknown) => log.error({ err: error }, "bluesky: could not store renewed tokens"));
    }
  }
}

/**
 * The share's post under its record key: the post, null when the key is free, "taken"
 * when it holds a record that is not about this share's link (another share's, whose key
 * collided).
 */
async function recordAt(agent: AtpAgent, did: string, post: OutgoingPost): Promise<PublishedPost | null | "taken"> {
  const rkey = blueskyRecordKey(post);
  let data;
  try {
    ({ data } = await agent.com.atproto.repo.getRecord({ repo: did, collection: BLUESKY_POST_COLLECTION, rkey }));
  } catch (error) {
    if (error instanceof XRPCError && error.error === "RecordNotFound") return null;
    throw error;
  }
  const record = data.value as { text?: unknown; embed?: { external?: { uri?: unknown } } };
  const external = record.embed?.external?.uri;
  const ours =
    (typeof external === "string" && sameLink(external, post.trackedUrl)) ||
    (typeof record.text === "string" && textHasLink(record.text, post.trackedUrl)) ||
    // A first_comment post has no link: its text under this share's key is the proof.
    (post.placement === "first_comment" && record.text === postedText(post));
  return ours ? { externalId: data.uri, url: blueskyPostUrl(did, rkey) } : "taken";
}

/** Posts per app.bsky.feed.getPosts (networks.md §5). */
const GET_POSTS_MAX_URIS = 25;

/**
 * Whether a post the AppView does not show is gone from its repository: true when the PDS
 * says RecordNotFound, false when the record is there, null when the PDS does not answer.
 */
async function recordGone(service: string, uri: string): Promise<boolean | null> {
  const path = recordPath(uri);
  if (!path) return null;
  try {
    await agentFor(service).com.atproto.repo.getRecord(path);
    return false;
  } catch (error) {
    if (error instanceof XRPCError && error.error === "RecordNotFound") return true;
    log.info({ err: error, uri }, "bluesky: could not tell whether a post the AppView does not show still exists");
    return null;
  }
}

export const bluesky: PasswordAdapter = {
  id: "bluesky",
  kind: "password",
  defaultService: BLUESKY_DEFAULT_SERVICE,
  appearance: postAppearances.bluesky,
  shareWindow: { takesText: true, url: ({ text }) => `https://bsky.app/intent/compose?${shareQuery({ text })}` },
  // 5,000 points an hour per account; a record write costs 3.
  postLimits: { account: { max: 1_600, windowMs: 60 * 60_000 } },
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

  async publish(ctx, tokens, post) {
    return asAccount(ctx, tokens, "posting", async (agent, did) => {
      const rkey = blueskyRecordKey(post);
      // A retry finds the first attempt's record and leaves it as it is (likes and reposts
      // point at its CID).
      const existing = await recordAt(agent, did, post);
      if (existing === "taken") {
        throw new NetworkError(NETWORK, "invalid", `bluesky: the record key ${rkey} holds another post (share ${post.shareId}); not overwriting it`, { code: "RecordKeyTaken" });
      }
      if (existing) return existing;
      const thumb = (post.placement ?? "card") !== "card" ? undefined : await uploadThumb(agent, post.link.imageUrl);
      // putRecord creates the record or replaces it: even two attempts racing past the
      // look-up above write one record.
      const { data } = await agent.com.atproto.repo.putRecord({ repo: did, collection: BLUESKY_POST_COLLECTION, rkey, record: blueskyPostRecord(post, thumb) });
      return { externalId: data.uri, url: blueskyPostUrl(did, rkey) };
    });
  },

  async findPost(ctx, tokens, post) {
    return asAccount(ctx, tokens, "looking up a post", async (agent, did) => {
      const found = await recordAt(agent, did, post);
      // A record of another share under this share's key (a collision): this share was
      // not posted there, but say "unknown" rather than invite a write over it.
      return found === "taken" ? "unknown" : found;
    });
  },

  async comment(ctx, tokens, parent, text, key) {
    return asAccount(ctx, tokens, "posting the first comment", async (agent, did) => {
      const path = recordPath(parent.externalId);
      if (!path) throw new NetworkError(NETWORK, "invalid", `bluesky: ${parent.externalId} is not a post's address`);
      // The reply names its parent (and thread root: the same post) by URI and CID.
      const { data: post } = await agent.com.atproto.repo.getRecord(path);
      if (!post.cid) throw new NetworkError(NETWORK, "invalid", "bluesky: the post has no CID");
      const ref = { uri: post.uri, cid: post.cid };
      const rt = new RichText({ text });
      rt.detectFacetsWithoutResolution();
      const record: AppBskyFeedPost.Record = {
        $type: "app.bsky.feed.post",
        text: rt.text,
        createdAt: new Date().toISOString(),
        ...(rt.facets?.length && { facets: rt.facets.filter((facet) => facet.features.every((f) => f.$type === "app.bsky.richtext.facet#link")) }),
        reply: { root: ref, parent: ref },
      };
      // putRecord under the comment's own key: a repeat rewrites the one reply, never adds one.
      const { data } = await agent.com.atproto.repo.putRecord({ repo: did, collection: BLUESKY_POST_COLLECTION, rkey: blueskyCommentKey(path.rkey, key), record });
      return { externalId: data.uri };
    });
  },

  async findComment(ctx, tokens, parent, text, key) {
    return asAccount(ctx, tokens, "looking up the first comment", async (agent, did) => {
      const path = recordPath(parent.externalId);
      if (!path) return "unknown";
      let data;
      try {
        ({ data } = await agent.com.atproto.repo.getRecord({ repo: did, collection: BLUESKY_POST_COLLECTION, rkey: blueskyCommentKey(path.rkey, key) }));
      } catch (error) {
        if (error instanceof XRPCError && error.error === "RecordNotFound") return null;
        throw error;
      }
      const record = data.value as { text?: unknown; reply?: { parent?: { uri?: unknown } } };
      const ours = record.reply?.parent?.uri === parent.externalId && typeof record.text === "string" && textHasLink(record.text, text);
      return ours ? { externalId: data.uri } : "unknown";
    });
  },

  async metrics(ctx, _tokens, posts) {
    const result: MetricsResult = new Map();
    const appview = env().BLUESKY_APPVIEW_URL;
    const uris = [...new Set(posts.map((p) => p.externalId))];
    for (const chunk of inChunks(uris, GET_POSTS_MAX_URIS)) {
      let views;
      try {
        views = (await agentFor(appview).app.bsky.feed.getPosts({ uris: chunk })).data.posts;
      } catch (error) {
        throw blueskyError(error, "reading post counts", appview);
      }
      const measuredAt = new Date();
      for (const view of views) {
        if (!chunk.includes(view.uri)) continue;
        result.set(
          view.uri,
          postMetrics({ reactions: view.likeCount, reposts: view.repostCount, replies: view.replyCount, quotes: view.quoteCount, saves: view.bookmarkCount }, measuredAt),
        );
      }
    }
    for (const uri of uris) {
      if (!result.has(uri) && (await recordGone(serviceOf(ctx), uri)) === true) result.set(uri, "gone");
    }
    return result;
  },

  measure: (text, options) => measureText("bluesky", text, options),

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

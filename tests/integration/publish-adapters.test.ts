import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { AppBskyEmbedExternal, type AppBskyFeedPost, AtpAgent } from "@atproto/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkedinVersionFor } from "@/lib/env";
import { bluesky, blueskyRecordKey } from "@/lib/networks/bluesky";
import { linkedin } from "@/lib/networks/linkedin";
import { mastodon } from "@/lib/networks/mastodon";
import { type AccountContext, type NetworkAdapter, type OutgoingPost, type TokenSet } from "@/lib/networks/types";
import { x } from "@/lib/networks/x";
import { startFakeLinkedIn, type FakeLinkedIn } from "../fakes/linkedin";
import { startFakeMastodon, type FakeMastodon } from "../fakes/mastodon";
import { startFakeX, type FakeX } from "../fakes/x";
import { atprotoNetworkMissing, startAtprotoNetwork, type AtprotoNetwork } from "../support/atproto";
import { envOverride } from "../support/env-override";
import { failure } from "../support/network-error";

/**
 * The publishing half of the network adapters (publish and the recovery look-up findPost)
 * against the fake LinkedIn, X and Mastodon (tests/fakes, after networks.md) and a real
 * local Bluesky network (PLC + PDS + AppView, tests/support/atproto). The local servers
 * are reached through the allow list (FETCH_ALLOW_HOSTS), not ALLOW_PRIVATE_FETCH.
 */

const X_CLIENT = { clientId: "ripple-x-client", clientSecret: "ripple-x-secret-0123456789" };
const LINKEDIN_CLIENT = { clientId: "ripple-linkedin-client", clientSecret: "ripple-linkedin-secret-0123456789" };
const atprotoMissing = atprotoNetworkMissing();

// A 1×1 PNG, the card image the local "story site" serves.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

let linkedinFake: FakeLinkedIn;
let xFake: FakeX;
let mastodonFake: FakeMastodon;
let network: AtprotoNetwork | undefined;
let images: { url: string; close: () => Promise<void> };

const { set: setEnv, restore: restoreEnv } = envOverride();

/** A story site: /card.png (small PNG), /huge.png (over Bluesky's 1,000,000-byte blob limit), /page (HTML). */
async function startImageServer() {
  const server = http.createServer((req, res) => {
    if (req.url === "/card.png") return void res.writeHead(200, { "content-type": "image/png", "content-length": PNG.length }).end(PNG);
    if (req.url === "/huge.png") {
      const huge = Buffer.alloc(1_200_000, 7);
      return void res.writeHead(200, { "content-type": "image/png", "content-length": huge.length }).end(huge);
    }
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>not an image</title>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const hostOf = (url: string) => new URL(url).host;

beforeAll(async () => {
  [linkedinFake, xFake, mastodonFake, images, network] = await Promise.all([
    startFakeLinkedIn(LINKEDIN_CLIENT),
    startFakeX(X_CLIENT),
    startFakeMastodon(),
    startImageServer(),
    atprotoMissing ? Promise.resolve(undefined) : startAtprotoNetwork({ accounts: [{ handle: "mette.test" }] }),
  ]);
  setEnv({
    ALLOW_PRIVATE_FETCH: undefined,
    FETCH_ALLOW_HOSTS: [linkedinFake.url, xFake.url, mastodonFake.url, images.url, ...(network ? [network.pdsUrl, network.appviewUrl] : [])].map(hostOf).join(","),
    LINKEDIN_API_URL: linkedinFake.url,
    LINKEDIN_AUTH_URL: linkedinFake.url,
    LINKEDIN_VERSION: undefined,
    X_API_URL: xFake.url,
    ...(network && { BLUESKY_APPVIEW_URL: network.appviewUrl }),
  });
}, 150_000);

afterAll(async () => {
  restoreEnv();
  await Promise.all([linkedinFake?.close(), xFake?.close(), mastodonFake?.close(), images?.close(), network?.close()]);
}, 90_000);

const bearer = (accessToken: string, refreshToken: string | null = null): TokenSet => ({ accessToken, refreshToken, expiresAt: null, refreshExpiresAt: null, scopes: [] });

let shareCount = 0;
/** A share as the publisher hands it over: its own tracked link in a Danish text with characters LinkedIn reserves. */
function share(overrides: Partial<OutgoingPost> = {}): OutgoingPost {
  shareCount++;
  const trackedUrl = `https://ripple.dk/r/${randomUUID().replace(/-/g, "").slice(0, 10)}`;
  return {
    shareId: randomUUID(),
    createdAt: new Date(Date.now() - 1000),
    text: `Vindmølle A/S (Esbjerg) åbner ny fabrik nr. ${shareCount} — læs mere: ${trackedUrl} #grøntskifte`,
    trackedUrl,
    language: "da",
    link: { url: trackedUrl, title: "Ny fabrik i Esbjerg", description: "200 nye job i vindmølleindustrien", imageUrl: null },
    ...overrides,
  };
}

/** The NetworkError a promise rejects with. */

function publishOf(adapter: NetworkAdapter) {
  return adapter.publish!.bind(adapter);
}
function findPostOf(adapter: NetworkAdapter) {
  return adapter.findPost!.bind(adapter);
}

describe("LinkedIn", () => {
  const publish = publishOf(linkedin);
  const findPost = findPostOf(linkedin);

  it("posts to /rest/posts with the version headers and an article card; id from x-restli-id; a repeat is DUPLICATE_POST naming the first", async () => {
    const token = linkedinFake.createToken("mette-jensen");
    const member = linkedinFake.member("mette-jensen");
    const ctx: AccountContext = { instanceUrl: null, client: null, account: { externalId: member.sub, handle: "Mette Jensen" } };
    const post = share();

    const made = await publish(ctx, bearer(token), post);

    expect(made.externalId).toMatch(/^urn:li:share:\d+$/);
    expect(made.url).toBe(`https://www.linkedin.com/feed/update/${made.externalId}/`);
    const request = linkedinFake.requests.findLast((r) => r.method === "POST" && r.path === "/rest/posts")!;
    expect(request.headers["linkedin-version"]).toMatch(/^20\d{4}$/);
    expect(request.headers["x-restli-protocol-version"]).toBe("2.0.0");
    expect(request.headers["x-restli-method"]).toBe("create");
    expect(request.body).toEqual({
      author: `urn:li:person:${member.sub}`,
      // "little" text: reserved characters backslash-escaped, the hashtag in its template.
      commentary: post.text.replace("(Esbjerg)", "\\(Esbjerg\\)").replace("#grøntskifte", "{hashtag|\\#|grøntskifte}"),
      visibility: "PUBLIC",
      distribution: { feedDistribution: "MAIN_FEED", targetEntities: [], thirdPartyDistributionChannels: [] },
      content: { article: { source: post.trackedUrl, title: post.link.title, description: post.link.description } },
      lifecycleState: "PUBLISHED",
      isReshareDisabledByAuthor: false,
    });
    expect(linkedinFake.posts.filter((p) => p.urn === made.externalId)).toHaveLength(1);

    // The recovery path: the same text again proves the post exists and names it.
    const again = await failure(publish(ctx, bearer(token), post));
    expect(again).toMatchObject({ kind: "duplicate", code: "DUPLICATE_POST", status: 422, existingId: made.externalId });
    expect(linkedinFake.posts.filter((p) => p.author === `urn:li:person:${member.sub}`)).toHaveLength(1);
  });

  it("finds the author from /v2/userinfo when the caller does not say", async () => {
    const token = linkedinFake.createToken("john-smith");
    const made = await publish({ instanceUrl: null, client: null }, bearer(token), share());
    expect(linkedinFake.posts.find((p) => p.urn === made.externalId)?.author).toBe(`urn:li:person:${linkedinFake.member("john-smith").sub}`);
    expect(linkedinFake.requests.some((r) => r.path === "/v2/userinfo" && r.headers.authorization === `Bearer ${token}`)).toBe(true);
  });

  it("uploads the story's image through the Images API and sends its URN as the card's thumbnail", async () => {
    const token = linkedinFake.createToken("card-image");
    const member = linkedinFake.member("card-image");
    const before = linkedinFake.requests.length;
    const post = share({ link: { url: "x", title: "Ny fabrik i Esbjerg", description: "200 nye job", imageUrl: `${images.url}/card.png` } });
    const made = await publish({ instanceUrl: null, client: null, account: { externalId: member.sub, handle: "C" } }, bearer(token), post);

    const calls = linkedinFake.requests.slice(before);
    const init = calls.find((r) => r.method === "POST" && r.path === "/rest/images")!;
    expect(init.rawQuery).toBe("action=initializeUpload");
    expect(init.body).toEqual({ initializeUploadRequest: { owner: `urn:li:person:${member.sub}` } });
    expect(init.headers["linkedin-version"]).toMatch(/^20\d{4}$/);
    expect(init.headers["x-restli-protocol-version"]).toBe("2.0.0");
    const upload = calls.find((r) => r.method === "PUT")!;
    expect(upload.path).toMatch(/^\/dms-uploads\//);
    expect(upload.headers.authorization).toBe(`Bearer ${token}`);
    expect(upload.raw.equals(PNG)).toBe(true);
    const created = linkedinFake.posts.find((p) => p.urn === made.externalId)!;
    const thumbnail = (created.body.content as { article: { thumbnail?: string } }).article.thumbnail;
    expect(thumbnail).toMatch(/^urn:li:image:/);
    expect(linkedinFake.image(thumbnail!)?.uploaded).toEqual({ bytes: PNG.length, contentType: "image/png" });
    // Upload, then the post: the image exists before the post names it.
    expect(calls.findIndex((r) => r.method === "PUT")).toBeLessThan(calls.findIndex((r) => r.method === "POST" && r.path === "/rest/posts"));
  });

  it("posts without a thumbnail, once, when any step of the image fails or the image is not one LinkedIn takes", async () => {
    const member = linkedinFake.member("card-image-fails");
    const ctx = { instanceUrl: null, client: null, account: { externalId: member.sub, handle: "F" } };
    const postWith = async (imageUrl: string) => {
      const token = linkedinFake.createToken("card-image-fails");
      const post = share({ link: { url: "x", title: "Uden billede", description: "Kortet uden billede", imageUrl } });
      const made = await publish(ctx, bearer(token), post);
      const created = linkedinFake.posts.filter((p) => p.commentary.includes(post.trackedUrl));
      expect(created).toHaveLength(1);
      expect(created[0]!.urn).toBe(made.externalId);
      return (created[0]!.body.content as { article: Record<string, unknown> }).article;
    };
    // The upload itself fails.
    linkedinFake.inject({ match: (r) => r.method === "PUT" && r.path.startsWith("/dms-uploads/"), status: 500 });
    expect(await postWith(`${images.url}/card.png`)).not.toHaveProperty("thumbnail");
    // initializeUpload is refused.
    linkedinFake.inject({ match: (r) => r.method === "POST" && r.path === "/rest/images", status: 403 });
    expect(await postWith(`${images.url}/card.png`)).not.toHaveProperty("thumbnail");
    // An upload URL that is not LinkedIn's is never sent the token.
    const before = linkedinFake.requests.length;
    linkedinFake.inject({ match: (r) => r.method === "POST" && r.path === "/rest/images", status: 200, body: { value: { uploadUrl: `${images.url}/steal`, image: "urn:li:image:ELSEWHERE" } } });
    expect(await postWith(`${images.url}/card.png`)).not.toHaveProperty("thumbnail");
    expect(linkedinFake.requests.slice(before).some((r) => r.method === "PUT")).toBe(false);
    // A page, not an image: nothing is uploaded.
    const quiet = linkedinFake.requests.length;
    expect(await postWith(`${images.url}/page`)).toEqual({ source: expect.any(String), title: "Uden billede", description: "Kortet uden billede" });
    expect(linkedinFake.requests.slice(quiet).some((r) => r.path === "/rest/images")).toBe(false);
  });

  it("a retired LinkedIn-Version (426) is a configuration problem: invalid NONEXISTENT_VERSION, pointing at LINKEDIN_VERSION", async () => {
    const token = linkedinFake.createToken("retired-version");
    setEnv({ LINKEDIN_VERSION: "202001" });
    try {
      const error = await failure(publish({ instanceUrl: null, client: null, account: { externalId: linkedinFake.member("retired-version").sub, handle: "R" } }, bearer(token), share()));
      expect(error).toMatchObject({ kind: "invalid", code: "NONEXISTENT_VERSION", status: 426 });
      // It names a version that is live today: two months back.
      expect(error.message).toContain(`set LINKEDIN_VERSION to ${linkedinVersionFor(new Date())}`);
      expect(error.transient).toBe(false);
    } finally {
      setEnv({ LINKEDIN_VERSION: undefined });
    }
  });

  it("401 → unauthorized, 403 → forbidden, 5xx → unavailable, 429 → rateLimited until LinkedIn's midnight-UTC reset", async () => {
    const token = linkedinFake.createToken("failing-member");
    const ctx: AccountContext = { instanceUrl: null, client: null, account: { externalId: linkedinFake.member("failing-member").sub, handle: "F" } };
    const isPost = (r: { method: string; path: string }) => r.method === "POST" && r.path === "/rest/posts";

    linkedinFake.inject({ match: isPost, status: 503 });
    expect(await failure(publish(ctx, bearer(token), share()))).toMatchObject({ kind: "unavailable", status: 503, transient: true });

    linkedinFake.inject({ match: isPost, status: 429 });
    const limited = await failure(publish(ctx, bearer(token), share()));
    expect(limited.kind).toBe("rateLimited");
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(Math.abs(Date.now() + limited.retryAfterMs! - midnight.getTime())).toBeLessThan(5_000);

    const readOnly = linkedinFake.createToken("failing-member", ["openid", "profile"]);
    expect(await failure(publish(ctx, bearer(readOnly), share()))).toMatchObject({ kind: "forbidden", status: 403 });

    linkedinFake.revokeToken(token);
    expect(await failure(publish(ctx, bearer(token), share()))).toMatchObject({ kind: "unauthorized", status: 401 });
  });

  it("findPost: the tracked link in the member's recent posts (r_member_social); null for a share never posted; unknown without the scope", async () => {
    const scopes = ["openid", "profile", "email", "w_member_social", "r_member_social"];
    const token = linkedinFake.createToken("finder-member", scopes);
    const ctx: AccountContext = { instanceUrl: null, client: null, account: { externalId: linkedinFake.member("finder-member").sub, handle: "F" } };
    const posted = share();
    const made = await publish(ctx, bearer(token), posted);
    // Another share whose link starts with this one's must not be taken for it.
    await publish(ctx, bearer(token), share({ text: `Mere: ${posted.trackedUrl}X`, trackedUrl: `${posted.trackedUrl}X` }));

    expect(await findPost(ctx, bearer(token), posted)).toEqual({ externalId: made.externalId, url: `https://www.linkedin.com/feed/update/${made.externalId}/` });
    expect(await findPost(ctx, bearer(token), share())).toBeNull();
    const finder = linkedinFake.requests.findLast((r) => r.method === "GET" && r.path === "/rest/posts")!;
    expect(finder.headers["x-restli-method"]).toBe("finder");
    expect(finder.rawQuery).toContain(`author=${encodeURIComponent(`urn:li:person:${linkedinFake.member("finder-member").sub}`)}`);

    // The usual case: Share on LinkedIn does not include r_member_social.
    const usual = linkedinFake.createToken("finder-member");
    expect(await findPost(ctx, bearer(usual), posted)).toBe("unknown");
  });
});

describe("X", () => {
  const publish = publishOf(x);
  const findPost = findPostOf(x);
  const context = (username: string): AccountContext => ({ instanceUrl: null, client: null, account: { externalId: xFake.user(username).id, handle: `@${username}` } });

  it("posts {text} to /2/tweets: id, x.com URL with the username, the rate-limit state; a repeat is a duplicate without an id", async () => {
    const token = xFake.createToken("mette_x");
    const post = share();

    const made = await publish(context("mette_x"), bearer(token), post);

    const tweet = xFake.tweets.find((t) => t.id === made.externalId)!;
    expect(tweet.sentText).toBe(post.text);
    expect(xFake.requests.findLast((r) => r.method === "POST" && r.path === "/2/tweets")!.body).toEqual({ text: post.text });
    expect(made.url).toBe(`https://x.com/mette_x/status/${made.externalId}`);
    expect(made.rateLimit).toMatchObject({ limit: 100, remaining: 99 });
    expect(made.rateLimit!.resetAt.getTime()).toBeGreaterThan(Date.now());

    const again = await failure(publish(context("mette_x"), bearer(token), post));
    expect(again).toMatchObject({ kind: "duplicate", status: 403, existingId: undefined });
    expect(xFake.tweets.filter((t) => t.sentText === post.text)).toHaveLength(1);

    // Without the account's handle: X's id-only address.
    const anonymous = await publish({ instanceUrl: null, client: null }, bearer(token), share());
    expect(anonymous.url).toBe(`https://x.com/i/web/status/${anonymous.externalId}`);
  });

  it("429 waits until x-rate-limit-reset (or the used-up 24-hour cap); 5xx → unavailable; 401 → unauthorized", async () => {
    const token = xFake.createToken("busy_x");
    const isPost = (r: { method: string; path: string }) => r.method === "POST" && r.path === "/2/tweets";
    const now = Math.floor(Date.now() / 1000);

    xFake.inject({ match: isPost, status: 429, headers: { "x-rate-limit-remaining": "0", "x-rate-limit-reset": String(now + 120) } });
    const limited = await failure(publish(context("busy_x"), bearer(token), share()));
    expect(limited).toMatchObject({ kind: "rateLimited", status: 429, transient: true });
    expect(limited.retryAfterMs).toBeGreaterThan(110_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(121_000);

    xFake.inject({
      match: isPost,
      status: 429,
      headers: { "x-rate-limit-reset": String(now + 120), "x-user-limit-24hour-remaining": "0", "x-user-limit-24hour-reset": String(now + 7200) },
    });
    const capped = await failure(publish(context("busy_x"), bearer(token), share()));
    expect(capped.retryAfterMs).toBeGreaterThan(7_100_000);

    xFake.inject({ match: isPost, status: 503 });
    expect(await failure(publish(context("busy_x"), bearer(token), share()))).toMatchObject({ kind: "unavailable", status: 503 });

    xFake.revokeToken(token);
    expect(await failure(publish(context("busy_x"), bearer(token), share()))).toMatchObject({ kind: "unauthorized", status: 401 });
    expect(xFake.tweets.filter((t) => t.authorId === xFake.user("busy_x").id)).toHaveLength(0);
  });

  it("findPost: the tracked link in the user's latest posts (entities.urls[].expanded_url); null when not there; unknown when X hides it behind t.co", async () => {
    const token = xFake.createToken("finder_x");
    const user = xFake.user("finder_x");
    const posted = share();
    // A user with no posts: certainly not posted.
    expect(await findPost(context("finder_x"), bearer(token), posted)).toBeNull();

    const made = await publish(context("finder_x"), bearer(token), posted);
    const tweet = xFake.tweets.find((t) => t.id === made.externalId)!;
    const short = /https:\/\/t\.co\/\S+/.exec(tweet.text)![0];

    // X's answer to tweet.fields=entities,created_at: the t.co link with its expansion.
    const isTimeline = (r: { method: string; path: string }) => r.method === "GET" && r.path === `/2/users/${user.id}/tweets`;
    expect(await findPost(context("finder_x"), bearer(token), posted)).toEqual({ externalId: made.externalId, url: `https://x.com/finder_x/status/${made.externalId}` });
    expect(tweet.text).toContain(short);
    expect(tweet.text).not.toContain(posted.trackedUrl);

    // When X leaves the expansion out, a t.co link could be anything.
    const bare = { id: tweet.id, text: tweet.text, created_at: tweet.createdAt.toISOString(), edit_history_tweet_ids: [tweet.id] };
    xFake.inject({ match: isTimeline, status: 200, body: { data: [bare], meta: { result_count: 1, newest_id: tweet.id, oldest_id: tweet.id } } });
    expect(await findPost(context("finder_x"), bearer(token), posted)).toBe("unknown");

    const lookup = xFake.requests.findLast(isTimeline)!;
    expect(lookup.query.get("max_results")).toBe("20");
    expect(lookup.query.get("tweet.fields")?.split(",")).toEqual(expect.arrayContaining(["entities", "created_at"]));

    expect(await findPost(context("finder_x"), bearer(token), share())).toBeNull();

    // A full page that stops short of the share's creation cannot rule the post out.
    const newer = { ...bare, created_at: new Date(Date.now() + 3_600_000).toISOString() };
    xFake.inject({ match: isTimeline, status: 200, body: { data: [newer], meta: { result_count: 1, next_token: "next" } } });
    expect(await findPost(context("finder_x"), bearer(token), share())).toBe("unknown");

    // An access level without timeline reads: X cannot tell.
    xFake.inject({ match: isTimeline, status: 403 });
    expect(await findPost(context("finder_x"), bearer(token), posted)).toBe("unknown");
    // Transient failures are not an answer.
    xFake.inject({ match: isTimeline, status: 503 });
    expect(await failure(findPost(context("finder_x"), bearer(token), posted))).toMatchObject({ kind: "unavailable" });
  });
});

describe("Mastodon", () => {
  const publish = publishOf(mastodon);
  const findPost = findPostOf(mastodon);

  it("posts with Idempotency-Key = the share id; the same share again returns the same status and posts nothing new", async () => {
    const token = mastodonFake.createToken("mette");
    const ctx: AccountContext = { instanceUrl: mastodonFake.url, client: null, account: { externalId: mastodonFake.account("mette").id, handle: "@mette@fake" } };
    const post = share();

    const made = await publish(ctx, bearer(token), post);

    const request = mastodonFake.requests.findLast((r) => r.method === "POST" && r.path === "/api/v1/statuses")!;
    expect(request.headers["idempotency-key"]).toBe(post.shareId);
    expect(request.body).toEqual({ status: post.text, visibility: "public", language: "da" });
    expect(mastodonFake.statuses.get(made.externalId)?.text).toBe(post.text);
    expect(made.url).toBe(`${mastodonFake.url}/@mette/${made.externalId}`);

    const again = await publish(ctx, bearer(token), post);
    expect(again).toEqual(made);
    expect([...mastodonFake.statuses.values()].filter((s) => s.text === post.text)).toHaveLength(1);
  });

  it("findPost: the tracked link in the account's latest statuses; null for a share never posted; the account id from verify_credentials when not given", async () => {
    const token = mastodonFake.createToken("finder");
    const ctx: AccountContext = { instanceUrl: mastodonFake.url, client: null };
    const posted = share();
    const made = await publish(ctx, bearer(token), posted);
    await publish(ctx, bearer(token), share({ text: `Mere: ${posted.trackedUrl}X & <mere>`, trackedUrl: `${posted.trackedUrl}X` }));

    expect(await findPost(ctx, bearer(token), posted)).toEqual(made);
    expect(await findPost(ctx, bearer(token), share())).toBeNull();
    const lookup = mastodonFake.requests.findLast((r) => r.method === "GET" && r.path.endsWith("/statuses") && r.path.startsWith("/api/v1/accounts/"))!;
    expect(lookup.path).toBe(`/api/v1/accounts/${mastodonFake.account("finder").id}/statuses`);
    expect(lookup.query.get("limit")).toBe("20");
  });

  it("401 → unauthorized, 422 → invalid, 5xx → unavailable, 429 → rateLimited until X-RateLimit-Reset", async () => {
    const token = mastodonFake.createToken("failing");
    const ctx: AccountContext = { instanceUrl: mastodonFake.url, client: null };
    const isPost = (r: { method: string; path: string }) => r.method === "POST" && r.path === "/api/v1/statuses";

    expect(await failure(publish(ctx, bearer(token), share({ text: "   " })))).toMatchObject({ kind: "invalid", status: 422 });

    mastodonFake.inject({ match: isPost, status: 502 });
    expect(await failure(publish(ctx, bearer(token), share()))).toMatchObject({ kind: "unavailable", status: 502 });

    mastodonFake.inject({ match: isPost, status: 429 });
    const limited = await failure(publish(ctx, bearer(token), share()));
    expect(limited.kind).toBe("rateLimited");
    expect(limited.retryAfterMs).toBeGreaterThan(0);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(5 * 60_000);

    mastodonFake.revokeToken(token);
    expect(await failure(publish(ctx, bearer(token), share()))).toMatchObject({ kind: "unauthorized", status: 401 });
  });
});

/** A copy of a PDS access JWT that expired a minute ago, signed as dev-env's PDS signs (HS256, its JWT_SECRET "jwt-secret"). */
function expiredCopy(accessJwt: string): string {
  const [, payload] = accessJwt.split(".");
  const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ typ: "at+jwt", alg: "HS256" })}.${encode({ ...claims, iat: now - 7_200, exp: now - 60 })}`;
  return `${unsigned}.${createHmac("sha256", "jwt-secret").update(unsigned).digest("base64url")}`;
}

describe.skipIf(Boolean(atprotoMissing))("Bluesky on a real local PDS and AppView", () => {
  const publish = publishOf(bluesky);
  const findPost = findPostOf(bluesky);
  const COLLECTION = "app.bsky.feed.post";

  async function signIn() {
    const account = network!.account("mette.test");
    const { tokens, profile } = await bluesky.login(network!.pdsUrl, { identifier: account.handle, password: account.appPassword });
    expect(profile.externalId).toBe(account.did);
    return { account, tokens, ctx: { instanceUrl: network!.pdsUrl, client: null } satisfies AccountContext };
  }

  it(
    "posts a record with link and tag facets (UTF-8 byte offsets) and a card with a thumb, under the share's rkey; a retry leaves one record; findPost by rkey",
    { timeout: 60_000 },
    async () => {
      const { account, tokens, ctx } = await signIn();
      const trackedUrl = `https://ripple.dk/r/${randomUUID().replace(/-/g, "").slice(0, 10)}`;
      // æøå and an emoji before the link: byte offsets differ from string indexes.
      const post = share({
        text: `Blåbærgrød og æøå 🎉 — vores nye fabrik: ${trackedUrl} #grøntskifte`,
        trackedUrl,
        link: { url: trackedUrl, title: "Ny fabrik i Esbjerg", description: "200 nye job", imageUrl: `${images.url}/card.png` },
      });
      const rkey = blueskyRecordKey(post);
      expect(rkey).toMatch(/^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/);
      expect(blueskyRecordKey({ shareId: post.shareId, createdAt: new Date(post.createdAt) })).toBe(rkey);

      const made = await publish(ctx, tokens, post);
      expect(made).toEqual({ externalId: `at://${account.did}/${COLLECTION}/${rkey}`, url: `https://bsky.app/profile/${account.did}/post/${rkey}` });

      // The worker died after the write and the queue runs the share again: the same record, untouched.
      const pds = new AtpAgent({ service: network!.pdsUrl });
      const written = await pds.com.atproto.repo.getRecord({ repo: account.did, collection: COLLECTION, rkey });
      const again = await publish(ctx, tokens, post);
      expect(again).toEqual(made);
      expect((await pds.com.atproto.repo.getRecord({ repo: account.did, collection: COLLECTION, rkey })).data.cid).toBe(written.data.cid);
      const listed = await pds.com.atproto.repo.listRecords({ repo: account.did, collection: COLLECTION, limit: 100 });
      expect(listed.data.records.filter((r) => r.uri === made.externalId)).toHaveLength(1);
      expect(new Set(listed.data.records.map((r) => r.uri)).size).toBe(listed.data.records.length);

      expect(await findPost(ctx, tokens, post)).toEqual(made);
      expect(await findPost(ctx, tokens, share())).toBeNull();

      // The AppView indexes the post with its facets and card.
      await network!.processAll();
      const appview = new AtpAgent({ service: network!.appviewUrl });
      const { data } = await appview.app.bsky.feed.getPosts({ uris: [made.externalId] });
      expect(data.posts).toHaveLength(1);
      const view = data.posts[0]!;
      expect(view.author.did).toBe(account.did);
      const record = view.record as AppBskyFeedPost.Record;
      expect(record.text).toBe(post.text);
      expect(record.langs).toEqual(["da"]);
      const bytes = Buffer.from(post.text, "utf8");
      const linkFacet = record.facets?.find((f) => f.features.some((feature) => feature.$type === "app.bsky.richtext.facet#link"));
      expect(linkFacet?.features[0]).toMatchObject({ uri: trackedUrl });
      expect(linkFacet!.index.byteStart).toBe(Buffer.byteLength(post.text.slice(0, post.text.indexOf(trackedUrl))));
      expect(linkFacet!.index.byteStart).toBeGreaterThan(post.text.indexOf(trackedUrl));
      expect(bytes.subarray(linkFacet!.index.byteStart, linkFacet!.index.byteEnd).toString("utf8")).toBe(trackedUrl);
      const tagFacet = record.facets?.find((f) => f.features.some((feature) => feature.$type === "app.bsky.richtext.facet#tag"));
      expect(bytes.subarray(tagFacet!.index.byteStart, tagFacet!.index.byteEnd).toString("utf8")).toBe("#grøntskifte");
      expect(AppBskyEmbedExternal.isView(view.embed)).toBe(true);
      const card = (view.embed as AppBskyEmbedExternal.View).external;
      expect(card).toMatchObject({ uri: trackedUrl, title: "Ny fabrik i Esbjerg", description: "200 nye job" });
      expect(card.thumb).toEqual(expect.any(String));
    },
  );

  it("an image that cannot be used (over 1,000,000 bytes, not an image, unreachable) gives a card without a thumb, never a failed post", async () => {
    const { tokens, ctx } = await signIn();
    for (const imageUrl of [`${images.url}/huge.png`, `${images.url}/page`, "http://10.255.255.1/blocked.png"]) {
      const post = share({ link: { url: "x", title: "Uden billede", description: "Kortet uden billede", imageUrl } });
      const made = await publish(ctx, tokens, post);
      const pds = new AtpAgent({ service: network!.pdsUrl });
      const { data } = await pds.com.atproto.repo.getRecord({ repo: made.externalId.split("/")[2]!, collection: COLLECTION, rkey: blueskyRecordKey(post) });
      const embed = (data.value as AppBskyFeedPost.Record).embed as unknown as { external: Record<string, unknown> };
      expect(embed.external).toMatchObject({ uri: post.trackedUrl, title: "Uden billede" });
      expect(embed.external.thumb).toBeUndefined();
    }
  });

  it("a record of another share under the share's key (a key collision) is neither overwritten nor claimed", async () => {
    const { account, tokens, ctx } = await signIn();
    const post = share();
    const rkey = blueskyRecordKey(post);
    const agent = new AtpAgent({ service: network!.pdsUrl });
    await agent.login({ identifier: account.handle, password: account.appPassword });
    const other = { $type: COLLECTION, text: "En anden deling: https://ripple.dk/r/other", createdAt: new Date().toISOString() };
    const { data: written } = await agent.com.atproto.repo.putRecord({ repo: account.did, collection: COLLECTION, rkey, record: other });

    expect(await failure(publish(ctx, tokens, post))).toMatchObject({ kind: "invalid", code: "RecordKeyTaken" });
    expect(await findPost(ctx, tokens, post)).toBe("unknown");
    expect((await agent.com.atproto.repo.getRecord({ repo: account.did, collection: COLLECTION, rkey })).data.cid).toBe(written.cid);
  });

  it("an expired access JWT (400 ExpiredToken) is refreshed on the way and the renewed pair handed to saveTokens; without a refresh JWT it is unauthorized", async () => {
    const { account, tokens } = await signIn();
    const saved: TokenSet[] = [];
    const ctx: AccountContext = { instanceUrl: network!.pdsUrl, client: null, account: { externalId: account.did, handle: account.handle }, saveTokens: async (t) => void saved.push(t) };
    const expired = expiredCopy(tokens.accessToken);

    const post = share();
    const made = await publish(ctx, bearer(expired, tokens.refreshToken), post);
    expect(made.externalId).toBe(`at://${account.did}/${COLLECTION}/${blueskyRecordKey(post)}`);
    expect(saved).toHaveLength(1);
    expect(saved[0]!.accessToken).not.toBe(expired);
    expect(saved[0]!.refreshToken).not.toBe(tokens.refreshToken);
    expect(saved[0]!.expiresAt!.getTime()).toBeGreaterThan(Date.now());
    const session = await new AtpAgent({ service: network!.pdsUrl }).com.atproto.server.getSession(undefined, { headers: { authorization: `Bearer ${saved[0]!.accessToken}` } });
    expect(session.data.did).toBe(account.did);

    const refused = await failure(publish(ctx, bearer(expired, null), share()));
    expect(refused).toMatchObject({ kind: "unauthorized", code: "ExpiredToken", status: 400 });
  });
});

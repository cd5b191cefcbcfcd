import { randomUUID } from "node:crypto";
import { AtpAgent } from "@atproto/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bluesky } from "@/lib/networks/bluesky";
import { linkedin } from "@/lib/networks/linkedin";
import { mastodon } from "@/lib/networks/mastodon";
import { UNEXPECTED_ANSWER, type AccountContext, type MeasuredPost, type NetworkAdapter, type OutgoingPost, type PostMetrics, type TokenSet } from "@/lib/networks/types";
import { x } from "@/lib/networks/x";
import type { FakeRequest } from "../fakes/common";
import { startFakeLinkedIn, type FakeLinkedIn } from "../fakes/linkedin";
import { startFakeMastodon, type FakeMastodon } from "../fakes/mastodon";
import { startFakeX, type FakeX } from "../fakes/x";
import { atprotoNetworkMissing, startAtprotoNetwork, type AtprotoNetwork } from "../support/atproto";
import { envOverride } from "../support/env-override";
import { failure } from "../support/network-error";

/**
 * Reading a published post's reach through the adapters (adapter.metrics) against the fake
 * LinkedIn, X and Mastodon (tests/fakes, after networks.md) and a real local Bluesky
 * network (PLC + PDS + AppView, tests/support/atproto), where other accounts like, repost,
 * reply to and quote the post. The local servers are reached through the allow list
 * (FETCH_ALLOW_HOSTS), not ALLOW_PRIVATE_FETCH.
 */

const X_CLIENT = { clientId: "ripple-x-client", clientSecret: "ripple-x-secret-0123456789" };
const LINKEDIN_CLIENT = { clientId: "ripple-linkedin-client", clientSecret: "ripple-linkedin-secret-0123456789" };
const DAY_MS = 24 * 3600_000;
const atprotoMissing = atprotoNetworkMissing();

let linkedinFake: FakeLinkedIn;
let xFake: FakeX;
let mastodonFake: FakeMastodon;
let network: AtprotoNetwork | undefined;

const { set: setEnv, restore: restoreEnv } = envOverride();

const hostOf = (url: string) => new URL(url).host;

beforeAll(async () => {
  [linkedinFake, xFake, mastodonFake, network] = await Promise.all([
    startFakeLinkedIn(LINKEDIN_CLIENT),
    startFakeX(X_CLIENT),
    startFakeMastodon(),
    atprotoMissing ? Promise.resolve(undefined) : startAtprotoNetwork({ accounts: [{ handle: "mette.test" }, { handle: "john.test" }, { handle: "anna.test" }] }),
  ]);
  setEnv({
    ALLOW_PRIVATE_FETCH: undefined,
    FETCH_ALLOW_HOSTS: [linkedinFake.url, xFake.url, mastodonFake.url, ...(network ? [network.pdsUrl, network.appviewUrl] : [])].map(hostOf).join(","),
    LINKEDIN_API_URL: linkedinFake.url,
    LINKEDIN_AUTH_URL: linkedinFake.url,
    LINKEDIN_VERSION: undefined,
    X_API_URL: xFake.url,
    ...(network && { BLUESKY_APPVIEW_URL: network.appviewUrl }),
  });
}, 150_000);

afterAll(async () => {
  restoreEnv();
  await Promise.all([linkedinFake?.close(), xFake?.close(), mastodonFake?.close(), network?.close()]);
}, 90_000);

const bearer = (accessToken: string): TokenSet => ({ accessToken, refreshToken: null, expiresAt: null, refreshExpiresAt: null, scopes: [] });

function share(): OutgoingPost {
  const trackedUrl = `https://ripple.dk/r/${randomUUID().replace(/-/g, "").slice(0, 10)}`;
  return {
    shareId: randomUUID(),
    createdAt: new Date(Date.now() - 1000),
    text: `Vindmølle A/S åbner ny fabrik i Esbjerg — læs mere: ${trackedUrl}`,
    trackedUrl,
    language: "da",
    link: { url: trackedUrl, title: "Ny fabrik i Esbjerg", description: "200 nye job", imageUrl: null },
  };
}

/** The NetworkError a promise rejects with. */

function metricsOf(adapter: NetworkAdapter) {
  return adapter.metrics!.bind(adapter);
}

/** What a post's metrics look like: the given figures, every other one null. */
const figures = (values: Partial<Omit<PostMetrics, "measuredAt" | "source">>): PostMetrics => ({
  impressions: null,
  reached: null,
  reactions: null,
  reposts: null,
  replies: null,
  quotes: null,
  clicks: null,
  saves: null,
  ...values,
  measuredAt: expect.any(Date) as unknown as Date,
  source: "network",
});

const posted = (externalId: string, publishedAt = new Date()): MeasuredPost => ({ externalId, publishedAt });

describe("LinkedIn", () => {
  const metrics = metricsOf(linkedin);
  const isAnalytics = (r: FakeRequest) => r.method === "GET" && r.path === "/rest/memberCreatorPostAnalytics";

  async function publishAs(username: string, scopes?: string[]) {
    const token = linkedinFake.createToken(username, scopes);
    const ctx: AccountContext = { instanceUrl: null, client: null, account: { externalId: linkedinFake.member(username).sub, handle: username } };
    const made = await linkedin.publish!(ctx, bearer(token), share());
    return { token, ctx, urn: made.externalId };
  }

  it("reads every metric type from memberCreatorPostAnalytics (finder, version headers, Rest.li entity); a deleted post is gone", async () => {
    const { token, ctx, urn } = await publishAs("analytics-member");
    const other = await publishAs("analytics-member");
    linkedinFake.setMetrics(urn, { IMPRESSION: 1200, MEMBERS_REACHED: 800, RESHARE: 4, REACTION: 37, COMMENT: 6, POST_SAVE: 3 });
    linkedinFake.deletePost(other.urn);
    const before = linkedinFake.requests.length;

    const result = await metrics(ctx, bearer(token), [posted(urn), posted(other.urn)]);

    expect(result).toEqual(
      new Map<string, PostMetrics | "gone">([
        [urn, figures({ impressions: 1200, reached: 800, reposts: 4, reactions: 37, replies: 6, saves: 3 })],
        [other.urn, "gone"],
      ]),
    );
    const calls = linkedinFake.requests.slice(before).filter((r) => isAnalytics(r) && r.rawQuery.includes(encodeURIComponent(urn)));
    expect(calls.map((r) => r.query.get("queryType")).sort()).toEqual(["COMMENT", "IMPRESSION", "MEMBERS_REACHED", "POST_SAVE", "REACTION", "RESHARE"]);
    for (const call of calls) {
      expect(call.headers.authorization).toBe(`Bearer ${token}`);
      expect(call.headers["linkedin-version"]).toMatch(/^20\d{4}$/);
      expect(call.headers["x-restli-protocol-version"]).toBe("2.0.0");
      expect(call.headers["x-restli-method"]).toBe("finder");
      expect(call.query.get("q")).toBe("entity");
      expect(call.query.get("aggregation")).toBe("TOTAL");
      expect(call.rawQuery).toContain(`entity=(share:${encodeURIComponent(urn)})`);
    }
  });

  it("an API version without POST_SAVE (400 for that type alone) leaves saves null and keeps the rest", async () => {
    const { token, ctx, urn } = await publishAs("saveless-member");
    linkedinFake.setMetrics(urn, { IMPRESSION: 50, REACTION: 2 });
    linkedinFake.inject({ match: (r) => isAnalytics(r) && r.query.get("queryType") === "POST_SAVE", status: 400 });

    const result = await metrics(ctx, bearer(token), [posted(urn)]);

    expect(result.get(urn)).toEqual(figures({ impressions: 50, reached: 0, reposts: 0, reactions: 2, replies: 0, saves: null }));
  });

  it("reads the metric type in the object form older API versions answer with, the same as the string form", async () => {
    const { token, ctx, urn } = await publishAs("older-version-member");
    linkedinFake.setMetrics(urn, { IMPRESSION: 700, MEMBERS_REACHED: 500, RESHARE: 1, REACTION: 9, COMMENT: 2, POST_SAVE: 1 });
    const expected = figures({ impressions: 700, reached: 500, reposts: 1, reactions: 9, replies: 2, saves: 1 });
    linkedinFake.answerMetricTypesAs("object");
    try {
      expect((await metrics(ctx, bearer(token), [posted(urn)])).get(urn)).toEqual(expected);
    } finally {
      linkedinFake.answerMetricTypesAs("string");
    }
    expect((await metrics(ctx, bearer(token), [posted(urn)])).get(urn)).toEqual(expected);
  });

  it("an answer in a shape it cannot read fails as invalid, named UNEXPECTED_ANSWER (a poll ends on it rather than retrying)", async () => {
    const { token, ctx, urn } = await publishAs("unknown-shape-member");
    linkedinFake.inject({ match: isAnalytics, status: 200, body: { elements: [{ count: 5, metricType: ["IMPRESSION"] }] }, times: 6 });
    expect(await failure(metrics(ctx, bearer(token), [posted(urn)]))).toMatchObject({ kind: "invalid", code: UNEXPECTED_ANSWER });
  });

  it("without r_member_postAnalytics → forbidden; a revoked token → unauthorized; 429 → rateLimited until LinkedIn's reset", async () => {
    const withoutScope = await publishAs("no-analytics", ["openid", "profile", "email", "w_member_social"]);
    expect(await failure(metrics(withoutScope.ctx, bearer(withoutScope.token), [posted(withoutScope.urn)]))).toMatchObject({ kind: "forbidden", status: 403 });

    const { token, ctx, urn } = await publishAs("limited-member");
    linkedinFake.inject({ match: isAnalytics, status: 429 });
    const limited = await failure(metrics(ctx, bearer(token), [posted(urn)]));
    expect(limited.kind).toBe("rateLimited");
    expect(limited.retryAfterMs).toBeGreaterThan(0);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(DAY_MS);

    linkedinFake.revokeToken(token);
    expect(await failure(metrics(ctx, bearer(token), [posted(urn)]))).toMatchObject({ kind: "unauthorized", status: 401 });
  });
});

describe("X", () => {
  const metrics = metricsOf(x);
  const context = (username: string): AccountContext => ({ instanceUrl: null, client: null, account: { externalId: xFake.user(username).id, handle: `@${username}` } });
  const isLookup = (r: FakeRequest) => r.method === "GET" && r.path === "/2/tweets";
  const lookupsSince = (count: number) =>
    xFake.requests
      .slice(count)
      .filter(isLookup)
      .map((r) => ({ ids: r.query.get("ids")!.split(","), fields: r.query.get("tweet.fields")!.split(",").sort() }));

  async function publishAs(username: string) {
    const token = xFake.createToken(username);
    const made = await x.publish!(context(username), bearer(token), share());
    return { token, id: made.externalId };
  }

  it("a post under 30 days: public, non-public and organic metrics with the author's token (impressions and link clicks from the author's view)", async () => {
    const { token, id } = await publishAs("metrics_x");
    xFake.setMetrics(id, {
      public: { like_count: 12, retweet_count: 3, reply_count: 2, quote_count: 1, bookmark_count: 5, impression_count: 900 },
      nonPublic: { impression_count: 950, url_link_clicks: 40, user_profile_clicks: 7 },
      organic: { impression_count: 950, url_link_clicks: 40, like_count: 12, reply_count: 2, retweet_count: 3, user_profile_clicks: 7 },
    });
    const before = xFake.requests.length;

    const result = await metrics(context("metrics_x"), bearer(token), [posted(id)]);

    expect(result).toEqual(new Map([[id, figures({ impressions: 950, reactions: 12, reposts: 3, replies: 2, quotes: 1, clicks: 40, saves: 5 })]]));
    expect(lookupsSince(before)).toEqual([{ ids: [id], fields: ["non_public_metrics", "organic_metrics", "public_metrics"] }]);
    expect(xFake.requests.findLast(isLookup)!.headers.authorization).toBe(`Bearer ${token}`);
  });

  it("a post 30 days or older is asked for public_metrics alone, in its own request; its clicks are null", async () => {
    const fresh = await publishAs("aged_x");
    const old = await publishAs("aged_x");
    const longAgo = new Date(Date.now() - 40 * DAY_MS);
    xFake.setCreatedAt(old.id, longAgo);
    xFake.setMetrics(old.id, { public: { like_count: 30, retweet_count: 6, reply_count: 4, quote_count: 2, bookmark_count: 9, impression_count: 5000 } });
    xFake.setMetrics(fresh.id, { public: { like_count: 1, impression_count: 10 }, nonPublic: { impression_count: 11, url_link_clicks: 2 } });
    const before = xFake.requests.length;

    const result = await metrics(context("aged_x"), bearer(fresh.token), [posted(old.id, longAgo), posted(fresh.id)]);

    expect(result.get(old.id)).toEqual(figures({ impressions: 5000, reactions: 30, reposts: 6, replies: 4, quotes: 2, saves: 9, clicks: null }));
    expect(result.get(fresh.id)).toEqual(figures({ impressions: 11, reactions: 1, reposts: 0, replies: 0, quotes: 0, saves: 0, clicks: 2 }));
    expect(lookupsSince(before)).toEqual([
      { ids: [fresh.id], fields: ["non_public_metrics", "organic_metrics", "public_metrics"] },
      { ids: [old.id], fields: ["public_metrics"] },
    ]);
  });

  it("a post X refuses the private fields for although our date says it is recent is asked again for public_metrics", async () => {
    const { token, id } = await publishAs("skewed_x");
    xFake.setCreatedAt(id, new Date(Date.now() - 31 * DAY_MS));
    xFake.setMetrics(id, { public: { like_count: 8, impression_count: 70 } });
    const before = xFake.requests.length;

    const result = await metrics(context("skewed_x"), bearer(token), [posted(id)]);

    expect(result.get(id)).toEqual(figures({ impressions: 70, reactions: 8, reposts: 0, replies: 0, quotes: 0, saves: 0, clicks: null }));
    expect(lookupsSince(before).map((l) => l.fields)).toEqual([["non_public_metrics", "organic_metrics", "public_metrics"], ["public_metrics"]]);
  });

  it("a deleted post and an id X never had are gone; more than 100 ids are split into requests of at most 100", async () => {
    const { token, id } = await publishAs("batch_x");
    const deleted = await publishAs("batch_x");
    xFake.deleteTweet(deleted.id);
    xFake.setMetrics(id, { public: { like_count: 4 } });
    const unknown = Array.from({ length: 100 }, (_, i) => String(1_000_000_000_000 + i));
    const before = xFake.requests.length;

    const result = await metrics(context("batch_x"), bearer(token), [...unknown, deleted.id, id].map((externalId) => posted(externalId)));

    expect(result.size).toBe(102);
    expect(result.get(id)).toMatchObject({ reactions: 4 });
    expect(result.get(deleted.id)).toBe("gone");
    expect(unknown.every((u) => result.get(u) === "gone")).toBe(true);
    const lookups = lookupsSince(before);
    expect(lookups.map((l) => l.ids.length)).toEqual([100, 2]);
    expect(lookups.flatMap((l) => l.ids).sort()).toEqual([...unknown, deleted.id, id].sort());
  });

  it("a revoked token → unauthorized; 429 → rateLimited until x-rate-limit-reset", async () => {
    const { token, id } = await publishAs("limited_x");
    const reset = Math.floor(Date.now() / 1000) + 600;
    xFake.inject({ match: isLookup, status: 429, headers: { "x-rate-limit-remaining": "0", "x-rate-limit-reset": String(reset) } });
    const limited = await failure(metrics(context("limited_x"), bearer(token), [posted(id)]));
    expect(limited).toMatchObject({ kind: "rateLimited", status: 429 });
    expect(limited.retryAfterMs).toBeGreaterThan(590_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(601_000);

    xFake.revokeToken(token);
    expect(await failure(metrics(context("limited_x"), bearer(token), [posted(id)]))).toMatchObject({ kind: "unauthorized", status: 401 });
  });
});

describe("Mastodon", () => {
  const metrics = metricsOf(mastodon);
  const ctx = (): AccountContext => ({ instanceUrl: mastodonFake.url, client: null });

  it("favourites, reblogs and replies from GET /api/v1/statuses/:id; no impressions, clicks or saves (null); a deleted status is gone", async () => {
    const token = mastodonFake.createToken("mette");
    const live = await mastodon.publish!(ctx(), bearer(token), share());
    const deleted = await mastodon.publish!(ctx(), bearer(token), share());
    mastodonFake.setCounts(live.externalId, { favourites: 7, reblogs: 3, replies: 2 });
    mastodonFake.deleteStatus(deleted.externalId);
    const before = mastodonFake.requests.length;

    const result = await metrics(ctx(), bearer(token), [posted(live.externalId), posted(deleted.externalId)]);

    expect(result).toEqual(
      new Map<string, PostMetrics | "gone">([
        [live.externalId, figures({ reactions: 7, reposts: 3, replies: 2 })],
        [deleted.externalId, "gone"],
      ]),
    );
    const reads = mastodonFake.requests.slice(before).filter((r) => r.method === "GET");
    expect(reads.map((r) => r.path)).toEqual([`/api/v1/statuses/${live.externalId}`, `/api/v1/statuses/${deleted.externalId}`]);
    expect(reads.every((r) => r.headers.authorization === `Bearer ${token}`)).toBe(true);
  });

  it("a revoked token → unauthorized; 429 → rateLimited until X-RateLimit-Reset", async () => {
    const token = mastodonFake.createToken("limited");
    const made = await mastodon.publish!(ctx(), bearer(token), share());
    const isRead = (r: FakeRequest) => r.method === "GET" && r.path === `/api/v1/statuses/${made.externalId}`;

    mastodonFake.inject({ match: isRead, status: 429 });
    const limited = await failure(metrics(ctx(), bearer(token), [posted(made.externalId)]));
    expect(limited.kind).toBe("rateLimited");
    expect(limited.retryAfterMs).toBeGreaterThan(0);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(5 * 60_000);

    mastodonFake.revokeToken(token);
    expect(await failure(metrics(ctx(), bearer(token), [posted(made.externalId)]))).toMatchObject({ kind: "unauthorized", status: 401 });
  });
});

describe.skipIf(Boolean(atprotoMissing))("Bluesky on a real local PDS and AppView", () => {
  const metrics = metricsOf(bluesky);
  const COLLECTION = "app.bsky.feed.post";

  /** An agent signed in as one of the network's accounts. */
  async function agentOf(handle: string) {
    const account = network!.account(handle);
    const agent = new AtpAgent({ service: network!.pdsUrl });
    await agent.login({ identifier: account.handle, password: account.appPassword });
    return { agent, account };
  }

  /** mette.test publishes a share through the adapter; the post's uri and cid. */
  async function publishShare() {
    const account = network!.account("mette.test");
    const { tokens } = await bluesky.login(network!.pdsUrl, { identifier: account.handle, password: account.appPassword });
    const ctx: AccountContext = { instanceUrl: network!.pdsUrl, client: null, account: { externalId: account.did, handle: account.handle } };
    const made = await bluesky.publish!(ctx, tokens, share());
    const rkey = made.externalId.split("/").pop()!;
    const { data } = await new AtpAgent({ service: network!.pdsUrl }).com.atproto.repo.getRecord({ repo: account.did, collection: COLLECTION, rkey });
    return { ctx, tokens, uri: made.externalId, cid: data.cid!, rkey };
  }

  it("likes, reposts, replies and quotes by other accounts, read from getPosts on the AppView; impressions and clicks null", { timeout: 60_000 }, async () => {
    const { ctx, tokens, uri, cid } = await publishShare();
    await network!.like(uri, cid, "john.test");
    await network!.like(uri, cid, "anna.test");
    await network!.repost(uri, cid, "anna.test");
    await network!.reply(uri, cid, "john.test", "Flot!");
    const { agent: john } = await agentOf("john.test");
    await john.post({ text: "Se her", embed: { $type: "app.bsky.embed.record", record: { uri, cid } } });
    await network!.processAll();

    const result = await metrics(ctx, tokens, [posted(uri)]);

    // saves: the AppView counts bookmarks (bookmarkCount), and nobody bookmarked it.
    expect(result).toEqual(new Map([[uri, figures({ reactions: 2, reposts: 1, replies: 1, quotes: 1, saves: 0 })]]));
  });

  it("needs no token (the counts are public): a dead session still reads them", { timeout: 60_000 }, async () => {
    const { ctx, uri, cid } = await publishShare();
    await network!.like(uri, cid, "anna.test");
    await network!.processAll();

    const result = await metrics(ctx, bearer("not-a-session"), [posted(uri)]);

    expect(result.get(uri)).toMatchObject({ reactions: 1, reposts: 0, replies: 0 });
  });

  it("a deleted post is gone, also among more than 25 uris (getPosts takes 25 at a time); a record the AppView does not show as a post gets no answer", { timeout: 60_000 }, async () => {
    const kept = await publishShare();
    const deleted = await publishShare();
    await network!.like(kept.uri, kept.cid, "john.test");
    const { agent: mette, account } = await agentOf("mette.test");
    await mette.com.atproto.repo.deleteRecord({ repo: account.did, collection: COLLECTION, rkey: deleted.rkey });
    // A record that exists at the PDS but is no post the AppView shows (a like): as
    // with a post not indexed yet, the answer is "not now", never "gone".
    const like = await network!.like(kept.uri, kept.cid, "anna.test");
    await network!.processAll();
    const neverPosted = Array.from({ length: 26 }, (_, i) => `at://${account.did}/${COLLECTION}/3kaaaaaaaaa${String.fromCharCode(97 + i)}2`);

    const result = await metrics(kept.ctx, kept.tokens, [...neverPosted, deleted.uri, kept.uri, like.uri].map((uri) => posted(uri)));

    expect(result.get(kept.uri)).toMatchObject({ reactions: 2 });
    expect(result.get(deleted.uri)).toBe("gone");
    expect(neverPosted.every((uri) => result.get(uri) === "gone")).toBe(true);
    expect(result.has(like.uri)).toBe(false);
    expect(result.size).toBe(28);
  });
});

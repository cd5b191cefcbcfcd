import { randomBytes, randomUUID } from "node:crypto";
import { AtpAgent } from "@atproto/api";
import type { Job, Worker } from "bullmq";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { apiBudget, updateXApiSettings } from "@/lib/orgs/api-budget";
import { dailyRollups, notifications, pointsLedger, reachPolls, reachSnapshots, shares, socialConnections, type Share, type SocialConnection } from "@/db/schema";
import { completeConnect, decryptTokens, startConnect } from "@/lib/connections";
import { encryptTokens } from "@/lib/connections/secrets";
import { closeDb, db } from "@/lib/db";
import { bluesky } from "@/lib/networks/bluesky";
import { createRedis, getQueue, redis, type RedisClient } from "@/lib/queue";
import { increaseOver, pollShare } from "@/lib/reach/poll";
import { createShares } from "@/lib/shares";
import { publishShare } from "@/lib/shares/publish";
import { claimDuePolls, nextPollOf } from "@/lib/reach/schedule";
import { createTeam } from "@/lib/teams";
import { reachProcessors } from "@/workers/processors/reach";
import { startWorker } from "@/workers/runtime";
import type { FakeRequest } from "../fakes/common";
import { startFakeLinkedIn, type FakeLinkedIn } from "../fakes/linkedin";
import { startFakeMastodon, type FakeMastodon } from "../fakes/mastodon";
import { startFakeX, type FakeX } from "../fakes/x";
import { atprotoNetworkMissing, startAtprotoNetwork, type AtprotoNetwork } from "../support/atproto";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { envOverride } from "../support/env-override";
import { connectFakeAccount } from "../support/fake-accounts";
import { acceptCurrentGuidelines, makeConnection, makeMember, makeOrganization, makePublishedStory } from "../support/factories";
import { clearRedisPrefix } from "../support/test-env";

/**
 * Metric polls of published shares (lib/reach/poll.ts through the reach worker): shares
 * published by the real publisher to the fake LinkedIn, X and Mastodon and to a real local
 * Bluesky network, their counts polled, stored as measured snapshots and added to the
 * rollups and points as increases; a deleted post, a revoked token or a missing analytics
 * permission ends the polling quietly; a 429 waits without spending an attempt.
 *
 * A database and queue prefix of its own: the reconciler and the worker act on every share
 * and job they find.
 */
const runPrefix = process.env.QUEUE_PREFIX!;
process.env.QUEUE_PREFIX = `${runPrefix}-reach-poll`;

const X_CLIENT = { clientId: "ripple-x-client", clientSecret: "ripple-x-secret-0123456789" };
const LINKEDIN_CLIENT = { clientId: "ripple-linkedin-client", clientSecret: "ripple-linkedin-secret-0123456789" };
const HOUR = 3600_000;
const atprotoMissing = atprotoNetworkMissing();

let database: TestDatabase;
let linkedinFake: FakeLinkedIn;
let xFake: FakeX;
let mastodonFake: FakeMastodon;
let network: AtprotoNetwork | undefined;
let worker: Worker;
let workerRedis: RedisClient;

const { set: setEnv, restore: restoreEnv } = envOverride();
const hostOf = (url: string) => new URL(url).host;

beforeAll(async () => {
  [database, linkedinFake, xFake, mastodonFake, network] = await Promise.all([
    createTestDatabase("reach_poll"),
    startFakeLinkedIn(LINKEDIN_CLIENT),
    startFakeX(X_CLIENT),
    startFakeMastodon(),
    atprotoMissing ? Promise.resolve(undefined) : startAtprotoNetwork({ accounts: [{ handle: "mette.test" }, { handle: "john.test" }, { handle: "anna.test" }] }),
  ]);
  setEnv({
    DATABASE_URL: database.url,
    APP_URL: "https://ripple.dk",
    ALLOW_PRIVATE_FETCH: undefined,
    FETCH_ALLOW_HOSTS: [linkedinFake.url, xFake.url, mastodonFake.url, ...(network ? [network.pdsUrl, network.appviewUrl] : [])].map(hostOf).join(","),
    LINKEDIN_API_URL: linkedinFake.url,
    LINKEDIN_AUTH_URL: linkedinFake.url,
    LINKEDIN_CLIENT_ID: LINKEDIN_CLIENT.clientId,
    LINKEDIN_CLIENT_SECRET: LINKEDIN_CLIENT.clientSecret,
    LINKEDIN_VERSION: undefined,
    X_API_URL: xFake.url,
    X_AUTH_URL: xFake.url,
    X_CLIENT_ID: X_CLIENT.clientId,
    X_CLIENT_SECRET: X_CLIENT.clientSecret,
    ...(network && { BLUESKY_APPVIEW_URL: network.appviewUrl }),
  });
  workerRedis = createRedis("worker");
  worker = startWorker("reach", reachProcessors(), workerRedis, { concurrency: 2 });
  await worker.waitUntilReady();
}, 150_000);

afterAll(async () => {
  await worker?.close();
  await workerRedis?.quit();
  await closeDb();
  await Promise.all([linkedinFake?.close(), xFake?.close(), mastodonFake?.close(), network?.close(), database?.drop()]);
  await clearRedisPrefix(process.env.REDIS_URL!, process.env.QUEUE_PREFIX!);
  restoreEnv();
}, 90_000);

// --- the scene: an employee in a team, a story, her accounts, a published share --------------

async function scene() {
  const { cli } = await makeOrganization("Vindmølle A/S");
  const team = await createTeam(db(), cli, { name: `Salg ${randomBytes(3).toString("hex")}` });
  const story = await makePublishedStory(cli, { title: "Ny fabrik i Esbjerg", canonicalUrl: "https://vindmoelle.example/nyheder/fabrik" });
  const member = await makeMember(cli, ["employee"], { name: "Mette Jensen", teamId: team.id });
  await acceptCurrentGuidelines(cli, member.user.id);
  return { cli, story, teamId: team.id, userId: member.user.id, scope: member.scope };
}
type Scene = Awaited<ReturnType<typeof scene>>;

async function fakeAccount(s: Scene, net: "x" | "mastodon" | "linkedin", options: { scopes?: string[] } = {}) {
  return connectFakeAccount({ x: xFake, mastodon: mastodonFake, linkedin: linkedinFake }, s.cli, s.userId, net, `mette_${randomBytes(4).toString("hex")}`, options);
}

/** The employee shares the story from the account; the real publisher posts it (and queues its polls). */
async function published(s: Scene, connection: SocialConnection): Promise<Share> {
  const [share] = await createShares(db(), s.scope, s.userId, { storyId: s.story.id, posts: [{ connectionId: connection.id, text: "Vi åbner en ny fabrik i Esbjerg" }] });
  expect(await publishShare(db(), redis(), share!.id)).toBe("published");
  return reload(share!.id);
}

async function reload(id: string): Promise<Share> {
  const [row] = await db().select().from(shares).where(eq(shares.id, id));
  return row!;
}

const reachJob = (shareId: string, poll: number) => getQueue("reach").getJob(`reach-${shareId}-${poll}`);

/**
 * Runs the share's poll now through the worker, as if its time had come: its row made due and
 * claimed by the dispatcher (a job still delayed, waiting out a rate limit, is promoted); the
 * job once it settled.
 */
async function runPoll(shareId: string, poll: number, states = ["completed", "failed"]): Promise<Job> {
  expect(await nextPollOf(db(), shareId), `poll ${poll} is next`).toMatchObject({ poll });
  await db().update(reachPolls).set({ dueAt: new Date() }).where(eq(reachPolls.shareId, shareId));
  await claimDuePolls(db());
  const job = (await reachJob(shareId, poll))!;
  expect(job, `poll ${poll} is queued`).toBeDefined();
  if ((await job.getState()) === "delayed") await job.promote();
  await vi.waitFor(
    async () => {
      const now = (await reachJob(shareId, poll))!;
      expect(states).toContain(await now.getState());
      expect(now.attemptsStarted).toBeGreaterThanOrEqual(1);
    },
    { timeout: 20_000, interval: 50 },
  );
  return (await reachJob(shareId, poll))!;
}

async function snapshots(shareId: string) {
  return db().select().from(reachSnapshots).where(and(eq(reachSnapshots.shareId, shareId), eq(reachSnapshots.source, "measured"))).orderBy(reachSnapshots.capturedAt);
}

/** A rollup's figures summed over its days (a test may straddle midnight UTC). */
async function rollup(dimension: "org" | "share" | "user" | "team" | "story" | "network", id: string, net = "all") {
  const [row] = await db()
    .select({
      impressions: sql<number>`coalesce(sum(${dailyRollups.impressions}), 0)::int`,
      engagements: sql<number>`coalesce(sum(${dailyRollups.engagements}), 0)::int`,
      clicks: sql<number>`coalesce(sum(${dailyRollups.clicks}), 0)::int`,
    })
    .from(dailyRollups)
    .where(and(eq(dailyRollups.dimension, dimension), eq(dailyRollups.dimensionId, id), eq(dailyRollups.network, net)));
  return row!;
}

async function engagementPoints(userId: string): Promise<number> {
  const [row] = await db()
    .select({ points: sql<number>`coalesce(sum(${pointsLedger.points}), 0)::int` })
    .from(pointsLedger)
    .where(and(eq(pointsLedger.userId, userId), eq(pointsLedger.action, "engagement")));
  return row!.points;
}

/** The share's next scheduled poll; null once polling ended. */
const nextPoll = async (shareId: string) => (await nextPollOf(db(), shareId))?.poll ?? null;

const isTweetLookup = (r: FakeRequest) => r.method === "GET" && r.path === "/2/tweets";

// --- measured snapshots and increases -----------------------------------------------------------

describe("a poll stores the network's counts and adds the increase to the rollups", () => {
  it("X: impressions and engagements (likes + replies + reposts + quotes) reach every rollup; link clicks stay in the snapshot only", async () => {
    const s = await scene();
    const { connection } = await fakeAccount(s, "x");
    const share = await published(s, connection);
    xFake.setMetrics(share.externalId!, {
      public: { like_count: 12, retweet_count: 3, reply_count: 2, quote_count: 1, bookmark_count: 5, impression_count: 900 },
      nonPublic: { impression_count: 950, url_link_clicks: 40 },
    });

    const job = await runPoll(share.id, 0);

    expect(job.returnvalue).toBe("stored");
    const [snapshot] = await snapshots(share.id);
    expect(snapshot).toMatchObject({ orgId: s.cli.orgId, poll: 0, impressions: 950, likes: 12, comments: 2, reshares: 3, quotes: 1, clicks: 40, saves: 5, reached: null });
    expect(snapshot!.raw).toMatchObject({ impressions: 950, reactions: 12, replies: 2, reposts: 3, quotes: 1, clicks: 40, saves: 5, source: "network" });
    const expected = { impressions: 950, engagements: 18, clicks: 0 };
    for (const [dimension, id] of [["share", share.id], ["user", s.userId], ["team", s.teamId], ["story", s.story.id], ["org", s.cli.orgId]] as const) {
      expect(await rollup(dimension, id), `${dimension} (all networks)`).toEqual(expected);
      expect(await rollup(dimension, id, "x"), `${dimension} (x)`).toEqual(expected);
    }
    // One engagement point each by default.
    expect(await engagementPoints(s.userId)).toBe(18);
  });

  it("a second poll adds only the difference, negative where a count fell (an unlike, a deleted reply)", async () => {
    const s = await scene();
    const { connection } = await fakeAccount(s, "x");
    const share = await published(s, connection);
    xFake.setMetrics(share.externalId!, { public: { like_count: 10, reply_count: 4, impression_count: 500 }, nonPublic: { impression_count: 500 } });
    await runPoll(share.id, 0);
    xFake.setMetrics(share.externalId!, { public: { like_count: 9, reply_count: 2, retweet_count: 5, impression_count: 1400 }, nonPublic: { impression_count: 1400 } });

    expect((await runPoll(share.id, 1)).returnvalue).toBe("stored");

    expect((await snapshots(share.id)).map((r) => [r.poll, r.impressions, r.likes, r.comments, r.reshares])).toEqual([
      [0, 500, 10, 4, 0],
      [1, 1400, 9, 2, 5],
    ]);
    // The rollups hold the latest counts: 1,400 impressions, 9 + 2 + 5 + 0 engagements.
    expect(await rollup("share", share.id)).toEqual({ impressions: 1400, engagements: 16, clicks: 0 });
    // Points for the net increase of each poll: 14, then 2 (+5 reposts, -1 like, -2 replies).
    expect(await engagementPoints(s.userId)).toBe(16);
  });

  it("a retried poll stores once: the stored poll is not asked again, and two runs at once add once", async () => {
    const s = await scene();
    const { connection, accessToken } = await fakeAccount(s, "x");
    const share = await published(s, connection);
    xFake.setMetrics(share.externalId!, { public: { like_count: 6, impression_count: 300 }, nonPublic: { impression_count: 300 } });
    const lookups = () => xFake.requests.filter((r) => isTweetLookup(r) && r.headers.authorization === `Bearer ${accessToken}`).length;

    // Two tries of one poll at the same moment (a job that stalled and was picked up again).
    const outcomes = await Promise.all([pollShare(db(), share.id, 0), pollShare(db(), share.id, 0)]);
    expect(outcomes.sort()).toEqual(["stored", "unchanged"]);
    const asked = lookups();
    // A retry after the poll was stored (the worker died before completing the job).
    expect(await pollShare(db(), share.id, 0)).toBe("unchanged");

    expect(lookups()).toBe(asked);
    expect(await snapshots(share.id)).toHaveLength(1);
    expect(await rollup("share", share.id)).toEqual({ impressions: 300, engagements: 6, clicks: 0 });
    expect(await engagementPoints(s.userId)).toBe(6);
  });

  it("Mastodon: favourites, boosts and replies; no impressions (null in the snapshot, 0 in the rollups)", async () => {
    const s = await scene();
    const { connection } = await fakeAccount(s, "mastodon");
    const share = await published(s, connection);
    mastodonFake.setCounts(share.externalId!, { favourites: 7, reblogs: 3, replies: 2 });
    await runPoll(share.id, 0);
    mastodonFake.setCounts(share.externalId!, { favourites: 6, reblogs: 4, replies: 2 });

    await runPoll(share.id, 1);

    expect((await snapshots(share.id)).map((r) => [r.impressions, r.likes, r.reshares, r.comments, r.quotes])).toEqual([
      [null, 7, 3, 2, null],
      [null, 6, 4, 2, null],
    ]);
    expect(await rollup("share", share.id, "mastodon")).toEqual({ impressions: 0, engagements: 12, clicks: 0 });
  });

  it("LinkedIn: impressions, members reached, reactions, comments and reshares from memberCreatorPostAnalytics", async () => {
    const s = await scene();
    const { connection } = await fakeAccount(s, "linkedin");
    const share = await published(s, connection);
    linkedinFake.setMetrics(share.externalId!, { IMPRESSION: 1200, MEMBERS_REACHED: 800, RESHARE: 4, REACTION: 37, COMMENT: 6, POST_SAVE: 3 });

    expect((await runPoll(share.id, 0)).returnvalue).toBe("stored");

    expect((await snapshots(share.id))[0]).toMatchObject({ impressions: 1200, reached: 800, likes: 37, comments: 6, reshares: 4, quotes: null, saves: 3, clicks: null });
    expect(await rollup("share", share.id, "linkedin")).toEqual({ impressions: 1200, engagements: 47, clicks: 0 });
    expect(await rollup("user", s.userId)).toEqual({ impressions: 1200, engagements: 47, clicks: 0 });
  });
});

describe.skipIf(Boolean(atprotoMissing))("Bluesky on a real local PDS and AppView", () => {
  it("likes, reposts and replies by other accounts, read from the AppView, reach the rollups; a second poll adds the new ones", { timeout: 90_000 }, async () => {
    const s = await scene();
    const { connection } = await blueskyAccount(s);
    const share = await published(s, connection);
    const uri = share.externalId!;
    const cid = await postCid(uri);
    await network!.like(uri, cid, "john.test");
    await network!.repost(uri, cid, "anna.test");
    await network!.processAll();

    expect((await runPoll(share.id, 0)).returnvalue).toBe("stored");
    await network!.like(uri, cid, "anna.test");
    await network!.reply(uri, cid, "john.test", "Flot!");
    await network!.processAll();
    expect((await runPoll(share.id, 1)).returnvalue).toBe("stored");

    expect((await snapshots(share.id)).map((r) => [r.impressions, r.likes, r.reshares, r.comments, r.quotes])).toEqual([
      [null, 1, 1, 0, 0],
      [null, 2, 1, 1, 0],
    ]);
    expect(await rollup("share", share.id, "bluesky")).toEqual({ impressions: 0, engagements: 4, clicks: 0 });
    expect(await engagementPoints(s.userId)).toBe(4);
  });

  it("counts are public: a share whose account's session died (connection revoked) still has them read", { timeout: 90_000 }, async () => {
    const s = await scene();
    const { connection, tokens } = await blueskyAccount(s);
    const share = await published(s, connection);
    const cid = await postCid(share.externalId!);
    await network!.like(share.externalId!, cid, "anna.test");
    await network!.processAll();
    const dead = { ...tokens, accessToken: "not-a-session", refreshToken: "not-a-session-either" };
    await db()
      .update(socialConnections)
      .set({ status: "revoked", ...encryptTokens(connection.id, dead) })
      .where(eq(socialConnections.id, connection.id));

    expect((await runPoll(share.id, 0)).returnvalue).toBe("stored");

    expect(await rollup("share", share.id, "bluesky")).toEqual({ impressions: 0, engagements: 1, clicks: 0 });
    expect(await nextPoll(share.id)).toBe(1);
  });
});

/** mette.test's account on the local PDS, connected with a session as connecting makes one. */
async function blueskyAccount(s: Scene) {
  const account = network!.account("mette.test");
  const { tokens } = await bluesky.login(network!.pdsUrl, { identifier: account.handle, password: account.appPassword });
  const id = randomUUID();
  const connection = await makeConnection(s.cli, s.userId, { id, network: "bluesky", externalId: account.did, handle: account.handle, instanceUrl: network!.pdsUrl, ...encryptTokens(id, tokens) });
  return { connection, tokens };
}

/** A Bluesky post's cid, from the PDS (likes and reposts name it). */
async function postCid(uri: string): Promise<string> {
  const [, , repo, collection, rkey] = uri.split("/");
  const { data } = await new AtpAgent({ service: network!.pdsUrl }).com.atproto.repo.getRecord({ repo: repo!, collection: collection!, rkey: rkey! });
  return data.cid!;
}

describe("increaseOver: what a poll adds", () => {
  const counts = (values: Partial<Record<"impressions" | "likes" | "comments" | "reshares" | "quotes", number | null>>) => ({
    impressions: null,
    likes: null,
    comments: null,
    reshares: null,
    quotes: null,
    ...values,
  });

  it("a count the network stops reporting (null) neither adds nor takes away; reported again, it counts from its last reported value", () => {
    const first = counts({ impressions: 900, likes: 10 });
    const withoutImpressions = counts({ impressions: null, likes: 12 });

    expect(increaseOver([], first)).toEqual({ impressions: 900, engagements: 10 });
    expect(increaseOver([first], withoutImpressions)).toEqual({ impressions: 0, engagements: 2 });
    expect(increaseOver([first, withoutImpressions], counts({ impressions: 1000, likes: 11, quotes: 1 }))).toEqual({ impressions: 100, engagements: 0 });
  });
});

// --- the end of polling ---------------------------------------------------------------------------

describe("polling ends quietly", () => {
  it("a deleted post: no snapshot, no later poll scheduled, the job completed", async () => {
    const s = await scene();
    const { connection } = await fakeAccount(s, "x");
    const share = await published(s, connection);
    xFake.deleteTweet(share.externalId!);

    const job = await runPoll(share.id, 0);

    expect(await job.getState()).toBe("completed");
    expect(job.returnvalue).toBe("ended");
    expect(job.failedReason).toBeFalsy();
    expect(await snapshots(share.id)).toEqual([]);
    expect(await nextPoll(share.id)).toBeNull();
  });

  it("a revoked token (no refresh token): polling of each share ends, the connection is marked revoked and the employee told once", async () => {
    const s = await scene();
    const { connection, accessToken } = await fakeAccount(s, "mastodon");
    const first = await published(s, connection);
    const second = await published(s, connection);
    mastodonFake.revokeToken(accessToken);

    const job = await runPoll(first.id, 0);
    expect(job.returnvalue).toBe("ended");
    expect(await job.getState()).toBe("completed");
    // The other share's poll, on a connection now known revoked, ends as well (after one 401).
    expect((await runPoll(second.id, 0)).returnvalue).toBe("ended");

    expect(await snapshots(first.id)).toEqual([]);
    expect(await nextPoll(first.id)).toBeNull();
    expect(await nextPoll(second.id)).toBeNull();
    const [row] = await db().select().from(socialConnections).where(eq(socialConnections.id, connection.id));
    expect(row!.status).toBe("revoked");
    const told = await db().select().from(notifications).where(and(eq(notifications.userId, s.userId), eq(notifications.kind, "connection.expired")));
    expect(told).toHaveLength(1);
  });

  it("X with a refresh token: a dead access token is renewed once and the poll stored; a refused refresh ends polling", async () => {
    const s = await scene();
    const connection = await connectX(s);
    const share = await published(s, connection);
    xFake.setMetrics(share.externalId!, { public: { like_count: 3, impression_count: 40 }, nonPublic: { impression_count: 40 } });
    const { accessToken, refreshToken } = decryptTokens(connection)!;
    xFake.expireToken(accessToken);

    expect((await runPoll(share.id, 0)).returnvalue).toBe("stored");
    const renewed = decryptTokens((await db().select().from(socialConnections).where(eq(socialConnections.id, connection.id)))[0]!)!;
    expect(renewed.accessToken).not.toBe(accessToken);
    expect(renewed.refreshToken).not.toBe(refreshToken);

    xFake.revokeToken(renewed.accessToken);
    xFake.inject({
      match: (r) => r.method === "POST" && r.path === "/2/oauth2/token" && (r.body as Record<string, unknown>).refresh_token === renewed.refreshToken,
      status: 400,
      body: { error: "invalid_grant", error_description: "Value passed for the token was invalid." },
      times: Infinity,
    });
    const job = await runPoll(share.id, 1);

    expect(job.returnvalue).toBe("ended");
    expect(await snapshots(share.id)).toHaveLength(1);
    expect(await nextPoll(share.id)).toBeNull();
    expect((await db().select().from(socialConnections).where(eq(socialConnections.id, connection.id)))[0]).toMatchObject({ status: "revoked" });
  });

  it("X over the organisation's API budget: the poll is skipped without a read, later polls stay; within the budget the read is metered", async () => {
    const s = await scene();
    const { connection, accessToken } = await fakeAccount(s, "x");
    const share = await published(s, connection);
    await updateXApiSettings(db(), s.cli, { enabled: true, budget: { kind: "money", amount: 0 }, prices: null });
    const reads = () => xFake.requests.filter((r) => isTweetLookup(r) && r.headers.authorization === `Bearer ${accessToken}`).length;

    const job = await runPoll(share.id, 0);

    expect(job.returnvalue).toBe("over_budget");
    expect(reads()).toBe(0);
    expect(await snapshots(share.id)).toEqual([]);
    expect(await nextPoll(share.id)).toBe(1);

    await updateXApiSettings(db(), s.cli, { enabled: false, budget: { kind: "money", amount: 1 }, prices: null });
    expect((await runPoll(share.id, 1)).returnvalue).toBe("stored");
    expect(reads()).toBe(1);
    // The share's own post (0.200) and this read (0.005); with API posting off, reads still go.
    expect((await apiBudget(db(), s.cli.orgId, "x"))!.used).toEqual({ posts: 1, reads: 1, spent: 0.205 });
  });

  it("LinkedIn answering in a shape Ripple cannot read: that poll ends without retrying or storing, later polls stay", async () => {
    const s = await scene();
    const { connection } = await fakeAccount(s, "linkedin");
    const share = await published(s, connection);
    const isAnalytics = (r: { method: string; path: string }) => r.method === "GET" && r.path === "/rest/memberCreatorPostAnalytics";
    linkedinFake.inject({ match: isAnalytics, status: 200, body: { elements: [{ count: 3, metricType: { a: "IMPRESSION", b: "REACTION" } }] }, times: 6 });

    const job = await runPoll(share.id, 0);

    expect(job.returnvalue).toBe("unreadable");
    expect(job.attemptsMade).toBe(1);
    expect(await snapshots(share.id)).toEqual([]);
    expect(await nextPoll(share.id)).toBe(1);
  });

  it("LinkedIn without the analytics permission (403): polling ends, the connection stays active", async () => {
    const s = await scene();
    const { connection } = await fakeAccount(s, "linkedin", { scopes: ["openid", "profile", "email", "w_member_social"] });
    const share = await published(s, connection);

    const job = await runPoll(share.id, 0);

    expect(job.returnvalue).toBe("ended");
    expect(await snapshots(share.id)).toEqual([]);
    expect(await nextPoll(share.id)).toBeNull();
    expect((await db().select().from(socialConnections).where(eq(socialConnections.id, connection.id)))[0]).toMatchObject({ status: "active" });
  });
});

// --- waiting -----------------------------------------------------------------------------------------

describe("a network that asks to wait", () => {
  it("429: the job waits until X's reset without spending an attempt; then the poll is stored", async () => {
    const s = await scene();
    const { connection, accessToken } = await fakeAccount(s, "x");
    const share = await published(s, connection);
    xFake.setMetrics(share.externalId!, { public: { like_count: 2, impression_count: 20 }, nonPublic: { impression_count: 20 } });
    const reset = Math.floor(Date.now() / 1000) + 600;
    xFake.inject({ match: (r) => isTweetLookup(r) && r.headers.authorization === `Bearer ${accessToken}`, status: 429, headers: { "x-rate-limit-remaining": "0", "x-rate-limit-reset": String(reset) } });

    const job = await runPoll(share.id, 0, ["delayed"]);
    const seen = Date.now();

    expect(job.attemptsMade).toBe(0);
    expect(job.delay).toBeGreaterThan(reset * 1000 - seen - 5_000);
    expect(job.delay).toBeLessThanOrEqual(reset * 1000 - seen + 1_000);
    expect(await snapshots(share.id)).toEqual([]);

    expect((await runPoll(share.id, 0)).returnvalue).toBe("stored");
    expect(await rollup("share", share.id)).toEqual({ impressions: 20, engagements: 2, clicks: 0 });
  });

  it("a network that is down (503) spends an attempt: the job retries with backoff, nothing stored", async () => {
    const s = await scene();
    const { connection, accessToken } = await fakeAccount(s, "x");
    const share = await published(s, connection);
    xFake.inject({ match: (r) => isTweetLookup(r) && r.headers.authorization === `Bearer ${accessToken}`, status: 503 });

    const job = await runPoll(share.id, 0, ["delayed"]);

    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain("503");
    expect(await snapshots(share.id)).toEqual([]);
    // The poll stays claimed for its retries.
    expect(await nextPoll(share.id)).toBe(0);
  });

  it("a poll whose last attempt fails is given up: the next poll is scheduled at its time", async () => {
    const s = await scene();
    const { connection, accessToken } = await fakeAccount(s, "x");
    const share = await published(s, connection);
    xFake.inject({ match: (r) => isTweetLookup(r) && r.headers.authorization === `Bearer ${accessToken}`, status: 503 });

    // A job on its last attempt (attempts: 1), as the third of a claimed poll's would be.
    const job = await getQueue("reach").add("share.poll", { shareId: share.id, poll: 0 }, { jobId: `last-${share.id}`, attempts: 1 });
    await vi.waitFor(async () => expect(await job.getState()).toBe("failed"), { timeout: 20_000, interval: 50 });

    expect(await nextPollOf(db(), share.id)).toEqual({ poll: 1, dueAt: new Date(share.publishedAt!.getTime() + 6 * HOUR) });
    expect(await snapshots(share.id)).toEqual([]);
  });
});

// --- helpers -------------------------------------------------------------------------------------

/** The employee connects an X account through OAuth (with offline.access: a refresh token). */
async function connectX(s: Scene): Promise<SocialConnection> {
  const name = `mette_${randomBytes(4).toString("hex")}`;
  const { redirectUrl } = await startConnect(db(), s.scope, s.userId, { network: "x" });
  const url = new URL(redirectUrl);
  const form = new URLSearchParams(url.searchParams);
  form.set("account", name);
  form.set("decision", "approve");
  const consent = await fetch(`${url.origin}${url.pathname}`, { method: "POST", body: form, redirect: "manual" });
  const back = new URL(consent.headers.get("location")!);
  const summary = await completeConnect(db(), s.scope, s.userId, { network: "x", state: back.searchParams.get("state"), code: back.searchParams.get("code") });
  const [row] = await db().select().from(socialConnections).where(eq(socialConnections.id, summary.id));
  return row!;
}

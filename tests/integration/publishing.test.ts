import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Job, Worker } from "bullmq";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { linkedinVersionFor } from "@/lib/env";
import { notifications, reachPolls, shares, socialConnections, stories, trackedLinks, type Share, type SocialConnection } from "@/db/schema";
import { completeConnect, decryptTokens, refreshExpiringTokens, startConnect } from "@/lib/connections";
import { closeDb, db } from "@/lib/db";
import { locales } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/messages";
import { trackedUrl } from "@/lib/links/tracked-links";
import { linkedinCommentary } from "@/lib/networks/linkedin";
import { adapterFor } from "@/lib/networks/registry";
import { NetworkError, networkErrorKinds } from "@/lib/networks/types";
import { apiBudget, updateXApiSettings } from "@/lib/orgs/api-budget";
import { updateGovernance } from "@/lib/orgs/governance";
import { createRedis, getQueue, publishQueueFor, redis, redisKeys, type RedisClient } from "@/lib/queue";
import { cancelShare, createShares, markPosted, retryShare } from "@/lib/shares";
import { RetryLater } from "@/lib/errors";
import { STALE_PUBLISHING_MS, publishShare } from "@/lib/shares/publish";
import { PUBLISH_ATTEMPTS, publishJobId } from "@/lib/queue/publish";
import { takePostSlot } from "@/lib/shares/rate-limit";
import { claimDuePolls, movePollOn, nextPollOf, POLL_LEASE_MS, REACH_POLLS_MS } from "@/lib/reach/schedule";
import { reconcileShares } from "@/lib/shares/reconcile";
import { publishProcessors } from "@/workers/processors/publish";
import { startWorker } from "@/workers/runtime";
import type { FakeRequest } from "../fakes/common";
import { startFakeLinkedIn, type FakeLinkedIn } from "../fakes/linkedin";
import { startFakeMastodon, type FakeMastodon } from "../fakes/mastodon";
import { startFakeX, type FakeX, type XTweet } from "../fakes/x";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { acceptCurrentGuidelines, makeMember, makeOrganization, makePublishedStory } from "../support/factories";
import { clearRedisPrefix } from "../support/test-env";
import { envOverride } from "../support/env-override";
import { connectFakeAccount } from "../support/fake-accounts";

/**
 * The publisher as a whole — publishShare, the reconciler, the publish worker, token
 * refresh ahead of expiry and the per-account post windows — against the fake LinkedIn, X
 * and Mastodon (tests/fakes), with the real adapters, Postgres and Redis.
 *
 * This file has a database and a queue prefix of its own: the reconciler, the worker and
 * the token refresher act on every share and connection they find, so they must not meet
 * (or be met by) another file's rows and jobs.
 */
const runPrefix = process.env.QUEUE_PREFIX!;
process.env.QUEUE_PREFIX = `${runPrefix}-publishing`;

const X_CLIENT = { clientId: "ripple-x-client", clientSecret: "ripple-x-secret-0123456789" };
const LINKEDIN_CLIENT = { clientId: "ripple-linkedin-client", clientSecret: "ripple-linkedin-secret-0123456789" };
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

let database: TestDatabase;
let linkedinFake: FakeLinkedIn;
let xFake: FakeX;
let mastodonFake: FakeMastodon;

const { set: setEnv, restore: restoreEnv } = envOverride();

beforeAll(async () => {
  [database, linkedinFake, xFake, mastodonFake] = await Promise.all([
    createTestDatabase("publishing"),
    startFakeLinkedIn(LINKEDIN_CLIENT),
    startFakeX(X_CLIENT),
    startFakeMastodon(),
  ]);
  setEnv({
    DATABASE_URL: database.url,
    // A real top-level domain: X's fake wraps the tracked link in t.co, as X does.
    APP_URL: "https://ripple.dk",
    ALLOW_PRIVATE_FETCH: undefined,
    FETCH_ALLOW_HOSTS: [linkedinFake.url, xFake.url, mastodonFake.url].map((url) => new URL(url).host).join(","),
    LINKEDIN_API_URL: linkedinFake.url,
    LINKEDIN_AUTH_URL: linkedinFake.url,
    LINKEDIN_CLIENT_ID: LINKEDIN_CLIENT.clientId,
    LINKEDIN_CLIENT_SECRET: LINKEDIN_CLIENT.clientSecret,
    LINKEDIN_VERSION: undefined,
    X_API_URL: xFake.url,
    X_AUTH_URL: xFake.url,
    X_CLIENT_ID: X_CLIENT.clientId,
    X_CLIENT_SECRET: X_CLIENT.clientSecret,
  });
}, 60_000);

afterAll(async () => {
  await closeDb();
  await Promise.all([linkedinFake?.close(), xFake?.close(), mastodonFake?.close(), database?.drop()]);
  await clearRedisPrefix(process.env.REDIS_URL!, process.env.QUEUE_PREFIX!);
  restoreEnv();
});

// --- the scene: an organisation, a story, an employee and her accounts at the fakes -----

type Network = "linkedin" | "x" | "mastodon";

async function scene() {
  const { cli } = await makeOrganization("Vindmølle A/S");
  const story = await makePublishedStory(cli, {
    title: "Ny fabrik i Esbjerg",
    summary: "200 nye job i vindmølleindustrien",
    canonicalUrl: "https://vindmoelle.example/nyheder/fabrik",
  });
  const member = await makeMember(cli, ["employee"], { name: "Mette Jensen" });
  await acceptCurrentGuidelines(cli, member.user.id);
  return { cli, story, userId: member.user.id, scope: member.scope };
}
type Scene = Awaited<ReturnType<typeof scene>>;

/** An account at a fake network and its connection row, the token stored encrypted as connecting does. */
async function account(s: Scene, network: Network, options: { scopes?: string[] } = {}) {
  const name = `mette_${randomBytes(4).toString("hex")}`;
  const made = await connectFakeAccount({ x: xFake, mastodon: mastodonFake, linkedin: linkedinFake }, s.cli, s.userId, network, name, { ...options, displayName: "Mette Jensen" });
  return { ...made, name };
}
type Account = Awaited<ReturnType<typeof account>>;

const TEXT = "Vi åbner en ny fabrik i Esbjerg (200 nye job) #GrønOmstilling, C# og #2026";

/** A share as the employee makes it (text checked, tracked link in, publish job queued); now unless `at`. */
async function schedule(s: Scene, connection: SocialConnection, options: { at?: Date; text?: string } = {}) {
  const [share] = await createShares(db(), s.scope, s.userId, { storyId: s.story.id, scheduledAt: options.at, posts: [{ connectionId: connection.id, text: options.text ?? TEXT }] });
  return share!;
}

async function reload(id: string): Promise<Share> {
  const [row] = await db().select().from(shares).where(eq(shares.id, id));
  return row!;
}

async function connectionRow(id: string): Promise<SocialConnection> {
  const [row] = await db().select().from(socialConnections).where(eq(socialConnections.id, id));
  return row!;
}

async function trackedLinkOf(share: Share): Promise<string> {
  const [link] = await db().select({ code: trackedLinks.code }).from(trackedLinks).where(eq(trackedLinks.shareId, share.id));
  return trackedUrl(link!.code);
}

const POST_PATH: Record<Network, string> = { x: "/2/tweets", mastodon: "/api/v1/statuses", linkedin: "/rest/posts" };
const fakeOf = (network: Network) => ({ x: xFake, mastodon: mastodonFake, linkedin: linkedinFake })[network];

/** As if the wait a network's 429 imposed on the account were over. */
async function waitedOut(who: Account) {
  await redis().del(redisKeys.postBlock(who.connection.network, who.connection.id));
}

/** The account's create-post requests the fake received (faults included). */
function postRequests(network: Network, who: Account): FakeRequest[] {
  return fakeOf(network).requests.filter((r) => r.method === "POST" && r.path === POST_PATH[network] && r.headers.authorization === `Bearer ${who.accessToken}`);
}
const isPostBy = (network: Network, who: Account) => (r: FakeRequest) => r.method === "POST" && r.path === POST_PATH[network] && r.headers.authorization === `Bearer ${who.accessToken}`;

/** The posts that exist at the fake for the account: their ids. */
function postsAt(network: Network, who: Account): string[] {
  if (network === "x") return xFake.tweets.filter((t) => t.authorId === who.externalId && !t.deleted).map((t) => t.id);
  if (network === "mastodon") return [...mastodonFake.statuses.values()].filter((st) => st.account.id === who.externalId).map((st) => st.id);
  return linkedinFake.posts.filter((p) => p.author === `urn:li:person:${who.externalId}` && !p.deleted).map((p) => p.urn);
}

/** What the queue page shows for an error code, per language (its fallback when there is none: null here). */
function reasons(code: string): Record<string, string | null> {
  return Object.fromEntries(
    locales.map((locale) => {
      const t = translator(locale);
      const key = `shareErrors.${code}` as never;
      return [locale, t.has(key) ? t(key) : null];
    }),
  );
}

function expectReasonShown(code: string) {
  const shown = reasons(code);
  expect(shown, `a message for ${code}`).toEqual({ da: expect.any(String), en: expect.any(String) });
  expect(shown.da).not.toBe(shown.en);
}

/** The RetryLater a promise rejects with. */
async function retryLater(promise: Promise<unknown>): Promise<RetryLater> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RetryLater);
  return error as RetryLater;
}

/**
 * As if a worker died mid-publish: the share left in "publishing" since `startedAgo`, its
 * first try `firstAttemptAgo` ago, nothing of the outcome recorded.
 */
async function leftPublishing(share: Share, now: Date, options: { startedAgo: number; firstAttemptAgo?: number }) {
  await db()
    .update(shares)
    .set({
      status: "publishing",
      publishingStartedAt: new Date(now.getTime() - options.startedAgo),
      firstAttemptAt: new Date(now.getTime() - (options.firstAttemptAgo ?? options.startedAgo)),
      attempts: 1,
      publishedAt: null,
      externalId: null,
      externalUrl: null,
    })
    .where(eq(shares.id, share.id));
}

const reachJob = (shareId: string, poll: number) => getQueue("reach").getJob(`reach-${shareId}-${poll}`);
const publishJob = (share: Share) => getQueue(publishQueueFor(share.network as Network)).getJob(publishJobId(share.id));

// --- 1. a due share is posted once ------------------------------------------------------

describe("a due share", () => {
  it.each<Network>(["linkedin", "x", "mastodon"])("is posted once to %s with its tracked link; published with the post's id and address; reach polls queued; a second run does nothing", async (network) => {
    const s = await scene();
    const who = await account(s, network);
    const share = await schedule(s, who.connection);
    const link = await trackedLinkOf(share);
    expect(share.text).toContain(link);

    const before = Date.now();
    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    const after = Date.now();

    const [request, ...others] = postRequests(network, who);
    expect(others).toHaveLength(0);
    const body = request!.body as Record<string, unknown>;
    if (network === "x") {
      expect(body).toEqual({ text: share.text });
    } else if (network === "mastodon") {
      expect(request!.headers["idempotency-key"]).toBe(share.id);
      expect(body).toMatchObject({ status: share.text, visibility: "public", language: "da" });
    } else {
      expect(body).toMatchObject({ author: `urn:li:person:${who.externalId}`, commentary: linkedinCommentary(share.text), lifecycleState: "PUBLISHED" });
      // A tag as LinkedIn's template, C# and #2026 as typed (escaped), the parentheses escaped.
      expect(body.commentary).toContain("\\(200 nye job\\) {hashtag|\\#|GrønOmstilling}, C\\# og \\#2026");
      expect(body.content).toMatchObject({ article: { source: link, title: "Ny fabrik i Esbjerg", description: "200 nye job i vindmølleindustrien" } });
    }

    const posts = postsAt(network, who);
    expect(posts).toHaveLength(1);
    const row = await reload(share.id);
    expect(row).toMatchObject({ status: "published", externalId: posts[0], errorCode: null, attempts: 1 });
    // X: https://x.com/<username>/status/<id> when the publisher passes the account, else X's id-only form.
    if (network === "x") expect(row.externalUrl).toMatch(new RegExp(`^https://x\\.com/(${who.name}|i/web)/status/${posts[0]}$`));
    else expect(row.externalUrl).toBe(network === "mastodon" ? `${mastodonFake.url}/@${who.name}/${posts[0]}` : `https://www.linkedin.com/feed/update/${posts[0]}/`);
    expect(row.publishedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(row.publishedAt!.getTime()).toBeLessThanOrEqual(after);
    // Updated now, also when the publisher's statements were prepared by an earlier share.
    expect(row.updatedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(row.updatedAt.getTime()).toBeLessThanOrEqual(after);

    // Its first reach poll (about 1 h after) is scheduled in PostgreSQL by the same statement;
    // Redis holds no poll until it is due.
    expect(await nextPollOf(db(), share.id)).toEqual({ poll: 0, dueAt: new Date(row.publishedAt!.getTime() + REACH_POLLS_MS[0]!) });
    expect(await reachJob(share.id, 0)).toBeUndefined();

    // The same share again (a duplicate job, a redelivery): nothing happens.
    expect(await publishShare(db(), redis(), share.id)).toBe("skipped");
    expect(postRequests(network, who)).toHaveLength(1);
    expect(postsAt(network, who)).toHaveLength(1);
    expect(await reload(share.id)).toMatchObject({ status: "published", externalId: posts[0], attempts: 1 });
  });

  it("a share not yet due, or cancelled, is not posted", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const later = await schedule(s, who.connection, { at: new Date(Date.now() + HOUR) });
    const now = new Date();

    expect(await publishShare(db(), redis(), later.id, { now })).toBe("skipped");
    expect(await reload(later.id)).toMatchObject({ status: "scheduled", attempts: 0, publishingStartedAt: null });

    await cancelShare(db(), s.scope, s.userId, later.id);
    // Even once its time has come.
    expect(await publishShare(db(), redis(), later.id, { now: new Date(later.scheduledAt.getTime() + MINUTE) })).toBe("skipped");
    expect(await reload(later.id)).toMatchObject({ status: "cancelled", attempts: 0 });
    expect(postRequests("x", who)).toHaveLength(0);
  });
});

// --- 2. what changed since the share was scheduled ---------------------------------------

describe("a share whose account, story or rules changed since it was scheduled", () => {
  const cases: Array<{ what: string; code: string; change: (s: Scene, who: Account, share: Share) => Promise<unknown> }> = [
    { what: "the account was disconnected", code: "connection_removed", change: (_s, who) => db().delete(socialConnections).where(eq(socialConnections.id, who.connection.id)) },
    { what: "the connection was revoked", code: "connection_expired", change: (_s, who) => db().update(socialConnections).set({ status: "revoked" }).where(eq(socialConnections.id, who.connection.id)) },
    { what: "the connection expired", code: "connection_expired", change: (_s, who) => db().update(socialConnections).set({ status: "expired" }).where(eq(socialConnections.id, who.connection.id)) },
    { what: "the story was withdrawn", code: "story_withdrawn", change: (s) => db().update(stories).set({ status: "archived" }).where(eq(stories.id, s.story.id)) },
    { what: "the story's sharing window ended", code: "story_expired", change: (s) => db().update(stories).set({ expiresAt: new Date(Date.now() - MINUTE) }).where(eq(stories.id, s.story.id)) },
    {
      what: "a phrase in the text was blocked",
      code: "text_breaks_rules",
      change: (s) => updateGovernance(db(), s.cli, { approvalRequired: false, disclosureHashtag: null, blockedWords: ["ny fabrik"] }),
    },
  ];

  it.each(cases)("is not posted when $what: failed with $code, the reason readable in Danish and English", async ({ code, change }) => {
    const s = await scene();
    const who = await account(s, "mastodon");
    const share = await schedule(s, who.connection);
    await change(s, who, share);

    expect(await publishShare(db(), redis(), share.id)).toBe("failed");

    expect(await reload(share.id)).toMatchObject({ status: "failed", errorCode: code, externalId: null });
    expect((await reload(share.id)).lastError).toEqual(expect.any(String));
    expect(postRequests("mastodon", who)).toHaveLength(0);
    expect(postsAt("mastodon", who)).toHaveLength(0);
    expectReasonShown(code);
  });

  it("every error code the publisher writes has a message in Danish and English on the queue page", () => {
    const source = readFileSync(fileURLToPath(new URL("../../lib/shares/publish.ts", import.meta.url)), "utf8");
    const literal = [...source.matchAll(/(?:fail\(|errorCode: )"([a-z_]+)"/g)].map((m) => m[1]!);
    // connection_removed, connection_expired, story_withdrawn, story_expired, text_breaks_rules, outcome_unknown, duplicate_unresolved
    expect(new Set(literal).size).toBeGreaterThanOrEqual(7);
    expect(source).toContain("`network_${error.kind}`");
    for (const code of new Set([...literal, ...networkErrorKinds.map((kind) => `network_${kind}`)])) expectReasonShown(code);
  });
});

// --- 3. the network refuses, or is away --------------------------------------------------

describe("a network's answer", () => {
  it("401 (the token revoked, nothing to refresh it with): failed network_unauthorized, the connection marked revoked and the employee told", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const share = await schedule(s, who.connection);
    xFake.revokeToken(who.accessToken);

    expect(await publishShare(db(), redis(), share.id)).toBe("failed");

    expect(await reload(share.id)).toMatchObject({ status: "failed", errorCode: "network_unauthorized" });
    expect(await connectionRow(who.connection.id)).toMatchObject({ status: "revoked" });
    const notices = await db().select().from(notifications).where(and(eq(notifications.userId, s.userId), eq(notifications.kind, "connection.expired")));
    expect(notices).toHaveLength(1);
    expect(postsAt("x", who)).toHaveLength(0);
    expectReasonShown("network_unauthorized");
  });

  it("403 (a token without tweet.write): failed network_forbidden; the connection stays", async () => {
    const s = await scene();
    const who = await account(s, "x", { scopes: ["tweet.read", "users.read"] });
    const share = await schedule(s, who.connection);

    expect(await publishShare(db(), redis(), share.id)).toBe("failed");

    expect(await reload(share.id)).toMatchObject({ status: "failed", errorCode: "network_forbidden" });
    expect(await connectionRow(who.connection.id)).toMatchObject({ status: "active" });
    expect(postRequests("x", who)).toHaveLength(1);
    expect(postsAt("x", who)).toHaveLength(0);
    expectReasonShown("network_forbidden");
  });

  it("422 validation: failed network_invalid with the network's words kept for the details", async () => {
    const s = await scene();
    const who = await account(s, "mastodon");
    const share = await schedule(s, who.connection);
    mastodonFake.inject({ match: isPostBy("mastodon", who), status: 422, body: { error: "Validation failed: Text character limit of 500 exceeded" } });

    expect(await publishShare(db(), redis(), share.id)).toBe("failed");

    const row = await reload(share.id);
    expect(row).toMatchObject({ status: "failed", errorCode: "network_invalid" });
    expect(row.lastError).toContain("Text character limit of 500 exceeded");
    expect(postsAt("mastodon", who)).toHaveLength(0);
    expectReasonShown("network_invalid");
  });

  it("426 (a retired LinkedIn-Version): failed network_version_retired, naming the version to set; nothing posted", async () => {
    const s = await scene();
    const who = await account(s, "linkedin");
    const share = await schedule(s, who.connection);
    setEnv({ LINKEDIN_VERSION: "202001" });
    try {
      expect(await publishShare(db(), redis(), share.id)).toBe("failed");
    } finally {
      setEnv({ LINKEDIN_VERSION: undefined });
    }

    const row = await reload(share.id);
    expect(row).toMatchObject({ status: "failed", errorCode: "network_version_retired" });
    expect(row.lastError).toContain(`set LINKEDIN_VERSION to ${linkedinVersionFor(new Date())}`);
    expect(postsAt("linkedin", who)).toHaveLength(0);
    expectReasonShown("network_version_retired");
  });

  it("5xx: back to scheduled and the error thrown (the queue retries); the retry posts once", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const share = await schedule(s, who.connection);
    xFake.inject({ match: isPostBy("x", who), status: 503 });

    const error = await publishShare(db(), redis(), share.id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ kind: "unavailable", status: 503 });
    const released = await reload(share.id);
    expect(released).toMatchObject({ status: "scheduled", errorCode: null });
    expect(released.lastError).toContain("503");

    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    expect(postRequests("x", who)).toHaveLength(2);
    expect(postsAt("x", who)).toHaveLength(1);
    expect(await reload(share.id)).toMatchObject({ status: "published", externalId: postsAt("x", who)[0] });
  });

  it("5xx on the last attempt: failed network_unavailable", async () => {
    const s = await scene();
    const who = await account(s, "linkedin");
    const share = await schedule(s, who.connection);
    linkedinFake.inject({ match: isPostBy("linkedin", who), status: 502, times: 2 });

    await expect(publishShare(db(), redis(), share.id)).rejects.toMatchObject({ kind: "unavailable" });
    expect(await publishShare(db(), redis(), share.id, { lastAttempt: true })).toBe("failed");

    expect(await reload(share.id)).toMatchObject({ status: "failed", errorCode: "network_unavailable", attempts: 2 });
    expect(postsAt("linkedin", who)).toHaveLength(0);
    expectReasonShown("network_unavailable");
  });

  it("429 with x-rate-limit-reset (X): RetryLater until the reset, back to scheduled; the next run posts once", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const share = await schedule(s, who.connection);
    const reset = Math.floor(Date.now() / 1000) + 120;
    xFake.inject({ match: isPostBy("x", who), status: 429, headers: { "x-rate-limit-remaining": "0", "x-rate-limit-reset": String(reset) } });

    const before = Date.now();
    const wait = await retryLater(publishShare(db(), redis(), share.id));
    const after = Date.now();
    expect(wait.delayMs).toBeGreaterThanOrEqual(reset * 1000 - after);
    expect(wait.delayMs).toBeLessThanOrEqual(reset * 1000 - before);
    expect(await reload(share.id)).toMatchObject({ status: "scheduled", errorCode: null });

    await waitedOut(who);
    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    expect(postsAt("x", who)).toHaveLength(1);
  });

  it("429 with Retry-After (Mastodon): RetryLater by exactly that many seconds, back to scheduled", async () => {
    const s = await scene();
    const who = await account(s, "mastodon");
    const share = await schedule(s, who.connection);
    mastodonFake.inject({ match: isPostBy("mastodon", who), status: 429, headers: { "Retry-After": "90" } });

    const wait = await retryLater(publishShare(db(), redis(), share.id));
    expect(wait.delayMs).toBe(90_000);
    expect(await reload(share.id)).toMatchObject({ status: "scheduled" });
    expect(postsAt("mastodon", who)).toHaveLength(0);

    // The account's other shares wait out the same time without asking the network again.
    const other = await schedule(s, who.connection);
    const tried = postRequests("mastodon", who).length;
    const otherWait = await retryLater(publishShare(db(), redis(), other.id));
    expect(otherWait.delayMs).toBeGreaterThan(80_000);
    expect(otherWait.delayMs).toBeLessThanOrEqual(90_000);
    expect(postRequests("mastodon", who)).toHaveLength(tried);
    expect(await reload(other.id)).toMatchObject({ status: "scheduled", attempts: 0 });
  });

  it("429 with RateLimit-Reset (unix seconds): RetryLater until the reset, back to scheduled", async () => {
    const s = await scene();
    const who = await account(s, "linkedin");
    const share = await schedule(s, who.connection);
    const reset = Math.floor(Date.now() / 1000) + 300;
    linkedinFake.inject({ match: isPostBy("linkedin", who), status: 429, headers: { "RateLimit-Reset": String(reset) } });

    const before = Date.now();
    const wait = await retryLater(publishShare(db(), redis(), share.id));
    const after = Date.now();
    expect(wait.delayMs).toBeGreaterThanOrEqual(reset * 1000 - after);
    expect(wait.delayMs).toBeLessThanOrEqual(reset * 1000 - before);
    expect(await reload(share.id)).toMatchObject({ status: "scheduled" });
    expect(postsAt("linkedin", who)).toHaveLength(0);
  });

  it("a 429 spends no attempt: the next run posts without looking for an earlier post (X cannot tell), not 'needs attention'", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const share = await schedule(s, who.connection);
    xFake.inject({ match: isPostBy("x", who), status: 429, headers: { "x-rate-limit-reset": String(Math.floor(Date.now() / 1000) + 60) } });
    // An access level without timeline reads: X could not say whether a post exists.
    xFake.inject({ match: (r) => r.method === "GET" && r.path === `/2/users/${who.externalId}/tweets`, status: 403, times: Infinity });

    await retryLater(publishShare(db(), redis(), share.id));
    expect(await reload(share.id)).toMatchObject({ status: "scheduled" });

    await waitedOut(who);
    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    expect(postsAt("x", who)).toHaveLength(1);
    // One try reached X.
    expect(await reload(share.id)).toMatchObject({ status: "published", attempts: 1 });
  });

  it("a token about to expire whose refresh X refuses (invalid_grant): failed network_unauthorized, the connection marked revoked, nothing posted", async () => {
    const s = await scene();
    const connection = await connectX(s);
    const who = await publishingAs(connection);
    const share = await schedule(s, connection);
    await db().update(socialConnections).set({ tokenExpiresAt: new Date(Date.now() + MINUTE) }).where(eq(socialConnections.id, connection.id));
    refusesRefresh(decryptTokens(connection)!.refreshToken);

    expect(await publishShare(db(), redis(), share.id)).toBe("failed");

    expect(await reload(share.id)).toMatchObject({ status: "failed", errorCode: "network_unauthorized" });
    expect(await connectionRow(connection.id)).toMatchObject({ status: "revoked", lastError: "invalid_grant" });
    expect(postRequests("x", who)).toHaveLength(0);
  });

  it("a failure that is not the network's (a token that no longer decrypts) is retried, and ends the share failed on the last attempt rather than leaving it scheduled", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const share = await schedule(s, who.connection);
    // Another row's ciphertext: tokens are bound to their row and do not decrypt here.
    const other = await account(s, "x");
    await db().update(socialConnections).set({ accessTokenEnc: other.connection.accessTokenEnc }).where(eq(socialConnections.id, who.connection.id));

    await expect(publishShare(db(), redis(), share.id)).rejects.not.toBeInstanceOf(NetworkError);
    expect(await reload(share.id)).toMatchObject({ status: "scheduled" });

    expect(await publishShare(db(), redis(), share.id, { lastAttempt: true })).toBe("failed");
    const row = await reload(share.id);
    expect(row.status).toBe("failed");
    expect(row.lastError).toEqual(expect.any(String));
    expectReasonShown(row.errorCode!);
    expect(postRequests("x", who)).toHaveLength(0);
  });

  it("401 while the connection holds a refresh token: the token is renewed and the share posted, the connection stays active", async () => {
    const s = await scene();
    const connection = await connectX(s);
    const who = await publishingAs(connection);
    const share = await schedule(s, connection);
    // X stopped accepting the access token before the expiry it gave (revoked, or its clock ahead of ours).
    xFake.expireToken(who.accessToken);

    expect(await publishShare(db(), redis(), share.id)).toBe("published");

    expect(await connectionRow(connection.id)).toMatchObject({ status: "active" });
    expect(decryptTokens(await connectionRow(connection.id))!.accessToken).not.toBe(who.accessToken);
    expect(postsAt("x", who)).toHaveLength(1);
  });
});

// --- 4. a worker died mid-publish ---------------------------------------------------------

describe("a share a dead worker left in publishing", () => {
  it("X, posted before the worker died: found among the author's recent posts by its tracked link; published with that post, nothing posted again", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const share = await schedule(s, who.connection);
    await publishShare(db(), redis(), share.id);
    const [tweet] = xFake.tweets.filter((t) => t.authorId === who.externalId);
    const now = new Date();
    await leftPublishing(share, now, { startedAgo: 2 * MINUTE });

    expect(await publishShare(db(), redis(), share.id, { now })).toBe("published");

    expect(await reload(share.id)).toMatchObject({ status: "published", externalId: tweet!.id, attempts: 2 });
    expect(postRequests("x", who)).toHaveLength(1);
    expect(postsAt("x", who)).toEqual([tweet!.id]);
  });

  it("Mastodon beyond its idempotency window, posted before: found among the account's statuses; nothing posted again", async () => {
    const s = await scene();
    const who = await account(s, "mastodon");
    const share = await schedule(s, who.connection);
    await publishShare(db(), redis(), share.id);
    const [status] = postsAt("mastodon", who);
    const now = new Date();
    await leftPublishing(share, now, { startedAgo: 2 * MINUTE, firstAttemptAgo: 55 * MINUTE });

    expect(await publishShare(db(), redis(), share.id, { now })).toBe("published");

    expect(await reload(share.id)).toMatchObject({ status: "published", externalId: status, externalUrl: `${mastodonFake.url}/@${who.name}/${status}` });
    expect(postRequests("mastodon", who)).toHaveLength(1);
    expect(postsAt("mastodon", who)).toEqual([status]);
  });

  it.each<Network>(["x", "mastodon"])("%s, never posted: the look-up finds nothing and it is posted once", async (network) => {
    const s = await scene();
    const who = await account(s, network);
    const share = await schedule(s, who.connection);
    const now = new Date();
    await leftPublishing(share, now, { startedAgo: 5 * MINUTE, firstAttemptAgo: 55 * MINUTE });

    expect(await publishShare(db(), redis(), share.id, { now })).toBe("published");

    expect(postRequests(network, who)).toHaveLength(1);
    expect(postsAt(network, who)).toHaveLength(1);
    expect(await reload(share.id)).toMatchObject({ status: "published", externalId: postsAt(network, who)[0] });
  });

  it("LinkedIn, posted before: the repeat is refused as DUPLICATE_POST naming the first post; published with it, one post", async () => {
    const s = await scene();
    const who = await account(s, "linkedin");
    const share = await schedule(s, who.connection);
    await publishShare(db(), redis(), share.id);
    const [urn] = postsAt("linkedin", who);
    const now = new Date();
    await leftPublishing(share, now, { startedAgo: 2 * MINUTE });

    expect(await publishShare(db(), redis(), share.id, { now })).toBe("published");

    expect(await reload(share.id)).toMatchObject({ status: "published", externalId: urn });
    expect(postsAt("linkedin", who)).toEqual([urn]);
  });

  it("X, when the look-up cannot tell (t.co links without their expansion): needs attention, never a blind second post", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const share = await schedule(s, who.connection);
    await publishShare(db(), redis(), share.id);
    const [tweet] = xFake.tweets.filter((t) => t.authorId === who.externalId);
    const now = new Date();
    await leftPublishing(share, now, { startedAgo: 2 * MINUTE });
    // X leaves the expansion out (it does for some links): a t.co link that may be ours.
    xFake.inject({ match: (r) => r.method === "GET" && r.path === `/2/users/${who.externalId}/tweets`, status: 200, body: timelineWithoutExpansion(tweet!) });

    expect(await publishShare(db(), redis(), share.id, { now })).toBe("needs_attention");

    expect(await reload(share.id)).toMatchObject({ status: "needs_attention", errorCode: "outcome_unknown", externalId: null });
    expect(postRequests("x", who)).toHaveLength(1);
    expect(postsAt("x", who)).toHaveLength(1);
    expectReasonShown("outcome_unknown");
  });

  it("needs attention: the employee either confirms the post is there (published, nothing posted) or has it posted again (once); nobody else can", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const undecided = async () => {
      const share = await schedule(s, who.connection);
      await publishShare(db(), redis(), share.id);
      const now = new Date();
      await leftPublishing(share, now, { startedAgo: 2 * MINUTE });
      xFake.inject({ match: (r) => r.method === "GET" && r.path === `/2/users/${who.externalId}/tweets`, status: 403 });
      expect(await publishShare(db(), redis(), share.id, { now })).toBe("needs_attention");
      return share;
    };

    const there = await undecided();
    const colleague = await makeMember(s.cli, ["employee"]);
    await expect(markPosted(db(), colleague.scope, colleague.user.id, there.id)).rejects.toThrow();
    await markPosted(db(), s.scope, s.userId, there.id);
    expect(await reload(there.id)).toMatchObject({ status: "published", errorCode: null });

    const gone = await undecided();
    // The employee looked: the half-made post is removed (or never showed); post it again.
    const link = await trackedLinkOf(gone);
    const live = () => xFake.tweets.filter((t) => !t.deleted && t.sentText.includes(link));
    xFake.deleteTweet(live()[0]!.id);
    await retryShare(db(), s.scope, s.userId, gone.id);
    expect(await reload(gone.id)).toMatchObject({ status: "scheduled", attempts: 0 });
    expect(await getQueue(publishQueueFor("x")).getJob(publishJobId(gone.id))).toBeTruthy();
    expect(await publishShare(db(), redis(), gone.id)).toBe("published");
    expect(live()).toHaveLength(1);
    expect(await reload(gone.id)).toMatchObject({ status: "published", externalId: live()[0]!.id });
  });

  it("Mastodon within its idempotency window: posted again with the same key, and the network answers with the first status", async () => {
    const s = await scene();
    const who = await account(s, "mastodon");
    const share = await schedule(s, who.connection);
    await publishShare(db(), redis(), share.id);
    const [status] = postsAt("mastodon", who);
    const now = new Date();
    await leftPublishing(share, now, { startedAgo: 2 * MINUTE });

    expect(await publishShare(db(), redis(), share.id, { now })).toBe("published");

    const requests = postRequests("mastodon", who);
    expect(requests.map((r) => r.headers["idempotency-key"])).toEqual([share.id, share.id]);
    expect(postsAt("mastodon", who)).toEqual([status]);
    expect(await reload(share.id)).toMatchObject({ status: "published", externalId: status });
  });

  it("a share publishing for less than a minute (its worker may be alive): RetryLater until it counts as stale, the row untouched", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const share = await schedule(s, who.connection);
    const now = new Date();
    await leftPublishing(share, now, { startedAgo: 10 * SECOND });
    const before = await reload(share.id);

    const wait = await retryLater(publishShare(db(), redis(), share.id, { now }));

    expect(wait.delayMs).toBe(STALE_PUBLISHING_MS - 10 * SECOND + SECOND);
    expect(await reload(share.id)).toEqual(before);
    expect(fakeOf("x").requests.filter((r) => r.headers.authorization === `Bearer ${who.accessToken}`)).toHaveLength(0);
  });
});

/** GET /2/users/:id/tweets as X answers with tweet.fields=entities,created_at: the t.co link expanded. */
function timelineWithoutExpansion(tweet: XTweet) {
  return {
    data: [{ id: tweet.id, text: tweet.text, created_at: tweet.createdAt.toISOString(), edit_history_tweet_ids: [tweet.id] }],
    meta: { result_count: 1, newest_id: tweet.id, oldest_id: tweet.id },
  };
}

// --- 5. the account's post window ---------------------------------------------------------

describe("the per-account post window", () => {
  it("refuses X's 96th post within 15 minutes and says how long until a place frees up; other accounts are not affected", async () => {
    const { max, windowMs } = adapterFor("x").postLimits.account;
    const connectionId = randomUUID();
    const t0 = Date.now();
    for (let i = 0; i < max; i++) expect(await takePostSlot(redis(), "x", connectionId, randomUUID(), t0 + i)).toBe(0);

    expect(await takePostSlot(redis(), "x", connectionId, randomUUID(), t0 + 10 * SECOND)).toBe(windowMs - 10 * SECOND);
    expect(await takePostSlot(redis(), "x", randomUUID(), randomUUID(), t0 + 10 * SECOND)).toBe(0);
    // Once the oldest post leaves the window, the next one fits.
    expect(await takePostSlot(redis(), "x", connectionId, randomUUID(), t0 + windowMs + 1)).toBe(0);
  });

  it("a share over the account's window: RetryLater for the wait, the share stays scheduled, nothing posted; it posts once a place frees up", async () => {
    const s = await scene();
    const who = await account(s, "mastodon");
    const share = await schedule(s, who.connection);
    const { max, windowMs } = adapterFor("mastodon").postLimits.account;
    const filledAt = Date.now();
    for (let i = 0; i < max; i++) await takePostSlot(redis(), "mastodon", who.connection.id, randomUUID(), filledAt);

    const before = Date.now();
    const wait = await retryLater(publishShare(db(), redis(), share.id));
    expect(wait.delayMs).toBeLessThanOrEqual(filledAt + windowMs - before);
    expect(wait.delayMs).toBeGreaterThan(0);
    expect(await reload(share.id)).toMatchObject({ status: "scheduled" });
    expect(postRequests("mastodon", who)).toHaveLength(0);

    // The window passes (its posts age out).
    await redis().del(redisKeys.postWindowAccount("mastodon", who.connection.id));
    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    expect(postRequests("mastodon", who)).toHaveLength(1);
    // The refused try never reached Mastodon: one attempt, not two.
    expect(await reload(share.id)).toMatchObject({ status: "published", attempts: 1 });
  });
});

// --- 6. the reconciler --------------------------------------------------------------------

describe("reconcileShares", () => {
  it("queues a scheduled share whose job Redis lost again, same job id, delayed to its time; a live job is left alone", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const lost = await schedule(s, who.connection, { at: new Date(Date.now() + 2 * HOUR) });
    const kept = await schedule(s, (await account(s, "mastodon")).connection, { at: new Date(Date.now() + 3 * HOUR) });
    await (await publishJob(lost))!.remove();
    expect(await publishJob(lost)).toBeUndefined();
    const keptJob = (await publishJob(kept))!;

    const now = new Date();
    await reconcileShares(db(), now);

    const back = (await publishJob(lost))!;
    expect(back.id).toBe(publishJobId(lost.id));
    expect(back.name).toBe("share.publish");
    expect(back.data).toEqual({ shareId: lost.id });
    expect(back.delay).toBe(lost.scheduledAt.getTime() - now.getTime());
    expect(back.opts.attempts).toBe(PUBLISH_ATTEMPTS);
    expect(await back.getState()).toBe("delayed");

    const still = (await publishJob(kept))!;
    expect({ timestamp: still.timestamp, delay: still.delay }).toEqual({ timestamp: keptJob.timestamp, delay: keptJob.delay });
  });

  it("gives a dead worker's publishing share a job when it counts as stale (at once when it already does)", async () => {
    const s = await scene();
    const now = new Date();
    const recent = await schedule(s, (await account(s, "x")).connection);
    const old = await schedule(s, (await account(s, "linkedin")).connection);
    await leftPublishing(recent, now, { startedAgo: 20 * SECOND });
    await leftPublishing(old, now, { startedAgo: 10 * MINUTE });
    for (const share of [recent, old]) await (await publishJob(share))?.remove();

    await reconcileShares(db(), now);

    expect((await publishJob(recent))!.delay).toBe(STALE_PUBLISHING_MS - 20 * SECOND + SECOND);
    expect((await publishJob(old))!.delay).toBe(0);
    // The job then recovers it: the share itself is not touched by the reconciler.
    expect(await reload(recent.id)).toMatchObject({ status: "publishing" });
  });

  it("reach polls come due from PostgreSQL: the due one is queued once, one whose job Redis lost is claimed again after its lease", async () => {
    const s = await scene();
    const share = await schedule(s, (await account(s, "x")).connection);
    await publishShare(db(), redis(), share.id);
    // Published two hours ago: its first poll (1 h) is due.
    const publishedAt = new Date(Date.now() - 2 * HOUR);
    await db().update(shares).set({ publishedAt }).where(eq(shares.id, share.id));
    await db().update(reachPolls).set({ dueAt: new Date(publishedAt.getTime() + REACH_POLLS_MS[0]!) }).where(eq(reachPolls.shareId, share.id));
    const now = new Date();

    expect(await claimDuePolls(db(), now)).toBeGreaterThanOrEqual(1);
    const job = (await reachJob(share.id, 0))!;
    expect(job.data).toEqual({ shareId: share.id, poll: 0 });
    expect(job.opts.attempts).toBe(3);
    // Claimed, not done: due again once its lease is over.
    expect(await nextPollOf(db(), share.id)).toEqual({ poll: 0, dueAt: new Date(now.getTime() + POLL_LEASE_MS) });
    await claimDuePolls(db(), new Date(now.getTime() + POLL_LEASE_MS - SECOND));
    expect((await reachJob(share.id, 0))!.timestamp).toBe(job.timestamp);

    // Redis loses the job: the lease ends and the poll is claimed and queued again.
    await job.remove();
    await claimDuePolls(db(), new Date(now.getTime() + POLL_LEASE_MS));
    expect((await reachJob(share.id, 0))?.data).toEqual({ shareId: share.id, poll: 0 });
  });

  it("each poll moves the schedule on: to the next poll, skipping those missed, only from the poll that ran, and to none after the last", async () => {
    const s = await scene();
    const share = await schedule(s, (await account(s, "mastodon")).connection);
    await publishShare(db(), redis(), share.id);
    const publishedAt = (await reload(share.id)).publishedAt!.getTime();
    const at = (ms: number) => new Date(publishedAt + ms);

    await movePollOn(db(), share.id, 0, at(REACH_POLLS_MS[0]!));
    expect(await nextPollOf(db(), share.id)).toEqual({ poll: 1, dueAt: at(REACH_POLLS_MS[1]!) });
    // A late or repeated job of poll 0 changes nothing.
    await movePollOn(db(), share.id, 0, at(REACH_POLLS_MS[0]!));
    expect(await nextPollOf(db(), share.id)).toEqual({ poll: 1, dueAt: at(REACH_POLLS_MS[1]!) });
    // Poll 1 ran two days late (nothing ran meanwhile): the 1-day poll is skipped, the 3-day one comes at its time.
    await movePollOn(db(), share.id, 1, at(2 * 24 * HOUR));
    expect(await nextPollOf(db(), share.id)).toEqual({ poll: 3, dueAt: at(REACH_POLLS_MS[3]!) });
    // After the last poll's time: polling is over.
    await movePollOn(db(), share.id, 3, at(REACH_POLLS_MS.at(-1)! + HOUR));
    expect(await nextPollOf(db(), share.id)).toBeNull();
  });
});

// --- 7. the publish worker ----------------------------------------------------------------

describe("the publish worker (BullMQ, in process)", () => {
  let worker: Worker;
  let workerRedis: RedisClient;
  let limitsRedis: RedisClient;
  const queue = () => getQueue("publish-x");

  beforeAll(async () => {
    // The jobs earlier tests left on this file's queue are theirs, not this worker's.
    await queue().obliterate({ force: true });
    workerRedis = createRedis("worker");
    limitsRedis = createRedis("client");
    worker = startWorker("publish-x", publishProcessors(limitsRedis), workerRedis, { concurrency: 2 });
    await worker.waitUntilReady();
  });

  afterAll(async () => {
    await worker?.close();
    await Promise.all([workerRedis?.quit(), limitsRedis?.quit()]);
  });

  /** The job once it reached one of `states` (read again then: the fields of that state). */
  async function settled(id: string, states: string[]): Promise<Job> {
    await vi.waitFor(async () => expect(states).toContain(await queue().getJobState(id)), { timeout: 20_000, interval: 50 });
    return (await queue().getJob(id))!;
  }

  it("publishes a due share: the job completes with 'published'", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const share = await schedule(s, who.connection);

    const job = await settled(publishJobId(share.id), ["completed", "failed"]);

    expect(job.returnvalue).toBe("published");
    expect(await reload(share.id)).toMatchObject({ status: "published" });
    expect(postsAt("x", who)).toHaveLength(1);
  });

  it("a malformed payload fails the job at once, with the validation message the dashboard shows", async () => {
    const job = await queue().add("share.publish", { shareId: 42 } as never, { attempts: PUBLISH_ATTEMPTS });

    const failed = await settled(job.id!, ["failed"]);

    expect(failed.failedReason).toMatch(/^Malformed payload for publish-x\/share\.publish: /);
    expect(failed.failedReason).toContain("shareId");
    expect(failed.attemptsMade).toBe(1);
  });

  it("RetryLater moves the job to delayed by the wait without spending an attempt", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const share = await schedule(s, who.connection, { at: new Date(Date.now() + HOUR) });
    // Another worker is publishing it right now.
    const startedAt = new Date();
    await db().update(shares).set({ status: "publishing", publishingStartedAt: startedAt, attempts: 1 }).where(eq(shares.id, share.id));
    await (await publishJob(share))!.promote();

    await vi.waitFor(
      async () => {
        expect(await queue().getJobState(publishJobId(share.id))).toBe("delayed");
        expect((await queue().getJob(publishJobId(share.id)))!.attemptsStarted).toBeGreaterThanOrEqual(1);
      },
      { timeout: 20_000, interval: 50 },
    );
    const job = await queue().getJob(publishJobId(share.id));
    const seen = Date.now();

    expect(job!.attemptsMade).toBe(0);
    expect(job!.delay).toBeLessThanOrEqual(STALE_PUBLISHING_MS + SECOND);
    expect(job!.delay).toBeGreaterThanOrEqual(startedAt.getTime() + STALE_PUBLISHING_MS + SECOND - seen);
    expect(await reload(share.id)).toMatchObject({ status: "publishing", attempts: 1, publishingStartedAt: startedAt });
    expect(postRequests("x", who)).toHaveLength(0);
  });

  it("a 5xx spends an attempt: the job waits out BullMQ's backoff, the share back to scheduled", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const share = await schedule(s, who.connection, { at: new Date(Date.now() + HOUR) });
    xFake.inject({ match: isPostBy("x", who), status: 503 });
    await db().update(shares).set({ scheduledAt: new Date() }).where(eq(shares.id, share.id));
    await (await publishJob(share))!.promote();

    await vi.waitFor(
      async () => {
        expect(await queue().getJobState(publishJobId(share.id))).toBe("delayed");
        expect((await queue().getJob(publishJobId(share.id)))!.attemptsMade).toBe(1);
      },
      { timeout: 20_000, interval: 50 },
    );
    const job = await queue().getJob(publishJobId(share.id));

    expect(job!.failedReason).toContain("503");
    // The first of PUBLISH_ATTEMPTS, exponential from 30 s.
    expect(job!.delay).toBe(30_000);
    expect(await reload(share.id)).toMatchObject({ status: "scheduled" });
    expect(postsAt("x", who)).toHaveLength(0);
  });

  it("on the job's last attempt a 5xx ends the share failed with network_unavailable (the job completes: nothing left to retry)", async () => {
    const s = await scene();
    const who = await account(s, "x");
    const share = await schedule(s, who.connection, { at: new Date(Date.now() + HOUR) });
    await (await publishJob(share))!.remove();
    await db().update(shares).set({ scheduledAt: new Date() }).where(eq(shares.id, share.id));
    xFake.inject({ match: isPostBy("x", who), status: 503 });
    // A job with one attempt left.
    await queue().add("share.publish", { shareId: share.id }, { jobId: publishJobId(share.id), attempts: 1 });

    const job = await settled(publishJobId(share.id), ["completed", "failed"]);

    expect(job.returnvalue).toBe("failed");
    expect(await reload(share.id)).toMatchObject({ status: "failed", errorCode: "network_unavailable" });
    expect(postsAt("x", who)).toHaveLength(0);
  });
});

// --- 8. tokens renewed ahead of expiry ----------------------------------------------------

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
  return connectionRow(summary.id);
}

/** X refuses this refresh token from now on, as it answers a dead grant. */
function refusesRefresh(refreshToken: string | null) {
  xFake.inject({
    match: (r) => r.method === "POST" && r.path === "/2/oauth2/token" && (r.body as Record<string, unknown>).refresh_token === refreshToken,
    status: 400,
    body: { error: "invalid_grant", error_description: "Value passed for the token was invalid." },
    times: Infinity,
  });
}

/** The account a connection posts as, for the request and post helpers. */
async function publishingAs(connection: SocialConnection): Promise<Account> {
  const tokens = decryptTokens(connection)!;
  return { connection, name: connection.handle.replace(/^@/, ""), accessToken: tokens.accessToken, externalId: connection.externalId };
}

describe("refreshExpiringTokens", () => {
  it("renews an X token that expires within the window: new tokens from X, stored encrypted; tokens further off are left alone", async () => {
    const s = await scene();
    const connection = await connectX(s);
    const before = decryptTokens(connection)!;
    expect(before.refreshToken).toBeTruthy();

    await refreshExpiringTokens(db(), new Date());
    expect(decryptTokens(await connectionRow(connection.id))).toEqual(before);

    await refreshExpiringTokens(db(), new Date(connection.tokenExpiresAt!.getTime() - 10 * MINUTE));

    const row = await connectionRow(connection.id);
    const after = decryptTokens(row)!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(row.tokenExpiresAt!.getTime()).toBeGreaterThanOrEqual(connection.tokenExpiresAt!.getTime());
    expect(row.status).toBe("active");
    for (const secret of [after.accessToken, after.refreshToken!]) expect(JSON.stringify(row)).not.toContain(secret);
    const refresh = xFake.requests.findLast((r) => r.method === "POST" && r.path === "/2/oauth2/token");
    expect(refresh!.body).toMatchObject({ grant_type: "refresh_token", refresh_token: before.refreshToken });
    // The new access token works at X; the share goes out with it.
    const me = await fetch(`${xFake.url}/2/users/me`, { headers: { authorization: `Bearer ${after.accessToken}` } });
    expect(me.status).toBe(200);
    const share = await schedule(s, row);
    expect(await publishShare(db(), redis(), share.id)).toBe("published");
  });

  it("a refresh X refuses (invalid_grant) marks the connection revoked and tells the employee; its shares then fail with a reason", async () => {
    const s = await scene();
    const connection = await connectX(s);
    refusesRefresh(decryptTokens(connection)!.refreshToken);

    const result = await refreshExpiringTokens(db(), new Date(connection.tokenExpiresAt!.getTime() - 10 * MINUTE));

    expect(result.failed).toBeGreaterThanOrEqual(1);
    expect(await connectionRow(connection.id)).toMatchObject({ status: "revoked", lastError: "invalid_grant" });
    const notices = await db().select().from(notifications).where(and(eq(notifications.userId, s.userId), eq(notifications.kind, "connection.expired")));
    expect(notices.map((n) => n.data.connectionId)).toEqual([connection.id]);

    const share = await db().insert(shares).values({ orgId: s.cli.orgId, storyId: s.story.id, userId: s.userId, connectionId: connection.id, network: "x", mode: "api", text: TEXT, scheduledAt: new Date() }).returning();
    expect(await publishShare(db(), redis(), share[0]!.id)).toBe("failed");
    expect(await reload(share[0]!.id)).toMatchObject({ errorCode: "connection_expired" });
  });
});

// --- X priced in: the organisation's budget for X's paid API -----------------------------------

describe("X's paid API under the organisation's budget", () => {
  const budget = (s: Scene, kind: "posts" | "money", amount: number | null, enabled = true) => updateXApiSettings(db(), s.cli, { enabled, budget: { kind, amount }, prices: null });
  const notices = (s: Scene) => db().select().from(notifications).where(and(eq(notifications.userId, s.userId), eq(notifications.kind, "share.shareWindow")));

  it("a post the month's budget cannot cover goes to X's share window, the person told why; nothing sent to X, nothing failed", async () => {
    const s = await scene();
    const who = await account(s, "x");
    await budget(s, "posts", 1);
    const first = await schedule(s, who.connection);
    const second = await schedule(s, who.connection, { text: "Endnu en fabrik i Esbjerg" });

    expect(await publishShare(db(), redis(), first.id)).toBe("published");
    expect(await publishShare(db(), redis(), second.id)).toBe("share_window");

    expect(await reload(second.id)).toMatchObject({ mode: "intent", status: "scheduled", errorCode: "api_budget_reached", externalId: null });
    expect(postRequests("x", who)).toHaveLength(1);
    expect(postsAt("x", who)).toHaveLength(1);
    expect(await notices(s)).toEqual([expect.objectContaining({ data: { title: "Ny fabrik i Esbjerg", network: "x", reason: "api_budget_reached" } })]);
    expectReasonShown("api_budget_reached");
    // The meter: one post with a link at X's published price; nothing left of the budget.
    expect(await apiBudget(db(), s.cli.orgId, "x")).toMatchObject({ used: { posts: 1, reads: 0, spent: 0.2 }, remaining: 0, canPost: false, reason: "budget" });
    // A second run of its job finds an intent share: nothing more happens.
    expect(await publishShare(db(), redis(), second.id)).toBe("skipped");
  });

  it("budget 0: every X share uses the share window and none fails; API posting off says so", async () => {
    const s = await scene();
    const who = await account(s, "x");
    await budget(s, "money", 0);
    const made = await Promise.all([1, 2, 3].map((i) => schedule(s, who.connection, { text: `Fabrik nummer ${i} i Esbjerg` })));
    for (const share of made) expect(await publishShare(db(), redis(), share.id)).toBe("share_window");
    expect((await Promise.all(made.map((m) => reload(m.id)))).map((r) => [r.mode, r.status, r.errorCode])).toEqual(Array(3).fill(["intent", "scheduled", "api_budget_reached"]));
    expect(postRequests("x", who)).toHaveLength(0);

    await budget(s, "money", null, false);
    const off = await schedule(s, who.connection, { text: "Fabrik nummer 4 i Esbjerg" });
    expect(await publishShare(db(), redis(), off.id)).toBe("share_window");
    expect(await reload(off.id)).toMatchObject({ mode: "intent", errorCode: "api_posting_off" });
    expectReasonShown("api_posting_off");
    expect(postRequests("x", who)).toHaveLength(0);
  });

  it("workers side by side never spend past the budget: a budget for three posts lets exactly three of ten through", async () => {
    const s = await scene();
    const who = await account(s, "x");
    await budget(s, "money", 0.6);
    const made = await Promise.all(Array.from({ length: 10 }, (_, i) => schedule(s, who.connection, { text: `Samtidig fabrik ${i} i Esbjerg` })));
    const outcomes = await Promise.all(made.map((share) => publishShare(db(), redis(), share.id)));
    expect(outcomes.filter((o) => o === "published")).toHaveLength(3);
    expect(outcomes.filter((o) => o === "share_window")).toHaveLength(7);
    expect(postsAt("x", who)).toHaveLength(3);
    expect((await apiBudget(db(), s.cli.orgId, "x"))!.used).toEqual({ posts: 3, reads: 0, spent: 0.6 });
  });

  it("a look-up the budget refuses ends the share in needs attention, never a second post", async () => {
    const s = await scene();
    const who = await account(s, "x");
    await budget(s, "money", 0.2);
    const share = await schedule(s, who.connection);
    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    const now = new Date();
    await leftPublishing(share, now, { startedAgo: 2 * MINUTE });

    expect(await publishShare(db(), redis(), share.id, { now })).toBe("needs_attention");

    expect(await reload(share.id)).toMatchObject({ status: "needs_attention", errorCode: "lookup_over_budget" });
    expect(postRequests("x", who)).toHaveLength(1);
    expect(xFake.requests.filter((r) => r.method === "GET" && r.headers.authorization === `Bearer ${who.accessToken}` && r.path.includes("/tweets"))).toHaveLength(0);
    expectReasonShown("lookup_over_budget");
  });

  it("other networks are not metered", async () => {
    const s = await scene();
    const who = await account(s, "mastodon");
    await budget(s, "money", 0);
    expect(await publishShare(db(), redis(), (await schedule(s, who.connection)).id)).toBe("published");
    expect(await apiBudget(db(), s.cli.orgId, "mastodon")).toBeNull();
  });
});

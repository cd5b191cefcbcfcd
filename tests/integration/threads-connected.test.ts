import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditLog, orgNetworkApps, shares, socialConnections, type Share } from "@/db/schema";
import { completeConnect, decryptTokens, networkOffers, refreshExpiringTokens, removeOrgNetworkApp, saveOrgNetworkApp, startConnect } from "@/lib/connections";
import { closeDb, db } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { clearRedisPrefix } from "../support/test-env";
import { redis } from "@/lib/queue";
import { createShares } from "@/lib/shares";
import { STALE_PUBLISHING_MS, publishShare } from "@/lib/shares/publish";
import { RetryLater } from "@/lib/errors";
import { adapterFor } from "@/lib/networks/registry";
import { startFakeThreads, type FakeThreads } from "../fakes/threads";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { envOverride } from "../support/env-override";
import { acceptCurrentGuidelines, makeMember, makeOrganization, makePublishedStory } from "../support/factories";

/**
 * Threads as a connected network (issue 15, item 6), through the real paths against the fake
 * (tests/fakes/threads.ts, after docs/networks/threads.md): the admin enters the
 * organisation's own Threads app, an employee connects a profile through the authorisation
 * window, and a share goes out in two steps with the container stored on the share first, so a
 * retry publishes that container, takes its post, or makes a new one once when it expired.
 */
const runPrefix = process.env.QUEUE_PREFIX!;
process.env.QUEUE_PREFIX = `${runPrefix}-threads`;

const APP = { clientId: "1234567890123456", clientSecret: "threads-app-secret-0123456789abcdef" };
const DAY = 24 * 60 * 60 * 1000;
let database: TestDatabase;
let fake: FakeThreads;
const { set: setEnv, restore: restoreEnv } = envOverride();

beforeAll(async () => {
  [database, fake] = await Promise.all([createTestDatabase("threads"), startFakeThreads({ appId: APP.clientId, appSecret: APP.clientSecret, autoApprove: true })]);
  setEnv({ DATABASE_URL: database.url, APP_URL: "https://ripple.dk", ALLOW_PRIVATE_FETCH: undefined, FETCH_ALLOW_HOSTS: new URL(fake.url).host, THREADS_API_URL: fake.url, THREADS_AUTH_URL: fake.url });
}, 60_000);

afterAll(async () => {
  await closeDb();
  await Promise.all([fake?.close(), database?.drop()]);
  await clearRedisPrefix(process.env.REDIS_URL!, process.env.QUEUE_PREFIX!);
  restoreEnv();
});

async function scene(name = "Havn A/S") {
  const { cli } = await makeOrganization(name);
  const admin = await makeMember(cli, ["admin"], { name: "Anders Admin" });
  const member = await makeMember(cli, ["employee"], { name: "Mette Jensen" });
  await acceptCurrentGuidelines(cli, member.user.id);
  const story = await makePublishedStory(cli, { title: "Ny kaj i Aarhus", summary: "Havnen vokser", canonicalUrl: "https://havn.example/kaj" });
  return { cli, admin, member, story };
}
type Scene = Awaited<ReturnType<typeof scene>>;

/** The employee approves Ripple in Threads' window (the fake approves at once) and comes back. */
async function connectThreads(s: Scene) {
  const { redirectUrl } = await startConnect(db(), s.member.scope, s.member.user.id, { network: "threads" });
  const response = await fetch(redirectUrl, { redirect: "manual" });
  expect(response.status).toBe(302);
  const back = new URL(response.headers.get("location")!);
  expect(back.pathname).toBe("/connections/callback/threads");
  return completeConnect(db(), s.member.scope, s.member.user.id, { network: "threads", state: back.searchParams.get("state"), code: back.searchParams.get("code") });
}

async function shareNow(s: Scene, connectionId: string, text = "Vi bygger en ny kaj i Aarhus 🚢 og søger folk") {
  const [share] = await createShares(db(), s.member.scope, s.member.user.id, { storyId: s.story.id, posts: [{ connectionId, text }] }, undefined, { enqueue: false });
  return share!;
}

async function reload(id: string): Promise<Share> {
  const [row] = await db().select().from(shares).where(eq(shares.id, id));
  return row!;
}

/** Leaves the share as a worker killed mid-publish does: publishing, long enough ago to be taken over. */
async function diedWhilePublishing(id: string) {
  await db()
    .update(shares)
    .set({ status: "publishing", attempts: 1, publishingStartedAt: new Date(Date.now() - STALE_PUBLISHING_MS - 1_000), firstAttemptAt: new Date(Date.now() - STALE_PUBLISHING_MS - 1_000) })
    .where(eq(shares.id, id));
}

const postsOf = (userId: string) => fake.posts.filter((post) => post.userId === userId);

describe("the organisation's Threads app", () => {
  it("is entered by an admin, stored encrypted, offered to that organisation only, and removed again", async () => {
    const s = await scene();
    const other = await scene("Anden A/S");
    expect((await networkOffers(db(), s.cli.orgId)).find((o) => o.network === "threads")).toMatchObject({ available: false, orgApp: true });

    await saveOrgNetworkApp(db(), s.admin.scope, { network: "threads", ...APP });
    const [row] = await db().select().from(orgNetworkApps).where(eq(orgNetworkApps.orgId, s.cli.orgId));
    expect(row!.clientId).toBe(APP.clientId);
    expect(row!.clientSecretEnc).not.toContain(APP.clientSecret);
    expect((await networkOffers(db(), s.cli.orgId)).find((o) => o.network === "threads")?.available).toBe(true);
    expect((await networkOffers(db(), other.cli.orgId)).find((o) => o.network === "threads")?.available).toBe(false);
    await expect(startConnect(db(), other.member.scope, other.member.user.id, { network: "threads" })).rejects.toMatchObject({ code: "networkUnavailable" });

    // The audit names the app id, never the secret.
    const audits = await db().select().from(auditLog).where(eq(auditLog.orgId, s.cli.orgId));
    expect(JSON.stringify(audits)).toContain(APP.clientId);
    expect(JSON.stringify(audits)).not.toContain(APP.clientSecret);

    // Changing the id only keeps the secret.
    await saveOrgNetworkApp(db(), s.admin.scope, { network: "threads", clientId: APP.clientId, clientSecret: "" });
    const [kept] = await db().select().from(orgNetworkApps).where(eq(orgNetworkApps.orgId, s.cli.orgId));
    expect(kept!.clientSecretEnc).toBe(row!.clientSecretEnc);

    expect(await removeOrgNetworkApp(db(), s.admin.scope, "threads")).toBe(true);
    expect((await networkOffers(db(), s.cli.orgId)).find((o) => o.network === "threads")?.available).toBe(false);
  });

  it("refuses a new app without its secret, a malformed id, and another network, and stores nothing", async () => {
    const s = await scene();
    const refusal = (input: Parameters<typeof saveOrgNetworkApp>[2]) => saveOrgNetworkApp(db(), s.admin.scope, input).then(() => null, (error: unknown) => error);
    expect(await refusal({ network: "threads", clientId: APP.clientId })).toBeInstanceOf(DomainError);
    expect(await refusal({ network: "threads", clientId: "12 34<script>", clientSecret: "x" })).toMatchObject({ name: "ZodError" });
    expect(await refusal({ network: "x", clientId: "abc", clientSecret: "x" })).toMatchObject({ name: "ZodError" });
    expect(await db().select().from(orgNetworkApps).where(eq(orgNetworkApps.orgId, s.cli.orgId))).toEqual([]);
  });
});

describe("connecting and publishing to Threads", () => {
  it("connects a profile with a 60-day token, and a share posts as a text post with the tracked link attached, its container stored first", async () => {
    const s = await scene();
    await saveOrgNetworkApp(db(), s.admin.scope, { network: "threads", ...APP });
    const connected = await connectThreads(s);
    expect(connected).toMatchObject({ network: "threads", handle: "@ripple-user", status: "active" });
    const [row] = await db().select().from(socialConnections).where(eq(socialConnections.id, connected.id));
    const tokens = decryptTokens(row!)!;
    expect(tokens.expiresAt!.getTime() - Date.now()).toBeGreaterThan(59 * DAY);

    const share = await shareNow(s, connected.id);
    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    const done = await reload(share.id);
    const mine = postsOf(connected.externalId);
    expect(mine).toHaveLength(1);
    expect(done).toMatchObject({ status: "published", externalId: mine[0]!.id, draftId: expect.any(String) });
    expect(fake.containers.get(done.draftId!)?.mediaId).toBe(mine[0]!.id);
    expect(mine[0]!.link_attachment_url).toMatch(/^https:\/\/ripple\.dk\/r\/[0-9A-Za-z]+$/);
    expect(mine[0]!.text).toContain(mine[0]!.link_attachment_url);
    expect(done.externalUrl).toBe(`https://www.threads.net/@ripple-user/post/${mine[0]!.id}`);
  });

  it("a worker killed after storing the container publishes that container on retry, and one killed after publishing takes its post: one post each", async () => {
    const s = await scene();
    await saveOrgNetworkApp(db(), s.admin.scope, { network: "threads", ...APP });
    const connected = await connectThreads(s);

    // Killed between storing the container and threads_publish: the stored one is published.
    const first = await shareNow(s, connected.id);
    const token = decryptTokens((await db().select().from(socialConnections).where(eq(socialConnections.id, connected.id)))[0]!)!.accessToken;
    const created = await fetch(`${fake.url}/v1.0/${connected.externalId}/threads`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: new URLSearchParams({ media_type: "TEXT", text: first.text + " " }) });
    const containerId = ((await created.json()) as { id: string }).id;
    await diedWhilePublishing(first.id);
    await db().update(shares).set({ draftId: containerId }).where(eq(shares.id, first.id));
    const containersBefore = fake.containers.size;
    expect(await publishShare(db(), redis(), first.id)).toBe("published");
    expect(fake.containers.size).toBe(containersBefore);
    expect((await reload(first.id)).externalId).toBe(fake.containers.get(containerId)!.mediaId);

    // Killed after threads_publish, before "published" was written: the post is found, none made.
    const second = await shareNow(s, connected.id);
    expect(await publishShare(db(), redis(), second.id)).toBe("published");
    const posted = await reload(second.id);
    await diedWhilePublishing(second.id);
    await db().update(shares).set({ externalId: null }).where(eq(shares.id, second.id));
    const before = postsOf(connected.externalId).length;
    expect(await publishShare(db(), redis(), second.id)).toBe("published");
    expect(postsOf(connected.externalId)).toHaveLength(before);
    expect((await reload(second.id)).externalId).toBe(posted.externalId);
  });

  it("a container that expired before publishing is created again once; a second expiry fails the share without posting", async () => {
    const s = await scene();
    await saveOrgNetworkApp(db(), s.admin.scope, { network: "threads", ...APP });
    const connected = await connectThreads(s);
    const share = await shareNow(s, connected.id);
    const postsBefore = postsOf(connected.externalId).length;
    const [row] = await db().select().from(socialConnections).where(eq(socialConnections.id, connected.id));
    const token = decryptTokens(row!)!.accessToken;
    const made = await fetch(`${fake.url}/v1.0/${connected.externalId}/threads`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: new URLSearchParams({ media_type: "TEXT", text: share.text }) });
    const stale = ((await made.json()) as { id: string }).id;
    await diedWhilePublishing(share.id);
    await db().update(shares).set({ draftId: stale }).where(eq(shares.id, share.id));
    fake.advanceTime(DAY + 1_000);

    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    const done = await reload(share.id);
    expect(done.draftId).not.toBe(stale);
    expect(done.draftRecreated).toBe(true);
    expect(postsOf(connected.externalId)).toHaveLength(postsBefore + 1);

    // The re-made container expires too: the share fails, nothing is posted.
    const again = await shareNow(s, connected.id);
    const another = await fetch(`${fake.url}/v1.0/${connected.externalId}/threads`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: new URLSearchParams({ media_type: "TEXT", text: again.text }) });
    await diedWhilePublishing(again.id);
    await db().update(shares).set({ draftId: ((await another.json()) as { id: string }).id, draftRecreated: true }).where(eq(shares.id, again.id));
    fake.advanceTime(DAY + 1_000);
    expect(await publishShare(db(), redis(), again.id)).toBe("failed");
    expect(await reload(again.id)).toMatchObject({ status: "failed", errorCode: "network_invalid" });
    expect(postsOf(connected.externalId)).toHaveLength(postsBefore + 1);
  });

  it("renews the 60-day token in its last week, and reads a post's views and likes", async () => {
    const s = await scene();
    await saveOrgNetworkApp(db(), s.admin.scope, { network: "threads", ...APP });
    const connected = await connectThreads(s);
    const [before] = await db().select().from(socialConnections).where(eq(socialConnections.id, connected.id));
    const old = decryptTokens(before!)!;

    // A month in: nothing to renew yet. (The clock is moved for Ripple and the fake alike:
    // the adapter reads it to know the token is old enough for Threads to renew it.)
    vi.useFakeTimers({ toFake: ["Date"], now: new Date(Date.now() + 30 * DAY) });
    try {
      expect(await refreshExpiringTokens(db(), new Date())).toEqual({ refreshed: 0, failed: 0 });
    } finally {
      vi.useRealTimers();
    }
    const [month] = await db().select().from(socialConnections).where(eq(socialConnections.id, connected.id));
    expect(decryptTokens(month!)!.accessToken).toBe(old.accessToken);

    // Five days before it ends: renewed for another 60 days.
    const now = new Date(old.expiresAt!.getTime() - 5 * DAY);
    vi.useFakeTimers({ toFake: ["Date"], now });
    try {
      // Every Threads connection of this file is as old: each is renewed, none refused.
      expect((await refreshExpiringTokens(db(), now)).failed).toBe(0);
    } finally {
      vi.useRealTimers();
    }
    const [after] = await db().select().from(socialConnections).where(eq(socialConnections.id, connected.id));
    const renewed = decryptTokens(after!)!;
    expect(renewed.accessToken).not.toBe(old.accessToken);
    expect(after!.status).toBe("active");

    const share = await shareNow(s, connected.id);
    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    const post = postsOf(connected.externalId).at(-1)!;
    post.insights = { views: 412, likes: 17, replies: 3, reposts: 2, quotes: 1 };
    const adapter = adapterFor("threads");
    const metrics = await adapter.metrics!({ instanceUrl: null, client: null }, renewed, [{ externalId: post.id, publishedAt: new Date() }]);
    expect(metrics.get(post.id)).toMatchObject({ impressions: 412, reactions: 17, replies: 3, reposts: 2, quotes: 1, clicks: null });
  });
});

describe("Threads' own figures", () => {
  it("reads the profile's followers when connecting, and a profile whose day's 250 posts went out elsewhere waits: no container is made", async () => {
    const s = await scene();
    await saveOrgNetworkApp(db(), s.admin.scope, { network: "threads", ...APP });
    fake.setFollowers("ripple-user", 1234);
    const connected = await connectThreads(s);
    expect(connected.followerCount).toBe(1234);

    // 250 posts in the last hour, none through Ripple: Ripple's own window cannot see them.
    const seeded = Array.from({ length: 250 }, (_, n) => ({ id: `elsewhere${n}`, userId: connected.externalId, text: `elsewhere ${n}`, publishedAt: fake.now() - 60 * 60_000, insights: {} }));
    fake.posts.push(...seeded);
    try {
      const containersBefore = fake.containers.size;
      const share = await shareNow(s, connected.id);
      const waited = await publishShare(db(), redis(), share.id).then(() => null, (error: unknown) => error);
      expect(waited).toBeInstanceOf(RetryLater);
      expect((waited as RetryLater).delayMs).toBe(60 * 60_000);
      expect(await reload(share.id)).toMatchObject({ status: "scheduled", draftId: null, attempts: 0 });
      expect(fake.containers.size).toBe(containersBefore);
    } finally {
      fake.posts.splice(fake.posts.findIndex((post) => post.id === "elsewhere0"), seeded.length);
    }
  });
});

import type { Job } from "bullmq";
import { eq } from "drizzle-orm";
import webpush from "web-push";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { subscribePushAction, unsubscribePushAction } from "@/app/(app)/settings/push-actions";
import { pushSubscriptions, shares, users } from "@/db/schema";
import { db } from "@/lib/db";
import { PermanentFailure, RetryLater } from "@/lib/errors";
import { queueSharePush } from "@/lib/push/fan-out";
import { savePushSubscription } from "@/lib/push/subscribe";
import { sendPush } from "@/lib/push/send";
import { DEMO_INSTANCE } from "@/lib/demo-network";
import { getQueue, redis } from "@/lib/queue";
import { publishShare } from "@/lib/shares/publish";
import { runDueLifecycle } from "@/lib/stories";
import { createTeam } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import { notifyProcessors } from "@/workers/processors/notify";
import { startFakePushService, type FakePushService, type FakeSubscription } from "../fakes/push-service";
import { envOverride } from "../support/env-override";
import { makeConnection, makeMember, makeOrganization, makePublishedStory, uniqueEmail } from "../support/factories";

/** The server actions run with the session this says. */
const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const env = envOverride();
const vapid = webpush.generateVAPIDKeys();
let push: FakePushService;

beforeAll(async () => {
  push = await startFakePushService();
  // The fake push service is on loopback: the test settings let the server reach it.
  env.set({ VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: "mailto:it@nordlys.example", ALLOW_PRIVATE_FETCH: "true", FETCH_ALLOW_HOSTS: undefined });
});

afterAll(async () => {
  env.restore();
  await push.close();
});

async function subscribed(scope: Scope, userId: string): Promise<{ fake: FakeSubscription; id: string }> {
  const fake = push.subscribe();
  const row = await savePushSubscription(db(), scope, userId, fake.json);
  return { fake, id: row.id };
}

/** Runs one queued notify job through the worker's processor, as the worker would. */
async function run(jobId: string) {
  const job = (await getQueue("notify").getJob(jobId)) as Job | undefined;
  expect(job, `job ${jobId} is queued`).toBeTruthy();
  const processors = notifyProcessors() as unknown as Record<string, (data: unknown, job: Job) => Promise<unknown>>;
  return processors[job!.name]!(job!.data, job!);
}

const queued = async (jobId: string) => Boolean(await getQueue("notify").getJob(jobId));

async function subscriptionExists(id: string) {
  return (await db().select().from(pushSubscriptions).where(eq(pushSubscriptions.id, id))).length === 1;
}

describe("a new story for them", () => {
  it("is pushed, encrypted per RFC 8291 and signed with VAPID, to the subscribed employees of its audience, each in their language", async () => {
    const { cli } = await makeOrganization("Nordlys Energi A/S");
    const sales = await createTeam(db(), cli, { name: "Salg" });
    const north = await createTeam(db(), cli, { name: "Salg Nord", parentId: sales.id });
    const operations = await createTeam(db(), cli, { name: "Drift" });
    const anna = await makeMember(cli, ["employee"], { teamId: north.id, name: "Anna" });
    await db().update(users).set({ locale: "en" }).where(eq(users.id, anna.user.id));
    const bo = await makeMember(cli, ["employee"], { teamId: sales.id, name: "Bo" });
    const carl = await makeMember(cli, ["employee"], { teamId: operations.id, name: "Carl" });
    const dora = await makeMember(cli, ["manager"], { teamId: sales.id, name: "Dora" });
    const elsewhere = await makeOrganization("Andet A/S");
    const stranger = await makeMember(elsewhere.cli, ["employee"]);
    const subs = {
      anna: await subscribed(cli, anna.user.id),
      bo: await subscribed(cli, bo.user.id),
      carl: await subscribed(cli, carl.user.id),
      dora: await subscribed(cli, dora.user.id),
      stranger: await subscribed(elsewhere.cli, stranger.user.id),
    };

    // Approved for a publish time that has come: the lifecycle sweep puts it live and queues the push.
    const story = await makePublishedStory(cli, { title: "Nordlys åbner ny vindmøllepark", status: "approved", publishedAt: null, publishAt: new Date(Date.now() - 1_000), audiences: [sales.id] });
    expect(await runDueLifecycle(db(), { storyId: story.id })).toMatchObject({ published: 1 });
    expect(await run(`push-story-${story.id}`)).toEqual({ queued: 2 });

    for (const who of ["carl", "dora", "stranger"] as const) expect(await queued(`push-${subs[who].id}-story-${story.id}`), who).toBe(false);
    expect(await run(`push-${subs.anna.id}-story-${story.id}`)).toBe("sent");
    expect(await run(`push-${subs.bo.id}-story-${story.id}`)).toBe("sent");

    const [toAnna] = push.messagesFor(subs.anna.fake);
    expect(toAnna!.message).toEqual({ title: "New story to share", body: "Nordlys åbner ny vindmøllepark", url: `/compose?story=${story.id}`, tag: `story-${story.id}` });
    expect(toAnna!.claims).toMatchObject({ aud: push.origin, sub: "mailto:it@nordlys.example" });
    expect(toAnna!.vapidKey).toBe(vapid.publicKey);
    expect(toAnna!.ttl).toBe(24 * 3600);
    expect(push.messagesFor(subs.bo.fake).map((m) => m.message)).toEqual([expect.objectContaining({ title: "Ny historie at dele" })]);
    for (const who of ["carl", "dora", "stranger"] as const) expect(push.messagesFor(subs[who].fake), who).toEqual([]);
    expect(push.refused).toEqual([]);

    const [annaRow] = await db().select().from(pushSubscriptions).where(eq(pushSubscriptions.id, subs.anna.id));
    expect(annaRow!.lastSentAt).toBeInstanceOf(Date);
  });

  it("is not sent for a story that was withdrawn before the push went out", async () => {
    const { cli } = await makeOrganization();
    const eva = await makeMember(cli, ["employee"]);
    const sub = await subscribed(cli, eva.user.id);
    const story = await makePublishedStory(cli, { status: "archived" });
    expect(await sendPush(db(), { subscriptionId: sub.id, storyId: story.id })).toBe("skipped");
    expect(push.messagesFor(sub.fake)).toEqual([]);
  });
});

describe("their own share", () => {
  async function shareOf(scope: Scope, userId: string, values: Partial<typeof shares.$inferInsert>) {
    const story = await makePublishedStory(scope, { title: "Rekordår for havvind" });
    const [share] = await db()
      .insert(shares)
      .values({ orgId: scope.orgId, storyId: story.id, userId, network: "x", mode: "api", text: "Se her", scheduledAt: new Date(), ...values })
      .returning();
    return share!;
  }

  it("posted, failed or needing attention reaches the author's subscriptions in that organisation only", async () => {
    const { cli } = await makeOrganization("Nordlys Energi A/S");
    const email = uniqueEmail("frida");
    const frida = await makeMember(cli, ["employee"], { email });
    await db().update(users).set({ locale: "en" }).where(eq(users.id, frida.user.id));
    const colleague = await makeMember(cli, ["employee"]);
    const other = await makeOrganization("Andet A/S");
    const fridaElsewhere = await makeMember(other.cli, ["employee"], { email });
    expect(fridaElsewhere.user.id).toBe(frida.user.id);
    const mine = await subscribed(cli, frida.user.id);
    const myOtherOrg = await subscribed(other.cli, frida.user.id);
    const theirs = await subscribed(cli, colleague.user.id);

    const posted = await shareOf(cli, frida.user.id, { status: "published", externalUrl: "https://x.com/frida/status/1", publishedAt: new Date() });
    const failed = await shareOf(cli, frida.user.id, { status: "failed", errorCode: "network_invalid" });
    const unsure = await shareOf(cli, frida.user.id, { status: "needs_attention", errorCode: "outcome_unknown" });
    for (const share of [posted, failed, unsure]) {
      await queueSharePush(share.id, share.status);
      expect(await run(`push-share-${share.id}-${share.status}`)).toEqual({ queued: 1 });
      expect(await queued(`push-${myOtherOrg.id}-share-${share.id}-${share.status}`)).toBe(false);
      expect(await queued(`push-${theirs.id}-share-${share.id}-${share.status}`)).toBe(false);
      expect(await run(`push-${mine.id}-share-${share.id}-${share.status}`)).toBe("sent");
    }

    expect(push.messagesFor(mine.fake).map((m) => m.message)).toEqual([
      { title: "Your post is live on X", body: "“Rekordår for havvind” was posted.", url: "https://x.com/frida/status/1", tag: `share-${posted.id}` },
      { title: "Your post to X failed", body: "“Rekordår for havvind” was not posted. Open Ripple to see why.", url: "/queue", tag: `share-${failed.id}` },
      { title: "Your post to X needs a look", body: expect.stringContaining("Rekordår for havvind"), url: "/queue", tag: `share-${unsure.id}` },
    ]);
    expect(push.messagesFor(myOtherOrg.fake)).toEqual([]);
    expect(push.messagesFor(theirs.fake)).toEqual([]);
  });

  it("publishing queues the push of the outcome: a post to the demo network opens the post", async () => {
    const { cli } = await makeOrganization();
    const jens = await makeMember(cli, ["employee"]);
    const mine = await subscribed(cli, jens.user.id);
    const connection = await makeConnection(cli, jens.user.id, { network: "mastodon", instanceUrl: DEMO_INSTANCE });
    const share = await shareOf(cli, jens.user.id, { connectionId: connection.id, network: "mastodon", scheduledAt: new Date(Date.now() - 1_000) });
    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    expect(await run(`push-share-${share.id}-published`)).toEqual({ queued: 1 });
    expect(await run(`push-${mine.id}-share-${share.id}-published`)).toBe("sent");
    const [posted] = await db().select().from(shares).where(eq(shares.id, share.id));
    expect(push.messagesFor(mine.fake).map((m) => m.message)).toEqual([expect.objectContaining({ title: "Dit opslag er live på Mastodon", url: posted!.externalUrl })]);
    expect(posted!.externalUrl).toMatch(/\/demo-network#/);
  });

  it("a subscription in another organisation cannot be used to read a share", async () => {
    const { cli } = await makeOrganization();
    const gorm = await makeMember(cli, ["employee"]);
    const share = await shareOf(cli, gorm.user.id, { status: "failed" });
    const other = await makeOrganization();
    const intruder = await makeMember(other.cli, ["employee"]);
    const sub = await subscribed(other.cli, intruder.user.id);
    expect(await sendPush(db(), { subscriptionId: sub.id, shareId: share.id })).toBe("skipped");
    expect(push.messagesFor(sub.fake)).toEqual([]);
  });

  it("nothing is queued for a share still scheduled, or while push is off", async () => {
    const { cli } = await makeOrganization();
    const hans = await makeMember(cli, ["employee"]);
    await subscribed(cli, hans.user.id);
    const waiting = await shareOf(cli, hans.user.id, { status: "scheduled" });
    await queueSharePush(waiting.id, "scheduled");
    expect(await queued(`push-share-${waiting.id}-scheduled`)).toBe(false);
    const failed = await shareOf(cli, hans.user.id, { status: "failed" });
    env.set({ VAPID_PUBLIC_KEY: undefined, VAPID_PRIVATE_KEY: undefined });
    try {
      await queueSharePush(failed.id, "failed");
      expect(await queued(`push-share-${failed.id}-failed`)).toBe(false);
    } finally {
      env.set({ VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey });
    }
  });
});

describe("what the push service answers", () => {
  async function oneSubscriber() {
    const { cli } = await makeOrganization();
    const ida = await makeMember(cli, ["employee"]);
    const sub = await subscribed(cli, ida.user.id);
    const story = await makePublishedStory(cli);
    return { sub, story };
  }

  it.each([404, 410])("%i: the subscription is gone and deleted", async (status) => {
    const { sub, story } = await oneSubscriber();
    push.answer(sub.fake, { status });
    expect(await sendPush(db(), { subscriptionId: sub.id, storyId: story.id })).toBe("gone");
    expect(await subscriptionExists(sub.id)).toBe(false);
  });

  it("429 waits as long as Retry-After says, 5xx a minute; the subscription stays", async () => {
    const { sub, story } = await oneSubscriber();
    push.answer(sub.fake, { status: 429, headers: { "retry-after": "120" } });
    const limited = await sendPush(db(), { subscriptionId: sub.id, storyId: story.id }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryLater);
    expect((limited as RetryLater).delayMs).toBe(120_000);
    push.answer(sub.fake, { status: 503 });
    const down = await sendPush(db(), { subscriptionId: sub.id, storyId: story.id }, { queuedAt: new Date() }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(RetryLater);
    expect((down as RetryLater).delayMs).toBe(60_000);
    expect(await subscriptionExists(sub.id)).toBe(true);

    // A day later the message is stale: the job ends instead of waiting again.
    const dayOld = new Date(Date.now() - 25 * 3_600_000);
    await expect(sendPush(db(), { subscriptionId: sub.id, storyId: story.id }, { queuedAt: dayOld })).rejects.toBeInstanceOf(PermanentFailure);
    push.answer(sub.fake, null);
    expect(await sendPush(db(), { subscriptionId: sub.id, storyId: story.id })).toBe("sent");
  });

  it("a refusal (400) ends the job; the subscription stays", async () => {
    const { sub, story } = await oneSubscriber();
    push.answer(sub.fake, { status: 400 });
    await expect(sendPush(db(), { subscriptionId: sub.id, storyId: story.id })).rejects.toBeInstanceOf(PermanentFailure);
    expect(await subscriptionExists(sub.id)).toBe(true);
  });
});

describe("opting in and out (settings' server actions)", () => {
  async function signedIn() {
    const { org, cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);
    session.current = { userId: member.user.id, orgId: org.id, orgName: org.name, roles: ["employee"] };
    return { cli, member };
  }
  const rowsOf = (userId: string) => db().select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId));

  it("stores this browser's subscription and deletes it on opting out", async () => {
    const { member } = await signedIn();
    const fake = push.subscribe();
    expect(await subscribePushAction(fake.json)).toEqual({ ok: true, data: { subscribed: true } });
    expect(await rowsOf(member.user.id)).toEqual([expect.objectContaining({ endpoint: fake.json.endpoint, p256dh: fake.json.keys.p256dh, auth: fake.json.keys.auth })]);
    // Subscribing again (another visit) keeps one row.
    expect((await subscribePushAction(fake.json)).ok).toBe(true);
    expect(await rowsOf(member.user.id)).toHaveLength(1);
    expect(await unsubscribePushAction({ endpoint: fake.json.endpoint })).toEqual({ ok: true, data: { subscribed: false } });
    expect(await rowsOf(member.user.id)).toEqual([]);
  });

  it("refuses endpoints that are not a push service's and keys of the wrong size; nothing is stored", async () => {
    const { member } = await signedIn();
    const { json } = push.subscribe();
    const bad = [
      { ...json, endpoint: "http://push.example/send/1" },
      { ...json, endpoint: "javascript:alert(1)" },
      { ...json, endpoint: "https://user:secret@push.example/1" },
      { ...json, keys: { ...json.keys, p256dh: json.keys.p256dh.slice(0, 40) } },
      { ...json, keys: { ...json.keys, auth: "not base64url!" } },
    ];
    for (const input of bad) {
      const result = await subscribePushAction(input);
      expect(result.ok, JSON.stringify(input)).toBe(false);
      expect(result).toMatchObject({ error: "invalidInput" });
    }
    expect(await subscribePushAction({ ...json, endpoint: "http://push.example/send/1" })).toMatchObject({ fieldErrors: { endpoint: ["invalidEndpoint"] } });
    // Plain http to loopback only where the test settings allow it.
    env.set({ ALLOW_PRIVATE_FETCH: undefined });
    try {
      expect((await subscribePushAction(json)).ok).toBe(false);
    } finally {
      env.set({ ALLOW_PRIVATE_FETCH: "true" });
    }
    expect(await rowsOf(member.user.id)).toEqual([]);
  });

  it("says push is off when the installation has no VAPID keys", async () => {
    const { member } = await signedIn();
    env.set({ VAPID_PUBLIC_KEY: undefined, VAPID_PRIVATE_KEY: undefined });
    try {
      expect(await subscribePushAction(push.subscribe().json)).toMatchObject({ ok: false, error: "pushOff" });
    } finally {
      env.set({ VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey });
    }
    expect(await rowsOf(member.user.id)).toEqual([]);
  });

  it("opting out removes only one's own subscription", async () => {
    const { cli } = await signedIn();
    const colleague = await makeMember(cli, ["employee"]);
    const theirs = await subscribed(cli, colleague.user.id);
    expect((await unsubscribePushAction({ endpoint: theirs.fake.json.endpoint })).ok).toBe(true);
    expect(await subscriptionExists(theirs.id)).toBe(true);
  });
});

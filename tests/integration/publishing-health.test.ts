import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shares, type NewShare } from "@/db/schema";
import { db } from "@/lib/db";
import { failureReason, readPublishingHealth, readPublishQueues } from "@/lib/ops/publishing-health";
import { getQueue, redis } from "@/lib/queue";
import { beat } from "@/lib/queue/heartbeat";
import type { Scope } from "@/lib/tenant";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";
import { clearRedisPrefix } from "../support/test-env";

// Queue counts are exact only under a prefix of this file's own.
process.env.QUEUE_PREFIX = `ripple-health-${randomBytes(4).toString("hex")}`;
const prefix = process.env.QUEUE_PREFIX;

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The moment the page is read; every share is placed relative to it. */
const now = new Date(Date.now() - 5 * MINUTE);
const ago = (ms: number) => new Date(now.getTime() - ms);

type Org = { cli: Scope; userId: string; storyId: string; ids: Record<string, string> };

async function seedOrganization(name: string, person: string, rows: Record<string, Partial<NewShare>>): Promise<Org> {
  const { cli } = await makeOrganization(name);
  const { user } = await makeMember(cli, ["employee"], { name: person });
  const story = await makePublishedStory(cli, { title: `${name}: vindmøller` });
  const base = { orgId: cli.orgId, storyId: story.id, userId: user.id, text: "Se her", network: "x", mode: "api", scheduledAt: ago(DAY) } as const;
  const ids: Record<string, string> = {};
  for (const [key, values] of Object.entries(rows)) {
    const [row] = await db()
      .insert(shares)
      .values({ ...base, ...values })
      .returning({ id: shares.id });
    ids[key] = row!.id;
  }
  return { cli, userId: user.id, storyId: story.id, ids };
}

let a: Org;
let b: Org;

beforeAll(async () => {
  a = await seedOrganization("Nordlys", "Anna Berg", {
    // X: three waiting (one ahead, one 10 minutes late, one a minute late), one posting
    futureX: { status: "scheduled", scheduledAt: ago(-30 * MINUTE) },
    overdueX: { status: "scheduled", scheduledAt: ago(10 * MINUTE) },
    justDueX: { status: "scheduled", scheduledAt: ago(1 * MINUTE) },
    postingX: { status: "publishing", scheduledAt: ago(1 * MINUTE), publishingStartedAt: ago(30 * SECOND) },
    // X published 10 s, 60 s and 30 s late; the last more than a day ago
    pub10: { status: "published", scheduledAt: ago(HOUR + 10 * SECOND), publishedAt: ago(HOUR) },
    pub60: { status: "published", scheduledAt: ago(2 * HOUR + 60 * SECOND), publishedAt: ago(2 * HOUR) },
    pub30: { status: "published", scheduledAt: ago(30 * HOUR + 30 * SECOND), publishedAt: ago(30 * HOUR) },
    // X: two rate-limit failures in the window, one ten days ago (outside), one unknown outcome
    rate1: { status: "failed", errorCode: "network_rateLimited", updatedAt: ago(HOUR) },
    rate2: { status: "failed", errorCode: "network_rateLimited", updatedAt: ago(90 * MINUTE) },
    oldFail: { status: "failed", errorCode: "network_invalid", scheduledAt: ago(11 * DAY), updatedAt: ago(10 * DAY) },
    unknownX: { status: "needs_attention", errorCode: "outcome_unknown", updatedAt: ago(3 * HOUR) },
    // Mastodon: published on time (floored at 0) and 300 s late, four failures of four kinds
    pub0: { network: "mastodon", status: "published", scheduledAt: ago(3 * DAY), publishedAt: ago(3 * DAY + 5 * SECOND) },
    pub300: { network: "mastodon", status: "published", scheduledAt: ago(2 * DAY + 300 * SECOND), publishedAt: ago(2 * DAY) },
    expired: { network: "mastodon", status: "failed", errorCode: "connection_expired", updatedAt: ago(2 * DAY) },
    noCode: { network: "mastodon", status: "failed", errorCode: null, updatedAt: ago(4 * HOUR) },
    strange: { network: "mastodon", status: "failed", errorCode: "weird_code", updatedAt: ago(5 * HOUR) },
    duplicate: { network: "mastodon", status: "needs_attention", errorCode: "duplicate_unresolved", updatedAt: ago(HOUR) },
    // LinkedIn: published eight days ago, outside every window
    oldPub: { network: "linkedin", status: "published", scheduledAt: ago(8 * DAY), publishedAt: ago(8 * DAY) },
    // Not Ripple's to post or no longer to be posted: left out everywhere
    intent: { network: "facebook", mode: "intent", status: "scheduled", scheduledAt: ago(5 * HOUR) },
    intentX: { mode: "intent", status: "scheduled", scheduledAt: ago(5 * HOUR) },
    cancelled: { status: "cancelled", errorCode: "cancelled_by_user", scheduledAt: ago(HOUR), updatedAt: ago(HOUR) },
  });
  // Another organisation with something of every kind, none of which may show in the first.
  b = await seedOrganization("Sydvind", "Bo Holm", {
    overdue: { status: "scheduled", scheduledAt: ago(2 * HOUR) },
    attention: { network: "bluesky", status: "needs_attention", errorCode: "outcome_unknown", updatedAt: ago(20 * HOUR) },
    failed: { network: "bluesky", status: "failed", errorCode: "network_forbidden", updatedAt: ago(HOUR) },
    published: { network: "bluesky", status: "published", scheduledAt: ago(HOUR + 1_000 * SECOND), publishedAt: ago(HOUR) },
  });
});

afterAll(async () => {
  await clearRedisPrefix(process.env.REDIS_URL!, prefix);
});

describe("publishing health of one organisation", () => {
  it("counts shares per network: waiting, posting, published in 24 h and 7 days, failed in 7 days, needing attention", async () => {
    const health = await readPublishingHealth(db(), a.cli, now);
    const byNetwork = Object.fromEntries(health.networks.map(({ network, ...counts }) => [network, counts]));
    expect(byNetwork).toEqual({
      linkedin: { scheduled: 0, publishing: 0, publishedLastDay: 0, publishedLastWeek: 0, failedLastWeek: 0, needsAttention: 0 },
      x: { scheduled: 3, publishing: 1, publishedLastDay: 2, publishedLastWeek: 3, failedLastWeek: 2, needsAttention: 1 },
      mastodon: { scheduled: 0, publishing: 0, publishedLastDay: 0, publishedLastWeek: 2, failedLastWeek: 3, needsAttention: 1 },
      bluesky: { scheduled: 0, publishing: 0, publishedLastDay: 0, publishedLastWeek: 0, failedLastWeek: 0, needsAttention: 0 },
      threads: { scheduled: 0, publishing: 0, publishedLastDay: 0, publishedLastWeek: 0, failedLastWeek: 0, needsAttention: 0 },
    });
    expect(health.totals).toEqual({ scheduled: 3, publishing: 1, publishedLastDay: 2, publishedLastWeek: 5, failedLastWeek: 5, needsAttention: 2 });
  });

  it("measures lateness of the week's published shares: median and 95th percentile, overall and per network, and the oldest share waiting past its time", async () => {
    const { lateness, oldestWaiting } = await readPublishingHealth(db(), a.cli, now);
    // 0, 10, 30, 60, 300 s: median 30; p95 = 60 + 0.8 × (300 − 60)
    expect(lateness.samples).toBe(5);
    expect(lateness.medianSeconds).toBe(30);
    expect(lateness.p95Seconds).toBe(252);
    expect(lateness.byNetwork.x).toEqual({ samples: 3, medianSeconds: 30, p95Seconds: 57 });
    expect(lateness.byNetwork.mastodon).toEqual({ samples: 2, medianSeconds: 150, p95Seconds: 285 });
    expect(lateness.byNetwork.linkedin).toBeUndefined();

    expect(oldestWaiting).toEqual({ shareId: a.ids.overdueX, network: "x", storyTitle: "Nordlys: vindmøller", scheduledAt: ago(10 * MINUTE), lateSeconds: 600 });
  });

  it("groups the week's failures by reason, readable codes kept apart from unknown ones", async () => {
    const { failures } = await readPublishingHealth(db(), a.cli, now);
    expect(failures.map((f) => ({ reason: f.reason, count: f.count, byNetwork: f.byNetwork, codes: f.codes }))).toEqual([
      { reason: "network_rateLimited", count: 2, byNetwork: { x: 2 }, codes: [] },
      { reason: "duplicate_unresolved", count: 1, byNetwork: { mastodon: 1 }, codes: [] },
      { reason: "outcome_unknown", count: 1, byNetwork: { x: 1 }, codes: [] },
      { reason: "unknown", count: 1, byNetwork: { mastodon: 1 }, codes: [] },
      { reason: "other", count: 1, byNetwork: { mastodon: 1 }, codes: ["weird_code"] },
      { reason: "connection_expired", count: 1, byNetwork: { mastodon: 1 }, codes: [] },
    ]);
    expect(failures[0]!.lastAt).toEqual(ago(HOUR));
    expect(failureReason("network_unavailable")).toBe("network_unavailable");
    expect(failureReason("no_such_code")).toBe("other");
    expect(failureReason(null)).toBe("unknown");
  });

  it("lists the shares needing attention, oldest first, with who, story, network, since and reason", async () => {
    const { attention, attentionTotal } = await readPublishingHealth(db(), a.cli, now);
    expect(attentionTotal).toBe(3);
    expect(attention).toEqual([
      { shareId: a.ids.unknownX, kind: "needs_attention", reason: "outcome_unknown", network: "x", storyId: a.storyId, storyTitle: "Nordlys: vindmøller", userName: "Anna Berg", userEmail: expect.stringContaining("@"), since: ago(3 * HOUR) },
      { shareId: a.ids.duplicate, kind: "needs_attention", reason: "duplicate_unresolved", network: "mastodon", storyId: a.storyId, storyTitle: "Nordlys: vindmøller", userName: "Anna Berg", userEmail: expect.stringContaining("@"), since: ago(HOUR) },
      // Only the share more than two minutes late: the one a minute late is on its way.
      { shareId: a.ids.overdueX, kind: "overdue", reason: "overdue", network: "x", storyId: a.storyId, storyTitle: "Nordlys: vindmøller", userName: "Anna Berg", userEmail: expect.stringContaining("@"), since: ago(10 * MINUTE) },
    ]);
  });

  it("never shows another organisation's shares, and each organisation sees its own", async () => {
    const mine = await readPublishingHealth(db(), a.cli, now);
    const bIds = new Set(Object.values(b.ids));
    expect(mine.attention.some((item) => bIds.has(item.shareId))).toBe(false);
    expect(mine.networks.find((n) => n.network === "bluesky")).toMatchObject({ failedLastWeek: 0, needsAttention: 0, publishedLastWeek: 0 });
    expect(mine.failures.some((f) => f.reason === "network_forbidden")).toBe(false);
    expect(mine.lateness.byNetwork.bluesky).toBeUndefined();

    const theirs = await readPublishingHealth(db(), b.cli, now);
    expect(theirs.totals).toEqual({ scheduled: 1, publishing: 0, publishedLastDay: 1, publishedLastWeek: 1, failedLastWeek: 1, needsAttention: 1 });
    expect(theirs.attention.map((item) => [item.shareId, item.kind, item.userName])).toEqual([
      [b.ids.attention, "needs_attention", "Bo Holm"],
      [b.ids.overdue, "overdue", "Bo Holm"],
    ]);
    expect(theirs.lateness).toMatchObject({ samples: 1, medianSeconds: 1_000, p95Seconds: 1_000 });
    expect(theirs.oldestWaiting?.shareId).toBe(b.ids.overdue);
    expect(theirs.failures.map((f) => f.reason).sort()).toEqual(["network_forbidden", "outcome_unknown"]);
  });

  it("answers with zeros and no figures for an organisation that has shared nothing", async () => {
    const { cli } = await makeOrganization("Tom ApS");
    const health = await readPublishingHealth(db(), cli, now);
    expect(health.totals).toEqual({ scheduled: 0, publishing: 0, publishedLastDay: 0, publishedLastWeek: 0, failedLastWeek: 0, needsAttention: 0 });
    expect(health.lateness).toEqual({ samples: 0, medianSeconds: null, p95Seconds: null, byNetwork: {} });
    expect(health.oldestWaiting).toBeNull();
    expect(health.failures).toEqual([]);
    expect(health.attention).toEqual([]);
    expect(health.attentionTotal).toBe(0);
  });
});

describe("publish queues for operators", () => {
  it("counts each network's publish queue and reads the workers' heartbeat", async () => {
    await getQueue("publish-x").add("share.publish", { shareId: randomUUID() }, { delay: HOUR });
    await getQueue("publish-x").add("share.publish", { shareId: randomUUID() }, { delay: HOUR });
    await getQueue("publish-mastodon").add("share.publish", { shareId: randomUUID() });
    const at = Date.now();
    await beat(redis(), at - 20 * SECOND);
    const state = await readPublishQueues(redis(), { now: at });
    expect(state.workersOk).toBe(true);
    expect(state.workersAgeSeconds).toBe(20);
    expect(state.queues).toEqual([
      { network: "linkedin", waiting: 0, delayed: 0, active: 0, failed: 0 },
      { network: "x", waiting: 0, delayed: 2, active: 0, failed: 0 },
      { network: "mastodon", waiting: 1, delayed: 0, active: 0, failed: 0 },
      { network: "bluesky", waiting: 0, delayed: 0, active: 0, failed: 0 },
      { network: "threads", waiting: 0, delayed: 0, active: 0, failed: 0 },
    ]);
  });

  it("gives up on Redis after its deadline instead of holding the page", async () => {
    const started = Date.now();
    const state = await readPublishQueues(redis(), { queue: () => ({ getJobCounts: () => new Promise<Record<string, number>>(() => {}) }), timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(state).toEqual({ queues: null, workersAgeSeconds: null, workersOk: false });
  });
});

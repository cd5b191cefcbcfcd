import { randomBytes } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clickEvents, clickUniques, dailyRollups, pointsLedger, trackedLinks, visitorSalts } from "@/db/schema";
import { db } from "@/lib/db";
import { ClickBuffer, type StreamClick } from "@/lib/links/click-stream";
import { clickDay, SaltCache } from "@/lib/links/visitor-hash";
import { CLICK_GROUP, ensureClickGroup, readClicks, writeClickBatch } from "@/lib/links/ingest";
import { newLinkCode } from "@/lib/links/tracked-links";
import { ClickConsumer } from "@/workers/processors/clicks";
import { makeSharedLink } from "../support/factories";
import { clearRedisPrefix } from "../support/test-env";

/**
 * The batch writer and the stream consumer: a batch written twice stores once, a
 * consumer that died leaves nothing behind, several consumers share the stream without
 * loss or double counting, and a story's own link (no share) is stored without rollups.
 */

const PREFIX = `{ripple-test-ingest-${randomBytes(4).toString("hex")}}`;
let redis: Redis;
let streams = 0;
const consumers: ClickConsumer[] = [];

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  redis.disconnect();
  await clearRedisPrefix(process.env.REDIS_URL!, PREFIX);
});

/** A stream of the test's own. */
function newStream() {
  return `${PREFIX}:clicks:stream:${++streams}`;
}

function consumerOn(key: string, options: { name?: string; claimIdleMs?: number; count?: number; backlogReads?: number; ownCheckEveryMs?: number } = {}) {
  const consumer = new ClickConsumer({ db: db(), redis: new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null }), key, ...options });
  consumers.push(consumer);
  return consumer;
}


function click(link: { id: string; orgId: string; shareId: string | null }, visitor: string, extra: Partial<StreamClick> = {}): StreamClick {
  return { linkId: link.id, orgId: link.orgId, shareId: link.shareId, at: Date.now(), visitorHash: `visitor-hash-${visitor}-${"x".repeat(20)}`, clientHash: `client-hash-${visitor}-${"x".repeat(20)}`, isBot: false, referrerHost: null, ...extra };
}

async function append(key: string, clicks: StreamClick[]) {
  const buffer = new ClickBuffer(redis, { key, maxLen: 1_000_000 });
  for (const c of clicks) buffer.push(c);
  expect(await buffer.drain()).toBe(0);
}

async function shareRollup(orgId: string, shareId: string) {
  const [row] = await db()
    .select({ clicks: dailyRollups.clicks, uniqueVisitors: dailyRollups.uniqueVisitors, botClicks: dailyRollups.botClicks })
    .from(dailyRollups)
    .where(and(eq(dailyRollups.orgId, orgId), eq(dailyRollups.dimension, "share"), eq(dailyRollups.dimensionId, shareId), eq(dailyRollups.network, "all")));
  return row;
}

async function clickPoints(orgId: string) {
  const [row] = await db().select({ total: sql<number>`coalesce(sum(${pointsLedger.points}), 0)::int` }).from(pointsLedger).where(and(eq(pointsLedger.orgId, orgId), eq(pointsLedger.action, "click")));
  return row!.total;
}

describe("click ingestion", () => {
  it("adds a batch to the stream once when Redis applied it but its answer was lost, and it is sent again", async () => {
    const key = newStream();
    const { link } = await makeSharedLink();
    const client = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
    try {
      const buffer = new ClickBuffer(client, { key, maxLen: 1_000_000 });
      // The first write reaches Redis and is applied; the answer never comes back (a connection cut).
      const target = client as unknown as { ripple_xadd_clicks: (...args: string[]) => Promise<number> };
      const write = target.ripple_xadd_clicks.bind(client);
      let writes = 0;
      target.ripple_xadd_clicks = async (...args) => {
        const added = await write(...args);
        if (++writes === 1) throw new Error("connection reset after the command was sent");
        return added;
      };
      for (const visitor of ["a", "b", "c"]) buffer.push(click(link, visitor));
      expect(await buffer.drain()).toBe(0);
      expect(writes).toBe(2);
      expect(buffer.stats).toMatchObject({ failedFlushes: 1, written: 3, dropped: 0 });
      expect(await redis.xlen(key)).toBe(3);
    } finally {
      client.disconnect();
    }
  });

  it("stores a batch once when it is written twice (the consumer died between commit and XACK)", async () => {
    const key = newStream();
    const { link, org, share } = await makeSharedLink();
    await append(key, [click(link, "a"), click(link, "a"), click(link, "b"), click(link, "bot", { isBot: true })]);

    // The first consumer reads and commits, then dies before acknowledging.
    await ensureClickGroup(redis, key);
    const entries = await readClicks(redis, key, "doomed", { count: 100 });
    expect(entries).toHaveLength(4);
    expect(await writeClickBatch(db(), entries)).toMatchObject({ stored: 4, duplicates: 0 });

    // Another consumer claims what the dead one left pending and writes it again.
    const survivor = consumerOn(key, { claimIdleMs: 0 });
    const again = await survivor.step({ wait: false });
    expect(again).toMatchObject({ claimed: 4, stored: 0, duplicates: 4 });

    const rows = await db().select().from(clickEvents).where(eq(clickEvents.linkId, link.id));
    expect(rows).toHaveLength(4);
    expect(await shareRollup(org.id, share.id)).toEqual({ clicks: 3, uniqueVisitors: 2, botClicks: 1 });
    expect(await clickPoints(org.id)).toBe(2);
    // Nothing is left pending, and the stream is empty.
    const [pending] = (await redis.xpending(key, CLICK_GROUP)) as [number];
    expect(pending).toBe(0);
    expect(await redis.xlen(key)).toBe(0);
  });

  it("counts an entry that comes twice in one batch once", async () => {
    const key = newStream();
    const { link, org, share } = await makeSharedLink();
    await append(key, [click(link, "a"), click(link, "b")]);
    await ensureClickGroup(redis, key);
    const entries = await readClicks(redis, key, "twice", { count: 100 });
    expect(await writeClickBatch(db(), [...entries, entries[0]!])).toMatchObject({ stored: 2, duplicates: 1 });
    expect(await shareRollup(org.id, share.id)).toEqual({ clicks: 2, uniqueVisitors: 2, botClicks: 0 });
  });

  it("finds entries of its own left pending without an error (a read answered to a connection a failover cut) within seconds, not after the minute-idle claim", async () => {
    const key = newStream();
    const { link, org, share } = await makeSharedLink();
    const consumer = consumerOn(key, { claimIdleMs: 60_000, ownCheckEveryMs: 0 });
    await append(key, [click(link, "e")]);
    expect(await consumer.step({ wait: false })).toMatchObject({ read: 1, stored: 1 });
    expect(await consumer.step({ wait: false })).toMatchObject({ read: 0 });
    // The master delivers two entries to the consumer, and the answer never arrives.
    await append(key, [click(link, "f"), click(link, "g")]);
    expect(await readClicks(redis, key, consumer.name, { count: 100 })).toHaveLength(2);
    // Its next round finds them, though `>` has nothing new and they are not a minute idle.
    expect(await consumer.step({ wait: false })).toMatchObject({ read: 2, stored: 2, claimed: 0 });
    expect(await shareRollup(org.id, share.id)).toEqual({ clicks: 3, uniqueVisitors: 3, botClicks: 0 });
    const [pending] = (await redis.xpending(key, CLICK_GROUP)) as [number];
    expect(pending).toBe(0);
  });

  it("re-reads its own pending batch after a failed write, and stores it once", async () => {
    const key = newStream();
    const { link, org, share } = await makeSharedLink();
    await append(key, [click(link, "c"), click(link, "d")]);
    const consumer = consumerOn(key, { claimIdleMs: 60_000 });
    // The database refuses the first write: a stand-in whose transactions fail.
    const broken = { transaction: async () => { throw new Error("database unavailable"); } } as unknown as ReturnType<typeof db>;
    const failing = new ClickConsumer({ db: broken, redis: new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null }), key, name: consumer.name, claimIdleMs: 60_000 });
    consumers.push(failing);
    await expect(failing.step({ wait: false })).rejects.toThrow("database unavailable");
    const [pendingAfterFailure] = (await redis.xpending(key, CLICK_GROUP)) as [number];
    expect(pendingAfterFailure).toBe(2);

    // The same consumer (same name, as after a restart), with a working database, finds its pending batch first.
    expect(await consumer.step({ wait: false })).toMatchObject({ read: 2, stored: 2 });
    expect(await consumer.drain()).toBe(0);
    expect(await shareRollup(org.id, share.id)).toEqual({ clicks: 2, uniqueVisitors: 2, botClicks: 0 });
  });

  it("shares the stream between consumers without losing or double counting a click", async () => {
    const key = newStream();
    const { link, org, share } = await makeSharedLink();
    const clicks = Array.from({ length: 3_000 }, (_, i) => click(link, `v${i % 1_000}`, { isBot: i % 10 === 0 }));
    await append(key, clicks);
    const a = consumerOn(key, { count: 250 });
    const b = consumerOn(key, { count: 250 });
    const stored = await Promise.all([a.drain(), b.drain()]);
    expect(stored[0] + stored[1]).toBe(3_000);
    expect(a.stats.batches).toBeGreaterThan(0);
    expect(b.stats.batches).toBeGreaterThan(0);

    const [count] = await db().select({ n: sql<number>`count(*)::int` }).from(clickEvents).where(eq(clickEvents.linkId, link.id));
    expect(count!.n).toBe(3_000);
    const humans = clicks.filter((c) => !c.isBot);
    const uniqueHumans = new Set(humans.map((c) => c.visitorHash)).size;
    expect(await shareRollup(org.id, share.id)).toEqual({ clicks: humans.length, uniqueVisitors: uniqueHumans, botClicks: 300 });
    expect(await clickPoints(org.id)).toBe(uniqueHumans);
  });

  it("reads the next batch of a backlog while the last one is written, and stores every click once", async () => {
    const key = newStream();
    const { link, org, share } = await makeSharedLink();
    // Reads of 10, 20 a batch: a full batch is 200 clicks, so 1,000 make five batches and the reads ahead between them.
    const clicks = Array.from({ length: 1_000 }, (_, i) => click(link, `r${i % 400}`, { isBot: i % 10 === 0 }));
    await append(key, clicks);
    const consumer = consumerOn(key, { count: 10, backlogReads: 20 });
    expect(await consumer.drain()).toBe(1_000);
    expect(consumer.stats.readAhead).toBeGreaterThanOrEqual(4);

    const [count] = await db().select({ n: sql<number>`count(*)::int` }).from(clickEvents).where(eq(clickEvents.linkId, link.id));
    expect(count!.n).toBe(1_000);
    const humans = clicks.filter((c) => !c.isBot);
    const uniqueHumans = new Set(humans.map((c) => c.visitorHash)).size;
    expect(await shareRollup(org.id, share.id)).toEqual({ clicks: humans.length, uniqueVisitors: uniqueHumans, botClicks: 100 });
    const [pending] = (await redis.xpending(key, CLICK_GROUP)) as [number];
    expect(pending).toBe(0);
  });

  it("leaves the batch read ahead pending when the last one's write fails; it is stored once later", async () => {
    const key = newStream();
    const { link, org, share } = await makeSharedLink();
    await append(key, Array.from({ length: 400 }, (_, i) => click(link, `f${i}`)));
    // The database refuses the first batch's transaction after the next batch was read ahead.
    let calls = 0;
    const flaky = new Proxy(db(), {
      get(target, property, receiver) {
        if (property === "transaction" && calls++ === 0) return async () => { throw new Error("database unavailable"); };
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const consumer = new ClickConsumer({ db: flaky, redis: new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null }), key, count: 10, backlogReads: 20, claimIdleMs: 0 });
    consumers.push(consumer);
    await expect(consumer.step({ wait: false })).rejects.toThrow("database unavailable");
    // Both batches, the failed one and the one read ahead, wait with this consumer.
    const [pending] = (await redis.xpending(key, CLICK_GROUP)) as [number];
    expect(pending).toBe(400);

    expect(await consumer.drain()).toBe(400);
    const [count] = await db().select({ n: sql<number>`count(*)::int` }).from(clickEvents).where(eq(clickEvents.linkId, link.id));
    expect(count!.n).toBe(400);
    expect(await shareRollup(org.id, share.id)).toEqual({ clicks: 400, uniqueVisitors: 400, botClicks: 0 });
    const [left] = (await redis.xpending(key, CLICK_GROUP)) as [number];
    expect(left).toBe(0);
  });

  it("stores clicks of a story's own link (no share) without rollups, and skips malformed entries", async () => {
    const key = newStream();
    const { cli, org, story } = await makeSharedLink();
    const [storyLink] = await db().insert(trackedLinks).values({ orgId: cli.orgId, code: newLinkCode(), storyId: story.id, destination: "https://nordlys.example/" }).returning();
    const before = await db().select({ n: sql<number>`count(*)::int` }).from(dailyRollups).where(eq(dailyRollups.orgId, org.id));
    await append(key, [click({ id: storyLink!.id, orgId: org.id, shareId: null }, "e")]);
    await redis.xadd(key, "*", "l", "not-a-uuid", "t", "soon");

    const consumer = consumerOn(key);
    expect(await consumer.drain()).toBe(1);
    expect(consumer.stats.malformed).toBe(1);
    const rows = await db().select().from(clickEvents).where(eq(clickEvents.linkId, storyLink!.id));
    expect(rows).toHaveLength(1);
    // Its visitor is counted for the link and day, though no share's rollups take it.
    expect(await db().select().from(clickUniques).where(eq(clickUniques.linkId, storyLink!.id))).toEqual([{ day: clickDay(rows[0]!.occurredAt.getTime()), linkId: storyLink!.id, visitorHash: rows[0]!.visitorHash }]);
    const after = await db().select({ n: sql<number>`count(*)::int` }).from(dailyRollups).where(eq(dailyRollups.orgId, org.id));
    expect(after[0]!.n).toBe(before[0]!.n);
    expect(await redis.xlen(key)).toBe(0);
  });

  it("counts a visitor once a day per link even across batches, and again on another link", async () => {
    const key = newStream();
    const first = await makeSharedLink();
    const consumer = consumerOn(key);
    await append(key, [click(first.link, "f")]);
    await consumer.drain();
    await append(key, [click(first.link, "f")]);
    await consumer.drain();
    expect(await shareRollup(first.org.id, first.share.id)).toEqual({ clicks: 2, uniqueVisitors: 1, botClicks: 0 });
    expect(await db().select({ n: sql<number>`count(*)::int` }).from(clickUniques).where(eq(clickUniques.linkId, first.link.id))).toEqual([{ n: 1 }]);
  });
});

describe("visitor salts", () => {
  it("makes one salt per day, shared by every process, and keeps it in memory", async () => {
    const day = clickDay(Date.UTC(2031, 0, 15));
    try {
      const [a, b] = await Promise.all([new SaltCache().get(db(), day), new SaltCache().get(db(), day)]);
      expect(a.length).toBe(32);
      expect(a.equals(b)).toBe(true);
      const rows = await db().select().from(visitorSalts).where(inArray(visitorSalts.day, [day]));
      expect(rows).toHaveLength(1);

      const cache = new SaltCache();
      await cache.get(db(), day);
      // Cached: the answer comes without a query, even if the row is gone.
      await db().delete(visitorSalts).where(eq(visitorSalts.day, day));
      expect(Buffer.isBuffer(cache.get(db(), day))).toBe(true);
      expect((cache.get(db(), day) as Buffer).equals(a)).toBe(true);
    } finally {
      await db().delete(visitorSalts).where(eq(visitorSalts.day, day));
    }
  });
});

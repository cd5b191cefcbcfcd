import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { createDatabase } from "@/db/client";
import { clickEvents } from "@/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { clickStreamKey, encodeClick, type StreamClick } from "@/lib/links/click-stream";
import { ClickConsumer } from "@/workers/processors/clicks";
import { createTestDatabase } from "../support/database";
import { baseTestEnv, clearRedisPrefix } from "../support/test-env";
import { seedLinks } from "./_click-seed";

/**
 * Click ingestion: clicks stored per second by the batch writer against one INSERT per
 * click, on a fresh database and queue prefix.
 *
 * A Redis stream is filled beforehand with BENCH_CLICKS clicks (default 200,000) on 2,000
 * shares' links (Zipf-distributed: a few popular shares, a long tail): a tenth bots,
 * visitors drawn from a pool half the size of the clicks. Then the click consumer
 * (workers/processors/clicks.ts, in this process, as the workers run it: reads of 1,000,
 * up to 50,000 a transaction while there is a backlog) drains it: each batch one
 * transaction with click_uniques and click_events in one statement, the daily and monthly
 * rollups (up to sixteen rows each per share and day), the points, then XACK + XDEL.
 * Figure: clicks stored ÷ seconds from the first read to the stream being empty, checked
 * against the rows in click_events.
 *
 * Baseline, same run and database: the first BENCH_BASELINE_CLICKS (default 10,000) of the
 * same clicks, each stored by its own INSERT into click_events (autocommit, one after the
 * other, as a handler writing each click would) — and without the uniques, rollups and
 * points the batch writer also does.
 *
 * Last line: {"per_s", "baseline_per_s", "ratio"}.
 */

const positiveInt = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
};

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so every run sees the same clicks. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Clicks spread over the links the way attention is: the link of rank r gets a share
 * proportional to 1/r (Zipf, s = 1), so a batch of 1,000 touches a few hundred shares.
 */
function makeClicks(links: Awaited<ReturnType<typeof seedLinks>>, count: number): StreamClick[] {
  const visitors = Array.from({ length: Math.ceil(count / 2) }, () => randomBytes(32).toString("base64url"));
  const start = Date.now() - 60_000;
  const cumulative: number[] = [];
  let total = 0;
  for (let r = 1; r <= links.length; r++) cumulative.push((total += 1 / r));
  const next = random(42);
  const pick = () => {
    const u = next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return links[lo]!;
  };
  return Array.from({ length: count }, (_, i) => {
    const link = pick();
    return {
      linkId: link.id,
      orgId: link.orgId,
      shareId: link.shareId,
      at: start + Math.floor((i / count) * 60_000),
      visitorHash: visitors[(i * 104729) % visitors.length]!,
      clientHash: visitors[(i * 104729) % visitors.length]!,
      isBot: i % 10 === 0,
      referrerHost: i % 3 === 0 ? "www.linkedin.com" : null,
    };
  });
}

export default async function main() {
  const started = performance.now();
  const clickCount = positiveInt("BENCH_CLICKS", 200_000);
  const baselineCount = Math.min(clickCount, positiveInt("BENCH_BASELINE_CLICKS", 10_000));
  const base = baseTestEnv();
  const database = await createTestDatabase("bench");
  Object.assign(process.env, { ...base, DATABASE_URL: database.url, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" });
  resetEnvForTests();
  const handle = createDatabase(database.url, { max: 4, applicationName: "ripple-bench" });
  const redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  const key = clickStreamKey(base.QUEUE_PREFIX);
  try {
    const db = handle.db;
    const links = await seedLinks(db, 2_000);
    const clicks = makeClicks(links, clickCount);
    const filling = performance.now();
    for (let i = 0; i < clicks.length; i += 5_000) {
      const pipeline = redis.pipeline();
      for (const c of clicks.slice(i, i + 5_000)) pipeline.xadd(key, "*", ...encodeClick(c));
      await pipeline.exec();
    }
    console.log(`seeded ${links.length} shares' links; ${clickCount} clicks in the stream in ${Math.round(performance.now() - filling)} ms (database ${database.name})`);

    // The batch writer, through the consumer as the workers run it.
    const consumer = new ClickConsumer({ db, redis, key });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const stored = await consumer.drain();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const [row] = await db.execute<{ n: number }>(sql`select count(*)::int as n from click_events`);
    const [rollup] = await db.execute<{ clicks: number; bots: number; uniques: number }>(
      sql`select sum(clicks)::int as clicks, sum(bot_clicks)::int as bots, sum(unique_visitors)::int as uniques from daily_rollups where dimension = 'org' and network = 'all'`,
    );
    const perS = stored / seconds;
    console.log(`batch writer: ${stored} clicks stored in ${seconds.toFixed(2)} s, ${consumer.stats.batches} batches (${((seconds * 1000) / consumer.stats.batches).toFixed(1)} ms a batch); click_events rows ${row!.n}; org rollups: clicks ${rollup!.clicks}, unique visitors ${rollup!.uniques}, bot clicks ${rollup!.bots}; stream length after ${await redis.xlen(key)}; this process's CPU ${cpuSeconds.toFixed(2)} s`);
    if (row!.n !== clickCount) console.warn(`warning: ${clickCount - row!.n} clicks missing from click_events`);

    // Baseline: one INSERT per click.
    const t1 = performance.now();
    for (let i = 0; i < baselineCount; i++) {
      const c = clicks[i]!;
      await db.insert(clickEvents).values({ occurredAt: new Date(c.at), orgId: c.orgId, linkId: c.linkId, visitorHash: c.visitorHash, isBot: c.isBot, referrerHost: c.referrerHost, eventKey: `baseline-${i}` });
    }
    const baselineSeconds = (performance.now() - t1) / 1000;
    const baselinePerS = baselineCount / baselineSeconds;
    console.log(`baseline: one INSERT per click (click_events only), ${baselineCount} clicks in ${baselineSeconds.toFixed(2)} s`);
    const ratio = perS / baselinePerS;
    console.log(`clicks/s stored: batch writer ${perS.toFixed(0)}, baseline ${baselinePerS.toFixed(0)}, ratio ${ratio.toFixed(1)}   goal ≥ 20`);
    console.log(`whole run ${Math.round((performance.now() - started) / 1000)} s`);
    console.log(JSON.stringify({ per_s: Math.round(perS), baseline_per_s: Math.round(baselinePerS), ratio: Math.round(ratio * 10) / 10 }));
  } finally {
    redis.disconnect();
    await handle.close();
    await clearRedisPrefix(base.REDIS_URL, base.QUEUE_PREFIX);
    await database.drop();
  }
}

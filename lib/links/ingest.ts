import { sql } from "drizzle-orm";
import type { RedisClient } from "@/lib/queue";
import { clickEvents, clickUniques } from "@/db/schema";
import type { Database } from "@/lib/db";
import { log } from "@/lib/log";
import { pgArray, plainArray } from "@/lib/sql-arrays";
import { awardPoints, type PointsAward } from "@/lib/reach/points";
import { addToRollups, shareFacts, type RollupDelta } from "@/lib/reach/rollups";
import { clicksOverLimit } from "./click-limit";
import { decodeClick, type StreamClick } from "./click-stream";

/**
 * Stream entries → Postgres in ONE transaction, then XACK. The stream id is the event_key, so a
 * batch written again (the consumer died before XACK) inserts and counts nothing twice. Replays
 * and unique visitors: docs/design-notes.md, "The click path".
 */

export const CLICK_GROUP = "ingest";

/**
 * [stream id, [field, value, …]] as XREADGROUP and XAUTOCLAIM give them; fields are null
 * for an entry trimmed from the stream while it was pending (skipped, and acknowledged).
 */
export type StreamEntry = [id: string, fields: string[] | null];

/** throttled: clicks past their client's limit on a link (lib/links/click-limit.ts), not written. */
export type BatchResult = { read: number; stored: number; duplicates: number; malformed: number; throttled: number };

type Row = StreamClick & { eventKey: string };

const STREAM_ID = /^\d+-\d+$/;

/** A batch decoded and past the click limit: what its transaction writes. */
export type CheckedBatch = { read: number; rows: Row[]; malformed: number; throttled: number };

/**
 * With `redis` (the click consumer), clicks past their client's limit on a link are dropped
 * first; without it (the demo's history, which makes its clicks itself) all are written.
 */
export async function writeClickBatch(db: Database, entries: readonly StreamEntry[], options: { redis?: RedisClient } = {}): Promise<BatchResult> {
  return storeClickBatch(db, await checkClickBatch(entries, options));
}

/** Decodes a batch and, with `redis`, drops the clicks past their client's limit (Redis only, no database). */
export async function checkClickBatch(entries: readonly StreamEntry[], options: { redis?: RedisClient } = {}): Promise<CheckedBatch> {
  const decoded: Row[] = [];
  let malformed = 0;
  for (const [id, fields] of entries) {
    // A stream id (milliseconds-sequence) becomes the event key, joined unquoted (plainArray).
    const click = fields && STREAM_ID.test(id) ? decodeClick(fields) : null;
    if (click) decoded.push({ ...click, eventKey: id });
    else malformed++;
  }
  if (malformed > 0) log.warn({ malformed }, "malformed click entries skipped");
  const over = options.redis ? await clicksOverLimit(options.redis, decoded) : new Set<string>();
  const rows = over.size > 0 ? decoded.filter((row) => !over.has(row.eventKey)) : decoded;
  const throttled = decoded.length - rows.length;
  if (throttled > 0) log.info({ throttled }, "clicks past their client's limit not counted");
  return { read: entries.length, rows, malformed, throttled };
}

/**
 * A checked batch into Postgres in one transaction: the unique visitors, the events and what
 * they add up to a link and day in one statement, so no row per click travels back to Node;
 * then the rollups and points from those sums, a share and day.
 */
export async function storeClickBatch(db: Database, batch: CheckedBatch): Promise<BatchResult> {
  const { malformed, throttled, read } = batch;
  // An entry read twice into one batch is one click.
  const seen = new Set<string>();
  const rows = batch.rows.filter((row) => !seen.has(row.eventKey) && seen.add(row.eventKey));
  if (rows.length === 0) return { read, stored: 0, duplicates: batch.rows.length, malformed, throttled };

  const stored = await db.transaction(async (tx) => {
    // Unique visitors: each (day, link, visitor) of the batch's human clicks, inserted in key
    // order so two consumers lock the same rows in the same order; the rows that are new are
    // the unique visitors, counted a link and day. A replayed batch finds its rows (kept for
    // today and yesterday; entries left pending are claimed after a minute), and its events,
    // skipped, are not summed. The sums come back a link and day.
    const sums = await tx.execute<{ link_id: string; org_id: string; day: string; clicks: number; unique_visitors: number; bot_clicks: number; last_at: number }>(sql`
      with keyed as (
        select i.*, (i.occurred_at at time zone 'UTC')::date as day
        from (
          select to_timestamp(u.at / 1000) as occurred_at, u.org_id, u.link_id, u.visitor_hash, u.is_bot, u.referrer_host, u.event_key
          from unnest(
            ${plainArray(rows.map((r) => r.at))}::float8[],
            ${plainArray(rows.map((r) => r.orgId))}::uuid[],
            ${plainArray(rows.map((r) => r.linkId))}::uuid[],
            ${plainArray(rows.map((r) => r.visitorHash))}::text[],
            ${plainArray(rows.map((r) => (r.isBot ? "t" : "f")))}::boolean[],
            ${pgArray(rows.map((r) => r.referrerHost))}::text[],
            ${plainArray(rows.map((r) => r.eventKey))}::text[]
          ) as u(at, org_id, link_id, visitor_hash, is_bot, referrer_host, event_key)) i
      ),
      candidates as (select distinct day, link_id, visitor_hash from keyed where not is_bot),
      fresh as (
        insert into ${clickUniques} (day, link_id, visitor_hash)
        select day, link_id, visitor_hash from candidates order by day, link_id, visitor_hash
        on conflict do nothing
        returning day, link_id, visitor_hash
      ),
      uniques as (select link_id, day, count(*)::int as n from fresh group by 1, 2),
      inserted as (
        insert into ${clickEvents} (occurred_at, org_id, link_id, visitor_hash, is_bot, referrer_host, event_key)
        select k.occurred_at, k.org_id, k.link_id, k.visitor_hash, k.is_bot, k.referrer_host, k.event_key
        from keyed k
        on conflict (occurred_at, event_key) do nothing
        returning occurred_at, org_id, link_id, is_bot
      ),
      sums as (
        select link_id, org_id, (occurred_at at time zone 'UTC')::date as day,
          (count(*) filter (where not is_bot))::int as clicks,
          (count(*) filter (where is_bot))::int as bot_clicks,
          (extract(epoch from max(occurred_at)) * 1000)::float8 as last_at
        from inserted
        group by 1, 2, 3)
      select s.link_id, s.org_id, s.day::text as day, s.clicks, coalesce(u.n, 0) as unique_visitors, s.bot_clicks, s.last_at
      from sums s left join uniques u on u.link_id = s.link_id and u.day = s.day`);

    // A link's sums are its share's (the stream names the share of each click's link).
    const shareOf = new Map(rows.map((row) => [row.linkId, row.shareId]));
    const perShareDay = new Map<string, { shareId: string; orgId: string; day: string; clicks: number; uniqueVisitors: number; botClicks: number; lastAt: number }>();
    for (const s of sums) {
      const shareId = shareOf.get(s.link_id);
      if (!shareId) continue;
      const key = `${shareId}|${s.day}`;
      const f = perShareDay.get(key);
      if (!f) perShareDay.set(key, { shareId, orgId: s.org_id, day: s.day, clicks: s.clicks, uniqueVisitors: s.unique_visitors, botClicks: s.bot_clicks, lastAt: s.last_at });
      else Object.assign(f, { clicks: f.clicks + s.clicks, uniqueVisitors: f.uniqueVisitors + s.unique_visitors, botClicks: f.botClicks + s.bot_clicks, lastAt: Math.max(f.lastAt, s.last_at) });
    }

    // Rollups and points: only for what was inserted now, and only where there is a share.
    if (perShareDay.size > 0) {
      const facts = await shareFacts(tx, [...new Set([...perShareDay.values()].map((f) => f.shareId))]);
      const deltas: RollupDelta[] = [];
      const awards: PointsAward[] = [];
      for (const f of perShareDay.values()) {
        const fact = facts.get(f.shareId);
        // A share deleted since, or an entry naming another organisation's share: no rollup.
        if (!fact || fact.orgId !== f.orgId) continue;
        deltas.push({ facts: fact, day: f.day, delta: { clicks: f.clicks, uniqueVisitors: f.uniqueVisitors, botClicks: f.botClicks } });
        // One award a share and day, dated at its latest click.
        if (f.uniqueVisitors > 0) awards.push({ orgId: fact.orgId, userId: fact.userId, action: "click", count: f.uniqueVisitors, shareId: f.shareId, at: new Date(f.lastAt) });
      }
      await addToRollups(tx, deltas);
      await awardPoints(tx, awards);
    }
    return sums.reduce((sum, s) => sum + s.clicks + s.bot_clicks, 0);
  });
  return { read, stored, duplicates: batch.rows.length - stored, malformed, throttled };
}

// --- The stream side ---------------------------------------------------------------------------

/** The consumer group, made once (with the stream if it does not exist yet). */
export async function ensureClickGroup(redis: RedisClient, key: string): Promise<void> {
  try {
    await redis.xgroup("CREATE", key, CLICK_GROUP, "0", "MKSTREAM");
  } catch (error) {
    if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
  }
}

type XReadReply = Array<[key: string, entries: StreamEntry[]]> | null;

/** New entries for this consumer (`>`), or its own pending ones (`0`) after a failed write. */
export async function readClicks(redis: RedisClient, key: string, consumer: string, options: { count: number; blockMs?: number; pending?: boolean }): Promise<StreamEntry[]> {
  const args: Array<string | number> = ["GROUP", CLICK_GROUP, consumer, "COUNT", options.count];
  if (options.blockMs !== undefined && !options.pending) args.push("BLOCK", options.blockMs);
  args.push("STREAMS", key, options.pending ? "0" : ">");
  const reply = (await (redis.xreadgroup as (...a: Array<string | number>) => Promise<unknown>)(...args)) as XReadReply;
  return reply?.[0]?.[1] ?? [];
}

/**
 * Entries another consumer read but never acknowledged (it died) for at least minIdleMs,
 * taken over by this one. Returns the entries and the cursor for the next call ("0-0":
 * the pending list was walked through).
 */
export async function claimStaleClicks(redis: RedisClient, key: string, consumer: string, options: { minIdleMs: number; count: number; cursor?: string }): Promise<{ entries: StreamEntry[]; cursor: string }> {
  const reply = (await redis.xautoclaim(key, CLICK_GROUP, consumer, options.minIdleMs, options.cursor ?? "0-0", "COUNT", options.count)) as unknown as [string, StreamEntry[], string[]?];
  const [cursor, entries] = reply;
  return { entries, cursor };
}

/** Acknowledged and removed: the stream only holds clicks not yet in Postgres. */
export async function ackClicks(redis: RedisClient, key: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const pipeline = redis.pipeline();
  pipeline.xack(key, CLICK_GROUP, ...ids);
  pipeline.xdel(key, ...ids);
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error);
  if (failed) throw failed[0]!;
}

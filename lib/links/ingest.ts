import { sql } from "drizzle-orm";
import type { RedisClient } from "@/lib/queue";
import { clickEvents, clickUniques } from "@/db/schema";
import type { Database } from "@/lib/db";
import { log } from "@/lib/log";
import { awardPoints, type PointsAward } from "@/lib/reach/points";
import { addToRollups, shareFacts, type RollupDelta } from "@/lib/reach/rollups";
import { clicksOverLimit } from "./click-limit";
import { decodeClick, type StreamClick } from "./click-stream";
import { clickDay } from "./visitor-hash";

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

/** A Postgres array literal of text, uuid, timestamp or boolean values (NULL for null), as one parameter. */
function pgArray(values: ReadonlyArray<string | boolean | null>): string {
  return `{${values.map((v) => (v === null ? "NULL" : typeof v === "boolean" ? (v ? "t" : "f") : `"${v.replace(/[\\"]/g, "\\$&")}"`)).join(",")}}`;
}

type Row = StreamClick & { eventKey: string; isUnique: boolean };

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
    const click = fields ? decodeClick(fields) : null;
    if (click) decoded.push({ ...click, eventKey: id, isUnique: false });
    else malformed++;
  }
  if (malformed > 0) log.warn({ malformed }, "malformed click entries skipped");
  const over = options.redis ? await clicksOverLimit(options.redis, decoded) : new Set<string>();
  const rows = over.size > 0 ? decoded.filter((row) => !over.has(row.eventKey)) : decoded;
  const throttled = decoded.length - rows.length;
  if (throttled > 0) log.info({ throttled }, "clicks past their client's limit not counted");
  return { read: entries.length, rows, malformed, throttled };
}

/** A checked batch into Postgres in one transaction. */
export async function storeClickBatch(db: Database, batch: CheckedBatch): Promise<BatchResult> {
  const { rows, malformed, throttled, read } = batch;
  if (rows.length === 0) return { read, stored: 0, duplicates: 0, malformed, throttled };

  const stored = await db.transaction(async (tx) => {
    // Unique visitors: one candidate per (day, link, visitor), in key order so two
    // consumers lock the same rows in the same order.
    const firstOf = new Map<string, Row>();
    for (const row of rows) {
      if (row.isBot) continue;
      const key = `${clickDay(row.at)}|${row.linkId}|${row.visitorHash}`;
      if (!firstOf.has(key)) firstOf.set(key, row);
    }
    const candidates = [...firstOf.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
    if (candidates.length > 0) {
      const fresh = await tx.execute<{ day: string; link_id: string; visitor_hash: string }>(sql`
        insert into ${clickUniques} (day, link_id, visitor_hash)
        select * from unnest(${pgArray(candidates.map((r) => clickDay(r.at)))}::date[], ${pgArray(candidates.map((r) => r.linkId))}::uuid[], ${pgArray(candidates.map((r) => r.visitorHash))}::text[])
        on conflict do nothing
        returning day::text, link_id, visitor_hash`);
      for (const u of fresh) firstOf.get(`${u.day}|${u.link_id}|${u.visitor_hash}`)!.isUnique = true;
    }

    // One multi-row INSERT (rows as arrays, unnest: a handful of parameters however large
    // the batch); the rows a replay would duplicate are skipped and not returned.
    const returned = await tx.execute<{ event_key: string }>(sql`
      insert into ${clickEvents} (occurred_at, org_id, link_id, visitor_hash, is_bot, referrer_host, event_key, is_unique)
      select * from unnest(
        ${pgArray(rows.map((r) => new Date(r.at).toISOString()))}::timestamptz[],
        ${pgArray(rows.map((r) => r.orgId))}::uuid[],
        ${pgArray(rows.map((r) => r.linkId))}::uuid[],
        ${pgArray(rows.map((r) => r.visitorHash))}::text[],
        ${pgArray(rows.map((r) => r.isBot))}::boolean[],
        ${pgArray(rows.map((r) => r.referrerHost))}::text[],
        ${pgArray(rows.map((r) => r.eventKey))}::text[],
        ${pgArray(rows.map((r) => r.isUnique))}::boolean[])
      on conflict (occurred_at, event_key) do nothing
      returning event_key`);
    const byKey = new Map(rows.map((row) => [row.eventKey, row]));
    const inserted = returned.map((r) => byKey.get(r.event_key)!);

    // Rollups and points: only for what was inserted now, and only where there is a share
    // (a story's own link has none).
    const perShareDay = new Map<string, { shareId: string; orgId: string; day: string; clicks: number; uniqueVisitors: number; botClicks: number; lastAt: number }>();
    for (const row of inserted) {
      if (!row.shareId) continue;
      const day = clickDay(row.at);
      const key = `${row.shareId}|${day}`;
      let figures = perShareDay.get(key);
      if (!figures) {
        figures = { shareId: row.shareId, orgId: row.orgId, day, clicks: 0, uniqueVisitors: 0, botClicks: 0, lastAt: row.at };
        perShareDay.set(key, figures);
      }
      figures.lastAt = Math.max(figures.lastAt, row.at);
      if (row.isBot) figures.botClicks++;
      else {
        figures.clicks++;
        if (row.isUnique) figures.uniqueVisitors++;
      }
    }
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
    return inserted.length;
  });
  return { read, stored, duplicates: rows.length - stored, malformed, throttled };
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

import { inArray, lt, sql } from "drizzle-orm";
import { clickEvents, clickUniques, organizations, visitorSalts } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { log } from "@/lib/log";
import { organizationSettingsSchema, parseSettings } from "@/lib/orgs/settings";
import { monthsBefore, utcDay } from "@/lib/time";

/**
 * Raw clicks live for clickRetentionMonths (default 13); rollups stay (daily rows of the
 * busiest dimensions fold into their months at the same age: lib/reach/retention.ts). Salts of days before
 * yesterday go, so a stored hash can never be tied to an address again. Partitions dropped
 * versus rows deleted: docs/design-notes.md, "Click retention".
 */

/** Rows a DELETE removes at a time, and batches per maintenance run (the rest waits an hour). */
const DELETE_BATCH = 5_000;
const MAX_BATCHES_PER_RUN = 200;
const PARTITION = /^click_events_y(\d{4})m(\d{2})$/;

export type ClickPurgeResult = { partitionsDropped: string[]; rowsDeleted: number; saltsDeleted: number; uniquesDeleted: number };

/** Retention in months per organisation. */
async function retentions(db: DbOrTx): Promise<Map<string, number>> {
  const rows = await db.select({ id: organizations.id, settings: organizations.settings }).from(organizations);
  return new Map(rows.map((r) => [r.id, parseSettings(r.settings).clickRetentionMonths]));
}

/** Drops the monthly partitions that end on or before `cutoff`; returns their names. */
async function dropPartitionsBefore(db: DbOrTx, cutoff: Date): Promise<string[]> {
  const rows = await db.execute<{ name: string }>(sql`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'click_events'::regclass`);
  const dropped: string[] = [];
  for (const { name } of rows) {
    const match = PARTITION.exec(name);
    if (!match) continue;
    const end = Date.UTC(Number(match[1]), Number(match[2]), 1); // first moment of the next month
    if (end > cutoff.getTime()) continue;
    // Dropping a partition locks click_events briefly: wait a few seconds at most, or try
    // again next hour, rather than stall the click consumer behind a long lock queue.
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local lock_timeout = '5s'`);
      await tx.execute(sql.raw(`drop table if exists "${name}"`));
    });
    dropped.push(name);
  }
  return dropped.sort();
}

/** Deletes one organisation group's rows older than `cutoff`, a batch at a time, within `budget` batches. */
async function deleteOlderRows(db: DbOrTx, orgIds: string[], cutoff: Date, budget: { batches: number }): Promise<number> {
  let deleted = 0;
  while (budget.batches > 0) {
    budget.batches--;
    const result = await db.execute(sql`
      delete from click_events where (occurred_at, id) in (
        select occurred_at, id from click_events
         where ${inArray(clickEvents.orgId, orgIds)} and occurred_at < ${cutoff.toISOString()}::timestamptz
         limit ${DELETE_BATCH})`);
    const count = (result as unknown as { count: number }).count;
    deleted += count;
    if (count < DELETE_BATCH) break;
  }
  return deleted;
}

async function deleteDefaultRowsBefore(db: DbOrTx, cutoff: Date, budget: { batches: number }): Promise<number> {
  let deleted = 0;
  while (budget.batches > 0) {
    budget.batches--;
    const result = await db.execute(sql`
      delete from click_events_default where (occurred_at, id) in (
        select occurred_at, id from click_events_default where occurred_at < ${cutoff.toISOString()}::timestamptz limit ${DELETE_BATCH})`);
    const count = (result as unknown as { count: number }).count;
    deleted += count;
    if (count < DELETE_BATCH) break;
  }
  return deleted;
}

/** Raw clicks past each organisation's retention period. Rollups are untouched. */
export async function purgeExpiredClicks(db: DbOrTx, now = new Date()): Promise<Pick<ClickPurgeResult, "partitionsDropped" | "rowsDeleted">> {
  const byOrg = await retentions(db);
  const fallback = organizationSettingsSchema.shape.clickRetentionMonths.parse(undefined);
  const longest = Math.max(fallback, ...byOrg.values());
  const partitionsDropped = await dropPartitionsBefore(db, monthsBefore(now, longest));

  const groups = new Map<number, string[]>();
  for (const [orgId, months] of byOrg) if (months < longest) groups.set(months, [...(groups.get(months) ?? []), orgId]);
  const budget = { batches: MAX_BATCHES_PER_RUN };
  // Past every retention: what sits in the default partition (months that had no partition of their own).
  let rowsDeleted = await deleteDefaultRowsBefore(db, monthsBefore(now, longest), budget);
  // Shortest retention first: the most to delete, and the strictest promise.
  for (const months of [...groups.keys()].sort((a, b) => a - b)) rowsDeleted += await deleteOlderRows(db, groups.get(months)!, monthsBefore(now, months), budget);
  return { partitionsDropped, rowsDeleted };
}

/** Salts of days before yesterday, and the unique-visitor rows of those days. */
export async function discardOldVisitorData(db: DbOrTx, now = new Date()): Promise<Pick<ClickPurgeResult, "saltsDeleted" | "uniquesDeleted">> {
  const yesterday = utcDay(new Date(now.getTime() - 86_400_000));
  const salts = await db.delete(visitorSalts).where(lt(visitorSalts.day, yesterday)).returning({ day: visitorSalts.day });
  const uniques = await db.execute(sql`delete from ${clickUniques} where ${clickUniques.day} < ${yesterday}`);
  return { saltsDeleted: salts.length, uniquesDeleted: (uniques as unknown as { count: number }).count };
}

/** What maintenance removed, in the log when it removed anything. */
export function logClickPurge(result: ClickPurgeResult): void {
  if (result.partitionsDropped.length + result.rowsDeleted + result.saltsDeleted + result.uniquesDeleted > 0) log.info(result, "click data past retention removed");
}

/** The click path's share of hourly maintenance. */
export async function purgeClickData(db: DbOrTx, now = new Date()): Promise<ClickPurgeResult> {
  const visitors = await discardOldVisitorData(db, now);
  const clicks = await purgeExpiredClicks(db, now);
  return { ...clicks, ...visitors };
}

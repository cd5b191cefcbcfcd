import { randomBytes, randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type DatabaseHandle } from "@/db/client";
import { clickUniques, dailyRollups, organizations, visitorSalts } from "@/db/schema";
import { purgeClickData } from "@/lib/links/retention";
import { runMaintenance } from "@/lib/maintenance";
import { monthsBefore, utcDay } from "@/lib/time";
import { createTestDatabase, type TestDatabase } from "../support/database";

/**
 * Retention on a database of its own (the cases drop click partitions and read every
 * organisation's settings): raw clicks go after each organisation's retention period,
 * rollups stay; salts and unique-visitor rows of days before yesterday go.
 */

let database: TestDatabase;
let handle: DatabaseHandle;
const DAY = 86_400_000;

beforeAll(async () => {
  database = await createTestDatabase("retention");
  handle = createDatabase(database.url, { max: 4 });
  // Partitions back to two years ago, as an installation running that long would have.
  await handle.db.execute(sql`select ripple_ensure_click_partitions(now() - interval '24 months', now())`);
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

async function org(retentionMonths?: number) {
  const [row] = await handle.db
    .insert(organizations)
    .values({ name: "Retention ApS", slug: `ret-${randomBytes(4).toString("hex")}`, settings: retentionMonths ? { clickRetentionMonths: retentionMonths } : {} })
    .returning();
  return row!.id;
}

async function addClicks(orgId: string, ages: Array<{ label: string; at: Date }>) {
  for (const { label, at } of ages) {
    await handle.client`insert into click_events (occurred_at, org_id, link_id, visitor_hash, event_key) values (${at.toISOString()}::timestamptz, ${orgId}::uuid, ${randomUUID()}::uuid, ${label}, ${randomUUID()})`;
  }
}

async function labels(orgId: string): Promise<string[]> {
  const rows = await handle.client<{ visitor_hash: string }[]>`select visitor_hash from click_events where org_id = ${orgId}::uuid order by occurred_at`;
  return rows.map((r) => r.visitor_hash);
}

async function partitions(): Promise<string[]> {
  const rows = await handle.client<{ name: string }[]>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'click_events'::regclass`;
  return rows.map((r) => r.name);
}

function partitionOf(at: Date): string {
  return `click_events_y${at.getUTCFullYear()}m${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
}

describe("click retention", () => {
  it("deletes an organisation's clicks past its 1-month retention, keeps another's for 13 months, and leaves rollups alone", async () => {
    const now = new Date();
    const short = await org(1);
    const standard = await org();
    const ages = [
      { label: "today", at: new Date(now.getTime() - 60_000) },
      { label: "3-weeks", at: new Date(now.getTime() - 21 * DAY) },
      { label: "6-weeks", at: new Date(now.getTime() - 42 * DAY) },
      { label: "5-months", at: monthsBefore(now, 5) },
      { label: "12-months", at: monthsBefore(now, 12) },
    ];
    await addClicks(short, ages);
    await addClicks(standard, ages);
    await handle.db.insert(dailyRollups).values({ orgId: short, dimension: "org", dimensionId: short, network: "all", day: utcDay(monthsBefore(now, 5)), clicks: 7, uniqueVisitors: 5 });

    const result = await purgeClickData(handle.db, now);

    expect(await labels(short)).toEqual(["3-weeks", "today"]);
    expect(await labels(standard)).toEqual(["12-months", "5-months", "6-weeks", "3-weeks", "today"]);
    expect(result.rowsDeleted).toBeGreaterThanOrEqual(3);
    const [rollup] = await handle.db.select().from(dailyRollups).where(eq(dailyRollups.orgId, short));
    expect(rollup).toMatchObject({ clicks: 7, uniqueVisitors: 5 });
  });

  it("drops whole monthly partitions older than the longest retention in use, and only those", async () => {
    const now = new Date();
    const standard = await org();
    const old = monthsBefore(now, 20);
    const edge = monthsBefore(now, 12);
    await handle.db.execute(sql`select ripple_ensure_click_partitions(now() - interval '24 months', now())`);
    await addClicks(standard, [{ label: "20-months", at: old }, { label: "12-months-b", at: edge }]);
    expect(await partitions()).toContain(partitionOf(old));

    const result = await purgeClickData(handle.db, now);

    expect(result.partitionsDropped).toContain(partitionOf(old));
    const left = await partitions();
    expect(left).not.toContain(partitionOf(old));
    // The month still partly within 13 months stays, and so does this month.
    expect(left).toContain(partitionOf(edge));
    expect(left).toContain(partitionOf(now));
    expect(await labels(standard)).toEqual(["12-months-b"]);
    // Nothing left to do on a second run.
    expect((await purgeClickData(handle.db, now)).partitionsDropped).toEqual([]);
  });

  it("also clears clicks past every retention from the default partition (a month that had no partition)", async () => {
    const now = new Date();
    const standard = await org();
    // A month long gone, whose partition is no more: such a click lands in the default.
    await addClicks(standard, [{ label: "30-months", at: monthsBefore(now, 30) }, { label: "now-b", at: now }]);
    const [inDefault] = await handle.client<{ n: number }[]>`select count(*)::int as n from click_events_default where org_id = ${standard}::uuid`;
    expect(inDefault!.n).toBe(1);

    await purgeClickData(handle.db, now);

    expect(await labels(standard)).toEqual(["now-b"]);
  });
});

describe("visitor salts and unique-visitor rows", () => {
  it("discards the days before yesterday, keeps yesterday and today (through hourly maintenance)", async () => {
    const now = new Date();
    const days = [0, 1, 2, 10].map((n) => utcDay(new Date(now.getTime() - n * DAY)));
    await handle.db.insert(visitorSalts).values(days.map((day) => ({ day, salt: randomBytes(32).toString("hex") }))).onConflictDoNothing();
    const linkId = randomUUID();
    await handle.db.insert(clickUniques).values(days.map((day) => ({ day, linkId, visitorHash: "someone" })));

    await runMaintenance(handle.db);

    const salts = await handle.db.select({ day: visitorSalts.day }).from(visitorSalts);
    expect(salts.map((s) => s.day).sort()).toEqual([days[1], days[0]]);
    const uniques = await handle.db.select({ day: clickUniques.day }).from(clickUniques).where(eq(clickUniques.linkId, linkId));
    expect(uniques.map((u) => u.day).sort()).toEqual([days[1], days[0]]);
  });
});

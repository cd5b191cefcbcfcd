import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type DatabaseHandle } from "@/db/client";
import { endedSessions, users, verificationTokens } from "@/db/schema";
import { runMaintenance } from "@/lib/maintenance";
import { createTestDatabase, type TestDatabase } from "../support/database";

/**
 * Hourly housekeeping (lib/maintenance) on a database of its own: the cases drop click
 * partitions, which the other files' clicks must not notice.
 */

let database: TestDatabase;
let handle: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase("maint");
  handle = createDatabase(database.url, { max: 6 });
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

/** click_events_yYYYYmMM for the month `offset` months from now (UTC). */
function partitionName(offset: number): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return `click_events_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

async function attachedPartitions(): Promise<string[]> {
  const rows = await handle.db.execute<{ name: string }>(sql`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'click_events'::regclass order by 1`);
  return rows.map((r) => r.name);
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function dropPartitions(offsets: number[]) {
  for (const offset of offsets) await handle.client.unsafe(`drop table if exists "${partitionName(offset)}"`);
}

describe("maintenance", () => {
  it("creates the missing monthly partitions up to three months ahead, and only those", async () => {
    await dropPartitions([1, 3]);
    expect(await attachedPartitions()).not.toContain(partitionName(3));

    expect((await runMaintenance(handle.db)).partitionsCreated).toBe(2);
    const partitions = await attachedPartitions();
    for (const offset of [0, 1, 2, 3]) expect(partitions).toContain(partitionName(offset));
    expect(partitions).not.toContain(partitionName(4));

    // A second run finds nothing to do.
    expect((await runMaintenance(handle.db)).partitionsCreated).toBe(0);
    expect(await attachedPartitions()).toEqual(partitions);
  });

  it("removes expired sign-in links and keeps the valid ones", async () => {
    const tag = randomBytes(4).toString("hex");
    await handle.db.insert(verificationTokens).values([
      { identifier: `old-${tag}@example.test`, token: "a", expires: new Date(Date.now() - 60_000) },
      { identifier: `older-${tag}@example.test`, token: "b", expires: new Date(Date.now() - 86_400_000) },
      { identifier: `fresh-${tag}@example.test`, token: "c", expires: new Date(Date.now() + 600_000) },
    ]);

    const result = await runMaintenance(handle.db);

    expect(result.expiredLinksRemoved).toBeGreaterThanOrEqual(2);
    const left = await handle.db.execute<{ identifier: string }>(sql`select identifier from verification_tokens where identifier like ${`%-${tag}@example.test`}`);
    expect(left.map((r) => r.identifier)).toEqual([`fresh-${tag}@example.test`]);
  });

  it("forgets signed-out sessions only once no copy of their cookie can still be alive", async () => {
    const tag = randomBytes(4).toString("hex");
    const [person] = await handle.db.insert(users).values({ email: `ended-${tag}@example.test` }).returning();
    await handle.db.insert(endedSessions).values([
      { sid: `past-${tag}`, userId: person!.id, expiresAt: new Date(Date.now() - 60_000) },
      { sid: `live-${tag}`, userId: person!.id, expiresAt: new Date(Date.now() + 600_000) },
    ]);

    const result = await runMaintenance(handle.db);

    expect(result.endedSessionsRemoved).toBeGreaterThanOrEqual(1);
    const left = await handle.db.execute<{ sid: string }>(sql`select sid from ended_sessions where user_id = ${person!.id}`);
    expect(left.map((r) => r.sid)).toEqual([`live-${tag}`]);
  });

  it("can run in two places at once: both runs succeed and the partitions exist once", async () => {
    await dropPartitions([2, 3]);
    // Two workers (or a scheduled and a manual run) reach the partition check together:
    // hold the table until both are waiting on it, then let them go.
    const blocker = createDatabase(database.url, { max: 1 });
    let runs: Promise<PromiseSettledResult<Awaited<ReturnType<typeof runMaintenance>>>[]> | undefined;
    try {
      await blocker.client.begin(async (tx) => {
        await tx`lock table click_events in access exclusive mode`;
        runs = Promise.allSettled([runMaintenance(handle.db), runMaintenance(handle.db)]);
        await waitFor("both runs to wait", async () => {
          const [row] = await handle.client<{ n: number }[]>`
            select count(*)::int as n from pg_stat_activity
             where datname = current_database() and wait_event_type = 'Lock' and query like '%ripple_ensure_click_partitions%'`;
          return row!.n >= 2;
        });
      });
      const results = await runs!;
      const failures = results.flatMap((r) => (r.status === "rejected" ? [String((r.reason as { cause?: Error }).cause?.message ?? r.reason)] : []));
      expect(failures).toEqual([]);
      const partitions = await attachedPartitions();
      expect(partitions.filter((p) => p === partitionName(2) || p === partitionName(3)).sort()).toEqual([partitionName(2), partitionName(3)].sort());
    } finally {
      await runs?.catch(() => {});
      await blocker.close();
    }
  });

  it("keeps working after a click landed in the default partition: later months are made, expired links removed", async () => {
    await dropPartitions([2, 3]);
    // A click for a month whose partition was missing (workers down for months, a restore…).
    const now = new Date();
    const stray = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 15));
    await handle.client`insert into click_events (occurred_at, org_id, link_id, visitor_hash) values (${stray.toISOString()}::timestamptz, gen_random_uuid(), gen_random_uuid(), 'stray')`;
    const tag = randomBytes(4).toString("hex");
    await handle.db.insert(verificationTokens).values({ identifier: `stale-${tag}@example.test`, token: "x", expires: new Date(Date.now() - 60_000) });

    try {
      // Whether the blocked month is reported as an error is a design choice; the rest must go on.
      await runMaintenance(handle.db).catch(() => undefined);

      expect(await attachedPartitions()).toContain(partitionName(3));
      const left = await handle.db.execute<{ n: number }>(sql`select count(*)::int as n from verification_tokens where identifier = ${`stale-${tag}@example.test`}`);
      expect(left[0]!.n).toBe(0);
      // The click itself is kept.
      const [kept] = await handle.client<{ n: number }[]>`select count(*)::int as n from click_events where visitor_hash = 'stray'`;
      expect(kept!.n).toBe(1);
    } finally {
      await handle.client`delete from click_events_default where visitor_hash = 'stray'`;
      await runMaintenance(handle.db);
    }
  });
});

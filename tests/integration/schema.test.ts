import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { clickEvents, memberships, organizations } from "@/db/schema";
import { db } from "@/lib/db";
import { createOrganization } from "@/lib/orgs";
import { ensureUser } from "@/lib/users";
import { makeOrganization, uniqueEmail, uniqueSlug } from "../support/factories";

/** The Postgres error behind a drizzle error (drizzle wraps it as the cause). */
async function pgError(promise: Promise<unknown>): Promise<{ code?: string; constraint_name?: string }> {
  const error = await promise.then(
    () => {
      throw new Error("expected the statement to fail");
    },
    (e: unknown) => e as { code?: string; cause?: { code?: string; constraint_name?: string } },
  );
  return (error as { cause?: object }).cause ?? (error as object);
}

function monthlyPartition(instant: Date): string {
  return `click_events_y${instant.getUTCFullYear()}m${String(instant.getUTCMonth() + 1).padStart(2, "0")}`;
}

class Rollback extends Error {}

/** Runs statements in a transaction that is always rolled back, so the shared tables stay clean. */
async function inRolledBackTransaction<T>(work: (tx: Parameters<Parameters<ReturnType<typeof db>["transaction"]>[0]>[0]) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await db()
    .transaction(async (tx) => {
      result = await work(tx);
      throw new Rollback();
    })
    .catch((e) => {
      if (!(e instanceof Rollback)) throw e;
    });
  return result as T;
}

describe("click_events partitioning", () => {
  it("is a table partitioned by range on occurred_at with a default partition", async () => {
    const [row] = await db().execute<{ strategy: string; key: string; default_partition: string | null }>(sql`
      select p.partstrat as strategy,
             pg_get_partkeydef(p.partrelid) as key,
             nullif(p.partdefid, 0)::regclass::text as default_partition
        from pg_partitioned_table p
       where p.partrelid = 'click_events'::regclass`);
    expect(row).toEqual({ strategy: "r", key: "RANGE (occurred_at)", default_partition: "click_events_default" });
  });

  it("has monthly partitions from last month to three months ahead", async () => {
    const partitions = await db().execute<{ name: string }>(sql`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
       where i.inhparent = 'click_events'::regclass`);
    const names = partitions.map((p) => p.name);
    const now = new Date();
    for (let offset = -1; offset <= 3; offset++) {
      const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
      expect(names).toContain(monthlyPartition(month));
    }
  });

  it("stores a click of this month in this month's partition, and one outside every month in the default", async () => {
    const { org } = await makeOrganization();
    const now = new Date();
    const landed = await inRolledBackTransaction(async (tx) => {
      const insert = (occurredAt: Date) =>
        tx
          .insert(clickEvents)
          .values({ occurredAt, orgId: org.id, linkId: randomUUID(), visitorHash: "h".repeat(64) })
          .returning({ partition: sql<string>`tableoid::regclass::text` });
      const [current] = await insert(now);
      const [ancient] = await insert(new Date(Date.UTC(2001, 5, 15)));
      const [found] = await tx.select().from(clickEvents).where(eq(clickEvents.orgId, org.id));
      return { current: current!.partition, ancient: ancient!.partition, readBack: found };
    });
    expect(landed.current).toBe(monthlyPartition(now));
    expect(landed.ancient).toBe("click_events_default");
    expect(landed.readBack).toMatchObject({ orgId: org.id, isBot: false, referrerHost: null });
  });

  it("puts a click at the first instant of a month (UTC) in that month's partition", async () => {
    const { org } = await makeOrganization();
    const now = new Date();
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    const justBefore = new Date(nextMonth.getTime() - 1);
    const landed = await inRolledBackTransaction(async (tx) => {
      const rows = await tx
        .insert(clickEvents)
        .values([nextMonth, justBefore].map((occurredAt) => ({ occurredAt, orgId: org.id, linkId: randomUUID(), visitorHash: "x" })))
        .returning({ partition: sql<string>`tableoid::regclass::text` });
      return rows.map((r) => r.partition);
    });
    expect(landed).toEqual([monthlyPartition(nextMonth), monthlyPartition(justBefore)]);
  });
});

describe("constraints", () => {
  it("refuses a membership without roles", async () => {
    const { org } = await makeOrganization();
    const user = await ensureUser(db(), uniqueEmail());

    const error = await pgError(db().insert(memberships).values({ orgId: org.id, userId: user.id, roles: [] }));
    expect(error).toMatchObject({ code: "23514", constraint_name: "memberships_roles_not_empty" });
    expect(await db().select().from(memberships).where(eq(memberships.userId, user.id))).toEqual([]);
  });

  it("gives a membership the employee role by default", async () => {
    const { org } = await makeOrganization();
    const user = await ensureUser(db(), uniqueEmail());
    const [row] = await db().insert(memberships).values({ orgId: org.id, userId: user.id }).returning();
    expect(row!.roles).toEqual(["employee"]);
  });

  it("keeps organisation slugs unique", async () => {
    const slug = uniqueSlug();
    await db().insert(organizations).values({ name: "Første A/S", slug });
    const error = await pgError(db().insert(organizations).values({ name: "Anden A/S", slug }));
    expect(error).toMatchObject({ code: "23505", constraint_name: "organizations_slug_unique" });

    await expect(createOrganization(db(), { name: "Tredje A/S", slug }, { kind: "cli" })).rejects.toMatchObject({ code: "orgSlugTaken", status: 409 });
    const rows = await db().select({ name: organizations.name }).from(organizations).where(eq(organizations.slug, slug));
    expect(rows).toEqual([{ name: "Første A/S" }]);
  });

  it("keeps one membership per person and organisation", async () => {
    const { org } = await makeOrganization();
    const user = await ensureUser(db(), uniqueEmail());
    await db().insert(memberships).values({ orgId: org.id, userId: user.id, roles: ["employee"] });
    const error = await pgError(db().insert(memberships).values({ orgId: org.id, userId: user.id, roles: ["admin"] }));
    expect(error).toMatchObject({ code: "23505", constraint_name: "memberships_org_user" });
  });
});

import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { organizations } from "@/db/schema";
import { closeDb, db } from "@/lib/db";
import { envOverride } from "../support/env-override";

/**
 * DATABASE_POOLER=transaction (issue 17, item 6): behind a pooler in transaction mode
 * (PgBouncer, Supavisor) the next statement may reach another server connection, where a
 * named prepared statement does not exist, so Ripple prepares none; by default it does.
 */

const { set: setEnv, restore: restoreEnv } = envOverride();

afterEach(async () => {
  await closeDb();
  restoreEnv();
});

/** The prepared statements of the one connection a transaction holds, after two parameterised reads on it. */
async function preparedOnOneConnection(): Promise<number> {
  return db().transaction(async (tx) => {
    for (const slug of ["nordlys", "acme"]) await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug));
    const [row] = await tx.execute<{ n: number }>(sql`select count(*)::int as n from pg_prepared_statements`);
    return row!.n;
  });
}

describe("DATABASE_POOLER", () => {
  it("prepares no statement with 'transaction', and does by default", async () => {
    await closeDb();
    setEnv({ DATABASE_POOLER: "transaction" });
    expect(await preparedOnOneConnection()).toBe(0);
    await closeDb();
    setEnv({ DATABASE_POOLER: undefined });
    expect(await preparedOnOneConnection()).toBeGreaterThan(0);
  });
});

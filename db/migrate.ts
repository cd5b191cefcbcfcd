import path from "node:path";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { runBackfills } from "./backfills";
import { createDatabase } from "./client";
import { projectRoot } from "./root";

export const migrationsFolder = path.join(projectRoot(), "db", "migrations");

/**
 * Applies every drizzle-kit migration not yet applied, then the data backfills they need
 * (db/backfills.ts), under an advisory lock so that two processes starting at once do not
 * race. Returns the number of migrations applied.
 */
export async function migrateDatabase(url: string): Promise<number> {
  const handle = createDatabase(url, { max: 1, applicationName: "ripple-migrate" });
  try {
    await handle.client`select pg_advisory_lock(hashtext('ripple:migrate'))`;
    const before = await countApplied(handle.client);
    await migrate(handle.db, { migrationsFolder, migrationsSchema: "drizzle", migrationsTable: "migrations" });
    await runBackfills(handle.client);
    const after = await countApplied(handle.client);
    await handle.client`select pg_advisory_unlock(hashtext('ripple:migrate'))`;
    return after - before;
  } finally {
    await handle.close();
  }
}

async function countApplied(client: ReturnType<typeof createDatabase>["client"]): Promise<number> {
  // Two statements: Postgres resolves every table of a statement before running it.
  const [exists] = await client<{ present: boolean }[]>`select to_regclass('drizzle.migrations') is not null as present`;
  if (!exists?.present) return 0;
  const [row] = await client<{ n: number }[]>`select count(*)::int as n from drizzle.migrations`;
  return row?.n ?? 0;
}

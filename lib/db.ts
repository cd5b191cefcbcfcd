import { createDatabase, type Database, type DatabaseHandle } from "@/db/client";
import { envFor } from "@/lib/env";

export type { Database, DbOrTx, Tx } from "@/db/client";

let handle: DatabaseHandle | undefined;
let replica: DatabaseHandle | undefined;

/** This process's database pool, created on first use (builds need no database). */
export function db(): Database {
  if (!handle) {
    const { DATABASE_URL, DATABASE_POOL_MAX, RIPPLE_PROCESS } = envFor(["DATABASE_URL", "DATABASE_POOL_MAX", "RIPPLE_PROCESS"]);
    handle = createDatabase(DATABASE_URL, { max: DATABASE_POOL_MAX, applicationName: `ripple-${RIPPLE_PROCESS}` });
  }
  return handle.db;
}

/** The read replica for reports when DATABASE_REPLICA_URL is set, else the primary. */
export function readDb(): Database {
  const { DATABASE_REPLICA_URL, DATABASE_POOL_MAX } = envFor(["DATABASE_REPLICA_URL", "DATABASE_POOL_MAX"]);
  if (!DATABASE_REPLICA_URL) return db();
  replica ??= createDatabase(DATABASE_REPLICA_URL, { max: DATABASE_POOL_MAX, applicationName: "ripple-reports" });
  return replica.db;
}

export async function closeDb() {
  await Promise.all([handle?.close(), replica?.close()]);
  handle = undefined;
  replica = undefined;
}

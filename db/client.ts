import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Database = PostgresJsDatabase<typeof schema>;
/** A transaction handle; every query function accepts either. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type DbOrTx = Database | Tx;

export type DatabaseHandle = {
  db: Database;
  client: postgres.Sql;
  close: () => Promise<void>;
};

export type DatabaseOptions = {
  max?: number;
  applicationName?: string;
  /** Seconds to wait for a connection before failing. */
  connectTimeout?: number;
  /** Milliseconds any statement may run before PostgreSQL cancels it (none by default). */
  statementTimeoutMs?: number;
  /**
   * false: no named prepared statements, for a pooler in transaction mode (PgBouncer,
   * Supavisor), where the next statement may reach another server connection.
   */
  prepare?: boolean;
};

/** A pooled postgres.js client with the drizzle schema; the caller owns closing it. */
export function createDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  const client = postgres(url, {
    max: options.max ?? 10,
    prepare: options.prepare ?? true,
    connect_timeout: options.connectTimeout ?? 10,
    idle_timeout: 60,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? "ripple", ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}) },
  });
  const db = drizzle(client, { schema, casing: "snake_case" });
  return { db, client, close: () => client.end({ timeout: 5 }) };
}

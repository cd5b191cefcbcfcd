import { createDatabase, type Database, type DatabaseHandle } from "@/db/client";
import { sql } from "drizzle-orm";
import { envFor } from "@/lib/env";
import { DomainError } from "@/lib/errors";

export type { Database, DbOrTx, Tx } from "@/db/client";

let handle: DatabaseHandle | undefined;
let replica: DatabaseHandle | undefined;

/** This process's database pool, created on first use (builds need no database). */
export function db(): Database {
  if (!handle) {
    const { DATABASE_URL, DATABASE_POOL_MAX, DATABASE_POOLER, RIPPLE_PROCESS } = envFor(["DATABASE_URL", "DATABASE_POOL_MAX", "DATABASE_POOLER", "RIPPLE_PROCESS"]);
    handle = createDatabase(DATABASE_URL, { max: DATABASE_POOL_MAX, applicationName: `ripple-${RIPPLE_PROCESS}`, prepare: DATABASE_POOLER !== "transaction" });
  }
  return handle.db;
}

function replicaHandle(): DatabaseHandle | null {
  const { DATABASE_REPLICA_URL, DATABASE_POOL_MAX, DATABASE_REPLICA_TIMEOUT_MS } = envFor(["DATABASE_REPLICA_URL", "DATABASE_POOL_MAX", "DATABASE_REPLICA_TIMEOUT_MS"]);
  if (!DATABASE_REPLICA_URL) return null;
  // A replica that hangs must not hold a request: short connect and statement timeouts.
  replica ??= createDatabase(DATABASE_REPLICA_URL, {
    max: DATABASE_POOL_MAX,
    applicationName: "ripple-reports",
    connectTimeout: Math.max(1, Math.ceil(DATABASE_REPLICA_TIMEOUT_MS / 1000)),
    statementTimeoutMs: DATABASE_REPLICA_TIMEOUT_MS,
  });
  return replica;
}

/**
 * Where a report reads its figures. "replica": the replica, `asOf` how current its data is
 * (the moment it last replayed, or now when it has replayed all the primary wrote).
 * "primary": no replica, or it is too far behind (`lag`), down or too slow (`down`), or not
 * a standby at all (`notStandby`); `asOf` null (current). Authorisation and anything a person
 * just changed always read the primary (db()), never this.
 */
export type ReadSource = { db: Database; from: "replica" | "primary"; asOf: Date | null; fallback: "lag" | "down" | "notStandby" | null };

const PROBE_EVERY_MS = 5_000;
let probe: { at: number; result: Promise<Omit<ReadSource, "db">> } | null = null;
/** Reports sent to the primary because of the replica, by reason, since the process started (/api/metrics). */
export const replicaFallbacks: Record<"lag" | "down" | "notStandby", number> = { lag: 0, down: 0, notStandby: 0 };
/** The last check of the replica, for /api/health; null without a replica or before the first check. */
export let replicaState: (Omit<ReadSource, "db"> & { checkedAt: Date }) | null = null;

async function checkReplica(handle: DatabaseHandle, timeoutMs: number, maxLagS: number): Promise<Omit<ReadSource, "db">> {
  const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("replica check timed out")), timeoutMs).unref());
  try {
    // The primary's write position, then one question to the replica: is it a standby, has it
    // replayed up to there, and when did it last replay.
    const [primary] = await Promise.race([db().execute<{ lsn: string }>(sql`select pg_current_wal_insert_lsn()::text as lsn`), deadline]);
    const [standby] = await Promise.race([
      handle.db.execute<{ standby: boolean; done: boolean | null; replayedAt: Date | string | null }>(
        sql`select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn() >= ${primary!.lsn}::pg_lsn as done, pg_last_xact_replay_timestamp() as "replayedAt"`,
      ),
      deadline,
    ]);
    if (!standby?.standby) return { from: "primary", asOf: null, fallback: "notStandby" };
    const asOf = standby.done ? new Date() : standby.replayedAt ? new Date(standby.replayedAt) : null;
    if (!asOf || Date.now() - asOf.getTime() > maxLagS * 1000) return { from: "primary", asOf: null, fallback: "lag" };
    return { from: "replica", asOf, fallback: null };
  } catch {
    return { from: "primary", asOf: null, fallback: "down" };
  }
}

/**
 * Runs a report's reads on reportsRead's database; when the replica fails it (down, or a
 * statement over DATABASE_REPLICA_TIMEOUT_MS), runs them again on the primary, counted.
 * Refusals (a DomainError's 403 or 404) pass through: they are answers, not failures.
 */
export async function withReportsRead<T>(read: (source: ReadSource) => Promise<T>): Promise<T & { asOf: string | null }> {
  const source = await reportsRead();
  if (source.fallback) replicaFallbacks[source.fallback] += 1;
  try {
    return asOfSet(await read(source), source.asOf);
  } catch (error) {
    if (source.from !== "replica" || error instanceof DomainError) throw error;
    replicaFallbacks.down += 1;
    probe = null;
    return asOfSet(await read({ db: db(), from: "primary", asOf: null, fallback: "down" }), null);
  }
}

/** A result that says its own moment (a stored report, lib/reports/stored.ts) keeps it; others get the source's. */
function asOfSet<T>(result: T, asOf: Date | null): T & { asOf: string | null } {
  const own = (result as { asOf?: unknown }).asOf;
  return { ...result, asOf: typeof own === "string" ? own : (asOf?.toISOString() ?? null) };
}

/** The database a report's figures come from now (checked at most every five seconds per process). */
export async function reportsRead(now = Date.now()): Promise<ReadSource> {
  const handle = replicaHandle();
  if (!handle) return { db: db(), from: "primary", asOf: null, fallback: null };
  const { DATABASE_REPLICA_TIMEOUT_MS, DATABASE_REPLICA_MAX_LAG_S } = envFor(["DATABASE_REPLICA_TIMEOUT_MS", "DATABASE_REPLICA_MAX_LAG_S"]);
  if (!probe || now - probe.at >= PROBE_EVERY_MS) {
    const result = checkReplica(handle, DATABASE_REPLICA_TIMEOUT_MS, DATABASE_REPLICA_MAX_LAG_S);
    probe = { at: now, result };
    void result.then((state) => (replicaState = { ...state, checkedAt: new Date() }));
  }
  const state = await probe.result;
  return { ...state, db: state.from === "replica" ? handle.db : db() };
}

/**
 * A DATABASE_REPLICA_URL that cannot be right, in words naming it: a server that is not a
 * standby (the primary itself, or any other), or a standby of another server. Null when it is
 * fine, unset, or unreachable (not a configuration mistake: reports use the primary until it
 * answers). Checked at start-up by the web process.
 */
export async function replicaMistake(): Promise<string | null> {
  const { DATABASE_REPLICA_URL } = envFor(["DATABASE_REPLICA_URL"]);
  if (!DATABASE_REPLICA_URL) return null;
  const where = new URL(DATABASE_REPLICA_URL).host;
  const probe = createDatabase(DATABASE_REPLICA_URL, { max: 1, connectTimeout: 5, applicationName: "ripple-replica-check" });
  try {
    let standby: boolean;
    try {
      [{ standby }] = (await probe.db.execute<{ standby: boolean }>(sql`select pg_is_in_recovery() as standby`)) as unknown as [{ standby: boolean }];
    } catch {
      return null;
    }
    if (!standby) {
      return `DATABASE_REPLICA_URL: ${where} is not a streaming standby (pg_is_in_recovery() is false): it is the primary or another server. Point it at a standby of DATABASE_URL's server, or unset it.`;
    }
    const system = sql`select system_identifier::text as id from pg_control_system()`;
    const [ours, theirs] = await Promise.all([db().execute<{ id: string }>(system), probe.db.execute<{ id: string }>(system)]).catch(() => [[], []] as const);
    if (ours[0] && theirs[0] && ours[0].id !== theirs[0].id) {
      return `DATABASE_REPLICA_URL: ${where} is a standby of another server than DATABASE_URL's (system ${theirs[0].id}, not ${ours[0].id}). Point it at a standby of DATABASE_URL's server, or unset it.`;
    }
    return null;
  } finally {
    await probe.close();
  }
}

export async function closeDb() {
  await Promise.all([handle?.close(), replica?.close()]);
  handle = undefined;
  replica = undefined;
  probe = null;
  replicaState = null;
}

import { sql } from "drizzle-orm";
import type { RedisClient } from "@/lib/queue";
import { reportsRead, replicaFallbacks, type Database, type DbOrTx, type Tx } from "@/lib/db";
import { linkedinVersionAge, type LinkedInVersionAge } from "@/lib/networks/linkedin-version";
import { getQueue, queueNames, type QueueName } from "@/lib/queue";
import { heartbeatKey, HEARTBEAT_TTL_SECONDS } from "@/lib/queue/heartbeat";

type Check = { ok: boolean; latencyMs: number; error?: string };
type QueueCounts = { waiting: number; active: number; delayed: number; failed: number; prioritized: number };

export type HealthReport = {
  status: "ok" | "down";
  checkedAt: string;
  postgres: Check;
  redis: Check;
  queues: { ok: boolean; error?: string; counts: Partial<Record<QueueName, QueueCounts>> };
  workers: { ok: boolean; lastHeartbeatAt: string | null; ageSeconds: number | null };
  /** Read from Postgres; informational only (never turns the status to "down"). */
  publishing: PublishingState & { ok: boolean; error?: string };
  /** How old LINKEDIN_VERSION is, with a warning from 10 months; informational only. */
  linkedinVersion: LinkedInVersionAge;
  /**
   * The read replica for reports (DATABASE_REPLICA_URL), when one is configured: whether
   * reports read from it now, how current it is, and how often they were sent to the primary
   * instead. Informational only: a replica that is down sends reports to the primary.
   */
  replica?: { from: "replica" | "primary"; asOf: string | null; fallback: "lag" | "down" | "notStandby" | null; fallbacks: Record<"lag" | "down" | "notStandby", number> };
};

export type PublishingState = {
  /** Scheduled API shares whose time passed more than OVERDUE_AFTER_SECONDS ago. */
  overdue: number;
  oldestOverdueSeconds: number | null;
  /** Shares that ended failed in the last hour (by their last update). */
  failedLastHour: number;
};

const TIMEOUT_MS = 2_000;

/** A scheduled API share this late should have gone out: the workers are down, stuck or its job was lost. */
export const OVERDUE_AFTER_SECONDS = 120;

/** Rejects when `work` has not settled within `ms` (the work itself goes on; callers bound it server-side too). */
export async function withDeadline<T>(work: Promise<T>, ms: number, what = "query"): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A read bounded twice: Postgres cancels the statement after `ms` (statement_timeout,
 * local to a transaction), and the caller stops waiting shortly after, for the case
 * where no connection can be had at all.
 */
export async function boundedRead<T>(db: DbOrTx, ms: number, read: (tx: Tx) => Promise<T>, what = "query"): Promise<T> {
  const work = db.transaction(async (tx) => {
    await tx.execute(sql.raw(`set local statement_timeout = ${Math.max(1, Math.round(ms))}`));
    return read(tx);
  });
  // Nobody awaits the transaction after the deadline: keep its late failure from being unhandled.
  work.catch(() => {});
  return withDeadline(work, ms + 250, what);
}

/**
 * Overdue scheduled API shares and the failures of the last hour, in one statement
 * (the (status, scheduled_at) index serves both halves). Intent shares stay "scheduled"
 * until the employee posts them, so they are never overdue.
 */
export async function readPublishingState(db: DbOrTx, timeoutMs = TIMEOUT_MS): Promise<PublishingState> {
  const rows = await boundedRead(
    db,
    timeoutMs,
    (tx) =>
      tx.execute<{ overdue: string | number; oldest: string | number | null; failed: string | number }>(sql`
        select
          count(*) filter (where status = 'scheduled') as overdue,
          extract(epoch from now() - min(scheduled_at) filter (where status = 'scheduled')) as oldest,
          count(*) filter (where status = 'failed') as failed
        from shares
        where (status = 'scheduled' and mode = 'api' and scheduled_at < now() - make_interval(secs => ${OVERDUE_AFTER_SECONDS}))
           or (status = 'failed' and updated_at >= now() - interval '1 hour')`),
    "publishing state",
  );
  const row = rows[0];
  return {
    overdue: Number(row?.overdue ?? 0),
    oldestOverdueSeconds: row?.oldest === null || row?.oldest === undefined ? null : Math.max(0, Math.round(Number(row.oldest))),
    failedLastHour: Number(row?.failed ?? 0),
  };
}

async function publishingReport(db: Database): Promise<HealthReport["publishing"]> {
  try {
    return { ok: true, ...(await readPublishingState(db)) };
  } catch (error) {
    return { ok: false, error: (error as Error).message || String(error), overdue: 0, oldestOverdueSeconds: null, failedLastHour: 0 };
  }
}

async function timed(probe: () => Promise<unknown>): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message || String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Postgres, Redis and the queues, each with a bounded timeout. "down" when Postgres or
 * Redis is unreachable (the web cannot serve); queues that cannot be read, stale workers
 * and overdue or failed shares are reported but do not take the web out of a load balancer.
 */
export async function checkHealth(db: Database, redis: RedisClient): Promise<HealthReport> {
  const [postgres, redisCheck, publishing, reads] = await Promise.all([timed(() => db.execute(sql`select 1`)), timed(() => redis.ping()), publishingReport(db), reportsRead()]);
  const counts: HealthReport["queues"]["counts"] = {};
  let queuesOk = redisCheck.ok;
  let queuesError: string | undefined = redisCheck.ok ? undefined : "Redis unreachable";
  let lastHeartbeat: number | null = null;
  if (redisCheck.ok) {
    const queueCheck = await timed(async () => {
      await Promise.all(
        queueNames.map(async (name) => {
          const c = await getQueue(name).getJobCounts("waiting", "active", "delayed", "failed", "prioritized");
          counts[name] = { waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0, prioritized: c.prioritized ?? 0 };
        }),
      );
      const beat = await redis.get(heartbeatKey());
      lastHeartbeat = beat ? Number(beat) : null;
    });
    queuesOk = queueCheck.ok;
    queuesError = queueCheck.error;
  }
  const age = lastHeartbeat === null ? null : Math.max(0, Math.round((Date.now() - lastHeartbeat) / 1000));
  return {
    // Queue-only trouble (a queue's keys unreadable while Redis answers, a shard failing over)
    // is reported, not "down": the web still serves, and shares wait in Postgres for the
    // reconciler. Without Postgres or Redis at all it cannot.
    status: postgres.ok && redisCheck.ok ? "ok" : "down",
    checkedAt: new Date().toISOString(),
    postgres,
    redis: redisCheck,
    queues: { ok: queuesOk, ...(queuesError ? { error: queuesError } : {}), counts },
    workers: {
      ok: age !== null && age <= HEARTBEAT_TTL_SECONDS,
      lastHeartbeatAt: lastHeartbeat === null ? null : new Date(lastHeartbeat).toISOString(),
      ageSeconds: age,
    },
    publishing,
    linkedinVersion: linkedinVersionAge(),
    ...(reads.from === "replica" || reads.fallback
      ? { replica: { from: reads.from, asOf: reads.asOf?.toISOString() ?? null, fallback: reads.fallback, fallbacks: { ...replicaFallbacks } } }
      : {}),
  };
}

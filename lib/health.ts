import { sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import type { Database } from "@/lib/db";
import { getQueue, heartbeatKey, HEARTBEAT_TTL_SECONDS, queueNames, type QueueName } from "@/lib/queue";

type Check = { ok: boolean; latencyMs: number; error?: string };
type QueueCounts = { waiting: number; active: number; delayed: number; failed: number; prioritized: number };

export type HealthReport = {
  status: "ok" | "down";
  checkedAt: string;
  postgres: Check;
  redis: Check;
  queues: { ok: boolean; error?: string; counts: Partial<Record<QueueName, QueueCounts>> };
  workers: { ok: boolean; lastHeartbeatAt: string | null; ageSeconds: number | null };
};

const TIMEOUT_MS = 2_000;

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
 * Redis is unreachable (the web cannot serve); stale workers are reported but do not
 * take the web out of a load balancer.
 */
export async function checkHealth(db: Database, redis: Redis): Promise<HealthReport> {
  const [postgres, redisCheck] = await Promise.all([timed(() => db.execute(sql`select 1`)), timed(() => redis.ping())]);
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
    status: postgres.ok && redisCheck.ok && queuesOk ? "ok" : "down",
    checkedAt: new Date().toISOString(),
    postgres,
    redis: redisCheck,
    queues: { ok: queuesOk, ...(queuesError ? { error: queuesError } : {}), counts },
    workers: {
      ok: age !== null && age <= HEARTBEAT_TTL_SECONDS,
      lastHeartbeatAt: lastHeartbeat === null ? null : new Date(lastHeartbeat).toISOString(),
      ageSeconds: age,
    },
  };
}

import { lt, sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import { verificationTokens } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { heartbeatKey, HEARTBEAT_TTL_SECONDS } from "@/lib/queue";

/** Marks the workers alive for the health check. */
export async function beat(redis: Redis, now = Date.now()): Promise<void> {
  await redis.set(heartbeatKey(), String(now), "EX", HEARTBEAT_TTL_SECONDS * 2);
}

/**
 * Hourly housekeeping: monthly click partitions three months ahead (so clicks never
 * land in the default partition) and expired sign-in links removed. Each task runs even
 * when the other fails; a failure is then thrown, never swallowed.
 */
export async function runMaintenance(db: DbOrTx): Promise<{ partitionsCreated: number; expiredLinksRemoved: number }> {
  const [partitions, links] = await Promise.allSettled([
    db.execute<{ created: number }>(sql`select ripple_ensure_click_partitions(now(), now() + interval '3 months') as created`),
    db.delete(verificationTokens).where(lt(verificationTokens.expires, new Date())).returning({ token: verificationTokens.token }),
  ]);
  const failures = [partitions, links].filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as Error);
  if (failures.length > 0) throw new AggregateError(failures, `maintenance failed: ${failures.map((f) => f.message).join("; ")}`);
  return {
    partitionsCreated: Number((partitions as PromiseFulfilledResult<{ created: number }[]>).value[0]?.created ?? 0),
    expiredLinksRemoved: (links as PromiseFulfilledResult<unknown[]>).value.length,
  };
}

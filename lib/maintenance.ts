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
 * land in the default partition) and expired sign-in links removed.
 */
export async function runMaintenance(db: DbOrTx): Promise<{ partitionsCreated: number; expiredLinksRemoved: number }> {
  const [row] = await db.execute<{ created: number }>(
    sql`select ripple_ensure_click_partitions(now(), now() + interval '3 months') as created`,
  );
  const removed = await db.delete(verificationTokens).where(lt(verificationTokens.expires, new Date())).returning({ token: verificationTokens.token });
  return { partitionsCreated: Number(row?.created ?? 0), expiredLinksRemoved: removed.length };
}

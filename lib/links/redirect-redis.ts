import type { RedisClient } from "@/lib/queue";
import { log } from "@/lib/log";
import { createRedis } from "@/lib/queue";

/**
 * A Redis connection of the redirect's own: bounded calls and no offline queue, so an
 * unreachable Redis fails at once (Postgres answers, clicks wait in memory), warned about
 * at most every ten seconds.
 */
export function redirectRedis(purpose: string, commandTimeout: number): RedisClient {
  const redis = createRedis("client", { commandTimeout, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  let lastWarning = 0;
  redis.on("error", (error: Error) => {
    if (Date.now() - lastWarning < 10_000) return;
    lastWarning = Date.now();
    log.warn({ err: error, purpose }, "redirect's Redis connection failing: links answered from Postgres, clicks held in memory");
  });
  return redis;
}

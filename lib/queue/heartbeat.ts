import type { RedisClient } from "./index";
import { keyBase, redisKeys } from "./keys";

/** How long a heartbeat stays fresh; the health check reports workers as stale after this. */
export const HEARTBEAT_TTL_SECONDS = 60;

/** The heartbeat key; `prefix` is QUEUE_PREFIX as set (of another process, in tests). */
export function heartbeatKey(prefix?: string): string {
  return redisKeys.heartbeat(keyBase(prefix));
}

/** Marks the workers alive for the health check. */
export async function beat(redis: RedisClient, now = Date.now()): Promise<void> {
  await redis.set(heartbeatKey(), String(now), "EX", HEARTBEAT_TTL_SECONDS * 2);
}

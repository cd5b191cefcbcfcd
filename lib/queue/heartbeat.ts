import type { Redis } from "ioredis";
import { queuePrefix } from "./index";

/** How long a heartbeat stays fresh; the health check reports workers as stale after this. */
export const HEARTBEAT_TTL_SECONDS = 60;

export function heartbeatKey(prefix = queuePrefix()): string {
  return `${prefix}:workers:heartbeat`;
}

/** Marks the workers alive for the health check. */
export async function beat(redis: Redis, now = Date.now()): Promise<void> {
  await redis.set(heartbeatKey(), String(now), "EX", HEARTBEAT_TTL_SECONDS * 2);
}

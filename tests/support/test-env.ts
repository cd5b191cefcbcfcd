import { randomBytes } from "node:crypto";

/**
 * The configuration every test process shares: fixed test secrets (never used outside
 * tests) and a queue prefix unique to this run, so parallel runs on one Redis do not meet.
 */
export function baseTestEnv() {
  return {
    NODE_ENV: "test",
    REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    QUEUE_PREFIX: `{ripple-test-${Date.now().toString(36)}${randomBytes(2).toString("hex")}}`,
    AUTH_SECRET: "test-secret-test-secret-test-secret-0123456789",
    TOKEN_ENCRYPTION_KEY: "a".repeat(64),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  };
}

/** Removes every Redis key under a queue prefix (the test run's queues and heartbeat). */
export async function clearRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

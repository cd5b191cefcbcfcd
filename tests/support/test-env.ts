import { randomBytes } from "node:crypto";
// Static: Playwright's loader hands a dynamic import of a TypeScript module over as its default export.
import { keyBase } from "@/lib/queue/keys";

/**
 * The configuration every test process shares: fixed test secrets (never used outside
 * tests) and a queue prefix unique to this run, so parallel runs on one Redis do not meet.
 */
export function baseTestEnv() {
  return {
    NODE_ENV: "test",
    REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    QUEUE_PREFIX: `ripple-test-${Date.now().toString(36)}${randomBytes(2).toString("hex")}`,
    AUTH_SECRET: "test-secret-test-secret-test-secret-0123456789",
    TOKEN_ENCRYPTION_KEY: "a".repeat(64),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    // No report is kept made (lib/reports/stored.ts) unless a test asks: on a busy test machine a
    // small report can take longer than the default, and a test reading it again after new
    // figures would be served the kept one. tests/integration/stored-reports.test.ts sets its own.
    REPORT_STORE_AFTER_MS: "3600000",
  };
}

/**
 * Removes every Redis key under a queue prefix (the test run's queues and heartbeat, and any
 * left in the one-slot layout of old). Without a URL, from the Redis the environment names
 * (REDIS_URL, Sentinels or a cluster, whose masters are each walked).
 */
export async function clearRedisPrefix(redisUrl: string | undefined, prefix: string): Promise<void> {
  const { Cluster, Redis } = await import("ioredis");
  const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1 }) : (await import("@/lib/queue")).createRedis("client");
  const base = keyBase(prefix);
  try {
    const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
    for (const node of nodes) {
      for (const pattern of [`${base}:*`, `{${base}}:*`]) {
        let cursor = "0";
        do {
          const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
          cursor = next;
          // One at a time: in a cluster, keys of different slots cannot go in one command.
          for (const key of keys) await node.unlink(key);
        } while (cursor !== "0");
      }
    }
  } finally {
    redis.disconnect();
  }
}

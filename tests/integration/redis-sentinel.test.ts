import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { ConfigError, parseEnv } from "@/lib/env";
import { closeQueues, redis, redisMistake } from "@/lib/queue";
import { reconcileShares } from "@/lib/shares/reconcile";
import { envOverride } from "../support/env-override";
import { startShareTaking } from "../support/share-takers";
import { runScript } from "../support/processes";
import { startSentinelSet, type SentinelSet } from "../support/redis-sentinel";

/**
 * Redis Sentinel by configuration (issue 17, item 1), on a real Sentinel set started here
 * (one master, one replica, three Sentinels): shares are queued through the master the
 * Sentinels name and a BullMQ worker takes them; the master is killed mid-run, the Sentinels
 * promote the replica, and both the web's client and the worker follow it with no change of
 * configuration: every share is taken exactly once, none lost.
 */

let set: SentinelSet;
const { set: setEnv, restore: restoreEnv } = envOverride();

beforeAll(async () => {
  set = await startSentinelSet();
  await closeQueues();
  setEnv({ REDIS_URL: undefined, REDIS_SENTINELS: set.sentinels, REDIS_SENTINEL_NAME: set.name, QUEUE_PREFIX: `ripple-sentinel-${randomBytes(3).toString("hex")}` });
}, 60_000);

afterAll(async () => {
  await closeQueues();
  restoreEnv();
  await set?.stop();
});

describe("Redis through Sentinel", () => {
  it("takes one form of Redis at a time, naming the variable", () => {
    const base = { DATABASE_URL: "postgres://127.0.0.1/x", APP_URL: "http://localhost:3000", AUTH_SECRET: "s".repeat(44), TOKEN_ENCRYPTION_KEY: "a".repeat(64), DEMO_MODE: "true" };
    expect(() => parseEnv({ ...base, REDIS_SENTINELS: "127.0.0.1:26379" })).toThrow(/REDIS_SENTINEL_NAME is missing/);
    expect(() => parseEnv({ ...base, REDIS_URL: "redis://127.0.0.1:6379", REDIS_SENTINELS: "127.0.0.1:26379", REDIS_SENTINEL_NAME: "ripple" })).toThrow(/REDIS_SENTINELS and REDIS_URL are both set/);
    expect(() => parseEnv({ ...base })).toThrow(/REDIS_URL is missing/);
    expect(() => parseEnv({ ...base, REDIS_SENTINELS: "sentinel-1", REDIS_SENTINEL_NAME: "ripple" })).toThrow(ConfigError);
    expect(parseEnv({ ...base, REDIS_SENTINELS: "sentinel-1:26379, [::1]:26380", REDIS_SENTINEL_NAME: "ripple" }).REDIS_SENTINELS).toEqual([
      { host: "sentinel-1", port: 26379 },
      { host: "::1", port: 26380 },
    ]);
  });

  it("refuses to start with a master name the Sentinels do not know, naming REDIS_SENTINEL_NAME, exit 78", async () => {
    expect(await redisMistake()).toBeNull();
    setEnv({ REDIS_SENTINEL_NAME: "nordlys" });
    try {
      expect(await redisMistake()).toBe('REDIS_SENTINEL_NAME: the Sentinels know no master named "nordlys"');
    } finally {
      setEnv({ REDIS_SENTINEL_NAME: set.name });
    }
    const started = await runScript("workers/index.ts", { REDIS_URL: undefined, REDIS_SENTINELS: set.sentinels, REDIS_SENTINEL_NAME: "nordlys", RIPPLE_PROCESS: "workers" });
    expect(started.code).toBe(78);
    expect(started.stderr).toContain('REDIS_SENTINEL_NAME: the Sentinels know no master named "nordlys"');
  }, 90_000);

  it("queues shares on the master the Sentinels name, and keeps every one through a failover, exactly once", async () => {
    const scene = await startShareTaking("Nordlys Energi A/S");
    try {
      const first = [];
      for (let i = 0; i < 10; i++) first.push(await scene.shareFrom(i, 1));
      expect(first.every((share) => share.queued)).toBe(true);
      await scene.waitTaken(10);

      // The master dies; the Sentinels promote the replica; nobody changes a setting.
      const old = await set.killMaster();
      const promoted = await set.failedOver(old);
      expect(promoted).not.toBe(old);

      const second = [];
      for (let i = 10; i < 20; i++) second.push(await scene.shareFrom(i, 2));
      // Any share the queue could not take during the switch is saved and said so; the reconciler queues it.
      if (second.some((share) => share.queued === false)) await reconcileShares(db());
      await scene.waitTaken(20);
      expect(await redis().ping()).toBe("PONG");

      const ours = scene.ours();
      expect(ours).toHaveLength(20);
      expect(new Set(ours).size).toBe(20);
    } finally {
      await scene.close();
    }
  }, 120_000);
});

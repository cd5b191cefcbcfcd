import { randomBytes } from "node:crypto";
import { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { ConfigError, parseEnv } from "@/lib/env";
import { updateGovernance } from "@/lib/orgs/governance";
import { bullPrefix, closeQueues, createRedis, publishQueueFor, redis, redisMistake } from "@/lib/queue";
import { createShares } from "@/lib/shares";
import { reconcileShares } from "@/lib/shares/reconcile";
import { envOverride } from "../support/env-override";
import { makeOrganization, makePublishedStory, makeSharer } from "../support/factories";
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
    const { cli } = await makeOrganization("Nordlys Energi A/S");
    await updateGovernance(db(), cli, { approvalRequired: false, disclosureHashtag: null, blockedWords: [] });
    // A story each: colleagues' shares of one story are spaced minutes apart, and these should go now.
    const stories = await Promise.all(Array.from({ length: 20 }, (_, i) => makePublishedStory(cli, { title: `Vind ${i}`, canonicalUrl: `https://nordlys.example/vind-${i}` })));
    const people = await Promise.all(Array.from({ length: 20 }, () => makeSharer(cli, { networks: ["x"] })));
    const mine = new Set<string>();
    const taken: string[] = [];
    const workerConnection = createRedis("worker");
    const worker = new Worker(
      publishQueueFor("x"),
      async (job) => {
        taken.push((job.data as { shareId: string }).shareId);
      },
      { connection: workerConnection, prefix: bullPrefix(publishQueueFor("x")) },
    );
    worker.on("error", () => undefined);
    const shareFrom = async (i: number, round: number) => {
      const person = people[i]!;
      const [share] = await createShares(db(), cli, person.user.id, { storyId: stories[i]!.id, posts: [{ connectionId: person.connections.x!.id, text: `Runde ${round}: vindmøller ${i}` }] });
      mine.add(share!.id);
      return share!;
    };
    const allTaken = async (count: number, timeoutMs = 30_000) => {
      const started = Date.now();
      while (new Set(taken.filter((id) => mine.has(id))).size < count) {
        if (Date.now() - started > timeoutMs) throw new Error(`only ${new Set(taken.filter((id) => mine.has(id))).size} of ${count} shares taken`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      const first = [];
      for (let i = 0; i < 10; i++) first.push(await shareFrom(i, 1));
      expect(first.every((share) => share.queued)).toBe(true);
      await allTaken(10);

      // The master dies; the Sentinels promote the replica; nobody changes a setting.
      const old = await set.killMaster();
      const promoted = await set.failedOver(old);
      expect(promoted).not.toBe(old);

      const second = [];
      for (let i = 10; i < 20; i++) second.push(await shareFrom(i, 2));
      // Any share the queue could not take during the switch is saved and said so; the reconciler queues it.
      if (second.some((share) => share.queued === false)) await reconcileShares(db());
      await allTaken(20);
      expect(await redis().ping()).toBe("PONG");

      const ours = taken.filter((id) => mine.has(id));
      expect(ours).toHaveLength(20);
      expect(new Set(ours).size).toBe(20);
    } finally {
      await worker.close();
      workerConnection.disconnect();
    }
  }, 120_000);
});

import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createDatabase } from "@/db/client";
import { db } from "@/lib/db";
import { checkHealth } from "@/lib/health";
import { beat } from "@/lib/queue/heartbeat";
import { bullPrefix, getQueue, queueNames, redis } from "@/lib/queue";
import { HEARTBEAT_TTL_SECONDS, heartbeatKey } from "@/lib/queue/heartbeat";
import { clearRedisPrefix } from "../support/test-env";
import { unreachableRedis } from "../support/unreachable-redis";

// A queue prefix of this file's own: other files' workers beat under the run's prefix,
// and the heartbeat checks here must not see them.
process.env.QUEUE_PREFIX = `ripple-health-${randomBytes(4).toString("hex")}`;
const prefix = process.env.QUEUE_PREFIX;

afterAll(async () => {
  await clearRedisPrefix(process.env.REDIS_URL!, prefix);
});

describe("health check", () => {
  it("reports ok against the running services, with counts for every queue", async () => {
    await getQueue("lifecycle").add("heartbeat", {}, { delay: 60_000 });

    const report = await checkHealth(db(), redis());

    expect(report.status).toBe("ok");
    expect(report.postgres.ok).toBe(true);
    expect(report.redis.ok).toBe(true);
    expect(report.queues.ok).toBe(true);
    expect(Object.keys(report.queues.counts).sort()).toEqual([...queueNames].sort());
    for (const name of queueNames) {
      expect(report.queues.counts[name]).toEqual({
        waiting: expect.any(Number),
        active: expect.any(Number),
        delayed: expect.any(Number),
        failed: expect.any(Number),
        prioritized: expect.any(Number),
      });
    }
    expect(report.queues.counts.lifecycle!.delayed).toBe(1);
    expect(Date.now() - Date.parse(report.checkedAt)).toBeLessThan(60_000);
  });

  it("is down, quickly, when Redis cannot be reached", async () => {
    const deadRedis = unreachableRedis();
    try {
      const started = Date.now();
      const report = await checkHealth(db(), deadRedis);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(report.status).toBe("down");
      expect(report.redis.ok).toBe(false);
      expect(report.redis.error).toEqual(expect.any(String));
      expect(report.postgres.ok).toBe(true);
      expect(report.queues.ok).toBe(false);
    } finally {
      deadRedis.disconnect();
    }
  });

  it("stays up when only a queue cannot be read (Redis answers): the queue's trouble is reported", async () => {
    // A queue key of the wrong type: every read of that queue fails, Redis itself answers.
    const broken = `${bullPrefix("publish-x", prefix)}:publish-x:delayed`;
    await redis().set(broken, "not a sorted set");
    try {
      const report = await checkHealth(db(), redis());
      expect(report.queues.ok).toBe(false);
      expect(report.queues.error).toEqual(expect.any(String));
      expect(report.redis.ok).toBe(true);
      expect(report.status).toBe("ok");
    } finally {
      await redis().del(broken);
    }
  });

  it("is down, quickly, when PostgreSQL cannot be reached", async () => {
    const dead = createDatabase("postgres://postgres@127.0.0.1:1/x", { connectTimeout: 1, max: 1 });
    try {
      const started = Date.now();
      const report = await checkHealth(dead.db, redis());
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(report.status).toBe("down");
      expect(report.postgres.ok).toBe(false);
      expect(report.postgres.error).toEqual(expect.any(String));
      expect(report.redis.ok).toBe(true);
    } finally {
      await dead.close();
    }
  });

  it("reports the workers from their heartbeat: none, fresh, then stale", async () => {
    await redis().del(heartbeatKey());
    const none = await checkHealth(db(), redis());
    expect(none.workers).toEqual({ ok: false, lastHeartbeatAt: null, ageSeconds: null });
    // Stale workers do not take the web out of the load balancer.
    expect(none.status).toBe("ok");

    const now = Date.now();
    await beat(redis(), now);
    const fresh = await checkHealth(db(), redis());
    expect(fresh.workers.ok).toBe(true);
    expect(fresh.workers.lastHeartbeatAt).toBe(new Date(now).toISOString());
    expect(fresh.workers.ageSeconds).toBeLessThanOrEqual(5);

    await beat(redis(), now - (HEARTBEAT_TTL_SECONDS + 30) * 1000);
    const stale = await checkHealth(db(), redis());
    expect(stale.workers.ok).toBe(false);
    expect(stale.workers.ageSeconds).toBeGreaterThanOrEqual(HEARTBEAT_TTL_SECONDS + 30);
    expect(stale.status).toBe("ok");
  });

  it("keeps the heartbeat key under the queue prefix, expiring on its own", async () => {
    await beat(redis());
    expect(heartbeatKey()).toBe(`${prefix}:workers:heartbeat`);
    const ttl = await redis().ttl(heartbeatKey());
    expect(ttl).toBeGreaterThan(HEARTBEAT_TTL_SECONDS);
    expect(ttl).toBeLessThanOrEqual(HEARTBEAT_TTL_SECONDS * 2);
  });
});

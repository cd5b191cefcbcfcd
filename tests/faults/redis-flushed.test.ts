import { Redis } from "ioredis";
import { expect, it } from "vitest";
import { enqueueAll, exactlyOnce, faultScene, seedShares, settled, startWorkers, statusCounts } from "./harness";

/**
 * Redis is not the source of truth: FLUSHALL takes every queued publish job, the job
 * schedulers and the post windows with it. The workers register their schedules again
 * (every minute), the reconciler then finds each share that should be queued and is not,
 * and queues it again from Postgres. This Redis is the file's own, so the FLUSHALL is real
 * and harms no other run.
 */

const SHARES = 1_000;
const scene = faultScene("flush", { latencyMs: 50 });

it("FLUSHALL with 1,000 scheduled shares: the reconciler queues them again from Postgres, and each is posted once", async () => {
  const { fakes, env, workers } = scene;
  const at = new Date(Date.now() + 20_000);
  const { shares: seeded } = await seedShares(fakes, { accounts: { x: 20, mastodon: 20, linkedin: 20 }, count: SHARES, scheduledAt: at });
  expect(await enqueueAll(seeded, at)).toBe(SHARES);
  workers.push(await startWorkers(env, "workers"));

  const client = new Redis(scene.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const [flushed, size] = (await client.multi().flushall().dbsize().exec())!;
    expect(flushed).toEqual([null, "OK"]);
    expect(size).toEqual([null, 0]);
  } finally {
    client.disconnect();
  }
  // Lost before any was due: nothing but Postgres knows of them now.
  expect(await statusCounts()).toEqual({ scheduled: SHARES });

  expect(await settled(180_000)).toEqual({ published: SHARES });
  expect(await exactlyOnce(fakes, seeded)).toEqual({ shares: SHARES, postsMade: SHARES, duplicates: [], lost: [], wrongIds: [] });
});

import { expect, it } from "vitest";
import { enqueueAll, exactlyOnce, faultScene, postRequestCount, postedButUnrecorded, postsByCode, seedShares, settled, sleep, startWorkers, waitUntil } from "./harness";

/**
 * PostgreSQL goes away in the middle of a run and comes back a few seconds later (a
 * restart, a failover). Jobs that meet the outage fail and are retried by the queue; shares
 * whose post went out but whose "published" could not be written are recovered like a dead
 * worker's. The worker process itself must live through it. The server is the file's own
 * (the embedded PostgreSQL of `npm run demo`), not the shared one other tests use.
 */

const SHARES = 600;
const OUTAGE_MS = 5_000;
const scene = faultScene("restart", { latencyMs: 300, privatePostgres: true });

it("PostgreSQL restarted during a run: the workers live through it, and every share is posted exactly once", async () => {
  const { fakes, env, workers, postgres } = scene;
  const due = new Date(Date.now() - 1_000);
  const { shares: seeded } = await seedShares(fakes, { accounts: { x: 20, mastodon: 20, linkedin: 20 }, count: SHARES, scheduledAt: due });
  expect(await enqueueAll(seeded, due)).toBe(SHARES);
  const worker = await startWorkers(env, "workers");
  workers.push(worker);

  await waitUntil("the first posts", async () => postRequestCount(fakes) >= 150, 120_000, 50);
  await postgres!.stop();
  await sleep(OUTAGE_MS);
  await postgres!.start();
  // Mid-run, with posts in flight: made at the networks, their "published" never written.
  expect((await waitUntil("the database to answer again", () => postedButUnrecorded(fakes, seeded), 30_000)).length).toBeGreaterThan(0);
  expect(postsByCode(fakes).size).toBeLessThan(SHARES);

  expect(await settled(300_000)).toEqual({ published: SHARES });
  expect({ exitCode: worker.exitCode, signal: worker.signalCode }).toEqual({ exitCode: null, signal: null });
  expect(await exactlyOnce(fakes, seeded)).toEqual({ shares: SHARES, postsMade: SHARES, duplicates: [], lost: [], wrongIds: [] });
});

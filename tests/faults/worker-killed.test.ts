import { expect, it } from "vitest";
import { enqueueAll, exactlyOnce, faultScene, killHard, postRequestCount, postedButUnrecorded, postsByCode, seedShares, settled, sleep, startWorkers, waitUntil } from "./harness";

/**
 * A worker process killed with SIGKILL while it publishes: its posts in flight reach the
 * networks, or not, and it records nothing more. A new worker process takes over; once
 * the dead worker's jobs have stalled (their 30 s locks lapse) and its shares count as
 * abandoned (STALE_PUBLISHING_MS), the publisher finds out what became of each — X by the
 * author's recent posts, LinkedIn by its duplicate answer, Mastodon by its idempotency
 * key — and posts only what never arrived.
 */

const SHARES = 1_000;
/** Slow networks: many requests are in flight when the worker dies. */
const LATENCY_MS = 500;
const scene = faultScene("kill", { latencyMs: LATENCY_MS });

it("kill -9 of the worker mid-publish across 1,000 shares: no share posted twice, none lost", async () => {
  const { fakes, env, workers } = scene;
  const due = new Date(Date.now() - 1_000);
  // 20 accounts on each of X, Mastodon and LinkedIn: about 17 posts each, far inside every account's window.
  const { shares: seeded } = await seedShares(fakes, { accounts: { x: 20, mastodon: 20, linkedin: 20 }, count: SHARES, scheduledAt: due });
  expect(await enqueueAll(seeded, due)).toBe(SHARES);

  const first = await startWorkers(env, "workers-1");
  workers.push(first);
  await waitUntil("the first few hundred posts", async () => postRequestCount(fakes) >= 300, 120_000, 50);
  await killHard(first);

  // What the killed worker had sent still lands at the networks; then see what it left behind.
  await sleep(2 * LATENCY_MS + 500);
  // The kill hit mid-publish: posts made that the dead worker never recorded.
  expect((await postedButUnrecorded(fakes, seeded)).length).toBeGreaterThan(0);
  expect(postsByCode(fakes).size).toBeLessThan(SHARES);

  workers.push(await startWorkers(env, "workers-2"));
  expect(await settled(240_000)).toEqual({ published: SHARES });
  expect(await exactlyOnce(fakes, seeded)).toEqual({ shares: SHARES, postsMade: SHARES, duplicates: [], lost: [], wrongIds: [] });
});

import { expect, it } from "vitest";
import { redis as queueRedis } from "@/lib/queue";
import { adapterFor } from "@/lib/networks/registry";
import { takePostSlot } from "@/lib/shares/rate-limit";
import { Clock, FixedWindows, field, type FakeRequest, type FakeServer } from "../fakes/common";
import { enqueueAll, exactlyOnce, faultScene, isPost, postsByCode, seedShares, settled, startWorkers } from "./harness";

/**
 * A 429 storm: X and Mastodon let each account post far less than they document — LIMIT
 * posts in each WINDOW_MS, a window short enough for a test (the fakes' own windows are 15
 * and 5 minutes) — and answer every post beyond it with 429 and their rate-limit headers
 * (X: x-rate-limit-reset in unix seconds; Mastodon: X-RateLimit-Reset as an ISO time),
 * counting refused requests too, as Rack::Attack does. X's timeline reads are refused as
 * on its Free tier, so a share that spent an attempt on a 429 and then wanted to look for
 * an earlier post could only end "needs attention".
 *
 * Besides, one X account has already posted nearly its sliding window's worth
 * (lib/shares/rate-limit.ts) a little under 15 minutes ago: it may post only what is left
 * until those posts leave the window.
 */

const LIMIT = 3;
const WINDOW_MS = 10_000;
const ACCOUNTS = 8;
const PER_ACCOUNT = 12;
const SHARES = 2 * ACCOUNTS * PER_ACCOUNT;
/** How many places in the busy account's window are still free. */
const BUSY_FREE = 3;

const scene = faultScene("429", { latencyMs: 20 });

type Refusal = { request: FakeRequest; resetAt: number };
const codeOf = (req: FakeRequest) => /\/r\/([0-9A-Za-z]+)/.exec(field(req.body, "text") ?? field(req.body, "status") ?? "")?.[1];

/**
 * The network's tight limit, in front of the fake: per account (its token) and aligned
 * window, the LIMIT+1st post on gets a 429 announcing the window's end. Every refusal is
 * kept with the reset it announced.
 */
function tightLimit(fake: FakeServer, network: "x" | "mastodon"): Refusal[] {
  const windows = new FixedWindows(new Clock(), WINDOW_MS, true);
  const refusals: Refusal[] = [];
  // The fault's headers object is read when its answer is sent, right after this request's match.
  const headers: Record<string, string> = {};
  fake.inject({
    status: 429,
    times: Infinity,
    headers,
    match: (req) => {
      if (!isPost(network)(req)) return false;
      const state = windows.hit(req.headers.authorization ?? "", LIMIT);
      if (!state.exceeded) return false;
      Object.assign(
        headers,
        network === "x"
          ? { "x-rate-limit-limit": String(LIMIT), "x-rate-limit-remaining": "0", "x-rate-limit-reset": String(state.resetAt / 1000) }
          : { "X-RateLimit-Limit": String(LIMIT), "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": new Date(state.resetAt).toISOString() },
      );
      refusals.push({ request: req, resetAt: state.resetAt });
      return true;
    },
  });
  return refusals;
}

it("a 429 storm: every share published exactly once, each retry after the announced reset, the networks' limits and our window kept", async () => {
  const { fakes, env, workers } = scene;
  const due = new Date(Date.now() - 1_000);
  const { shares: seeded, accounts } = await seedShares(fakes, { accounts: { x: ACCOUNTS, mastodon: ACCOUNTS }, count: SHARES, scheduledAt: due });

  // The busy X account: its earlier posts fill its window but for BUSY_FREE places, and leave it 20 s from now.
  const busy = accounts.find((a) => a.network === "x")!;
  const { max, windowMs } = adapterFor("x").postLimits.account;
  const earlierAt = Date.now() - windowMs + 20_000;
  for (let i = 0; i < max - BUSY_FREE; i++) expect(await takePostSlot(queueRedis(), "x", busy.connectionId, `earlier-${i}`, earlierAt)).toBe(0);

  fakes.x.inject({ match: (r) => r.method === "GET" && /^\/2\/users\/\d+\/tweets$/.test(r.path), status: 403, times: Infinity });
  const refusals = { x: tightLimit(fakes.x, "x"), mastodon: tightLimit(fakes.mastodon, "mastodon") };

  expect(await enqueueAll(seeded, due)).toBe(SHARES);
  workers.push(await startWorkers(env, "workers"));
  expect(await settled(240_000)).toEqual({ published: SHARES });
  expect(await exactlyOnce(fakes, seeded)).toEqual({ shares: SHARES, postsMade: SHARES, duplicates: [], lost: [], wrongIds: [] });

  // It was a storm: both networks refused posts.
  expect(refusals.x.length).toBeGreaterThan(0);
  expect(refusals.mastodon.length).toBeGreaterThan(0);

  // Each network accepted no more than LIMIT posts per account in any of its windows (its own records).
  const perWindow = new Map<string, number>();
  const count = (account: string, at: Date) => {
    const key = `${account} ${Math.floor(at.getTime() / WINDOW_MS)}`;
    perWindow.set(key, (perWindow.get(key) ?? 0) + 1);
  };
  for (const t of fakes.x.tweets) count(`x:${t.authorId}`, t.createdAt);
  for (const s of fakes.mastodon.statuses.values()) count(`mastodon:${s.account.id}`, s.createdAt);
  expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(LIMIT);

  // A refused share came back only once the network's window had reset.
  const early: string[] = [];
  for (const network of ["x", "mastodon"] as const) {
    const posts = fakes[network].requests.filter(isPost(network));
    for (const { request, resetAt } of refusals[network]) {
      const code = codeOf(request);
      const next = posts.slice(posts.indexOf(request) + 1).find((r) => codeOf(r) === code);
      if (!next) early.push(`${network} ${code}: refused, never tried again`);
      else if (next.at.getTime() < resetAt) early.push(`${network} ${code}: back ${resetAt - next.at.getTime()} ms before the reset`);
    }
  }
  expect(early).toEqual([]);

  // The busy account sent no more than its window's free places until its earlier posts had left it.
  const busyPosts = fakes.x.requests.filter((r) => isPost("x")(r) && r.headers.authorization === `Bearer ${busy.accessToken}`);
  const sentBeforeFreed = new Set(busyPosts.filter((r) => r.at.getTime() < earlierAt + windowMs).map(codeOf));
  expect(sentBeforeFreed.size).toBeLessThanOrEqual(BUSY_FREE);
  expect(postsByCode(fakes).size).toBe(SHARES);
});

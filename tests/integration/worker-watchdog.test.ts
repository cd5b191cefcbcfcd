import { randomBytes } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { bullPrefix, createRedis } from "@/lib/queue";
import { startWatchdog, supervisedWorker } from "@/workers/watchdog";
import { clearRedisPrefix } from "../support/test-env";

/**
 * The workers' watchdog (issue 17, item 3), on the real Redis: a worker whose processor hangs
 * (a call that never answers) makes no progress while jobs wait; the watchdog restarts it,
 * the hung job is found stalled and runs again, and the queue drains. A worker that stays
 * stuck through its restarts is given up on (the process would exit for its supervisor).
 */
const base = `ripple-watchdog-${randomBytes(4).toString("hex")}`;
const connection = createRedis("worker");
const NAME = "watched";
const opened: Array<{ close(): Promise<void> }> = [];

afterAll(async () => {
  for (const thing of opened) await thing.close().catch(() => undefined);
  connection.disconnect();
  await clearRedisPrefix(process.env.REDIS_URL, base);
});

function queueOf(name: string): Queue {
  const queue = new Queue(name, { connection, prefix: bullPrefix(name, base) });
  opened.push(queue);
  return queue;
}

/** A worker whose processor never answers for the jobs `hangs` picks. */
function worker(name: string, hangs: (jobId: string, attempt: number) => boolean, done: string[]) {
  const tries = new Map<string, number>();
  return () => {
    const made = new Worker(
      name,
      async (job) => {
        const attempt = (tries.get(job.id!) ?? 0) + 1;
        tries.set(job.id!, attempt);
        if (hangs(job.id!, attempt)) await new Promise(() => undefined);
        done.push(job.id!);
      },
      { connection, prefix: bullPrefix(name, base), concurrency: 1, lockDuration: 1_000, stalledInterval: 500, maxStalledCount: 2 },
    );
    made.on("error", () => undefined);
    opened.push(made);
    return made;
  };
}

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const started = Date.now();
  while (!(await done())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the workers' watchdog", () => {
  it("restarts a worker that makes no progress while jobs wait, and the queue drains", async () => {
    const queue = queueOf(NAME);
    const done: string[] = [];
    // The first try of job "a" hangs; everything else works.
    const supervised = supervisedWorker(queue, worker(NAME, (id, attempt) => id === "a" && attempt === 1, done));
    const watchdog = startWatchdog([supervised.target], { stallMs: 1_500, checkEveryMs: 200 });
    try {
      for (const id of ["a", "b", "c"]) await queue.add("job", {}, { jobId: id });
      await until("every job done", () => ["a", "b", "c"].every((id) => done.includes(id)));
      expect(watchdog.restarts(NAME)).toBe(1);
      expect(new Set(done)).toEqual(new Set(["a", "b", "c"]));
      // Idle now, with nothing waiting: no further restart however long it is quiet.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await watchdog.check();
      expect(watchdog.restarts(NAME)).toBe(1);
    } finally {
      watchdog.stop();
      await supervised.worker().close(true);
    }
  }, 40_000);

  it("gives up on a worker still stuck after its restarts, so the process can be started again", async () => {
    const name = `${NAME}-stuck`;
    const queue = queueOf(name);
    const supervised = supervisedWorker(queue, worker(name, () => true, []));
    const gaveUp: string[] = [];
    const watchdog = startWatchdog([supervised.target], { stallMs: 800, checkEveryMs: 100, maxRestarts: 2, onGiveUp: (n) => gaveUp.push(n) });
    try {
      for (const id of ["x", "y"]) await queue.add("job", {}, { jobId: id });
      await until("the watchdog to give up", () => gaveUp.length > 0);
      expect(gaveUp[0]).toBe(name);
      expect(watchdog.restarts(name)).toBe(2);
    } finally {
      watchdog.stop();
      await supervised.worker().close(true);
    }
  }, 40_000);
});

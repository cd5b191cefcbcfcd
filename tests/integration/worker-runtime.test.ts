import { randomBytes } from "node:crypto";
import type { Job, Worker } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { PermanentFailure, RetryLater } from "@/lib/errors";
import { createRedis, enqueue, getQueue } from "@/lib/queue";
import { startWorker, type Processors } from "@/workers/runtime";
import { clearRedisPrefix } from "../support/test-env";

/**
 * The one place job errors are mapped (workers/runtime.ts), on a real Redis: a wait that
 * spends no attempt, a failure no attempt can fix, and the ordinary retry in between.
 */

// A prefix of this file's own: its worker must not take other files' lifecycle jobs.
const prefix = `ripple-runtime-${randomBytes(4).toString("hex")}`;
process.env.QUEUE_PREFIX = prefix;

const connection = createRedis("worker");
let worker: Worker | undefined;
const calls = new Map<string, number>();
const called = (name: string) => {
  const n = (calls.get(name) ?? 0) + 1;
  calls.set(name, n);
  return n;
};

const noop = async () => undefined;
const processors: Processors<"lifecycle"> = {
  heartbeat: noop,
  "story.publish": noop,
  "story.expire": noop,
  "shares.reconcile": noop,
  "connections.refresh": noop,
  "reports.remake": noop,
  // Asks to wait twice, then succeeds.
  maintenance: async () => {
    if (called("maintenance") <= 2) throw new RetryLater(200, "the account's window is full");
    return "done";
  },
  "stories.sweep": async () => {
    called("stories.sweep");
    throw new PermanentFailure("the notice is gone");
  },
  // Fails once the ordinary way, then succeeds.
  "connections.check": async () => {
    if (called("connections.check") === 1) throw new Error("the network timed out");
    return "checked";
  },
};

afterAll(async () => {
  await worker?.close();
  await connection.quit();
  await clearRedisPrefix(process.env.REDIS_URL!, prefix);
});

async function settled(job: Job): Promise<{ state: string; job: Job }> {
  const queue = getQueue("lifecycle");
  await expect.poll(async () => queue.getJobState(job.id!), { timeout: 15_000 }).toMatch(/^(completed|failed)$/);
  const done = (await queue.getJob(job.id!))!;
  return { state: await done.getState(), job: done };
}

describe("job errors, mapped once by the worker runtime", { timeout: 30_000 }, () => {
  it("maps RetryLater to a wait that spends no attempt, PermanentFailure to an immediate failure, and retries anything else", async () => {
    worker = startWorker("lifecycle", processors, connection, { concurrency: 3 });

    // One attempt only: had either wait spent it, the job would have failed.
    const waiting = await enqueue("lifecycle", "maintenance", {}, { attempts: 1 });
    const permanent = await enqueue("lifecycle", "stories.sweep", {}, { attempts: 5, backoff: { type: "fixed", delay: 50 } });
    const flaky = await enqueue("lifecycle", "connections.check", {}, { attempts: 2, backoff: { type: "fixed", delay: 50 } });

    const waited = await settled(waiting);
    expect(waited.state).toBe("completed");
    expect(waited.job.returnvalue).toBe("done");
    expect(calls.get("maintenance")).toBe(3);

    const failed = await settled(permanent);
    expect(failed.state).toBe("failed");
    expect(failed.job.failedReason).toBe("the notice is gone");
    expect(calls.get("stories.sweep")).toBe(1);

    const retried = await settled(flaky);
    expect(retried.state).toBe("completed");
    expect(calls.get("connections.check")).toBe(2);
  });
});

import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Queue, type Job } from "bullmq";
import { Redis } from "ioredis";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bullPrefix, schedules } from "@/lib/queue";
import { heartbeatKey } from "@/lib/queue/heartbeat";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { runScript, startScript, stopProcess } from "../support/processes";
import { clearRedisPrefix } from "../support/test-env";

/**
 * `npm run workers` as a real process, on a database and a queue prefix of its own (the
 * maintenance case drops partitions, and other files' heartbeats must not count here).
 */

const REDIS_URL = process.env.REDIS_URL!;
let database: TestDatabase;
let sql: postgres.Sql;
let redis: Redis;
const prefixes: string[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase("workers");
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  for (const child of children) await stopProcess(child, 5_000);
  await sql?.end();
  redis?.disconnect();
  for (const prefix of prefixes) await clearRedisPrefix(REDIS_URL, prefix);
  await database?.drop();
});

function newPrefix(): string {
  const prefix = `ripple-workers-${randomBytes(4).toString("hex")}`;
  prefixes.push(prefix);
  return prefix;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts the workers and resolves once their first heartbeat is in Redis. */
async function startWorkers(prefix: string) {
  const child = startScript("workers/index.ts", { DATABASE_URL: database.url, QUEUE_PREFIX: prefix, RIPPLE_PROCESS: "workers" }, "workers");
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await Promise.race([
    waitFor("the workers' heartbeat", () => redis.get(heartbeatKey(prefix)), 30_000),
    exited.then((code) => {
      throw new Error(`workers exited with ${code} before their first heartbeat`);
    }),
  ]);
  return child;
}

/** Waits until a job has completed or failed; returns its final state and record. */
async function finished(queue: Queue, job: Job, timeoutMs = 20_000) {
  const state = await waitFor(`job ${job.name} to finish`, async () => {
    const s = await queue.getJobState(job.id!);
    return s === "completed" || s === "failed" ? s : undefined;
  }, timeoutMs);
  return { state, job: (await queue.getJob(job.id!))! };
}

/** Runs a command and collects its output (for the start-up failures). */
describe("workers process", { timeout: 90_000 }, () => {
  it("starts, moves a waiting job of the one-slot layout to its queue's own slot, beats, and stops cleanly on SIGTERM well within 30 s", async () => {
    const prefix = newPrefix();
    // What an earlier version left: every queue under one tag, {prefix}.
    prefixes.push(`{${prefix}}`);
    const old = new Queue("publish-x", { connection: redis.duplicate(), prefix: `{${prefix}}` });
    await old.add("share.publish", { shareId: "4f1d8c9e-0000-4000-8000-000000000001" }, { delay: 30 * 60_000, jobId: "share-old-layout" });
    await old.close();
    const child = await startWorkers(prefix);
    const beatAt = Number(await redis.get(heartbeatKey(prefix)));
    expect(Math.abs(Date.now() - beatAt)).toBeLessThan(30_000);
    const publishX = new Queue("publish-x", { connection: redis.duplicate(), prefix: bullPrefix("publish-x", prefix) });
    try {
      const moved = await waitFor("the old layout's job on its queue's own slot", () => publishX.getJob("share-old-layout"));
      expect(await moved.getState()).toBe("delayed");
      await waitFor("nothing left under the one-slot tag", async () => (await redis.keys(`{${prefix}}:*`)).length === 0);
    } finally {
      await publishX.close();
    }

    const started = Date.now();
    const code = await stopProcess(child, 35_000);
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("fails a job with a malformed payload at once, naming the job, without retrying it", async () => {
    const prefix = newPrefix();
    const child = await startWorkers(prefix);
    const queue = new Queue("lifecycle", { connection: redis.duplicate(), prefix: bullPrefix("lifecycle", prefix) });
    try {
      const bogus = await queue.add("heartbeat", { bogus: 1 } as never, { attempts: 3, backoff: { type: "fixed", delay: 100 } });
      const unknown = await queue.add("no-such-job", {}, { attempts: 3, backoff: { type: "fixed", delay: 100 } });

      const malformed = await finished(queue, bogus);
      expect(malformed.state).toBe("failed");
      expect(malformed.job.attemptsMade).toBe(1);
      expect(malformed.job.failedReason).toContain("lifecycle/heartbeat");

      const unnamed = await finished(queue, unknown);
      expect(unnamed.state).toBe("failed");
      expect(unnamed.job.attemptsMade).toBe(1);
      expect(unnamed.job.failedReason).toContain("no-such-job");
    } finally {
      await queue.close();
      await stopProcess(child);
    }
  });

  it("registers the schedulers and runs maintenance on start: the coming months' click partitions, expired sign-in links removed", async () => {
    const prefix = newPrefix();
    const now = new Date();
    const months = [0, 1, 2, 3].map((offset) => {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
      return `click_events_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
    });
    // As if the partitions ahead had never been made.
    for (const name of months.slice(2)) await sql.unsafe(`drop table if exists "${name}"`);
    const expired = `expired-${randomBytes(4).toString("hex")}`;
    const valid = `valid-${randomBytes(4).toString("hex")}`;
    await sql`insert into verification_tokens (identifier, token, expires) values
      (${expired}, 't1', now() - interval '1 hour'),
      (${valid}, 't2', now() + interval '1 hour')`;

    const child = await startWorkers(prefix);
    const queue = new Queue("lifecycle", { connection: redis.duplicate(), prefix: bullPrefix("lifecycle", prefix) });
    try {
      // Every schedule declared in lib/queue is registered on its queue with its period.
      for (const name of [...new Set(schedules.map((s) => s.queue))]) {
        const q = name === "lifecycle" ? queue : new Queue(name, { connection: redis.duplicate(), prefix: bullPrefix(name, prefix) });
        const registered = await q.getJobSchedulers();
        expect(registered.map((s) => [s.key, s.every]).sort()).toEqual(
          schedules.filter((s) => s.queue === name).map((s) => [s.id, s.every]).sort(),
        );
        if (q !== queue) await q.close();
      }
      expect(schedules.find((s) => s.id === "heartbeat")?.every).toBe(15_000);
      expect(schedules.find((s) => s.id === "stories-sweep")?.every).toBe(60_000);

      const [run] = await waitFor("the first scheduled maintenance run", async () => {
        const jobs = [...(await queue.getCompleted()), ...(await queue.getFailed())].filter((j) => j.name === "maintenance");
        return jobs.length > 0 ? jobs : undefined;
      });
      expect({ failedReason: run!.failedReason, result: run!.returnvalue }).toEqual({
        failedReason: undefined,
        result: { partitionsCreated: 2, expiredLinksRemoved: expect.any(Number), endedSessionsRemoved: expect.any(Number), rollupDaysFolded: expect.any(Number) },
      });

      const present = await sql<{ name: string; attached: boolean }[]>`
        select n as name, exists (select 1 from pg_inherits where inhrelid = to_regclass(n) and inhparent = 'click_events'::regclass) as attached
          from unnest(${months}::text[]) as n`;
      expect(present).toEqual(months.map((name) => ({ name, attached: true })));

      const tokens = await sql<{ identifier: string }[]>`select identifier from verification_tokens where identifier in (${expired}, ${valid})`;
      expect(tokens.map((t) => t.identifier)).toEqual([valid]);
    } finally {
      await queue.close();
      await stopProcess(child);
    }
  });

  it("refuses to start without REDIS_URL, naming it, with exit 78", async () => {
    const result = await runScript("workers/index.ts", { DATABASE_URL: database.url, REDIS_URL: undefined, QUEUE_PREFIX: newPrefix() });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain("REDIS_URL");
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

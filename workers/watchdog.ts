import type { Queue, Worker } from "bullmq";
import { log } from "@/lib/log";

/**
 * The workers' own watchdog (issue 17, item 3). A worker can stop making progress with
 * nothing failing: a blocking read left on a connection a failover cut, a processor waiting on
 * a call that never answers. Each target says when it last made progress and whether work is
 * waiting for it; one that has work and has made none for `stallMs` is restarted in place
 * (its lost job is found stalled and runs again; the share's claim keeps a post from going
 * twice). Restarted `maxRestarts` times in a row without progress in between, the process
 * exits, for its supervisor to start afresh.
 */
export type WatchTarget = {
  name: string;
  /** When it last took, finished or failed something (ms since the epoch). */
  progressAt(): number;
  /** When it last finished or failed something: what ends a run of restarts. */
  finishedAt(): number;
  /** Whether work is waiting for it now; a target with none is idle, not stuck. */
  hasWork(): Promise<boolean>;
  restart(): Promise<void>;
};

export type WatchdogOptions = {
  stallMs?: number;
  checkEveryMs?: number;
  maxRestarts?: number;
  /** What happens after maxRestarts (the process exits by default). */
  onGiveUp?: (name: string) => void;
};

export function startWatchdog(targets: readonly WatchTarget[], options: WatchdogOptions = {}) {
  const stallMs = options.stallMs ?? 5 * 60_000;
  const maxRestarts = options.maxRestarts ?? 3;
  const restarts = new Map<string, { total: number; inARow: number; at: number }>();
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      for (const target of targets) {
        const record = restarts.get(target.name) ?? { total: 0, inARow: 0, at: 0 };
        const progressAt = target.progressAt();
        // Taking the stuck job again after a restart is not yet progress; finishing one is.
        if (target.finishedAt() > record.at) record.inARow = 0;
        restarts.set(target.name, record);
        const quietMs = Date.now() - Math.max(progressAt, record.at);
        if (quietMs < stallMs) continue;
        const hasWork = await target.hasWork().catch(() => false);
        if (!hasWork) continue;
        if (record.inARow >= maxRestarts) {
          log.error({ worker: target.name, restarts: record.inARow }, "worker still makes no progress after restarts: exiting for the supervisor to start the process again");
          (options.onGiveUp ?? (() => process.exit(70)))(target.name);
          continue;
        }
        log.error({ worker: target.name, quietS: Math.round(quietMs / 1000) }, "worker made no progress with work waiting: restarting it");
        record.total++;
        record.inARow++;
        record.at = Date.now();
        await target.restart().catch((error: unknown) => log.error({ err: error, worker: target.name }, "worker restart failed"));
      }
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), options.checkEveryMs ?? 30_000);
  timer.unref();
  return {
    /** Restarts so far per target. */
    restarts: (name: string) => restarts.get(name)?.total ?? 0,
    check,
    stop: () => clearInterval(timer),
  };
}

/** Closing a worker whose connection is gone may never finish: give up on it after this. */
const CLOSE_DEADLINE_MS = 5_000;

/**
 * A BullMQ worker under the watchdog: made by `start`, and made again on restart. Progress is
 * any job taken, finished or failed; work is a job waiting on its queue.
 */
export function supervisedWorker(queue: Queue, start: () => Worker) {
  let worker: Worker;
  let progressAt = Date.now();
  let finishedAt = 0;
  const attach = () => {
    worker = start();
    progressAt = Date.now();
    const progress = () => {
      progressAt = Date.now();
    };
    const finished = () => {
      progressAt = Date.now();
      finishedAt = progressAt;
    };
    worker.on("active", progress);
    worker.on("completed", finished);
    worker.on("failed", finished);
  };
  attach();
  const target: WatchTarget = {
    name: queue.name,
    progressAt: () => progressAt,
    finishedAt: () => finishedAt,
    async hasWork() {
      if (worker.isPaused() || (await queue.isPaused())) return false;
      const counts = await queue.getJobCounts("wait", "prioritized");
      return (counts.wait ?? 0) + (counts.prioritized ?? 0) > 0;
    },
    async restart() {
      const old = worker;
      await Promise.race([old.close(true).catch(() => undefined), new Promise((resolve) => setTimeout(resolve, CLOSE_DEADLINE_MS).unref())]);
      attach();
    },
  };
  return { target, worker: () => worker };
}

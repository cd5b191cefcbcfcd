import { db } from "@/lib/db";
import type { PublishQueue, RedisClient } from "@/lib/queue";
import { publishShare } from "@/lib/shares/publish";
import type { Processors, QueueConfig } from "../runtime";

/** Bluesky's and Threads' queues at most: most of their accounts post through one server. */
const SHARED_SERVER_RATE_PER_S = 50;

/**
 * Each network's queue as a whole, across every worker (BullMQ's limiter is global): a guard
 * against a runaway burst, PUBLISH_RATE_PER_S jobs a second. The networks' own limits, per
 * account and app, are kept by lib/shares/rate-limit.ts.
 */
export function networkLimiter(queue: PublishQueue, ratePerS: number): { max: number; duration: number } {
  const sharedServer = queue === "publish-bluesky" || queue === "publish-threads";
  return { max: sharedServer ? Math.min(ratePerS, SHARED_SERVER_RATE_PER_S) : ratePerS, duration: 1_000 };
}

/**
 * A publish worker's settings. A job whose worker lost it (the process died, or its Redis
 * master did and the job's state went with it) is found stalled once its lock runs out and
 * runs again: a short lock, checked often, keeps that wait to seconds (the share's claim in
 * PostgreSQL keeps the second run from posting twice).
 */
export function publishWorkerConfig(queue: PublishQueue, settings: { concurrency: number; ratePerS: number }): QueueConfig {
  return { concurrency: settings.concurrency, lockDuration: 15_000, stalledInterval: 5_000, limiter: networkLimiter(queue, settings.ratePerS) };
}

/** One processor for every network's publish queue; the last attempt ends the share failed with its reason. */
export function publishProcessors(redis: RedisClient): Processors<PublishQueue> {
  return {
    "share.publish": async ({ shareId }, job) => publishShare(db(), redis, shareId, { lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) }),
  };
}

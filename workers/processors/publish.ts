import { DelayedError, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { db } from "@/lib/db";
import type { PublishQueue } from "@/lib/queue";
import { RetryLater, publishShare } from "@/lib/shares/publish";
import type { Processors } from "../runtime";

/**
 * Each network's queue as a whole, across every worker (BullMQ's limiter is global): at
 * most this many publishes a second. A guard against a runaway burst, not the networks'
 * limits: those are per account and per app over minutes to days, and the windows of
 * lib/shares/rate-limit.ts keep them. At 20 a second a campaign of 4,000 LinkedIn shares
 * took over three minutes to go out (tests/bench/publish.ts). Bluesky's is lower because
 * an installation's accounts mostly share one PDS (bsky.social), which limits by address.
 */
export const networkLimiter: Record<PublishQueue, { max: number; duration: number }> = {
  "publish-x": { max: 250, duration: 1_000 },
  "publish-linkedin": { max: 250, duration: 1_000 },
  "publish-mastodon": { max: 250, duration: 1_000 },
  "publish-bluesky": { max: 50, duration: 1_000 },
};

/**
 * One processor for every network's publish queue: it publishes the share the job names.
 * A rate limit moves the job by the wait without spending an attempt; any other throw
 * takes BullMQ's backoff, and the last attempt ends the share failed with its reason.
 */
export function publishProcessors(redis: Redis): Processors<PublishQueue> {
  return {
    "share.publish": async ({ shareId }, job: Job, token?: string) => {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      try {
        return await publishShare(db(), redis, shareId, { lastAttempt });
      } catch (error) {
        if (error instanceof RetryLater && token) {
          await job.moveToDelayed(Date.now() + error.delayMs, token);
          throw new DelayedError();
        }
        throw error;
      }
    },
  };
}

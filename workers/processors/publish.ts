import { DelayedError, type Job } from "bullmq";
import { db } from "@/lib/db";
import { RetryLater, publishShare } from "@/lib/shares/publish";
import type { PublishQueue } from "@/lib/queue";
import type { Processors } from "../runtime";

/**
 * One processor for every network's publish queue: it publishes the share the job names.
 * A RetryLater with the network's own wait moves the job by that wait; otherwise BullMQ's
 * backoff applies.
 */
export function publishProcessors(): Processors<PublishQueue> {
  return {
    "share.publish": async ({ shareId }, job: Job) => {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      try {
        return await publishShare(db(), shareId, { lastAttempt });
      } catch (error) {
        if (error instanceof RetryLater && error.delayMs !== undefined && job.token) {
          await job.moveToDelayed(Date.now() + error.delayMs, job.token);
          throw new DelayedError();
        }
        throw error;
      }
    },
  };
}

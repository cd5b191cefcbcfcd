import { DelayedError, type Job } from "bullmq";
import { db } from "@/lib/db";
import { pollShare } from "@/lib/reach/poll";
import { RetryLater } from "@/lib/shares/publish";
import type { Processors, QueueConfig } from "../runtime";

/**
 * The reach queue's worker: metric polls of published shares (lib/reach/poll.ts). Polls
 * share the networks, the accounts' rate limits and the database pool with publishing, and
 * are never urgent (each is due hours after its share), so the worker runs few at once
 * (REACH_CONCURRENCY) and the queue as a whole, across every worker, at most `limiter` a
 * second: a campaign's 10,000 shares come due for their first poll together and are
 * spread over minutes instead of competing with that campaign's publishing.
 */
export function reachWorkerConfig(concurrency: number): QueueConfig {
  return { concurrency, lockDuration: 60_000, limiter: { max: 20, duration: 1_000 } };
}

/**
 * A rate limit moves the job by the network's wait without spending an attempt; any
 * other throw takes the job's attempts and backoff. The end of polling (a deleted post,
 * a revoked token) is an outcome, not a failure: the job completes.
 */
export function reachProcessors(): Processors<"reach"> {
  return {
    "share.poll": async ({ shareId, poll }, job: Job, token?: string) => {
      try {
        return await pollShare(db(), shareId, poll);
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

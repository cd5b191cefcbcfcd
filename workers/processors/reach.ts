import { db } from "@/lib/db";
import { PermanentFailure, RetryLater } from "@/lib/errors";
import { log } from "@/lib/log";
import { pollShare } from "@/lib/reach/poll";
import { claimDuePolls, movePollOn } from "@/lib/reach/schedule";
import type { Processors, QueueConfig } from "../runtime";

/**
 * Polls are never urgent and share networks, rate limits and the database pool with
 * publishing: few at once, and at most `limiter` a second across every worker, so a campaign's
 * 10,000 first polls spread over minutes instead of competing with its publishing.
 */
export function reachWorkerConfig(concurrency: number): QueueConfig {
  return { concurrency, lockDuration: 60_000, limiter: { max: 20, duration: 1_000 } };
}

/**
 * The end of polling (a deleted post, a revoked token) is an outcome, not a failure: the job
 * completes. A poll whose last attempt fails is given up and the share's next poll comes at
 * its time (else the row, still claimed, would find this failed job and wait on it).
 */
export function reachProcessors(): Processors<"reach"> {
  return {
    "share.poll": async ({ shareId, poll }, job) => {
      try {
        return await pollShare(db(), shareId, poll);
      } catch (error) {
        const lastAttempt = error instanceof PermanentFailure || (!(error instanceof RetryLater) && job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
        if (lastAttempt) await movePollOn(db(), shareId, poll).catch((e: unknown) => log.warn({ err: e, shareId, poll }, "a given-up poll was not moved on; it is claimed again after its lease"));
        throw error;
      }
    },
    "polls.claim": async () => ({ queued: await claimDuePolls(db()) }),
  };
}

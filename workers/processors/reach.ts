import { db } from "@/lib/db";
import { pollShare } from "@/lib/reach/poll";
import type { Processors, QueueConfig } from "../runtime";

/**
 * Polls are never urgent and share networks, rate limits and the database pool with
 * publishing: few at once, and at most `limiter` a second across every worker, so a campaign's
 * 10,000 first polls spread over minutes instead of competing with its publishing.
 */
export function reachWorkerConfig(concurrency: number): QueueConfig {
  return { concurrency, lockDuration: 60_000, limiter: { max: 20, duration: 1_000 } };
}

/** The end of polling (a deleted post, a revoked token) is an outcome, not a failure: the job completes. */
export function reachProcessors(): Processors<"reach"> {
  return {
    "share.poll": async ({ shareId, poll }) => pollShare(db(), shareId, poll),
  };
}

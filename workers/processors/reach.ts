import { db } from "@/lib/db";
import { pollShare } from "@/lib/reach/poll";
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

/** The end of polling (a deleted post, a revoked token) is an outcome, not a failure: the job completes. */
export function reachProcessors(): Processors<"reach"> {
  return {
    "share.poll": async ({ shareId, poll }) => pollShare(db(), shareId, poll),
  };
}

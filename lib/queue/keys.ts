import { envFor } from "@/lib/env";

/**
 * Every Redis key Ripple writes is named here, and nowhere else.
 *
 * Redis Cluster puts a key in the slot of its first `{…}` (its hash tag), or of the whole key
 * when it has none. Keys one command, Lua script or MULTI uses together must share a slot:
 * - one BullMQ queue's keys (its scripts touch several): one tag per queue;
 * - the click stream and the click limit's windows (the consumer's script checks hundreds of
 *   windows at once): one tag;
 * - an account's post block and post windows, and its network's app window (one script): one
 *   tag per network.
 * Everything else is a key of its own (caches, counters, markers) and has no tag, so the
 * cluster spreads it. tests/unit/redis-keys.test.ts holds every pattern to these rules.
 */

/** QUEUE_PREFIX without braces: the name every key starts with (`{ripple}` of old reads `ripple`). */
export function keyBase(prefix: string = envFor(["QUEUE_PREFIX"]).QUEUE_PREFIX): string {
  return prefix.replace(/[{}]/g, "");
}

/** The prefix BullMQ is given for one queue: it appends `:<queue>:<suffix>`, so each queue's keys share the queue's tag. */
export function bullPrefix(queue: string, base = keyBase()): string {
  return `${base}:{${queue}}`;
}

export const redisKeys = {
  /** The Redis stream clicks wait in, between the redirect and the click consumer. */
  clickStream: (base = keyBase()) => `${base}:{clicks}:stream`,
  /** A batch of clicks added to the stream (so a batch sent again adds nothing): under the stream's own tag. */
  clickBatch: (streamKey: string, batchId: string) => `${streamKey}:batch:${batchId}`,
  /** The click limit's window of one client on one link in one hour (a set of admitted click ids). */
  clickWindow: (hour: number, linkId: string, clientHash: string, base = keyBase()) => `${base}:{clicks}:limit:${hour}:${linkId}:${clientHash}`,
  /** While it lasts, no post from the account (the network refused one with a rate limit). */
  postBlock: (network: string, connectionId: string, base = keyBase()) => `${base}:{post-${network}}:block:${connectionId}`,
  /** The account's sliding window of posts. */
  postWindowAccount: (network: string, connectionId: string, base = keyBase()) => `${base}:{post-${network}}:window:account:${connectionId}`,
  /** The network's window of posts from Ripple's app as a whole. */
  postWindowApp: (network: string, base = keyBase()) => `${base}:{post-${network}}:window:app`,
  /** The workers' last heartbeat. */
  heartbeat: (base = keyBase()) => `${base}:workers:heartbeat`,
  /** A link's target, cached for the redirect. */
  link: (code: string, base = keyBase()) => `${base}:link:${code}`,
  /** rate-limiter-flexible's key prefix for one limit (it appends `:<key>`). */
  limit: (name: string, base = keyBase()) => `${base}:limit:${name}`,
};

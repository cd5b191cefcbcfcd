import { createHmac } from "node:crypto";
import type { RedisClient } from "@/lib/queue";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { envFor } from "@/lib/env";
import { log } from "@/lib/log";
import { redis, redisKeys } from "@/lib/queue";

/**
 * Rate limits every process shares through Redis (rate-limiter-flexible's atomic counter per
 * key and window, under QUEUE_PREFIX). The budgets are here and nowhere else; README
 * "Security" lists them. Keys hold an HMAC of the address, e-mail or token, never the value.
 *
 * A limit that cannot be checked lets the request through (fail open, with a warning): a
 * Redis outage must not lock everyone out of signing in. No check waits longer than
 * CHECK_TIMEOUT_MS for Redis.
 */

export const LIMITS = {
  /** Sign-in mails asked for one address. */
  signInMailPerAddress: { points: 5, durationS: 15 * 60 },
  /** Sign-in mails asked for from one client address (any e-mail): an office behind one address signs in on Monday morning. */
  signInMailPerClient: { points: 100, durationS: 15 * 60 },
  /** Failed sign-ins (demo, invitation links) from one client address. */
  failedSignInPerClient: { points: 30, durationS: 15 * 60 },
  /** Refused API and SCIM tokens from one client address. */
  failedTokenPerClient: { points: 30, durationS: 15 * 60 },
  /** API v1 calls with one token. */
  apiCallsPerToken: { points: 600, durationS: 60 },
  /** Counted clicks from one client address on one link. */
  clicksPerClientLink: { points: 10, durationS: 60 * 60 },
} as const;

export type LimitName = keyof typeof LIMITS;

const CHECK_TIMEOUT_MS = 250;

export type LimitState = {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window starts again (at least 1). */
  resetS: number;
};

type Limiters = { redis: RedisClient; byName: Map<LimitName, RateLimiterRedis> };
let shared: Limiters | undefined;

function limiters(client?: RedisClient): Limiters {
  if (client) return { redis: client, byName: new Map() };
  shared ??= { redis: redis(), byName: new Map() };
  return shared;
}

function limiter(set: Limiters, name: LimitName): RateLimiterRedis {
  let found = set.byName.get(name);
  if (!found) {
    const { points, durationS } = LIMITS[name];
    found = new RateLimiterRedis({ storeClient: set.redis, keyPrefix: redisKeys.limit(name), points, duration: durationS });
    set.byName.set(name, found);
  }
  return found;
}

/** An HMAC of what a key is about (address, e-mail, token id), so Redis never holds it. */
export function limitKey(...parts: string[]): string {
  const { AUTH_SECRET } = envFor(["AUTH_SECRET"]);
  return createHmac("sha256", AUTH_SECRET ?? "ripple").update(parts.join("\n")).digest("base64url").slice(0, 32);
}

function state(name: LimitName, res: RateLimiterRes, allowed: boolean): LimitState {
  const { points } = LIMITS[name];
  return { allowed, limit: points, remaining: Math.max(0, res.remainingPoints), resetS: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
}

function open(name: LimitName, error: unknown): LimitState {
  log.warn({ limit: name, err: error instanceof Error ? { name: error.name, message: error.message } : String(error) }, "rate limit not checked: letting the request through");
  return unlimited(name);
}

function bounded<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Takes `points` from the key's budget; allowed is false once the budget is spent. */
export async function consume(name: LimitName, key: string, options: { points?: number; redis?: RedisClient } = {}): Promise<LimitState> {
  try {
    const res = await bounded(limiter(limiters(options.redis), name).consume(key, options.points ?? 1));
    return state(name, res, true);
  } catch (error) {
    if (error instanceof RateLimiterRes) return state(name, error, false);
    return open(name, error);
  }
}

/** Whether the key's budget is spent, without taking from it. */
export async function peek(name: LimitName, key: string, options: { redis?: RedisClient } = {}): Promise<LimitState> {
  try {
    const res = await bounded(limiter(limiters(options.redis), name).get(key));
    if (!res) return unlimited(name);
    return state(name, res, res.remainingPoints > 0);
  } catch (error) {
    return open(name, error);
  }
}

/**
 * The per-client budgets, keyed by the address the web server stamped (lib/web/front.ts).
 * A request no server stamped ("unknown": a handler called directly, as the integration
 * tests do) is not counted: one shared "unknown" key would let one client lock out all.
 */
export function consumeForClient(name: LimitName, client: string, options: { redis?: RedisClient } = {}): Promise<LimitState> {
  return client === "unknown" ? Promise.resolve(unlimited(name)) : consume(name, limitKey("client", client), options);
}

export function peekForClient(name: LimitName, client: string, options: { redis?: RedisClient } = {}): Promise<LimitState> {
  return client === "unknown" ? Promise.resolve(unlimited(name)) : peek(name, limitKey("client", client), options);
}

function unlimited(name: LimitName): LimitState {
  const { points, durationS } = LIMITS[name];
  return { allowed: true, limit: points, remaining: points, resetS: durationS };
}

/** The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-07) for an answer. */
export function rateLimitHeaders(name: LimitName, limit: LimitState): Record<string, string> {
  return {
    "RateLimit-Limit": String(limit.limit),
    "RateLimit-Remaining": String(limit.remaining),
    "RateLimit-Reset": String(limit.resetS),
    "RateLimit-Policy": `${LIMITS[name].points};w=${LIMITS[name].durationS}`,
  };
}

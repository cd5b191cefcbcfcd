import type { RedisClient } from "@/lib/queue";
import { LRUCache } from "lru-cache";
import { z } from "zod";
import { db as defaultDb, type DbOrTx } from "@/lib/db";
import { log } from "@/lib/log";
import { keyBase, redisKeys } from "@/lib/queue/keys";
import { redirectRedis } from "./redirect-redis";
import { resolveLink, type LinkTarget } from "./tracked-links";

/**
 * A code's destination: an in-process LRU, then Redis (every call bounded: a slow or absent
 * Redis costs a Postgres query, never the answer), then Postgres. Unknown codes are
 * remembered briefly in both caches, so a storm of one unknown code reaches Postgres once.
 */

const LRU_MAX = 100_000;
/** A code's destination never changes; a link removed with its share stops within this. */
const LRU_TTL_MS = 5 * 60_000;
const NEGATIVE_TTL_MS = 30_000;
const REDIS_TTL_S = 60 * 60;
const REDIS_NEGATIVE_TTL_S = 30;
/** Every Redis call of a lookup; beyond it Postgres answers. */
const REDIS_LOOKUP_TIMEOUT_MS = 50;

const MISSING = Object.freeze({ missing: true as const });
type Cached = LinkTarget | typeof MISSING;

const redisValue = z.object({ i: z.uuid(), o: z.uuid(), s: z.uuid().nullable(), d: z.url() });

/** LRU → Redis → Postgres, with negative caching. `stats` counts what each level answered. */
export class LinkLookup {
  readonly stats = { lruHits: 0, redisHits: 0, databaseQueries: 0, redisErrors: 0, redisSkipped: 0 };
  private readonly lru = new LRUCache<string, Cached>({ max: LRU_MAX, ttl: LRU_TTL_MS });
  private readonly loading = new Map<string, Promise<LinkTarget | null>>();
  private lastRedisWarning = 0;

  constructor(
    private readonly deps: { db: () => DbOrTx; redis: RedisClient | null; prefix: string },
  ) {}

  private key(code: string): string {
    return redisKeys.link(code, keyBase(this.deps.prefix));
  }

  /** The answer from this process's memory: a link, null (known unknown) or undefined (ask further). */
  cached(code: string): LinkTarget | null | undefined {
    const hit = this.lru.get(code);
    if (hit === undefined) return undefined;
    this.stats.lruHits++;
    return "missing" in hit ? null : hit;
  }

  /** The link behind a well-formed code, from the caches or Postgres; concurrent asks share one query. */
  resolve(code: string): Promise<LinkTarget | null> {
    let pending = this.loading.get(code);
    if (!pending) {
      pending = this.load(code).finally(() => this.loading.delete(code));
      this.loading.set(code, pending);
    }
    return pending;
  }

  /** Forgets what this process remembers (tests: a second process, or a restart). */
  clearMemory(): void {
    this.lru.clear();
  }

  private async load(code: string): Promise<LinkTarget | null> {
    const fromRedis = await this.fromRedis(code);
    if (fromRedis !== undefined) {
      this.stats.redisHits++;
      this.remember(code, fromRedis);
      return fromRedis;
    }
    this.stats.databaseQueries++;
    const link = await resolveLink(this.deps.db(), code);
    this.remember(code, link);
    const redis = this.deps.redis;
    if (redis?.status === "ready") {
      const value = link ? JSON.stringify({ i: link.id, o: link.orgId, s: link.shareId, d: link.destination }) : "-";
      redis.set(this.key(code), value, "EX", link ? REDIS_TTL_S : REDIS_NEGATIVE_TTL_S).catch((error: unknown) => this.redisFailed(error));
    }
    return link;
  }

  private remember(code: string, link: LinkTarget | null): void {
    if (link) this.lru.set(code, link);
    else this.lru.set(code, MISSING, { ttl: NEGATIVE_TTL_MS });
  }

  /** undefined: RedisClient does not know or did not answer in time. */
  private async fromRedis(code: string): Promise<LinkTarget | null | undefined> {
    const redis = this.deps.redis;
    if (!redis) return undefined;
    // Connecting, reconnecting or gone: do not even try (the connection reports its errors).
    if (redis.status !== "ready") {
      this.stats.redisSkipped++;
      return undefined;
    }
    let raw: string | null;
    try {
      raw = await redis.get(this.key(code));
    } catch (error) {
      this.redisFailed(error);
      return undefined;
    }
    if (raw === null) return undefined;
    if (raw === "-") return null;
    try {
      const parsed = redisValue.safeParse(JSON.parse(raw));
      if (parsed.success) return { id: parsed.data.i, orgId: parsed.data.o, shareId: parsed.data.s, destination: parsed.data.d };
    } catch {
      // not JSON: ask Postgres, which overwrites it
    }
    return undefined;
  }

  private redisFailed(error: unknown): void {
    this.stats.redisErrors++;
    if (Date.now() - this.lastRedisWarning > 10_000) {
      this.lastRedisWarning = Date.now();
      log.warn({ err: error, errors: this.stats.redisErrors }, "link cache in Redis unavailable: answering from Postgres");
    }
  }
}

/**
 * The lookup with its own Redis connection: short timeouts and no offline queue, so an
 * unreachable Redis fails at once and Postgres answers.
 */
export function createLinkLookup(options: { db?: () => DbOrTx } = {}): { lookup: LinkLookup; close: () => void } {
  const redis = redirectRedis("link lookups", REDIS_LOOKUP_TIMEOUT_MS);
  return { lookup: new LinkLookup({ db: options.db ?? defaultDb, redis, prefix: keyBase() }), close: () => redis.disconnect() };
}

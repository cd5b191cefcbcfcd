import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { z } from "zod";
import { db as defaultDb, type DbOrTx } from "@/lib/db";
import { envFor } from "@/lib/env";
import { log } from "@/lib/log";
import { createRedis, queuePrefix } from "@/lib/queue";
import { ClickBuffer, clickStreamKey } from "./click-stream";
import { referrerHost } from "./client-address";
import { isBotRequest } from "./detect-bot";
import { clickDay, SaltCache, visitorHash } from "./visitor-hash";
import { isLinkCode, resolveLink, type LinkTarget } from "./tracked-links";

/**
 * GET /r/<code>: the one core behind both the Next route (app/r/[code]/route.ts) and the
 * standalone redirector (workers/redirector.ts), so both answer and count alike.
 *
 * Lookup: an in-process LRU, then Redis (a key per code, every call bounded by a short
 * timeout: a slow or absent Redis costs a Postgres query, never the answer), then
 * Postgres. Unknown codes are remembered briefly in both caches, so a storm of the same
 * unknown code reaches Postgres once; malformed codes reach no store at all.
 *
 * Answer first, record after: `handle` gives the answer and a `record` function the edge
 * calls once the answer is on its way. On an LRU hit the answer is ready without any
 * await. Recording hashes the visitor and hands the click to the ClickBuffer (Redis
 * stream), which writes it a few milliseconds later together with its neighbours.
 */

const LRU_MAX = 100_000;
/** A code's destination never changes; a link removed with its share stops within this. */
const LRU_TTL_MS = 5 * 60_000;
const NEGATIVE_TTL_MS = 30_000;
const REDIS_TTL_S = 60 * 60;
const REDIS_NEGATIVE_TTL_S = 30;
/** Every Redis call of a lookup; beyond it Postgres answers. */
const REDIS_LOOKUP_TIMEOUT_MS = 50;
/** The XADD batches; longer, since a batch that timed out is sent again. */
const REDIS_WRITE_TIMEOUT_MS = 5_000;

const MISSING = Object.freeze({ missing: true as const });
type Cached = LinkTarget | typeof MISSING;

export type RedirectRequest = {
  method: string;
  code: string;
  userAgent: string | null | undefined;
  referer: string | null | undefined;
  /** Only for the visitor hash; never stored, never logged. */
  ip: string;
};

export type Answer = { status: 302 | 404; headers: Record<string, string>; body: string };
export type Outcome = { answer: Answer; record: (() => void) | null };

const NOT_FOUND_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Link not found</title>
<style>
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; background: #f6f7f9; color: #1d2433; }
  main { max-width: 32rem; padding: 2rem; text-align: center; }
  h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
  p { margin: .25rem 0; line-height: 1.5; color: #4a5468; }
</style>
</head>
<body>
<main>
<h1>This link does not exist</h1>
<p>Check that the address was copied in full. Links are case-sensitive.</p>
<p lang="da">Dette link findes ikke. Tjek, at hele adressen er kopieret med; der skelnes mellem store og små bogstaver.</p>
</main>
</body>
</html>
`;

const NOT_FOUND: Answer = Object.freeze({
  status: 404,
  headers: Object.freeze({
    "content-type": "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(NOT_FOUND_HTML)),
    "cache-control": "no-store",
    "x-robots-tag": "noindex",
  }),
  body: NOT_FOUND_HTML,
}) as Answer;

export function notFoundAnswer(): Answer {
  return NOT_FOUND;
}

/** Only ever the stored destination; nothing from the request reaches the Location. */
export function redirectAnswer(destination: string): Answer {
  return Object.freeze({
    status: 302,
    headers: Object.freeze({ location: destination, "cache-control": "private, no-store", "referrer-policy": "no-referrer-when-downgrade", "content-length": "0" }),
    body: "",
  }) as Answer;
}

const redisValue = z.object({ i: z.uuid(), o: z.uuid(), s: z.uuid().nullable(), d: z.url() });

/** LRU → Redis → Postgres, with negative caching. `stats` counts what each level answered. */
export class LinkLookup {
  readonly stats = { lruHits: 0, redisHits: 0, databaseQueries: 0, redisErrors: 0, redisSkipped: 0 };
  private readonly lru = new LRUCache<string, Cached>({ max: LRU_MAX, ttl: LRU_TTL_MS });
  private readonly loading = new Map<string, Promise<LinkTarget | null>>();
  private lastRedisWarning = 0;

  constructor(
    private readonly deps: { db: () => DbOrTx; redis: Redis | null; prefix: string },
  ) {}

  private key(code: string): string {
    return `${this.deps.prefix}:link:${code}`;
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

  /** undefined: Redis does not know or did not answer in time. */
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

/** A click as the redirect saw it, before hashing. Lives in memory only, for milliseconds. */
export type RawClick = {
  linkId: string;
  orgId: string;
  shareId: string | null;
  at: number;
  method: string;
  code: string;
  userAgent: string | null | undefined;
  referer: string | null | undefined;
  ip: string;
};

/** Where the redirect hands its clicks: a ClickRecorder here, or one on another thread (workers/redirector.ts). */
export type ClickSink = { add(click: RawClick): void };

/**
 * Turns raw clicks into stream clicks: the visitor hash under the day's salt, bot or not,
 * the referrer's host; then into the buffer. The address and user agent go no further.
 */
export class ClickRecorder implements ClickSink {
  readonly stats = { recorded: 0, unrecorded: 0 };

  constructor(
    readonly buffer: ClickBuffer,
    private readonly salts: SaltCache,
    private readonly db: () => DbOrTx,
  ) {}

  add(click: RawClick): void {
    const push = (salt: Buffer) => {
      this.buffer.push({
        linkId: click.linkId,
        orgId: click.orgId,
        shareId: click.shareId,
        at: click.at,
        visitorHash: visitorHash(salt, click.ip, click.userAgent ?? "", click.code),
        isBot: isBotRequest(click.method, click.userAgent),
        referrerHost: referrerHost(click.referer),
      });
      this.stats.recorded++;
    };
    try {
      const day = clickDay(click.at);
      const salt = this.salts.peek(day) ?? this.salts.get(this.db(), day);
      if (Buffer.isBuffer(salt)) push(salt);
      else
        salt.then(push, (error: unknown) => {
          this.stats.unrecorded++;
          log.error({ err: error, linkId: click.linkId }, "click not recorded: the day's visitor salt is unavailable");
        });
    } catch (error) {
      this.stats.unrecorded++;
      log.error({ err: error, linkId: click.linkId }, "click not recorded");
    }
  }

  /** Loads the day's salt, so the first clicks need not wait for it. */
  async warm(): Promise<void> {
    await this.salts.get(this.db(), clickDay(Date.now()));
  }
}

/** Answers /r/<code> requests and hands their clicks to a sink. */
export class Redirector {
  readonly stats = { redirects: 0, notFound: 0 };
  /** The 302 of each cached link, made once (it goes when the LRU lets the link go). */
  private readonly answers = new WeakMap<LinkTarget, Answer>();

  constructor(
    readonly lookup: LinkLookup,
    private readonly sink: ClickSink,
  ) {}

  /** Synchronous when the LRU knows the code (or the code is malformed); a promise otherwise. */
  handle(request: RedirectRequest): Outcome | Promise<Outcome> {
    if (!isLinkCode(request.code)) return this.outcome(request, null);
    const known = this.lookup.cached(request.code);
    if (known !== undefined) return this.outcome(request, known);
    return this.lookup.resolve(request.code).then((link) => this.outcome(request, link));
  }

  private outcome(request: RedirectRequest, link: LinkTarget | null): Outcome {
    if (!link) {
      this.stats.notFound++;
      return { answer: NOT_FOUND, record: null };
    }
    this.stats.redirects++;
    const at = Date.now();
    let answer = this.answers.get(link);
    if (!answer) {
      answer = redirectAnswer(link.destination);
      this.answers.set(link, answer);
    }
    return {
      answer,
      record: () =>
        this.sink.add({ linkId: link.id, orgId: link.orgId, shareId: link.shareId, at, method: request.method, code: request.code, userAgent: request.userAgent, referer: request.referer, ip: request.ip }),
    };
  }
}

const quietRedis = (purpose: string) => {
  let lastWarning = 0;
  return (error: Error) => {
    if (Date.now() - lastWarning < 10_000) return;
    lastWarning = Date.now();
    log.warn({ err: error, purpose }, "redirect's Redis connection failing: links answered from Postgres, clicks held in memory");
  };
};

/**
 * The lookup with its own Redis connection: short timeouts and no offline queue, so an
 * unreachable Redis fails at once and Postgres answers.
 */
export function createLinkLookup(options: { db?: () => DbOrTx } = {}): { lookup: LinkLookup; close: () => void } {
  const redis = createRedis("client", { commandTimeout: REDIS_LOOKUP_TIMEOUT_MS, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  redis.on("error", quietRedis("link lookups"));
  return { lookup: new LinkLookup({ db: options.db ?? defaultDb, redis, prefix: queuePrefix() }), close: () => redis.disconnect() };
}

/** A recorder with its own Redis connection for the stream. */
export function createClickRecorder(options: { db?: () => DbOrTx; flushMs?: number } = {}): { recorder: ClickRecorder; close: (deadlineMs?: number) => Promise<void> } {
  const { CLICK_STREAM_MAXLEN } = envFor(["CLICK_STREAM_MAXLEN"]);
  const redis = createRedis("client", { commandTimeout: REDIS_WRITE_TIMEOUT_MS, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  redis.on("error", quietRedis("click stream"));
  const buffer = new ClickBuffer(redis, { key: clickStreamKey(), maxLen: CLICK_STREAM_MAXLEN, flushMs: options.flushMs });
  return {
    recorder: new ClickRecorder(buffer, new SaltCache(), options.db ?? defaultDb),
    close: async (deadlineMs = 10_000) => {
      await buffer.close(deadlineMs);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export type RedirectorRuntime = { redirector: Redirector; recorder: ClickRecorder; close: (deadlineMs?: number) => Promise<void> };

/** Lookup and recording in this process (the Next route). */
export function createRedirectorRuntime(options: { db?: () => DbOrTx; flushMs?: number } = {}): RedirectorRuntime {
  const lookup = createLinkLookup(options);
  const recording = createClickRecorder(options);
  return {
    redirector: new Redirector(lookup.lookup, recording.recorder),
    recorder: recording.recorder,
    close: async (deadlineMs = 10_000) => {
      await recording.close(deadlineMs);
      lookup.close();
    },
  };
}

let shared: RedirectorRuntime | undefined;

/** This process's redirector (the Next route's), made on first use. */
export function sharedRedirector(): Redirector {
  shared ??= createRedirectorRuntime();
  return shared.redirector;
}

/** Writes the buffered clicks of this process's redirector to the stream now (tests, shutdown). */
export async function flushSharedRedirector(deadlineMs = 5_000): Promise<void> {
  const left = await shared?.recorder.buffer.drain(deadlineMs);
  if (left) throw new Error(`${left} clicks not written to the stream within ${deadlineMs} ms`);
}

export async function closeSharedRedirector(): Promise<void> {
  const runtime = shared;
  shared = undefined;
  await runtime?.close();
}

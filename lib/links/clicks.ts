import { createHmac, randomBytes } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import { eq } from "drizzle-orm";
import ipaddr from "ipaddr.js";
import type { Redis } from "ioredis";
import { isbot } from "isbot";
import { LRUCache } from "lru-cache";
import { z } from "zod";
import { visitorSalts } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { log } from "@/lib/log";
import { queuePrefix } from "@/lib/queue";
import { utcDay } from "@/lib/reach/rollups";

/**
 * What a click is before it reaches Postgres: who (a visitor hash, never an address),
 * whether a bot made it, and where it came from (the referrer's host only). The redirect
 * hands clicks to a ClickBuffer, which appends them to a Redis stream in pipelined
 * micro-batches; the click consumer (lib/links/ingest.ts) writes them in batches.
 */

// --- Bots ---------------------------------------------------------------------------------

/**
 * Link previewers by name, on top of isbot's list (which has them today): a preview fetch
 * must never count as a visit, so these do not depend on a dependency's next release.
 * Mastodon's fetcher says "http.rb/… (Mastodon/4.x; +https://instance/)"; Bluesky's
 * card service is cardyb ("Bskybot").
 */
const PREVIEWERS = /facebookexternalhit|facebookcatalog|linkedinbot|twitterbot|slackbot|slack-imgproxy|discordbot|telegrambot|whatsapp|mastodon\/|bskybot|cardyb|skypeuripreview|microsoftpreview|redditbot|pinterestbot|embedly|iframely|vkshare|xing-contenttabreceiver/i;

/**
 * A HEAD request (no browser follows a shared link with HEAD), no user agent at all, or a
 * crawler or link previewer. Such clicks are stored and counted as botClicks, never as
 * clicks or reach.
 */
export function isBotRequest(method: string, userAgent: string | null | undefined): boolean {
  if (method === "HEAD") return true;
  if (!userAgent) return true;
  // The same few hundred user agents make nearly all clicks: each is judged once.
  let verdict = botVerdicts.get(userAgent);
  if (verdict === undefined) {
    verdict = PREVIEWERS.test(userAgent) || isbot(userAgent);
    botVerdicts.set(userAgent, verdict);
  }
  return verdict;
}

const botVerdicts = new LRUCache<string, boolean>({ max: 5_000 });

// --- The visitor's address (hashed, never kept) ---------------------------------------------

/**
 * One spelling per address, so a visitor is one visitor: ::ffff:192.0.2.1 is 192.0.2.1,
 * IPv6 in its canonical form. null for anything that is not an address. (node:net's
 * checks first: this runs on every click and ipaddr.js alone costs ~15 µs.)
 */
function normaliseIp(value: string): string | null {
  const trimmed = value.trim();
  if (isIPv4(trimmed)) return trimmed;
  if (trimmed.startsWith("::ffff:") && isIPv4(trimmed.slice(7))) return trimmed.slice(7);
  if (!isIPv6(trimmed)) return null;
  return ipaddr.process(trimmed).toString();
}

/**
 * The address the visitor hash is made from: the socket's, or the first X-Forwarded-For
 * entry when the installation says a proxy of its own sets that header (TRUST_PROXY).
 * Without that, the header is the client's to invent and is ignored.
 */
export function clientIp(input: { socketAddress: string | null | undefined; forwardedFor: string | null | undefined; trustProxy: boolean }): string {
  if (input.trustProxy && input.forwardedFor) {
    const first = normaliseIp(input.forwardedFor.split(",")[0] ?? "");
    if (first) return first;
  }
  return (input.socketAddress && normaliseIp(input.socketAddress)) || "unknown";
}

/** The referrer's host (lower case), never its path or query: that is all a report needs. */
export function referrerHost(referer: string | null | undefined): string | null {
  if (!referer) return null;
  try {
    const host = new URL(referer).hostname.toLowerCase();
    return host && host.length <= 253 && !/\s/.test(host) ? host : null;
  } catch {
    return null;
  }
}

// --- Daily salts ------------------------------------------------------------------------------

/**
 * HMAC-SHA256 of address, user agent and code under the day's salt. The code is in it so
 * one visitor cannot be followed from link to link; the salt is discarded after the day
 * (lib/links/retention.ts), after which no hash can be tied to an address again.
 */
export function visitorHash(salt: Buffer, ip: string, userAgent: string, code: string): string {
  return createHmac("sha256", salt).update(`${ip}\n${userAgent}\n${code}`).digest("base64url");
}

/**
 * Salts by UTC day, cached in this process until the day is over: one row per day in
 * visitor_salts, made by whichever process needs it first (INSERT … ON CONFLICT DO NOTHING,
 * then read back, so every process and restart hashes with the same salt).
 */
export class SaltCache {
  private readonly salts = new Map<string, Buffer>();
  private readonly loading = new Map<string, Promise<Buffer>>();

  /** The day's salt if this process has it, without waiting. */
  peek(day: string): Buffer | undefined {
    return this.salts.get(day);
  }

  get(db: DbOrTx, day: string): Buffer | Promise<Buffer> {
    const known = this.salts.get(day);
    if (known) return known;
    let pending = this.loading.get(day);
    if (!pending) {
      pending = loadSalt(db, day)
        .then((salt) => {
          // Only today and yesterday are ever asked for: forget older days.
          for (const cached of this.salts.keys()) if (cached < day) this.salts.delete(cached);
          this.salts.set(day, salt);
          return salt;
        })
        .finally(() => this.loading.delete(day));
      this.loading.set(day, pending);
    }
    return pending;
  }
}

async function loadSalt(db: DbOrTx, day: string): Promise<Buffer> {
  await db.insert(visitorSalts).values({ day, salt: randomBytes(32).toString("hex") }).onConflictDoNothing();
  const [row] = await db.select({ salt: visitorSalts.salt }).from(visitorSalts).where(eq(visitorSalts.day, day));
  if (!row) throw new Error(`visitor salt for ${day} vanished`);
  return Buffer.from(row.salt, "hex");
}

// --- The stream ------------------------------------------------------------------------------------

/** The Redis stream of clicks waiting for the consumer (under the queue prefix's hash tag). */
export function clickStreamKey(prefix = queuePrefix()): string {
  return `${prefix}:clicks:stream`;
}

/** One click as the stream holds it: ids, a moment, a hash; no address, no path, no query. */
export type StreamClick = {
  linkId: string;
  orgId: string;
  shareId: string | null;
  at: number;
  visitorHash: string;
  isBot: boolean;
  referrerHost: string | null;
};

/** The entry's fields in order (names l, o, s, t, v, b, r), values only: see XADD_MANY. */
const FIELD_NAMES = ["l", "o", "s", "t", "v", "b", "r"] as const;

function clickValues(click: StreamClick): string[] {
  return [click.linkId, click.orgId, click.shareId ?? "", String(click.at), click.visitorHash, click.isBot ? "1" : "0", click.referrerHost ?? ""];
}

/** An entry's [field, value, …] list, as XADD takes and XREADGROUP gives it. */
export function encodeClick(click: StreamClick): string[] {
  return clickValues(click).flatMap((value, i) => [FIELD_NAMES[i]!, value]);
}

/** A click as one line of tab-separated values (none can hold a tab or newline: ids, digits, base64url, a parsed host name). */
function clickLine(click: StreamClick): string {
  return `${clickValues(click).join("\t")}\n`;
}

/**
 * Many clicks in one command: Redis splits the lines and XADDs each. Far cheaper for the
 * redirector than a pipeline of XADDs (one string argument to encode instead of hundreds
 * of commands), and all or nothing, so a failed flush is retried whole.
 * ARGV[1] maxlen, ARGV[2] the lines.
 */
const XADD_MANY = `
local maxlen = ARGV[1]
local n = 0
for l, o, s, t, v, b, r in string.gmatch(ARGV[2], "([^\\t\\n]*)\\t([^\\t\\n]*)\\t([^\\t\\n]*)\\t([^\\t\\n]*)\\t([^\\t\\n]*)\\t([^\\t\\n]*)\\t([^\\t\\n]*)\\n") do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 'l', l, 'o', o, 's', s, 't', t, 'v', v, 'b', b, 'r', r)
  n = n + 1
end
return n`;

type XaddMany = { ripple_xadd_clicks: (key: string, maxLen: string, lines: string) => Promise<number> };

const streamFields = z.object({
  l: z.uuid(),
  o: z.uuid(),
  s: z.union([z.uuid(), z.literal("")]),
  t: z.coerce.number().int().positive(),
  v: z.string().min(16).max(128),
  b: z.enum(["0", "1"]),
  r: z.string().max(253),
});

/** A stream entry's fields back to a click; null for anything malformed. */
export function decodeClick(fields: readonly string[]): StreamClick | null {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
  const parsed = streamFields.safeParse(record);
  if (!parsed.success) return null;
  const f = parsed.data;
  return { linkId: f.l, orgId: f.o, shareId: f.s || null, at: f.t, visitorHash: f.v, isBot: f.b === "1", referrerHost: f.r || null };
}

// --- The buffer ----------------------------------------------------------------------------------

export type ClickBufferOptions = {
  key: string;
  maxLen: number;
  /** How long the first click of a batch waits for company. */
  flushMs?: number;
  /** XADDs per pipeline (one round trip). */
  maxBatch?: number;
  /** Clicks held while Redis is away; beyond this the oldest are dropped (and counted). */
  maxBuffered?: number;
};

/**
 * Clicks of concurrent requests gathered for a few milliseconds and appended in one round
 * trip (XADD_MANY; MAXLEN ~ keeps the stream bounded if the consumer is away). A click is
 * safe once that command returned. While Redis is unreachable clicks wait here, retried
 * with backoff, up to maxBuffered. A command that timed out may have been applied and is
 * sent again: its clicks then count twice rather than not at all.
 */
export class ClickBuffer {
  private queue: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private failures = 0;
  private lastDropWarning = 0;
  readonly stats = { buffered: 0, written: 0, dropped: 0, failedFlushes: 0 };
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxBuffered: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: ClickBufferOptions,
  ) {
    this.flushMs = options.flushMs ?? 2;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxBuffered = options.maxBuffered ?? 200_000;
    if (!("ripple_xadd_clicks" in redis)) redis.defineCommand("ripple_xadd_clicks", { numberOfKeys: 1, lua: XADD_MANY });
  }

  get size(): number {
    return this.queue.length;
  }

  push(click: StreamClick): void {
    this.queue.push(clickLine(click));
    this.stats.buffered++;
    if (this.queue.length > this.maxBuffered) {
      const excess = this.queue.length - this.maxBuffered;
      this.queue.splice(0, excess);
      this.stats.dropped += excess;
      if (Date.now() - this.lastDropWarning > 10_000) {
        this.lastDropWarning = Date.now();
        log.error({ dropped: this.stats.dropped, held: this.queue.length }, "click buffer full while Redis is unreachable: oldest clicks dropped");
      }
    }
    if (this.queue.length >= this.maxBatch && !this.inFlight) this.schedule(0);
    else this.schedule(this.flushMs);
  }

  private schedule(delayMs: number): void {
    if (this.timer) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
  }

  /** Sends what is buffered now (one pipeline per maxBatch); resolves when that attempt is over. */
  async flush(): Promise<void> {
    if (this.inFlight) {
      await this.inFlight;
      // That attempt failed: the retry is scheduled with backoff, not hurried here.
      if (this.failures > 0 || this.queue.length === 0) return;
      if (this.inFlight) return this.inFlight;
    }
    if (this.queue.length === 0) return;
    this.inFlight = this.send().finally(() => {
      this.inFlight = undefined;
      if (this.queue.length > 0) this.schedule(this.failures > 0 ? Math.min(5_000, 50 * 2 ** Math.min(this.failures, 7)) : 0);
    });
    return this.inFlight;
  }

  private async send(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const added = await (this.redis as unknown as XaddMany).ripple_xadd_clicks(this.options.key, String(this.options.maxLen), batch.join(""));
        // Only a line breaking the format could be skipped; sending it again would not help.
        if (added !== batch.length) {
          this.stats.dropped += batch.length - added;
          log.error({ added, sent: batch.length }, "the click stream refused malformed clicks");
        }
        this.stats.written += added;
        this.failures = 0;
        continue;
      } catch (error) {
        this.queue.unshift(...batch);
        this.failures++;
        this.stats.failedFlushes++;
        if (this.failures === 1 || this.failures % 20 === 0) log.warn({ err: error, held: this.queue.length, failures: this.failures }, "clicks not yet written to Redis: retrying");
        return;
      }
    }
  }

  /** Flushes until nothing is buffered or the deadline passes; resolves with what is still held. */
  async drain(deadlineMs = 10_000): Promise<number> {
    const until = Date.now() + deadlineMs;
    for (;;) {
      await this.flush();
      if (this.queue.length === 0 && !this.inFlight) return 0;
      if (Date.now() > until) return this.queue.length;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** For shutdown: drains within the deadline; what is left is reported lost. */
  async close(deadlineMs = 10_000): Promise<void> {
    const left = await this.drain(deadlineMs);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (left > 0) {
      this.stats.dropped += left;
      this.queue = [];
      log.error({ lost: left }, "clicks could not be written to Redis before shutting down");
    }
  }
}

/** The day a click belongs to (UTC), the key of its salt and of its unique-visitor row. */
export function clickDay(at: number): string {
  if (at >= today.start && at < today.start + DAY_MS) return today.day;
  const day = utcDay(new Date(at));
  // Remember the day of the latest click: nearly every click falls on it.
  if (at > today.start) today = { start: Date.parse(`${day}T00:00:00Z`), day };
  return day;
}

const DAY_MS = 86_400_000;
let today = { start: 0, day: "" };

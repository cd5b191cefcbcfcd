import type { Redis } from "ioredis";
import { z } from "zod";
import { log } from "@/lib/log";
import { queuePrefix } from "@/lib/queue";

/**
 * The Redis stream clicks wait in between the redirect and the click consumer
 * (lib/links/ingest.ts): the entry format and the buffer that appends in micro-batches.
 */

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
  /** Address and code hashed under the day's salt, no user agent: the click limit's key (lib/links/click-limit.ts). */
  clientHash: string;
};

/** The entry's fields in order (names l, o, s, t, v, b, r, c), values only: see XADD_MANY. */
const FIELD_NAMES = ["l", "o", "s", "t", "v", "b", "r", "c"] as const;

function clickValues(click: StreamClick): string[] {
  return [click.linkId, click.orgId, click.shareId ?? "", String(click.at), click.visitorHash, click.isBot ? "1" : "0", click.referrerHost ?? "", click.clientHash];
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
 * One string to encode instead of a pipeline of hundreds of XADDs, and all or nothing, so a
 * failed flush is retried whole. ARGV[1] maxlen, ARGV[2] the lines.
 */
const XADD_MANY = `
local maxlen = ARGV[1]
local n = 0
for l, o, s, t, v, b, r, c in string.gmatch(ARGV[2], "([^\\t\\n]*)\\t([^\\t\\n]*)\\t([^\\t\\n]*)\\t([^\\t\\n]*)\\t([^\\t\\n]*)\\t([^\\t\\n]*)\\t([^\\t\\n]*)\\t([^\\t\\n]*)\\n") do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 'l', l, 'o', o, 's', s, 't', t, 'v', v, 'b', b, 'r', r, 'c', c)
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
  // Entries written before the click limit have none: their visitor hash stands in.
  c: z.string().min(16).max(128).optional(),
});

/** A stream entry's fields back to a click; null for anything malformed. */
export function decodeClick(fields: readonly string[]): StreamClick | null {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
  const parsed = streamFields.safeParse(record);
  if (!parsed.success) return null;
  const f = parsed.data;
  return { linkId: f.l, orgId: f.o, shareId: f.s || null, at: f.t, visitorHash: f.v, isBot: f.b === "1", referrerHost: f.r || null, clientHash: f.c ?? f.v };
}

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
 * A click is safe once its XADD_MANY returned; while Redis is away clicks wait here (up to
 * maxBuffered). A timed-out command may have been applied and is sent again: its clicks then
 * count twice rather than not at all (docs/design-notes.md, "The click path").
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

import { randomBytes } from "node:crypto";
import { z } from "zod";
import { log } from "@/lib/log";
import type { RedisClient } from "@/lib/queue";
import { keyBase, redisKeys } from "@/lib/queue/keys";

/**
 * The Redis stream clicks wait in between the redirect and the click consumer
 * (lib/links/ingest.ts): the entry format and the buffer that appends in micro-batches.
 */

/** The Redis stream of clicks waiting for the consumer; `prefix` is QUEUE_PREFIX as set (of another process, in tests). */
export function clickStreamKey(prefix?: string): string {
  return redisKeys.clickStream(keyBase(prefix));
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

/**
 * An entry holds one field, `d`: the click's values in this order, tab-separated (none can hold
 * a tab or newline: ids, digits, base64url, a parsed host name). One value an entry, not eight
 * named ones: the consumer's reads decode two strings a click instead of sixteen, which was a
 * fifth of its CPU (npm run bench -- ingest). Entries of the older form (fields l, o, s, t, v, b,
 * r, c), written before an upgrade, are still read.
 */
const FIELD_NAMES = ["l", "o", "s", "t", "v", "b", "r", "c"] as const;
const LINE_FIELD = "d";

function clickValues(click: StreamClick): string[] {
  return [click.linkId, click.orgId, click.shareId ?? "", String(click.at), click.visitorHash, click.isBot ? "1" : "0", click.referrerHost ?? "", click.clientHash];
}

/** An entry's [field, value] list, as XADD takes and XREADGROUP gives it. */
export function encodeClick(click: StreamClick): string[] {
  return [LINE_FIELD, clickValues(click).join("\t")];
}

/** A click as one line of the batch XADD_MANY splits: the entry's value and a newline. */
function clickLine(click: StreamClick): string {
  return `${encodeClick(click)[1]}\n`;
}

/**
 * One string to encode instead of a pipeline of hundreds of XADDs, and all or nothing, so a
 * failed flush is retried whole. KEYS[1] the stream, KEYS[2] the batch's marker; ARGV[1]
 * maxlen, ARGV[2] the lines, ARGV[3] the marker's lifetime (s). A batch sent again (its
 * answer was lost, or its master failed over) finds its marker and adds nothing: -1.
 */
const XADD_MANY = `
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[3]) then return -1 end
local maxlen = ARGV[1]
local n = 0
for line in string.gmatch(ARGV[2], "([^\\t\\n]*\\t[^\\t\\n]*\\t[^\\t\\n]*\\t[^\\t\\n]*\\t[^\\t\\n]*\\t[^\\t\\n]*\\t[^\\t\\n]*\\t[^\\t\\n]*)\\n") do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 'd', line)
  n = n + 1
end
return n`;

type XaddMany = { ripple_xadd_clicks: (key: string, marker: string, maxLen: string, lines: string, markerTtlS: string) => Promise<number> };

/** How long a batch's marker outlives it: far beyond any retry of it. */
const BATCH_MARKER_TTL_S = 3_600;

const streamFields = z.object({
  l: z.uuid(),
  o: z.uuid(),
  s: z.union([z.uuid(), z.literal("")]),
  t: z.coerce.number().int().positive(),
  // base64url, as lib/links/visitor-hash.ts and click-limit.ts make them: nothing the batch
  // writer's arrays need to quote (lib/links/ingest.ts).
  v: z.string().regex(/^[\w-]{16,128}$/),
  b: z.enum(["0", "1"]),
  r: z.string().max(253),
  // Entries written before the click limit have none: their visitor hash stands in.
  c: z.string().regex(/^[\w-]{16,128}$/).optional(),
});

/** A stream entry's fields back to a click; null for anything malformed. */
export function decodeClick(fields: readonly string[]): StreamClick | null {
  const record: Record<string, string> = {};
  if (fields.length === 2 && fields[0] === LINE_FIELD) {
    const values = fields[1]!.split("\t");
    if (values.length !== FIELD_NAMES.length) return null;
    FIELD_NAMES.forEach((name, i) => (record[name] = values[i]!));
  } else for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
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
  /**
   * Replicas that must hold a batch before it counts as written (Redis WAIT), where Redis has
   * them (a cluster, Sentinel): a master killed the moment after it answered then loses no
   * click. When they do not answer within replicaWaitMs the batch counts anyway (logged).
   */
  replicas?: number;
  replicaWaitMs?: number;
};

/**
 * A click is safe once its XADD_MANY returned (and, with `replicas`, a replica has it); while
 * Redis is away clicks wait here (up to maxBuffered). A batch that failed is sent again whole
 * under the same marker, so a command that was applied after all adds nothing the second
 * time (docs/design-notes.md, "The click path").
 */
export class ClickBuffer {
  private queue: string[] = [];
  /** The batch that failed, sent again first, under its marker. */
  private retry: { id: string; lines: string[] } | undefined;
  private lastReplicaWarning = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private failures = 0;
  private lastDropWarning = 0;
  readonly stats = { buffered: 0, written: 0, dropped: 0, failedFlushes: 0 };
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxBuffered: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: ClickBufferOptions,
  ) {
    this.flushMs = options.flushMs ?? 2;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxBuffered = options.maxBuffered ?? 200_000;
    if (!("ripple_xadd_clicks" in redis)) redis.defineCommand("ripple_xadd_clicks", { numberOfKeys: 2, lua: XADD_MANY });
  }

  get size(): number {
    return this.queue.length + (this.retry?.lines.length ?? 0);
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
      if (this.failures > 0 || this.size === 0) return;
      if (this.inFlight) return this.inFlight;
    }
    if (this.size === 0) return;
    this.inFlight = this.send().finally(() => {
      this.inFlight = undefined;
      if (this.size > 0) this.schedule(this.failures > 0 ? Math.min(5_000, 50 * 2 ** Math.min(this.failures, 7)) : 0);
    });
    return this.inFlight;
  }

  private async send(): Promise<void> {
    while (this.size > 0) {
      const batch = this.retry ?? { id: randomBytes(12).toString("base64url"), lines: this.queue.splice(0, this.maxBatch) };
      this.retry = undefined;
      try {
        const added = await this.write(batch);
        // -1: an earlier try of this batch was applied. Else only a line breaking the format
        // could be skipped; sending it again would not help.
        if (added !== -1 && added !== batch.lines.length) {
          this.stats.dropped += batch.lines.length - added;
          log.error({ added, sent: batch.lines.length }, "the click stream refused malformed clicks");
        }
        this.stats.written += added === -1 ? batch.lines.length : added;
        this.failures = 0;
        continue;
      } catch (error) {
        this.retry = batch;
        this.failures++;
        this.stats.failedFlushes++;
        // The message only: a Redis error carries the command, here a whole batch of clicks.
        if (this.failures === 1 || this.failures % 20 === 0) log.warn({ reason: error instanceof Error ? error.message.slice(0, 200) : String(error), held: this.size, failures: this.failures }, "clicks not yet written to Redis: retrying");
        return;
      }
    }
  }

  /** One batch into the stream and, with `replicas`, onto a replica, in one round trip to the stream's node. */
  private async write(batch: { id: string; lines: string[] }): Promise<number> {
    const args = [this.options.key, redisKeys.clickBatch(this.options.key, batch.id), String(this.options.maxLen), batch.lines.join(""), String(BATCH_MARKER_TTL_S)] as const;
    const replicas = this.options.replicas ?? 0;
    if (replicas === 0) return (this.redis as unknown as XaddMany).ripple_xadd_clicks(...args);
    // WAIT has no key: in a pipeline it goes to the node of the stream, which it asks about.
    const pipeline = this.redis.pipeline() as unknown as XaddMany & { wait(n: number, ms: number): unknown; exec(): Promise<Array<[Error | null, unknown]> | null> };
    pipeline.ripple_xadd_clicks(...args);
    pipeline.wait(replicas, this.options.replicaWaitMs ?? 1_000);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) {
      // A pipeline does not follow a slot that moved (a failover) the way a single command
      // does: learn the new map, and the batch goes again (its marker keeps that safe).
      if (failed && /^(MOVED|ASK|CLUSTERDOWN)/.test(failed[0]!.message) && "refreshSlotsCache" in this.redis) this.redis.refreshSlotsCache();
      throw failed?.[0] ?? new Error("the click batch got no answer");
    }
    if (Number(results[1]![1]) < replicas && Date.now() - this.lastReplicaWarning > 10_000) {
      this.lastReplicaWarning = Date.now();
      log.warn({ replicas, acknowledged: Number(results[1]![1]) }, "clicks written, but no replica confirmed them in time");
    }
    return Number(results[0]![1]);
  }

  /** Flushes until nothing is buffered or the deadline passes; resolves with what is still held. */
  async drain(deadlineMs = 10_000): Promise<number> {
    const until = Date.now() + deadlineMs;
    for (;;) {
      await this.flush();
      if (this.size === 0 && !this.inFlight) return 0;
      if (Date.now() > until) return this.size;
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
      this.retry = undefined;
      log.error({ lost: left }, "clicks could not be written to Redis before shutting down");
    }
  }
}

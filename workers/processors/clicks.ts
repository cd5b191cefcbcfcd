import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { RedisClient } from "@/lib/queue";
import type { Database } from "@/lib/db";
import { envFor } from "@/lib/env";
import { clickStreamKey } from "@/lib/links/click-stream";
import { ackClicks, checkClickBatch, claimStaleClicks, CLICK_GROUP, ensureClickGroup, readClicks, storeClickBatch, type BatchResult, type CheckedBatch, type StreamEntry } from "@/lib/links/ingest";
import { log } from "@/lib/log";
import { createRedis } from "@/lib/queue";

/**
 * One member of a consumer group (so any number of workers share the load); a batch is
 * acknowledged only after its transaction. A failed batch stays pending and is read again;
 * one a dead consumer left is claimed (XAUTOCLAIM) after a minute idle.
 */

export type ClickConsumerOptions = {
  db: Database;
  /** A connection of its own (reads block); made from REDIS_URL when not given, and then closed on stop. */
  redis?: RedisClient;
  key?: string;
  name?: string;
  count?: number;
  /** Full reads of `count` gathered into one batch while there is a backlog (default BACKLOG_READS). */
  backlogReads?: number;
  blockMs?: number;
  /** How long an entry stays pending with a consumer before another takes it over. */
  claimIdleMs?: number;
  claimEveryMs?: number;
  /** How often an idle consumer looks for entries of its own left pending (see `step`). */
  ownCheckEveryMs?: number;
};

const FAILURE_BACKOFF_MAX_MS = 10_000;
/**
 * Full reads of `count` gathered into one batch while there is a backlog: a batch costs per
 * share and day it touches (rollup rows), not per click (docs/design-notes.md, "Performance history").
 */
const BACKLOG_READS = 50;
const FORGET_IDLE_CONSUMERS_MS = 60 * 60_000;

export class ClickConsumer {
  readonly name: string;
  readonly key: string;
  /** readAhead: batches read and checked while the one before was being written. */
  readonly stats = { batches: 0, stored: 0, duplicates: 0, malformed: 0, throttled: 0, claimed: 0, failures: 0, readAhead: 0 };
  private readonly redis: RedisClient;
  private readonly ownsRedis: boolean;
  private readonly count: number;
  private readonly backlogReads: number;
  private readonly blockMs: number;
  private readonly claimIdleMs: number;
  private readonly claimEveryMs: number;
  private readonly ownCheckEveryMs: number;
  private nextOwnCheckAt = 0;
  /** Read this consumer's own pending entries first: at start (a restart under the same name) and after a failed write. */
  private retryOwn = true;
  private nextClaimAt = 0;
  private claimCursor = "0-0";
  private groupReady = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  /** The next backlog batch, read and checked while the last one's transaction ran. */
  private ahead: Promise<{ entries: StreamEntry[]; checked: CheckedBatch }> | null = null;
  /** When the last round ended, found clicks or not (a round waits at most blockMs): the watchdog's sign of life. */
  progressAt = Date.now();

  constructor(private readonly options: ClickConsumerOptions) {
    this.redis = options.redis ?? createRedis("worker");
    this.ownsRedis = !options.redis;
    this.key = options.key ?? clickStreamKey();
    this.name = options.name ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
    this.count = options.count ?? 1_000;
    this.backlogReads = options.backlogReads ?? BACKLOG_READS;
    this.blockMs = options.blockMs ?? 1_000;
    this.claimIdleMs = options.claimIdleMs ?? 60_000;
    this.claimEveryMs = options.claimEveryMs ?? 30_000;
    this.ownCheckEveryMs = options.ownCheckEveryMs ?? 5_000;
  }

  /**
   * One round: this consumer's own pending entries after a failure, else stale ones of
   * dead consumers when it is time to look, else new ones (waiting up to `blockMs`). The
   * batch is written and acknowledged; an error leaves it pending and is thrown.
   */
  async step(options: { wait?: boolean } = {}): Promise<BatchResult & { claimed: number }> {
    if (!this.groupReady) {
      await ensureClickGroup(this.redis, this.key);
      this.groupReady = true;
    }
    let entries: StreamEntry[] = [];
    let claimed = 0;
    let checked: CheckedBatch | undefined;
    const ahead = this.ahead;
    this.ahead = null;
    // Entries of its own left pending though every batch it read was acknowledged: a read
    // whose answer a failover cut after the master had delivered (and replicated) it, which
    // the cluster client then sent again to the new master, where `>` never returns those
    // entries. Looked for every few seconds while no batch is in flight, not left for the
    // claim of idle entries a minute later (tests/integration/clicks-ingest.test.ts).
    if (!ahead && !this.retryOwn && Date.now() >= this.nextOwnCheckAt) this.retryOwn = true;
    if (!ahead && this.retryOwn) this.nextOwnCheckAt = Date.now() + this.ownCheckEveryMs;
    if (ahead) {
      try {
        ({ entries, checked } = await ahead);
      } catch (error) {
        // What it read, if anything, is pending with this consumer: read again first.
        this.retryOwn = true;
        throw error;
      }
      if (entries.length > 0) this.stats.readAhead++;
    } else if (this.retryOwn) entries = await readClicks(this.redis, this.key, this.name, { count: this.count, pending: true });
    // A full read of its own pending entries: there may be more (a failed backlog batch, the batch read ahead).
    const morePending = !ahead && this.retryOwn && entries.length >= this.count;
    if (entries.length === 0 && !ahead && Date.now() >= this.nextClaimAt) {
      const result = await claimStaleClicks(this.redis, this.key, this.name, { minIdleMs: this.claimIdleMs, count: this.count, cursor: this.claimCursor });
      this.claimCursor = result.cursor;
      if (result.cursor === "0-0") {
        this.nextClaimAt = Date.now() + this.claimEveryMs;
        await this.housekeeping();
      }
      entries = result.entries;
      claimed = entries.length;
    }
    if (entries.length === 0 && !ahead) entries = await this.readNew(options.wait === false ? undefined : this.blockMs);
    if (entries.length === 0) {
      this.retryOwn = false;
      return { read: 0, stored: 0, duplicates: 0, malformed: 0, throttled: 0, claimed };
    }
    this.retryOwn = true;
    checked ??= await checkClickBatch(entries, { redis: this.redis });
    // A full backlog batch: the next one is read and checked (Redis) while this one's
    // transaction runs (Postgres), so neither waits for the other (npm run bench -- ingest).
    if (entries.length >= this.count * this.backlogReads && !this.stopping) {
      this.ahead = this.readNew(undefined).then(async (next) => ({ entries: next, checked: await checkClickBatch(next, { redis: this.redis }) }));
    }
    let result: BatchResult;
    try {
      result = await storeClickBatch(this.options.db, checked);
      await ackClicks(this.redis, this.key, entries.map(([id]) => id));
    } catch (error) {
      // The batch read ahead is let finish and dropped: its entries stay pending with this
      // consumer, as this batch's do, and are read again (or claimed by another consumer once idle).
      await this.ahead?.catch(() => undefined);
      this.ahead = null;
      throw error;
    }
    this.retryOwn = morePending;
    this.stats.batches++;
    this.stats.stored += result.stored;
    this.stats.duplicates += result.duplicates;
    this.stats.malformed += result.malformed;
    this.stats.throttled += result.throttled;
    this.stats.claimed += claimed;
    return { ...result, claimed };
  }

  /**
   * New entries: one read (waiting up to `blockMs`), then, while every read comes back full (a
   * backlog), more reads into the same batch. The rollups cost per share and day, not per
   * click, so big batches catch up faster; ordinary traffic still goes in small batches
   * within milliseconds.
   */
  private async readNew(blockMs: number | undefined): Promise<StreamEntry[]> {
    let entries = await readClicks(this.redis, this.key, this.name, { count: this.count, blockMs });
    let last = entries.length;
    while (last === this.count && entries.length < this.count * this.backlogReads) {
      const more = await readClicks(this.redis, this.key, this.name, { count: this.count });
      entries = entries.concat(more);
      last = more.length;
    }
    return entries;
  }

  /** Runs rounds until stop() (and the batch read ahead is written); failures are logged and retried with backoff (the batch stays pending). */
  start(): this {
    this.loop ??= (async () => {
      let failures = 0;
      while (!this.stopping || this.ahead) {
        try {
          await this.step();
          failures = 0;
        } catch (error) {
          failures++;
          this.stats.failures++;
          log.error({ err: error, consumer: this.name, failures }, "click batch not written: retrying");
          await new Promise((resolve) => setTimeout(resolve, Math.min(FAILURE_BACKOFF_MAX_MS, 100 * 2 ** Math.min(failures, 7))));
        }
        this.progressAt = Date.now();
      }
    })();
    return this;
  }

  /** Rounds without waiting until a round finds nothing (benchmarks, tests). */
  async drain(): Promise<number> {
    let stored = 0;
    for (;;) {
      const result = await this.step({ wait: false });
      stored += result.stored;
      if (result.read === 0) return stored;
    }
  }

  /** Finishes the round in progress (at most blockMs of waiting), then closes its own connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    if (this.ownsRedis) await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /**
   * Forgets consumers that have nothing pending and have not read for an hour (every
   * process start adds one), and warns when clicks pile up unread.
   */
  private async housekeeping(): Promise<void> {
    try {
      const consumers = (await this.redis.xinfo("CONSUMERS", this.key, CLICK_GROUP)) as Array<Array<string | number>>;
      for (const fields of consumers) {
        const info = Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, i) => [String(fields[2 * i]), fields[2 * i + 1]]));
        if (info.name !== this.name && Number(info.pending) === 0 && Number(info.idle) > FORGET_IDLE_CONSUMERS_MS) {
          await this.redis.xgroup("DELCONSUMER", this.key, CLICK_GROUP, String(info.name));
        }
      }
      const length = await this.redis.xlen(this.key);
      const { CLICK_STREAM_MAXLEN } = envFor(["CLICK_STREAM_MAXLEN"]);
      if (length > CLICK_STREAM_MAXLEN / 2) log.warn({ length, cap: CLICK_STREAM_MAXLEN }, "clicks are piling up in the stream faster than they are written");
    } catch (error) {
      log.warn({ err: error }, "click stream housekeeping failed");
    }
  }
}

/** The consumer the workers process runs. */
export function startClickConsumer(options: ClickConsumerOptions): ClickConsumer {
  const consumer = new ClickConsumer(options).start();
  log.info({ consumer: consumer.name, stream: consumer.key }, "click consumer started");
  return consumer;
}

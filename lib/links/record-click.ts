import { db as defaultDb, type DbOrTx } from "@/lib/db";
import { envFor } from "@/lib/env";
import { log } from "@/lib/log";
import { redisReplicas } from "@/lib/queue";
import { clientLinkHash } from "./click-limit";
import { ClickBuffer, clickStreamKey } from "./click-stream";
import { referrerHost } from "./client-address";
import { isBotRequest } from "./detect-bot";
import { redirectRedis } from "./redirect-redis";
import { clickDay, SaltCache, visitorHash } from "./visitor-hash";

/** The XADD batches' bound; longer than a lookup's, since a batch that timed out is sent again. */
const REDIS_WRITE_TIMEOUT_MS = 5_000;

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
        // No address (no server stamped one): the visitor stands in, as the other limits skip it.
        clientHash: click.ip === "unknown" ? visitorHash(salt, click.ip, click.userAgent ?? "", click.code) : clientLinkHash(salt, click.ip, click.code),
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

/** A recorder with its own Redis connection for the stream. */
export function createClickRecorder(options: { db?: () => DbOrTx; flushMs?: number } = {}): { recorder: ClickRecorder; close: (deadlineMs?: number) => Promise<void> } {
  const { CLICK_STREAM_MAXLEN } = envFor(["CLICK_STREAM_MAXLEN"]);
  const redis = redirectRedis("click stream", REDIS_WRITE_TIMEOUT_MS);
  const buffer = new ClickBuffer(redis, { key: clickStreamKey(), maxLen: CLICK_STREAM_MAXLEN, flushMs: options.flushMs, replicas: redisReplicas() });
  return {
    recorder: new ClickRecorder(buffer, new SaltCache(), options.db ?? defaultDb),
    close: async (deadlineMs = 10_000) => {
      await buffer.close(deadlineMs);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

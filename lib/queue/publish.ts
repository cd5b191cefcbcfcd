import type { Share } from "@/db/schema";
import { log } from "@/lib/log";
import { isConnectable } from "@/lib/networks/types";
import { enqueue, getQueue, publishQueueFor } from "./index";

/** Attempts a publish job gets before its share fails for good (with the last reason). */
export const PUBLISH_ATTEMPTS = 6;

/** The job id of a share's publish job: one job per share, whatever retries or re-queues. */
export function publishJobId(shareId: string): string {
  return `share-${shareId}`;
}

/** How long queueing a publish job may take before the share is left to the reconciler. */
export const ENQUEUE_DEADLINE_MS = 3_000;

/**
 * Puts a share on its network's publish queue, delayed to its time: true once queued. The
 * share row stays the truth: should this fail or take over ENQUEUE_DEADLINE_MS (Redis away,
 * a shard failing over), it answers false and the reconciler queues the share from Postgres
 * within its minute, so a caller can say so rather than claim it queued.
 */
export async function enqueuePublish(share: Pick<Share, "id" | "network" | "mode" | "scheduledAt" | "status">, now = Date.now()): Promise<boolean> {
  if (share.mode !== "api" || share.status !== "scheduled" || !isConnectable(share.network)) return true;
  let timer: NodeJS.Timeout | undefined;
  try {
    const queue = publishQueueFor(share.network);
    const jobId = publishJobId(share.id);
    const work = (async () => {
      // A rescheduled or retried share replaces its old job, whatever its state, unless it
      // is running right now: then its claim on the share decides.
      const existing = await getQueue(queue).getJob(jobId);
      if (existing && (await existing.getState()) !== "active") await existing.remove();
      await enqueue(
        queue,
        "share.publish",
        { shareId: share.id },
        { jobId, delay: Math.max(0, share.scheduledAt.getTime() - now), attempts: PUBLISH_ATTEMPTS, backoff: { type: "exponential", delay: 30_000 } },
      );
    })();
    work.catch(() => undefined);
    await Promise.race([work, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`not queued within ${ENQUEUE_DEADLINE_MS} ms`)), ENQUEUE_DEADLINE_MS)))]);
    return true;
  } catch (error) {
    // The message only: a Redis error carries the whole Lua script it ran.
    log.warn({ reason: error instanceof Error ? error.message.slice(0, 200) : String(error), shareId: share.id }, "publish job not queued; the reconciler will queue it");
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Takes a cancelled share's job off the queue (the publisher would skip it anyway). */
export async function dequeuePublish(share: Pick<Share, "id" | "network" | "mode">) {
  if (share.mode !== "api" || !isConnectable(share.network)) return;
  try {
    const job = await getQueue(publishQueueFor(share.network)).getJob(publishJobId(share.id));
    if (job && (await job.isDelayed() || await job.isWaiting())) await job.remove();
  } catch (error) {
    log.warn({ err: error, shareId: share.id }, "publish job not removed; the publisher will skip the cancelled share");
  }
}

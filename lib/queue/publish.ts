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

/**
 * Puts a share on its network's publish queue, delayed to its time. The share row stays
 * the truth: should this fail (Redis away), the reconciler queues it again from Postgres.
 */
export async function enqueuePublish(share: Pick<Share, "id" | "network" | "mode" | "scheduledAt" | "status">, now = Date.now()) {
  if (share.mode !== "api" || share.status !== "scheduled" || !isConnectable(share.network)) return;
  try {
    const queue = publishQueueFor(share.network);
    const jobId = publishJobId(share.id);
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
  } catch (error) {
    log.warn({ err: error, shareId: share.id }, "publish job not queued; the reconciler will queue it");
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

import { log } from "@/lib/log";
import { getQueue } from "@/lib/queue";

/** When a published share's reach is polled: about 1 h, 6 h, 1 d, 3 d, 7 d and 30 d after. */
export const REACH_POLLS_MS = [1, 6, 24, 72, 168, 720].map((hours) => hours * 3600_000);

/**
 * Puts the share's metric polls on the reach queue (one job per poll, ids from the share
 * so they are made once). A failure is logged: the reconciler schedules them again.
 */
export async function scheduleReachPolls(shareId: string, publishedAt: Date, now = Date.now()) {
  const queue = getQueue("reach");
  try {
    await queue.addBulk(
      REACH_POLLS_MS.map((after, poll) => ({
        name: "share.poll",
        data: { shareId, poll },
        opts: { jobId: `reach-${shareId}-${poll}`, delay: Math.max(0, publishedAt.getTime() + after - now), attempts: 3, backoff: { type: "exponential", delay: 60_000 } },
      })),
    );
  } catch (error) {
    log.warn({ err: error, shareId }, "reach polls not queued; the reconciler will queue them");
  }
}

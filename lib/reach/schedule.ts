import { log } from "@/lib/log";
import { enqueueBulk } from "@/lib/queue";

/** When a published share's reach is polled: about 1 h, 6 h, 1 d, 3 d, 7 d and 30 d after. */
export const REACH_POLLS_MS = [1, 6, 24, 72, 168, 720].map((hours) => hours * 3600_000);

/** The job id of a share's n-th poll: made once, whoever schedules it. */
export function pollJobId(shareId: string, poll: number): string {
  return `reach-${shareId}-${poll}`;
}

/**
 * Polls of shares published within a few milliseconds of each other go to Redis in one
 * addBulk: a campaign's burst of publishes would otherwise spend a round trip per share.
 */
const BATCH_SHARES = 50;
const BATCH_WAIT_MS = 5;

type PollJob = { data: { shareId: string; poll: number }; options: { jobId: string; delay: number; attempts: number; backoff: { type: "exponential"; delay: number } } };
type Waiting = { shareId: string; jobs: PollJob[]; queued: () => void };

let waiting: Waiting[] = [];
let timer: NodeJS.Timeout | undefined;

async function flush() {
  clearTimeout(timer);
  timer = undefined;
  const batch = waiting;
  waiting = [];
  try {
    await enqueueBulk("reach", "share.poll", batch.flatMap((w) => w.jobs));
  } catch (error) {
    for (const w of batch) log.warn({ err: error, shareId: w.shareId }, "reach polls not queued; the reconciler will queue them");
  } finally {
    for (const w of batch) w.queued();
  }
}

/**
 * Puts the share's metric polls on the reach queue; resolves once they are in Redis, or
 * once the failure is logged (the reconciler schedules them again). Never rejects.
 */
export function scheduleReachPolls(shareId: string, publishedAt: Date, now = Date.now()): Promise<void> {
  const jobs = REACH_POLLS_MS.map((after, poll): PollJob => ({
    data: { shareId, poll },
    options: { jobId: pollJobId(shareId, poll), delay: Math.max(0, publishedAt.getTime() + after - now), attempts: 3, backoff: { type: "exponential", delay: 60_000 } },
  }));
  return new Promise((queued) => {
    waiting.push({ shareId, jobs, queued });
    if (waiting.length >= BATCH_SHARES) void flush();
    else timer ??= setTimeout(() => void flush(), BATCH_WAIT_MS);
  });
}

import type { Story } from "@/db/schema";
import { log } from "@/lib/log";
import { enqueue } from "@/lib/queue";

/**
 * Puts the story's next lifecycle step on the lifecycle queue at its exact time: going
 * live at publish_at, coming down at expires_at. The job ids carry the time, so a moved
 * window gets a new job and the old one finds nothing to do. If Redis is unreachable the
 * minute sweep (stories.sweep) does the step instead, so a failure here is logged, not fatal.
 */
export async function scheduleLifecycleJobs(story: Pick<Story, "id" | "status" | "publishAt" | "expiresAt">, now = Date.now()) {
  const jobs: Array<Promise<unknown>> = [];
  if (story.status === "approved" && story.publishAt && story.publishAt.getTime() > now) {
    jobs.push(
      enqueue("lifecycle", "story.publish", { storyId: story.id }, { jobId: `story-publish-${story.id}-${story.publishAt.getTime()}`, delay: story.publishAt.getTime() - now }),
    );
  }
  if ((story.status === "approved" || story.status === "published") && story.expiresAt && story.expiresAt.getTime() > now) {
    jobs.push(
      enqueue("lifecycle", "story.expire", { storyId: story.id }, { jobId: `story-expire-${story.id}-${story.expiresAt.getTime()}`, delay: story.expiresAt.getTime() - now }),
    );
  }
  const results = await Promise.allSettled(jobs);
  for (const r of results) {
    if (r.status === "rejected") log.warn({ err: r.reason, storyId: story.id }, "lifecycle job not queued; the minute sweep will do it");
  }
}

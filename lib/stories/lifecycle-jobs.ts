import type { Story } from "@/db/schema";
import { log } from "@/lib/log";
import { enqueue } from "@/lib/queue";

/**
 * Queues the story's next step at its exact time (live at publish_at, down at expires_at);
 * job ids carry the time, so a moved window's old job finds nothing to do. Redis down: the
 * minute sweep (stories.sweep) does the step, so a failure here is logged, not fatal.
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

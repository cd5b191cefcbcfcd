import { and, eq, inArray } from "drizzle-orm";
import { webhooks } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { log } from "@/lib/log";
import { enqueue } from "@/lib/queue";
import { chatWebhookKinds } from "./manage";

/** The job id of one story's message to one channel: a story is announced once per webhook. */
export function storyWebhookJobId(webhookId: string, storyId: string): string {
  return `webhook-story-${webhookId}-${storyId}`;
}

/**
 * Call after the transaction that published the story has committed. Best-effort: a database
 * or Redis failure is logged, never thrown, so publishing never fails over a chat message.
 */
export async function announceStory(db: DbOrTx, story: { id: string; orgId: string }): Promise<number> {
  try {
    const hooks = await db
      .select({ id: webhooks.id })
      .from(webhooks)
      .where(and(eq(webhooks.orgId, story.orgId), eq(webhooks.active, true), inArray(webhooks.kind, [...chatWebhookKinds])));
    const results = await Promise.allSettled(
      hooks.map((hook) =>
        enqueue("notify", "webhook.story", { webhookId: hook.id, storyId: story.id }, { jobId: storyWebhookJobId(hook.id, story.id), attempts: 5, backoff: { type: "exponential", delay: 30_000 } }),
      ),
    );
    let queued = 0;
    for (const result of results) {
      if (result.status === "fulfilled") queued++;
      else log.error({ err: result.reason, storyId: story.id }, "story webhook not queued");
    }
    return queued;
  } catch (error) {
    log.error({ err: error, storyId: story.id }, "story webhooks not queued");
    return 0;
  }
}

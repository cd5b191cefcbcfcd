import { and, eq } from "drizzle-orm";
import { organizations, stories, webhooks, type Webhook } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { PermanentFailure } from "@/lib/errors";
import { safeFetch, UnsafeFetchError, type SafeFetchOptions } from "@/lib/net/safe-fetch";
import { parseSettings } from "@/lib/orgs";
import type { Scope } from "@/lib/tenant";
import { chatWebhookKinds, getChatWebhook, type ChatWebhookKind } from "./manage";
import { slackStoryMessage, teamsStoryMessage, testMessage } from "./messages";
import { webhookUrlOf } from "./secrets";

/** Posting to a channel, only through safeFetch, whose SSRF rules refuse private addresses (admins type these URLs). */

const TIMEOUT_MS = 5_000;

/** A delivery that failed for now (a 5xx, a timeout); what another attempt cannot fix is a PermanentFailure. */
export class WebhookDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WebhookDeliveryError";
  }
}

function deliveryFailure(message: string, retryable: boolean, options?: { cause?: unknown }) {
  return retryable ? new WebhookDeliveryError(message, options) : new PermanentFailure(message, options);
}

export type DeliveryOptions = Pick<SafeFetchOptions, "allowList" | "allowPrivate" | "lookup">;

/** POSTs the JSON, records the outcome on the webhook (lastDeliveryAt or lastError) and throws the failure. */
async function post(db: DbOrTx, hook: Webhook, payload: unknown, options: DeliveryOptions): Promise<void> {
  let failure: WebhookDeliveryError | PermanentFailure | null = null;
  try {
    const response = await safeFetch(webhookUrlOf(hook), {
      ...options,
      method: "POST",
      body: JSON.stringify(payload),
      headers: { "content-type": "application/json; charset=utf-8", accept: "*/*" },
      timeoutMs: TIMEOUT_MS,
      // An incoming webhook answers, it does not redirect; a redirect would turn the POST into a GET.
      maxRedirects: 0,
      maxBytes: 16 * 1024,
      truncate: true,
    });
    if (response.status < 200 || response.status > 299) {
      const said = response.body.toString("utf8").replace(/\s+/g, " ").trim().slice(0, 200);
      failure = deliveryFailure(`HTTP ${response.status}${said ? `: ${said}` : ""}`, response.status >= 500 || response.status === 429 || response.status === 408);
    }
  } catch (error) {
    if (!(error instanceof UnsafeFetchError)) throw error;
    failure = deliveryFailure(`${error.reason}: ${error.message}`, error.reason === "timeout" || error.reason === "unreachable", { cause: error });
  }
  if (failure) {
    await db.update(webhooks).set({ lastError: failure.message.slice(0, 500) }).where(eq(webhooks.id, hook.id));
    throw failure;
  }
  await db.update(webhooks).set({ lastDeliveryAt: new Date(), lastError: null }).where(eq(webhooks.id, hook.id));
}

async function organizationOf(db: DbOrTx, orgId: string) {
  const [org] = await db.select({ name: organizations.name, settings: organizations.settings }).from(organizations).where(eq(organizations.id, orgId)).limit(1);
  return { name: org?.name ?? "", locale: parseSettings(org?.settings).locale };
}

/**
 * The "webhook.story" job: tells one Slack or Teams channel that a story went live, in the
 * organisation's language. "skipped" when the webhook was removed or turned off, or the
 * story is gone or no longer live (withdrawn before the message went out).
 */
export async function deliverStoryWebhook(db: DbOrTx, webhookId: string, storyId: string, options: DeliveryOptions = {}): Promise<"delivered" | "skipped"> {
  const [hook] = await db.select().from(webhooks).where(eq(webhooks.id, webhookId)).limit(1);
  if (!hook || !hook.active || !(chatWebhookKinds as readonly string[]).includes(hook.kind)) return "skipped";
  const [story] = await db
    .select({ id: stories.id, title: stories.title, summary: stories.summary, canonicalUrl: stories.canonicalUrl, status: stories.status })
    .from(stories)
    .where(and(eq(stories.id, storyId), eq(stories.orgId, hook.orgId)))
    .limit(1);
  if (!story || story.status !== "published") return "skipped";
  const { locale } = await organizationOf(db, hook.orgId);
  const payload = hook.kind === "slack" ? slackStoryMessage(story, locale) : teamsStoryMessage(story, locale);
  await post(db, hook, payload, options);
  return "delivered";
}

/** "Send test message" (admins): posts a short hello now and says whether it arrived. */
export async function sendTestMessage(db: DbOrTx, scope: Scope, id: string, options: DeliveryOptions = {}): Promise<{ ok: true } | { ok: false; error: string }> {
  const hook = await getChatWebhook(db, scope, id);
  const org = await organizationOf(db, scope.orgId);
  try {
    await post(db, hook, testMessage(hook.kind as ChatWebhookKind, org.locale, org.name), options);
    return { ok: true };
  } catch (error) {
    if (error instanceof WebhookDeliveryError || error instanceof PermanentFailure) return { ok: false, error: error.message };
    throw error;
  }
}

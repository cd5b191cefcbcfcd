import { and, eq } from "drizzle-orm";
import webpush from "web-push";
import { memberships, organizations, pushSubscriptions, shares, stories, users } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { PermanentFailure, RetryLater } from "@/lib/errors";
import { isLocale } from "@/lib/i18n/locales";
import { safeFetch, UnsafeFetchError } from "@/lib/net/safe-fetch";
import { retryAfterMs } from "@/lib/networks/http";
import { parseSettings } from "@/lib/orgs";
import { pushedShareStatuses } from "./fan-out";
import { pushMessage, type PushSubject } from "./message";
import { vapidConfig } from "./vapid";

/** How long a push service keeps a message for an offline browser, and how long we keep trying. */
export const PUSH_TTL_SECONDS = 24 * 3600;
const DEFAULT_RETRY_MS = 60_000;

export type PushJob = { subscriptionId: string; storyId: string } | { subscriptionId: string; shareId: string };
export type PushOutcome = "sent" | "gone" | "skipped" | "off";

/**
 * The push.send job: one message to one browser, encrypted per RFC 8291 (aes128gcm) and
 * signed with VAPID by web-push, posted through the SSRF-safe fetcher (the endpoint came
 * from a browser). 404/410: the subscription is gone and deleted. 429/5xx: RetryLater, until
 * the message would be stale (PUSH_TTL_SECONDS after it was queued). Other answers are final.
 */
export async function sendPush(db: DbOrTx, job: PushJob, options: { queuedAt?: Date; now?: Date } = {}): Promise<PushOutcome> {
  const vapid = vapidConfig();
  if (!vapid) return "off";
  const [row] = await db
    .select({ subscription: pushSubscriptions, locale: users.locale, settings: organizations.settings })
    .from(pushSubscriptions)
    .innerJoin(memberships, and(eq(memberships.orgId, pushSubscriptions.orgId), eq(memberships.userId, pushSubscriptions.userId), eq(memberships.status, "active")))
    .innerJoin(users, eq(users.id, pushSubscriptions.userId))
    .innerJoin(organizations, eq(organizations.id, pushSubscriptions.orgId))
    .where(eq(pushSubscriptions.id, job.subscriptionId));
  if (!row) return "skipped";
  const { subscription } = row;
  const subject = await subjectFor(db, job, subscription);
  if (!subject) return "skipped";
  const locale = isLocale(row.locale) ? row.locale : parseSettings(row.settings).locale;
  const payload = JSON.stringify(pushMessage(subject, locale));

  const request = webpush.generateRequestDetails({ endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } }, payload, {
    vapidDetails: vapid,
    TTL: PUSH_TTL_SECONDS,
    contentEncoding: "aes128gcm",
    urgency: "normal",
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (name.toLowerCase() !== "content-length") headers[name] = String(value);

  let status: number;
  let responseHeaders: Record<string, string>;
  try {
    const response = await safeFetch(request.endpoint, { method: "POST", body: request.body ?? undefined, headers, maxRedirects: 0, timeoutMs: 10_000, maxBytes: 16 * 1024, truncate: true });
    ({ status, headers: responseHeaders } = response);
  } catch (error) {
    if (error instanceof UnsafeFetchError && error.reason !== "timeout" && error.reason !== "unreachable") throw new PermanentFailure(error.message, { cause: error });
    throw error;
  }

  if (status >= 200 && status < 300) {
    await db.update(pushSubscriptions).set({ lastSentAt: options.now ?? new Date() }).where(eq(pushSubscriptions.id, subscription.id));
    return "sent";
  }
  if (status === 404 || status === 410) {
    await db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, subscription.id));
    return "gone";
  }
  if (status === 429 || status >= 500) {
    const now = options.now ?? new Date();
    if (options.queuedAt && now.getTime() - options.queuedAt.getTime() > PUSH_TTL_SECONDS * 1000) {
      throw new PermanentFailure(`The push service kept answering ${status}; the message is stale now`);
    }
    throw new RetryLater(retryAfterMs(responseHeaders) ?? DEFAULT_RETRY_MS, `The push service answered ${status}`);
  }
  throw new PermanentFailure(`The push service refused the message with ${status}`);
}

/** What the message is about, read within the subscription's organisation and for its owner only. */
async function subjectFor(db: DbOrTx, job: PushJob, subscription: { orgId: string; userId: string }): Promise<PushSubject | null> {
  if ("storyId" in job) {
    const [story] = await db
      .select({ id: stories.id, title: stories.title })
      .from(stories)
      .where(and(eq(stories.id, job.storyId), eq(stories.orgId, subscription.orgId), eq(stories.status, "published")));
    return story ? { kind: "story", storyId: story.id, title: story.title } : null;
  }
  const [share] = await db
    .select({ id: shares.id, status: shares.status, network: shares.network, postUrl: shares.externalUrl, title: stories.title })
    .from(shares)
    .innerJoin(stories, eq(stories.id, shares.storyId))
    .where(and(eq(shares.id, job.shareId), eq(shares.orgId, subscription.orgId), eq(shares.userId, subscription.userId)));
  if (!share || !(pushedShareStatuses as readonly string[]).includes(share.status)) return null;
  return { kind: "share", shareId: share.id, status: share.status as (typeof pushedShareStatuses)[number], title: share.title, network: share.network, postUrl: share.postUrl };
}

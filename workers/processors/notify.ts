import { UnrecoverableError } from "bullmq";
import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { enqueueDueDigests, sendDigest } from "@/lib/notifications/digest";
import { sendNoticeMail } from "@/lib/notifications/mail";
import { enqueueDueReportMails, sendReportMail } from "@/lib/notifications/report-mail";
import { deliverStoryWebhook, WebhookDeliveryError } from "@/lib/webhooks";
import type { Processors } from "../runtime";

export function notifyProcessors(): Processors<"notify"> {
  return {
    "notification.mail": async ({ notificationId }) => {
      const outcome = await sendNoticeMail(db(), notificationId);
      if (outcome === "missing") throw new UnrecoverableError(`Notification ${notificationId} no longer exists`);
      return outcome;
    },
    /** Hourly: queues the digest of every member whose organisation has reached Monday 08:00. */
    "digest.weekly": async () => {
      const queued = await enqueueDueDigests(db(), new Date());
      if (queued > 0) log.info({ queued }, "weekly digests queued");
      return { queued };
    },
    "digest.send": async ({ membershipId }) => sendDigest(db(), membershipId, new Date()),
    /** Hourly: queues the weekly report mail of every manager whose organisation has reached Monday 08:00. */
    "report.weekly": async () => {
      const queued = await enqueueDueReportMails(db(), new Date());
      if (queued > 0) log.info({ queued }, "weekly report mails queued");
      return { queued };
    },
    "report.send": async ({ membershipId }) => sendReportMail(db(), membershipId, new Date()),
    /** A refusal no retry can fix (a 404 from Slack, a private address) fails at once; the rest is retried with backoff. */
    "webhook.story": async ({ webhookId, storyId }) => {
      try {
        return await deliverStoryWebhook(db(), webhookId, storyId);
      } catch (error) {
        if (error instanceof WebhookDeliveryError && !error.retryable) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
  };
}

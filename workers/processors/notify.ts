import { db } from "@/lib/db";
import { PermanentFailure } from "@/lib/errors";
import { log } from "@/lib/log";
import { enqueueDueDigests, sendDigest, type DigestVariantPicker } from "@/lib/notifications/digest";
import { personalStartingVariant } from "@/lib/shares";
import { trustedScope } from "@/lib/tenant";
import { sendNoticeMail } from "@/lib/notifications/mail";
import { fanOutShare, fanOutStory } from "@/lib/push/fan-out";
import { sendPush } from "@/lib/push/send";
import { enqueueDueReportMails, sendReportMail } from "@/lib/reports/report-mail";
import { deliverStoryWebhook } from "@/lib/webhooks/deliver";
import type { Processors } from "../runtime";

/** Each "Share" link in a digest opens compose on the text the rotation would pick for the reader. */
const digestVariant: DigestVariantPicker = async (reader, storyId) => {
  const scope = trustedScope(reader.orgId, { kind: "system" });
  return (await personalStartingVariant(db(), scope, { userId: reader.userId, storyId, languages: [reader.locale] }))?.variantId ?? null;
};

export function notifyProcessors(): Processors<"notify"> {
  return {
    "notification.mail": async ({ notificationId }) => {
      const outcome = await sendNoticeMail(db(), notificationId);
      if (outcome === "missing") throw new PermanentFailure(`Notification ${notificationId} no longer exists`);
      return outcome;
    },
    /** Hourly: queues the digest of every member whose organisation has reached Monday 08:00. */
    "digest.weekly": async () => {
      const queued = await enqueueDueDigests(db(), new Date());
      if (queued > 0) log.info({ queued }, "weekly digests queued");
      return { queued };
    },
    "digest.send": async ({ membershipId }) => sendDigest(db(), membershipId, new Date(), digestVariant),
    /** Hourly: queues the weekly report mail of every manager whose organisation has reached Monday 08:00. */
    "report.weekly": async () => {
      const queued = await enqueueDueReportMails(db(), new Date());
      if (queued > 0) log.info({ queued }, "weekly report mails queued");
      return { queued };
    },
    "report.send": async ({ membershipId }) => sendReportMail(db(), membershipId, new Date()),
    "push.story": async ({ storyId }) => ({ queued: await fanOutStory(db(), storyId) }),
    "push.share": async ({ shareId }) => ({ queued: await fanOutShare(db(), shareId) }),
    "push.send": async (data, job) => sendPush(db(), data, { queuedAt: new Date(job.timestamp) }),
    "webhook.story": async ({ webhookId, storyId }) => deliverStoryWebhook(db(), webhookId, storyId),
  };
}

import { UnrecoverableError } from "bullmq";
import { db } from "@/lib/db";
import { sendNoticeMail } from "@/lib/notifications/mail";
import type { Processors } from "../runtime";

export function notifyProcessors(): Processors<"notify"> {
  return {
    "notification.mail": async ({ notificationId }) => {
      const outcome = await sendNoticeMail(db(), notificationId);
      if (outcome === "missing") throw new UnrecoverableError(`Notification ${notificationId} no longer exists`);
      return outcome;
    },
  };
}

import { eq } from "drizzle-orm";
import { notifications, organizations, users } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { env } from "@/lib/env";
import { translator } from "@/lib/i18n/messages";
import { renderMail, sendMail } from "@/lib/mail";
import { parseSettings } from "@/lib/orgs";

/**
 * Mails one in-app notice to its reader, in their language (else the organisation's),
 * with a link to their notices. "missing" when the notice is gone; "skipped" when mail is
 * not configured (the notice in the app stands).
 */
export async function sendNoticeMail(db: DbOrTx, notificationId: string): Promise<"sent" | "skipped" | "missing"> {
  const [row] = await db
    .select({ notice: notifications, email: users.email, locale: users.locale, orgName: organizations.name, orgSettings: organizations.settings })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.userId))
    .innerJoin(organizations, eq(organizations.id, notifications.orgId))
    .where(eq(notifications.id, notificationId))
    .limit(1);
  if (!row) return "missing";
  const locale = row.locale ?? parseSettings(row.orgSettings).locale;
  const t = translator(locale);
  const kind = row.notice.kind as "story.withdrawn" | "story.expired";
  const params = { title: String(row.notice.data.title ?? ""), count: Number(row.notice.data.count ?? 0) };
  const { html, text } = renderMail({
    heading: t(`notices.${kind}.title`, params),
    paragraphs: [t(`notices.${kind}.body`, params)],
    button: { label: t("notices.open"), url: new URL("/notifications", env().APP_URL).toString() },
    footer: t("notices.footer", { org: row.orgName }),
  });
  const { sent } = await sendMail({ to: row.email, subject: t(`notices.${kind}.title`, params), html, text });
  return sent ? "sent" : "skipped";
}

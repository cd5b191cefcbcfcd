import { and, eq } from "drizzle-orm";
import { memberships, networkIds, notifications, organizations, users, type NetworkId } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { appUrl } from "@/lib/env/app-url";
import { translator } from "@/lib/i18n/messages";
import { renderMail, sendMail } from "@/lib/mail";
import { parseSettings } from "@/lib/orgs";
import { noticeLink, noticeMessage } from "./index";
import { parsePreferences } from "./preferences";

/**
 * In the reader's language, else the organisation's. "skipped" means mail is not configured,
 * "optedOut" the reader turned these mails off (withdrawnMail): the in-app notice stands either way.
 */
export async function sendNoticeMail(db: DbOrTx, notificationId: string): Promise<"sent" | "skipped" | "optedOut" | "missing"> {
  const [row] = await db
    .select({ notice: notifications, email: users.email, locale: users.locale, timeZone: users.timeZone, orgName: organizations.name, orgSettings: organizations.settings, prefs: memberships.notificationPrefs })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.userId))
    .innerJoin(organizations, eq(organizations.id, notifications.orgId))
    .leftJoin(memberships, and(eq(memberships.orgId, notifications.orgId), eq(memberships.userId, notifications.userId)))
    .where(eq(notifications.id, notificationId))
    .limit(1);
  if (!row) return "missing";
  // withdrawnMail covers the story notices; a re-connect nudge is always mailed.
  if (row.notice.kind.startsWith("story.") && !parsePreferences(row.prefs).withdrawnMail) return "optedOut";
  const settings = parseSettings(row.orgSettings);
  const locale = row.locale ?? settings.locale;
  const t = translator(locale);
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: row.timeZone ?? settings.timeZone });
  const message = noticeMessage(row.notice, {
    date: (value) => dates.format(value),
    network: (id) => (isNetworkId(id) ? t(`networks.${id}`) : id),
  });
  if (!message) return "missing";
  const { key, params } = message;
  const connection = key.startsWith("connection.");
  const { html, text } = renderMail({
    heading: t(`notices.${key}.title`, params),
    paragraphs: [t(`notices.${key}.body`, params)],
    button: { label: t(connection ? "notices.reconnect" : "notices.open"), url: appUrl(noticeLink(key)) },
    footer: t("notices.footer", { org: row.orgName }),
  });
  const { sent } = await sendMail({ to: row.email, subject: t(`notices.${key}.title`, params), html, text });
  return sent ? "sent" : "skipped";
}

const isNetworkId = (id: string): id is NetworkId => (networkIds as readonly string[]).includes(id);

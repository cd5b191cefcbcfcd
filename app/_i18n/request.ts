import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { getSession } from "@/lib/auth/guard";
import { LOCALE_COOKIE, defaultLocale, formattingLocale, isLocale, negotiateLocale } from "@/lib/i18n/locales";
import { messages } from "@/lib/i18n/messages";
import { getUserPreferences } from "@/lib/users";
import { db } from "@/lib/db";

/**
 * The language of a request: the visitor's explicit choice (cookie), else the signed-in
 * person's saved choice, else the browser's Accept-Language, else Danish. Dates and
 * times use the person's time zone, else the organisation's, else Copenhagen, and the
 * organisation's country's conventions (formattingLocale).
 */
export default getRequestConfig(async () => {
  const cookieLocale = (await cookies()).get(LOCALE_COOKIE)?.value;
  const session = await getSession().catch(() => null);
  const prefs = session?.userId ? await getUserPreferences(db(), session.userId, session.orgId) : null;
  const locale = isLocale(cookieLocale)
    ? cookieLocale
    : (prefs?.locale ?? negotiateLocale((await headers()).get("accept-language")) ?? prefs?.orgLocale ?? defaultLocale);
  return {
    // Words in the reader's language; dates and numbers as written in the organisation's country.
    locale: formattingLocale(locale, prefs?.orgLocale),
    messages: messages[locale],
    timeZone: prefs?.timeZone ?? "Europe/Copenhagen",
    now: new Date(),
  };
});

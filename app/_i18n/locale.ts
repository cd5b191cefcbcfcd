import { getLocale } from "next-intl/server";
import { defaultLocale, isLocale, type Locale } from "@/lib/i18n/locales";

/** The request's language as lib's Locale (next-intl returns a plain string). */
export async function requestLocale(): Promise<Locale> {
  const locale = await getLocale();
  return isLocale(locale) ? locale : defaultLocale;
}

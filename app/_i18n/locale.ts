import { getLocale } from "next-intl/server";
import { languageOf, type Locale } from "@/lib/i18n/locales";

/** The request's language as lib's Locale (next-intl's locale may carry a country: en-DK). */
export async function requestLocale(): Promise<Locale> {
  return languageOf(await getLocale());
}

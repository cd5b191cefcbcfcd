import { localeIds, type Locale } from "@/db/schema/ids";

export { localeIds as locales, type Locale };
export const defaultLocale: Locale = "da";
/** The cookie that remembers a visitor's language choice (the name next-intl uses). */
export const LOCALE_COOKIE = "NEXT_LOCALE";

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (localeIds as readonly string[]).includes(value);
}

/** The best supported language from an Accept-Language header, by quality. */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale | undefined {
  if (!acceptLanguage) return undefined;
  const ranked = acceptLanguage
    .split(",")
    .map((part) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: (tag ?? "").toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const base = tag.split("-")[0];
    // Norwegian and Swedish readers understand Danish better than English.
    if (base === "da" || base === "nb" || base === "no" || base === "nn" || base === "sv") return "da";
    if (base === "en") return "en";
  }
  return undefined;
}

/** The country an organisation's language stands for, where it stands for one. */
const regionOf: Partial<Record<Locale, string>> = { da: "DK" };

/**
 * The locale dates, times and numbers are written in: the reader's language with the
 * conventions of the organisation's country, so an English reader at a Danish company reads
 * "4 Dec 2026, 09.00" and "835,00 kr." (en-DK) like their colleagues, in English words.
 */
export function formattingLocale(language: Locale, orgLocale: Locale | null | undefined): string {
  const region = orgLocale && orgLocale !== language ? regionOf[orgLocale] : undefined;
  return region ? `${language}-${region}` : language;
}

/** The language of a locale such as en-DK, as one Ripple speaks. */
export function languageOf(locale: string): Locale {
  const language = locale.split("-")[0];
  return isLocale(language) ? language : defaultLocale;
}

import { createTranslator } from "next-intl";
import da from "@/messages/da.json";
import en from "@/messages/en.json";
import type { Locale } from "./locales";

export type Messages = typeof en;
export const messages: Record<Locale, Messages> = { da, en };

/** A translator outside React (mails, workers, the CLI), backed by the same message files. */
export function translator(locale: Locale) {
  return createTranslator({ locale, messages: messages[locale] });
}

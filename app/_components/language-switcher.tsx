"use client";

import clsx from "clsx";
import { useRouter } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { useTransition } from "react";
import { languageOf, type Locale } from "@/lib/i18n/locales";
import { setLocaleAction } from "./locale-actions";
import { languageNames } from "./ui";

const options = (Object.keys(languageNames) as Locale[]).map((locale) => ({ locale, label: languageNames[locale] }));

/** Two buttons, each named in its own language; the choice is remembered. */
export function LanguageSwitcher({ className }: { className?: string }) {
  const current = languageOf(useLocale());
  const t = useTranslations("nav");
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <div role="group" aria-label={t("language")} className={clsx("inline-flex rounded-md border border-slate-300 bg-white p-0.5", className)}>
      {options.map((option) => (
        <button
          key={option.locale}
          type="button"
          lang={option.locale}
          aria-pressed={current === option.locale}
          disabled={pending}
          onClick={() =>
            startTransition(async () => {
              await setLocaleAction({ locale: option.locale });
              router.refresh();
            })
          }
          className={clsx(
            "rounded px-3 py-1.5 text-sm font-medium",
            current === option.locale ? "bg-brand-600 text-white" : "text-slate-800 hover:bg-slate-100",
          )}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}

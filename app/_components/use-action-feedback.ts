"use client";

import { useTranslations } from "next-intl";

type Result = { ok: true } | { ok: false; error: string; fieldErrors?: Record<string, string[]> } | null;

/** Turns an action result's codes into words: a general message and per-field messages. */
export function useActionFeedback(result: Result) {
  const t = useTranslations("errors");
  const word = (code: string) => (t.has(code) ? t(code) : code);
  if (!result || result.ok) return { message: undefined, field: (_name: string) => undefined as string[] | undefined };
  const fieldErrors = result.fieldErrors ?? {};
  return {
    message: Object.keys(fieldErrors).length > 0 && result.error === "invalidInput" ? word("checkFields") : word(result.error),
    field: (name: string) => fieldErrors[name]?.map(word),
  };
}

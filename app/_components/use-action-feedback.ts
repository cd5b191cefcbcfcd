"use client";

import { useTranslations } from "next-intl";
import type { ActionResult } from "@/lib/auth/guard";

/**
 * Error codes in words; a code may carry one parameter ("blockedPhrase:kursmål",
 * "tooLongFor:280"). An unknown code is shown as it is, or as `fallback` when given.
 */
export function useErrorWords(fallback?: string) {
  const t = useTranslations("errors");
  return (raw: string) => {
    const colon = raw.indexOf(":");
    const code = colon === -1 ? raw : raw.slice(0, colon);
    if (t.has(code)) return t(code, { value: colon === -1 ? "" : raw.slice(colon + 1) });
    return fallback && t.has(fallback) ? t(fallback) : raw;
  };
}

/** Turns an action result's codes into words: a general message and per-field messages. */
export function useActionFeedback(result: ActionResult<unknown> | null) {
  const word = useErrorWords();
  if (!result || result.ok) return { message: undefined, hasFieldErrors: false, field: (_name: string) => undefined as string[] | undefined };
  const fieldErrors = result.fieldErrors ?? {};
  const hasFieldErrors = Object.keys(fieldErrors).length > 0;
  return {
    message: hasFieldErrors && result.error === "invalidInput" ? word("checkFields") : word(result.error),
    hasFieldErrors,
    field: (name: string) => fieldErrors[name]?.map(word),
  };
}

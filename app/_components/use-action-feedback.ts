"use client";

import { useTranslations } from "next-intl";

type Result = { ok: true } | { ok: false; error: string; fieldErrors?: Record<string, string[]> } | null;

/** Turns an action result's codes into words: a general message and per-field messages. */
export type FieldErrors = Record<string, string[]>;

export function useActionFeedback(result: Result) {
  const t = useTranslations("errors");
  // A code may carry one parameter: "blockedPhrase:kursmål", "tooLongFor:280".
  const word = (raw: string) => {
    const colon = raw.indexOf(":");
    const code = colon === -1 ? raw : raw.slice(0, colon);
    return t.has(code) ? t(code, { value: colon === -1 ? "" : raw.slice(colon + 1) }) : raw;
  };
  if (!result || result.ok) return { message: undefined, field: (_name: string) => undefined as string[] | undefined };
  const fieldErrors = result.fieldErrors ?? {};
  return {
    message: Object.keys(fieldErrors).length > 0 && result.error === "invalidInput" ? word("checkFields") : word(result.error),
    field: (name: string) => fieldErrors[name]?.map(word),
  };
}

"use client";

import { useCallback, useState } from "react";
import type { ActionResult } from "@/lib/auth/guard";
import { useErrorWords } from "./use-action-feedback";

export type Notify = (text: string, error?: boolean) => void;
/** Reports an action's result: its success in words, or its error code in words. */
export type Report = <T>(result: ActionResult<T>, success: string | ((data: T) => string)) => void;

/** A page's notice after an action: `report` words a result, `status` feeds a LiveStatus. */
export function useNotice() {
  const word = useErrorWords();
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | null>(null);
  const notify = useCallback<Notify>((text, error) => setNotice({ text, error }), []);
  const report: Report = (result, success) =>
    result.ok ? notify(typeof success === "string" ? success : success(result.data)) : notify(word(result.error), true);
  const status = { success: notice && !notice.error ? notice.text : null, error: notice?.error ? notice.text : null };
  return { notify, report, status };
}

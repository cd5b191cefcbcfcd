"use client";

import { useCallback, useState } from "react";
import type { ActionResult } from "@/lib/auth/guard";
import { useErrorWords } from "./use-action-feedback";

/** `at`: the key of the row the action was about (its id), so the notice shows beside that row. */
export type Notify = (text: string, error?: boolean, at?: string) => void;
/** Reports an action's result: its success in words, or its error code in words; `at` as for Notify. */
export type Report = <T>(result: ActionResult<T>, success: string | ((data: T) => string), at?: string) => void;

type Status = { success: string | null; error: string | null };

/**
 * A page's notice after an action: `report` words a result. A notice about one row (`at`) is
 * shown beside that row (`statusAt(key)`, a LiveStatus each row always renders); any other
 * (an addition, a removal: the row is gone) beside the list's actions (`status`, ManagedList).
 */
export function useNotice() {
  const word = useErrorWords();
  const [notice, setNotice] = useState<{ text: string; error?: boolean; at?: string } | null>(null);
  const notify = useCallback<Notify>((text, error, at) => setNotice({ text, error, at }), []);
  const report: Report = (result, success, at) =>
    result.ok ? notify(typeof success === "string" ? success : success(result.data), false, at) : notify(word(result.error), true, at);
  const shown = (visible: boolean): Status =>
    visible && notice ? { success: notice.error ? null : notice.text, error: notice.error ? notice.text : null } : { success: null, error: null };
  const status = shown(notice?.at === undefined);
  const statusAt = (at: string) => shown(notice?.at === at);
  return { notify, report, status, statusAt };
}

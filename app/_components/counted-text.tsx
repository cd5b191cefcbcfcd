"use client";

import clsx from "clsx";
import { useEffect, useState, type ReactNode } from "react";
import type { ActionResult } from "@/lib/auth/guard";
import { inputClass } from "./ui";
import { useErrorWords } from "./use-action-feedback";

type Problem = { code: string; detail?: string };

/**
 * A text checked on the server as its network counts it, 250 ms after the last change;
 * `input` null clears the check. Inputs are compared by value, so a new object each
 * render does not start a new check.
 */
export function useLiveCheck<I, C>(action: (input: I) => Promise<ActionResult<C>>, input: I | null): C | null {
  const [check, setCheck] = useState<C | null>(null);
  const key = input === null ? null : JSON.stringify(input);
  useEffect(() => {
    if (key === null) {
      setCheck(null);
      return;
    }
    let current = true;
    const timer = setTimeout(async () => {
      const result = await action(JSON.parse(key) as I);
      if (current && result.ok) setCheck(result.data);
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [action, key]);
  return check;
}

/** A check's problems in words: too long for the limit, a blocked phrase, or any other code. */
export function useProblemWords() {
  const word = useErrorWords();
  return (check: { limit: number; problems: Problem[] } | null) =>
    (check?.problems ?? []).map((p) => word(p.code === "tooLong" ? `tooLongFor:${check!.limit}` : p.code === "blockedPhrase" ? `blockedPhrase:${p.detail ?? ""}` : p.code));
}

/** A share text with its live count under it and, when it breaks a rule, why. */
export function CountedText({
  id,
  label,
  value,
  onChange,
  lang,
  counter,
  over,
  problems,
  className,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (text: string) => void;
  lang?: string;
  counter: string;
  over: boolean;
  problems: string[];
  className?: string;
  /** Shown between the count and the problems (a notice about the text). */
  children?: ReactNode;
}) {
  const counterId = `${id}-count`;
  const unique = [...new Set(problems)];
  return (
    <>
      <label htmlFor={id} className="block text-sm font-medium text-slate-900 [overflow-wrap:anywhere]">
        {label}
      </label>
      <textarea
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        rows={5}
        lang={lang}
        aria-describedby={counterId}
        aria-invalid={over || unique.length > 0 || undefined}
        className={clsx(inputClass, className)}
      />
      <p id={counterId} aria-live="polite" className={clsx("text-sm", over ? "font-medium text-red-800" : "text-slate-700")}>
        {counter}
      </p>
      {children}
      {unique.length > 0 ? (
        <div role="alert">
          <ul className="list-disc pl-5 text-sm text-red-800">
            {unique.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}

"use client";

import { useCallback, useRef, useState } from "react";
import { sseEvents, textOf } from "@/lib/ai/sse";

/** Where the words are while writing help works: the model's text as it streams in, or why it failed. */
export type WritingState = { status: "idle" } | { status: "writing"; text: string } | { status: "failed"; code: string };

/**
 * One writing-help call to /api/v1/writing/…, streamed: the model's words show as they
 * arrive (`state.text`), and the checked result is returned at the end, or null with
 * `state.code` saying why. Nothing the person typed is touched here: the caller decides.
 */
export function useWriting<T>(path: "suggested-texts" | "in-my-words" | "translate") {
  const [state, setState] = useState<WritingState>({ status: "idle" });
  const abort = useRef<AbortController | null>(null);

  const run = useCallback(
    async (body: unknown): Promise<T | null> => {
      abort.current?.abort();
      const controller = new AbortController();
      abort.current = controller;
      setState({ status: "writing", text: "" });
      const fail = (code: string) => {
        setState({ status: "failed", code });
        return null;
      };
      try {
        const response = await fetch(`/api/v1/writing/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "text/event-stream" },
          body: JSON.stringify(body),
          signal: controller.signal,
        });
        if (!response.ok || !response.body) {
          const problem = (await response.json().catch(() => ({}))) as { code?: string; title?: string };
          return fail(problem.code ?? problem.title ?? "unexpected");
        }
        let text = "";
        for await (const event of sseEvents(textOf(response.body))) {
          const data = JSON.parse(event.data) as { text?: string; code?: string };
          if (event.event === "text") {
            text += data.text ?? "";
            setState({ status: "writing", text });
          } else if (event.event === "result") {
            setState({ status: "idle" });
            return data as T;
          } else if (event.event === "error") {
            return fail(data.code ?? "unexpected");
          }
        }
        return fail("writingUnavailable");
      } catch {
        return controller.signal.aborted ? null : fail("writingUnavailable");
      } finally {
        if (abort.current === controller) abort.current = null;
      }
    },
    [path],
  );

  const reset = useCallback(() => setState({ status: "idle" }), []);
  return { state, run, reset };
}

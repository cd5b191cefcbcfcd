import { z } from "zod";
import { AiError, type AiErrorKind } from "@/lib/ai/client";
import { sseEvent } from "@/lib/ai/sse";
import { DomainError } from "@/lib/errors";
import { log } from "@/lib/log";
import { problem } from "@/lib/problem";
import type { WriteOptions } from "@/lib/writing/ask";
import { generateSuggestedTextsSchema } from "@/lib/writing/suggest";
import { inMyWordsSchema, translateSchema } from "@/lib/writing/rewrite";

/**
 * Writing help over HTTP (/api/v1/writing/…, used by the story editor and the composer too):
 * plain JSON by default; with `Accept: text/event-stream` the answer streams as server-sent
 * events: `text` for each piece the model writes, then `result` with the checked answer (the
 * JSON body), or `error` with the problem. A failure is always a problem with a `code` the
 * pages turn into words; the person's own text is never touched here.
 */

export const suggestedTextsBodySchema = generateSuggestedTextsSchema;
export const inMyWordsBodySchema = inMyWordsSchema;
export const translateBodySchema = translateSchema;

export const draftTextSchema = z.object({
  text: z.string(),
  length: z.number().int(),
  limit: z.number().int(),
  shortened: z.boolean().describe("Sent back once to be shortened: the first answer was over the limit."),
});
export const suggestedTextsResultSchema = z.object({
  texts: z.array(draftTextSchema),
  dropped: z.array(z.object({ reason: z.enum(["tooLong", "tooManyBytes", "blockedPhrase", "invalidCharacters", "empty"]), detail: z.string().optional() })),
});

/** The codes a writing-help failure carries, for the pages' words. */
export const writingErrorCodes = [
  "writingHelpNotConfigured",
  "writingHelpOff",
  "writingHelpBudgetSpent",
  "writingRateLimited",
  "writingUnavailable",
  "writingTimeout",
  "writingRefused",
  "writingInvalid",
  "writingEmpty",
  "writingTooLong",
  "writingBlockedPhrase",
] as const;
export type WritingErrorCode = (typeof writingErrorCodes)[number];

const aiFailure: Record<AiErrorKind, { status: number; code: WritingErrorCode }> = {
  notConfigured: { status: 404, code: "writingHelpNotConfigured" },
  rateLimited: { status: 429, code: "writingRateLimited" },
  unavailable: { status: 503, code: "writingUnavailable" },
  timeout: { status: 504, code: "writingTimeout" },
  refused: { status: 422, code: "writingRefused" },
  invalid: { status: 502, code: "writingInvalid" },
  empty: { status: 422, code: "writingEmpty" },
};

type Failure = { status: number; code: string; detail: string; retryAfter?: number };

function failureOf(error: unknown): Failure | null {
  if (error instanceof AiError) {
    const { status, code } = aiFailure[error.kind];
    const retryAfter = error.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(error.retryAfterMs / 1000));
    return { status, code, detail: error.message, ...(retryAfter !== undefined && { retryAfter }) };
  }
  if (error instanceof DomainError) return { status: error.status, code: error.code, detail: error.message };
  return null;
}

/** Runs one writing-help call as the request asks: JSON, or server-sent events. */
export async function writingResponse<T>(request: Request, run: (options: WriteOptions) => Promise<T>): Promise<Response> {
  const instance = new URL(request.url).pathname;
  if (!(request.headers.get("accept") ?? "").includes("text/event-stream")) {
    try {
      return Response.json(await run({ signal: request.signal }));
    } catch (error) {
      const failure = failureOf(error);
      if (!failure || error instanceof DomainError) throw error;
      return problem(failure.status, failure.code, failure.detail, instance, failure.retryAfter ? { "Retry-After": String(failure.retryAfter) } : {}, { code: failure.code });
    }
  }
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: string, data: unknown) => {
        try {
          controller.enqueue(encoder.encode(sseEvent(event, data)));
        } catch {
          // the reader went away: the call stops through the request's signal
        }
      };
      try {
        send("result", await run({ signal: request.signal, onText: (text) => send("text", { text }) }));
      } catch (error) {
        const failure = failureOf(error);
        if (!failure) log.error({ err: error, path: instance }, "writing help failed");
        send("error", failure ?? { status: 500, code: "unexpected", detail: "Something went wrong on our side." });
      } finally {
        try {
          controller.close();
        } catch {
          // already closed by the reader
        }
      }
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" } });
}

import { z } from "zod";
import { envFor } from "@/lib/env";
import { sseEvents, textOf } from "./sse";

/**
 * The organisation's language model, through OpenAI's Chat Completions protocol (POST
 * {AI_BASE_URL}/chat/completions), which the OpenAI API, Azure OpenAI's v1 API, Mistral and
 * self-hosted servers (Ollama, vLLM, llama.cpp's server, LiteLLM) all speak. One answer at a
 * time, whole (`complete`) or as it is written (`stream`, server-sent events). Every failure
 * is an AiError of a kind the caller can say in plain words; what the person typed is never
 * touched here. Contract and sources: docs/ai.md.
 */

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };
export type ChatRequest = { messages: ChatMessage[]; maxTokens?: number; temperature?: number };
export type ChatAnswer = { text: string; finishReason: string | null };

export type AiConfig = { baseUrl: string; apiKey: string | null; model: string; maxTokens: number };

/**
 * notConfigured: no AI_BASE_URL. rateLimited: 429 (retryAfterMs when the server said).
 * unavailable: 5xx or the server unreachable. timeout: no answer in time. refused: the model
 * declined (a refusal or a content filter). invalid: the request or the answer is wrong.
 * empty: an answer without text.
 */
export type AiErrorKind = "notConfigured" | "rateLimited" | "unavailable" | "timeout" | "refused" | "invalid" | "empty";

export class AiError extends Error {
  readonly kind: AiErrorKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  constructor(kind: AiErrorKind, message: string, details: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: details.cause });
    this.name = "AiError";
    this.kind = kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
  /** Worth trying again later, unchanged. */
  get transient(): boolean {
    return this.kind === "rateLimited" || this.kind === "unavailable" || this.kind === "timeout";
  }
}

/** The configured model, or null when writing help is off for this server. */
export function aiConfig(): AiConfig | null {
  const env = envFor(["AI_BASE_URL", "AI_API_KEY", "AI_MODEL", "AI_MAX_TOKENS"]);
  if (!env.AI_BASE_URL || !env.AI_MODEL) return null;
  return { baseUrl: env.AI_BASE_URL.replace(/\/+$/, ""), apiKey: env.AI_API_KEY ?? null, model: env.AI_MODEL, maxTokens: env.AI_MAX_TOKENS };
}

/** How long the whole answer may take, and (streaming) the first byte. */
export const AI_TIMEOUT_MS = 60_000;
export const AI_FIRST_BYTE_MS = 20_000;

const errorBodySchema = z.object({ error: z.object({ message: z.string().optional(), code: z.union([z.string(), z.number()]).nullable().optional() }).passthrough() }).passthrough();

const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional(), refusal: z.string().nullable().optional() }).passthrough(),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
});

const chunkSchema = z.object({
  choices: z.array(
    z.object({
      delta: z.object({ content: z.string().nullable().optional(), refusal: z.string().nullable().optional() }).passthrough().optional(),
      finish_reason: z.string().nullable().optional(),
    }),
  ),
});

function requireConfig(): AiConfig {
  const config = aiConfig();
  if (!config) throw new AiError("notConfigured", "Writing help is not set up on this server (AI_BASE_URL)");
  return config;
}

/** Seconds (or an HTTP date) in Retry-After; OpenAI's retry-after-ms where sent. */
function retryAfter(headers: Headers): number | undefined {
  const ms = Number(headers.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** The server's own words for a failure, short: never the request, which holds the story. */
async function failure(response: Response): Promise<AiError> {
  let detail = "";
  try {
    const parsed = errorBodySchema.safeParse(await response.json());
    if (parsed.success) detail = parsed.data.error.message ?? "";
  } catch {
    // not JSON: the status says enough
  }
  const message = `The language model answered ${response.status}${detail ? `: ${detail.slice(0, 200)}` : ""}`;
  if (response.status === 429) return new AiError("rateLimited", message, { status: 429, retryAfterMs: retryAfter(response.headers) });
  if (response.status >= 500) return new AiError("unavailable", message, { status: response.status });
  return new AiError("invalid", message, { status: response.status });
}

async function post(config: AiConfig, request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: stream ? "text/event-stream" : "application/json" };
  // OpenAI-style servers read the bearer token; Azure OpenAI reads api-key.
  if (config.apiKey) Object.assign(headers, { authorization: `Bearer ${config.apiKey}`, "api-key": config.apiKey });
  const body = {
    model: config.model,
    messages: request.messages,
    max_tokens: Math.min(request.maxTokens ?? config.maxTokens, config.maxTokens),
    ...(request.temperature !== undefined && { temperature: request.temperature }),
    stream,
  };
  try {
    const response = await fetch(`${config.baseUrl}/chat/completions`, { method: "POST", headers, body: JSON.stringify(body), signal });
    if (!response.ok) throw await failure(response);
    return response;
  } catch (error) {
    throw asAiError(error, signal);
  }
}

function asAiError(error: unknown, signal: AbortSignal): AiError {
  if (error instanceof AiError) return error;
  if (signal.aborted) return new AiError("timeout", "The language model did not answer in time", { cause: error });
  return new AiError("unavailable", "The language model could not be reached", { cause: error });
}

function refusedOrEmpty(text: string, finishReason: string | null, refusal: string | null): ChatAnswer {
  if (refusal) throw new AiError("refused", "The language model declined to write this");
  if (finishReason === "content_filter") throw new AiError("refused", "The language model's content filter stopped the answer");
  if (text.trim() === "") throw new AiError("empty", "The language model answered without text");
  return { text, finishReason };
}

/** The whole answer at once. */
export async function complete(request: ChatRequest, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<ChatAnswer> {
  const config = requireConfig();
  const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs ?? AI_TIMEOUT_MS), ...(options.signal ? [options.signal] : [])]);
  const response = await post(config, request, false, signal);
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw signal.aborted ? asAiError(error, signal) : new AiError("invalid", "The language model's answer is not JSON", { cause: error });
  }
  const parsed = completionSchema.safeParse(body);
  if (!parsed.success) throw new AiError("invalid", "The language model's answer is not a chat completion");
  const choice = parsed.data.choices[0]!;
  return refusedOrEmpty(choice.message.content ?? "", choice.finish_reason ?? null, choice.message.refusal ?? null);
}

/**
 * The answer as it is written: yields each piece of text as it arrives and returns the
 * whole answer (checked as `complete` checks it) when the server says [DONE].
 */
export async function* stream(request: ChatRequest, options: { signal?: AbortSignal; timeoutMs?: number; firstByteMs?: number } = {}): AsyncGenerator<string, ChatAnswer> {
  const config = requireConfig();
  const overall = AbortSignal.timeout(options.timeoutMs ?? AI_TIMEOUT_MS);
  const firstByte = new AbortController();
  const signal = AbortSignal.any([overall, firstByte.signal, ...(options.signal ? [options.signal] : [])]);
  const firstByteTimer = setTimeout(() => firstByte.abort(), options.firstByteMs ?? AI_FIRST_BYTE_MS);
  let text = "";
  let finishReason: string | null = null;
  let refusal = "";
  try {
    const response = await post(config, request, true, signal);
    if (!response.body) throw new AiError("invalid", "The language model sent no stream");
    if (!(response.headers.get("content-type") ?? "").includes("text/event-stream")) throw new AiError("invalid", "The language model did not answer with server-sent events");
    const events = sseEvents(readText(response.body, signal, () => clearTimeout(firstByteTimer)));
    let done = false;
    for await (const { data } of events) {
      if (data === "[DONE]") {
        done = true;
        break;
      }
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        throw new AiError("invalid", "The language model sent a chunk that is not JSON");
      }
      if (errorBodySchema.safeParse(json).success && !(json as { choices?: unknown }).choices) {
        throw new AiError("unavailable", "The language model broke off its answer with an error");
      }
      const chunk = chunkSchema.safeParse(json);
      if (!chunk.success) throw new AiError("invalid", "The language model sent a chunk that is not a chat completion chunk");
      const choice = chunk.data.choices[0];
      if (!choice) continue;
      if (choice.finish_reason) finishReason = choice.finish_reason;
      if (choice.delta?.refusal) refusal += choice.delta.refusal;
      const piece = choice.delta?.content ?? "";
      if (piece) {
        text += piece;
        yield piece;
      }
    }
    if (!done && finishReason === null) throw new AiError("unavailable", "The language model's answer broke off");
  } finally {
    clearTimeout(firstByteTimer);
  }
  return refusedOrEmpty(text, finishReason, refusal || null);
}

/** The response's text as it arrives; a failure to read is the model's failure (or the time running out), and the first piece ends the first-byte wait. */
async function* readText(body: ReadableStream<Uint8Array<ArrayBuffer>>, signal: AbortSignal, onFirst: () => void): AsyncGenerator<string> {
  const pieces = textOf(body);
  for (;;) {
    let next;
    try {
      next = await pieces.next();
    } catch (error) {
      throw asAiError(error, signal);
    }
    onFirst();
    if (next.done) return;
    yield next.value;
  }
}

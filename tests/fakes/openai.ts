import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Clock, isRecord, json, router, startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from "./common";

/**
 * An OpenAI-compatible Chat Completions server, after OpenAI's API reference (POST
 * /v1/chat/completions, "The chat completion object" and "The chat completion chunk object")
 * and its error codes guide: whole answers and server-sent-event streams ending in
 * `data: [DONE]`, errors as {error: {message, type, param, code}}, 401 for a wrong key, 404
 * for an unknown model, 429 with Retry-After when a test injects it. What each answer says
 * is the test's choice (`answer`, `respond`); every request is kept (`completions`) so tests
 * can check what Ripple sends. A "token" here is a word: max_tokens cuts after that many
 * words, with finish_reason "length", as a real server cuts after that many tokens.
 */

export type FakeAnswer = {
  /** The answer's text (default: a short Danish sentence). */
  text?: string;
  /** A refusal instead of text (message.refusal / delta.refusal). */
  refusal?: string;
  /** finish_reason when the answer is complete (default "stop", or "length" when cut). */
  finishReason?: string;
  /** A 200 body that is not a chat completion at all (malformed answers). */
  raw?: unknown;
  /** Streaming: wait this long before the first piece of text, and between pieces. */
  firstTokenDelayMs?: number;
  pieceDelayMs?: number;
  /** Streaming: stop sending halfway, without a finish_reason or [DONE]. */
  breakOff?: boolean;
};

export type ChatCompletionRequest = {
  model: string;
  messages: Array<{ role: string; content: string }>;
  max_tokens?: number;
  temperature?: number;
  stream?: boolean;
  headers: Record<string, string | string[] | undefined>;
};

export interface FakeOpenAI extends FakeServer {
  /** The base URL as AI_BASE_URL takes it (…/v1). */
  baseUrl: string;
  /** The next answers, in order; after them `respond`'s, else the default. */
  answer(...answers: FakeAnswer[]): void;
  /** How to answer once the queued answers are used up. */
  respond(fn: (request: ChatCompletionRequest) => FakeAnswer): void;
  /** Every chat completion request received, in order. */
  completions: ChatCompletionRequest[];
  /** When each stream's first piece of text was sent (Date.now()), in order: the benchmark's start line. */
  firstTokensSentAt: number[];
}

const error = (status: number, message: string, type: string, code: string | null, headers?: Record<string, string>) =>
  json(status, { error: { message, type, param: null, code } }, headers);

const DEFAULT_TEXT = "Stolt af holdet bag den nye havvindmøllepark.";

export async function startFakeOpenAI(options: { apiKey?: string; models?: string[] } = {}): Promise<FakeOpenAI> {
  const clock = new Clock();
  const models = options.models ?? ["ripple-test-model"];
  const queued: FakeAnswer[] = [];
  const completions: ChatCompletionRequest[] = [];
  const firstTokensSentAt: number[] = [];
  let responder: (request: ChatCompletionRequest) => FakeAnswer = () => ({});

  const id = () => `chatcmpl-${randomBytes(12).toString("base64url")}`;

  function cut(text: string, maxTokens: number | undefined): { text: string; cut: boolean } {
    const words = text.split(/(?<=\s)/);
    if (maxTokens === undefined || words.length <= maxTokens) return { text, cut: false };
    return { text: words.slice(0, maxTokens).join(""), cut: true };
  }

  function whole(request: ChatCompletionRequest, answer: FakeAnswer): FakeResponse {
    if (answer.raw !== undefined) return json(200, answer.raw);
    const { text, cut: wasCut } = cut(answer.refusal ? "" : (answer.text ?? DEFAULT_TEXT), request.max_tokens);
    return json(200, {
      id: id(),
      object: "chat.completion",
      created: Math.floor(clock.now() / 1000),
      model: request.model,
      choices: [{ index: 0, message: { role: "assistant", content: answer.refusal ? null : text, refusal: answer.refusal ?? null }, logprobs: null, finish_reason: answer.finishReason ?? (wasCut ? "length" : "stop") }],
      usage: { prompt_tokens: 0, completion_tokens: text.split(/\s+/).filter(Boolean).length, total_tokens: 0 },
    });
  }

  function streamed(request: ChatCompletionRequest, answer: FakeAnswer): FakeResponse {
    const completionId = id();
    const created = Math.floor(clock.now() / 1000);
    const event = (delta: Record<string, unknown>, finishReason: string | null) =>
      `data: ${JSON.stringify({ id: completionId, object: "chat.completion.chunk", created, model: request.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })}\n\n`;
    async function* pieces(): AsyncGenerator<string> {
      if (answer.raw !== undefined) {
        yield `data: ${typeof answer.raw === "string" ? answer.raw : JSON.stringify(answer.raw)}\n\n`;
        return;
      }
      yield event({ role: "assistant", content: "", refusal: null }, null);
      if (answer.firstTokenDelayMs) await sleep(answer.firstTokenDelayMs);
      const { text, cut: wasCut } = cut(answer.text ?? DEFAULT_TEXT, request.max_tokens);
      if (answer.refusal) {
        yield event({ refusal: answer.refusal }, null);
      } else {
        const words = text.split(/(?<=\s)/);
        for (const [i, word] of words.entries()) {
          if (answer.breakOff && i >= words.length / 2) return;
          if (i > 0 && answer.pieceDelayMs) await sleep(answer.pieceDelayMs);
          if (i === 0) firstTokensSentAt.push(Date.now());
          yield event({ content: word }, null);
        }
      }
      yield event({}, answer.finishReason ?? (wasCut ? "length" : "stop"));
      yield "data: [DONE]\n\n";
    }
    return { status: 200, contentType: "text/event-stream; charset=utf-8", stream: pieces() };
  }

  const chatCompletions = (req: FakeRequest): FakeResponse => {
    if (options.apiKey) {
      const auth = req.headers.authorization;
      if (auth !== `Bearer ${options.apiKey}`) return error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
    }
    const body = req.body;
    if (!isRecord(body)) return error(400, "We could not parse the JSON body of your request.", "invalid_request_error", null);
    if (typeof body.model !== "string" || body.model === "") return error(400, "you must provide a model parameter", "invalid_request_error", null);
    if (!models.includes(body.model)) return error(404, `The model \`${body.model}\` does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found");
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0 || !messages.every((m) => isRecord(m) && typeof m.role === "string" && ["system", "user", "assistant", "developer"].includes(m.role) && typeof m.content === "string")) {
      return error(400, "Invalid 'messages': expected an array of messages with role and content.", "invalid_request_error", null);
    }
    if (body.max_tokens !== undefined && (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1)) {
      return error(400, "Invalid 'max_tokens': integer below minimum value.", "invalid_request_error", "integer_below_min_value");
    }
    const request: ChatCompletionRequest = {
      model: body.model,
      messages: messages as ChatCompletionRequest["messages"],
      max_tokens: body.max_tokens as number | undefined,
      temperature: body.temperature as number | undefined,
      stream: body.stream === true,
      headers: req.headers,
    };
    completions.push(request);
    const answer = queued.shift() ?? responder(request);
    return request.stream ? streamed(request, answer) : whole(request, answer);
  };

  const routes = router([["POST", "/v1/chat/completions", chatCompletions]], () => error(404, "Unknown request URL.", "invalid_request_error", "unknown_url"));
  const server = await startFakeServer({
    clock,
    handle: routes,
    faultBody: (status) =>
      status === 429
        ? { error: { message: "Rate limit reached for requests", type: "requests", param: null, code: "rate_limit_exceeded" } }
        : { error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } },
  });
  return Object.assign(server, {
    baseUrl: `${server.url}/v1`,
    completions,
    firstTokensSentAt,
    answer: (...answers: FakeAnswer[]) => void queued.push(...answers),
    respond: (fn: (request: ChatCompletionRequest) => FakeAnswer) => void (responder = fn),
  });
}

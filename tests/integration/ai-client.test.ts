import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AiError, aiConfig, complete, stream, type ChatMessage } from "@/lib/ai/client";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/openai";
import { envOverride } from "../support/env-override";

/**
 * The language model client (issue 16) against a Chat Completions server that follows
 * OpenAI's documented protocol: what Ripple sends, whole and streamed answers, and every
 * failure as a kind the pages can say in plain words.
 */

const KEY = "sk-ripple-test-0123456789";
let fake: FakeOpenAI;
const { set: setEnv, restore: restoreEnv } = envOverride();
const MESSAGES: ChatMessage[] = [
  { role: "system", content: "Du skriver korte opslag." },
  { role: "user", content: "Skriv om havvind." },
];

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: KEY });
  setEnv({ AI_BASE_URL: fake.baseUrl, AI_API_KEY: KEY, AI_MODEL: "ripple-test-model", AI_MAX_TOKENS: "200" });
});

afterAll(async () => {
  restoreEnv();
  await fake?.close();
});

async function failureOf(promise: Promise<unknown>): Promise<AiError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AiError);
  return error as AiError;
}

async function drain(generator: AsyncGenerator<string, unknown>): Promise<{ pieces: string[]; result: unknown }> {
  const pieces: string[] = [];
  for (;;) {
    const next = await generator.next();
    if (next.done) return { pieces, result: next.value };
    pieces.push(next.value);
  }
}

describe("configuration", () => {
  it("is off without AI_BASE_URL, and every call says so", async () => {
    setEnv({ AI_BASE_URL: undefined });
    try {
      expect(aiConfig()).toBeNull();
      expect((await failureOf(complete({ messages: MESSAGES }))).kind).toBe("notConfigured");
    } finally {
      setEnv({ AI_BASE_URL: fake.baseUrl });
    }
    expect(aiConfig()).toMatchObject({ baseUrl: fake.baseUrl, model: "ripple-test-model", maxTokens: 200 });
  });
});

describe("a whole answer", () => {
  it("sends the model, the messages, max_tokens within AI_MAX_TOKENS and the key; returns the text", async () => {
    fake.answer({ text: "Stolt af holdet bag Skagerrak Syd." });
    const answer = await complete({ messages: MESSAGES, maxTokens: 5_000, temperature: 0.8 });
    expect(answer).toEqual({ text: "Stolt af holdet bag Skagerrak Syd.", finishReason: "stop" });
    const sent = fake.completions.at(-1)!;
    expect(sent).toMatchObject({ model: "ripple-test-model", messages: MESSAGES, max_tokens: 200, temperature: 0.8, stream: false });
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("a cut answer says so (finish_reason length), for the caller to shorten or retry", async () => {
    fake.answer({ text: "et to tre fire fem seks syv" });
    expect(await complete({ messages: MESSAGES, maxTokens: 3 })).toEqual({ text: "et to tre ", finishReason: "length" });
  });

  it("names each failure: 429 with its Retry-After, 5xx, a wrong key, a refusal, an empty or malformed answer, no answer in time", async () => {
    fake.inject({ status: 429, headers: { "retry-after": "7" } });
    expect(await failureOf(complete({ messages: MESSAGES }))).toMatchObject({ kind: "rateLimited", status: 429, retryAfterMs: 7_000, transient: true });
    fake.inject({ status: 503 });
    expect(await failureOf(complete({ messages: MESSAGES }))).toMatchObject({ kind: "unavailable", status: 503, transient: true });
    setEnv({ AI_API_KEY: "sk-wrong" });
    try {
      const wrongKey = await failureOf(complete({ messages: MESSAGES }));
      expect(wrongKey).toMatchObject({ kind: "invalid", status: 401 });
      expect(wrongKey.message).toContain("Incorrect API key");
    } finally {
      setEnv({ AI_API_KEY: KEY });
    }
    fake.answer({ refusal: "I can't help with that." });
    expect((await failureOf(complete({ messages: MESSAGES }))).kind).toBe("refused");
    fake.answer({ text: "   " });
    expect((await failureOf(complete({ messages: MESSAGES }))).kind).toBe("empty");
    fake.answer({ raw: { result: "not a completion" } });
    expect((await failureOf(complete({ messages: MESSAGES }))).kind).toBe("invalid");
    fake.inject({ hang: true });
    expect(await failureOf(complete({ messages: MESSAGES }, { timeoutMs: 300 }))).toMatchObject({ kind: "timeout", transient: true });
  });

  it("a model the server does not have is a clear, permanent error", async () => {
    setEnv({ AI_MODEL: "gpt-unknown" });
    try {
      const error = await failureOf(complete({ messages: MESSAGES }));
      expect(error).toMatchObject({ kind: "invalid", status: 404, transient: false });
      expect(error.message).toContain("gpt-unknown");
    } finally {
      setEnv({ AI_MODEL: "ripple-test-model" });
    }
  });
});

describe("a streamed answer", () => {
  it("yields the text piece by piece as the server sends it, and returns the whole", async () => {
    fake.answer({ text: "Stolt af holdet bag Skagerrak Syd.", pieceDelayMs: 150 });
    const started = Date.now();
    const generator = stream({ messages: MESSAGES });
    const first = await generator.next();
    const firstAfter = Date.now() - started;
    expect(first).toEqual({ done: false, value: "Stolt " });
    const rest = await drain(generator);
    // The first piece came well before the last (four more pieces, 150 ms apart).
    expect(Date.now() - started - firstAfter).toBeGreaterThanOrEqual(4 * 140);
    expect(["Stolt ", ...rest.pieces].join("")).toBe("Stolt af holdet bag Skagerrak Syd.");
    expect(rest.result).toEqual({ text: "Stolt af holdet bag Skagerrak Syd.", finishReason: "stop" });
    expect(fake.completions.at(-1)).toMatchObject({ stream: true });
  });

  it("an answer that breaks off, a refusal, a chunk that is not JSON, and a server that never starts are errors, not text", async () => {
    fake.answer({ text: "et to tre fire fem seks", breakOff: true });
    expect((await failureOf(drain(stream({ messages: MESSAGES })))).kind).toBe("unavailable");
    fake.answer({ refusal: "I can't help with that." });
    expect((await failureOf(drain(stream({ messages: MESSAGES })))).kind).toBe("refused");
    fake.answer({ raw: "{not json" });
    expect((await failureOf(drain(stream({ messages: MESSAGES })))).kind).toBe("invalid");
    fake.inject({ hang: true });
    expect((await failureOf(drain(stream({ messages: MESSAGES }, { firstByteMs: 300 })))).kind).toBe("timeout");
    fake.inject({ status: 429, headers: { "retry-after": "2" } });
    expect(await failureOf(drain(stream({ messages: MESSAGES })))).toMatchObject({ kind: "rateLimited", retryAfterMs: 2_000 });
  });
});

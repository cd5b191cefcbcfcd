import type { Locale } from "@/lib/i18n/locales";
import type { ChatMessage } from "../client";

/**
 * A prompt as a file: per language a system text and a user text with {{name}} slots,
 * and a version that changes whenever the words do (recorded with what they produced).
 * Data goes in only through slots, and whatever comes from a story or a person only as
 * quoted JSON inside the user message ({{data}}): the model reads it as material, and no
 * text in it can close the quote or speak as the instructions.
 */
export type PromptTemplate = {
  task: string;
  version: string;
  text: Record<Locale, { system: string; user: string }>;
};

/** Fills {{name}} slots; a slot without a value is a bug in the caller, so it throws. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`prompt slot {{${name}}} has no value`);
    return String(value);
  });
}

/** The messages for one request: the template in `language`, its slots filled, the data quoted. */
export function render(template: PromptTemplate, language: Locale, values: Record<string, string | number>, data: unknown): ChatMessage[] {
  const text = template.text[language];
  return [
    { role: "system", content: fill(text.system, values) },
    { role: "user", content: fill(text.user, { ...values, data: quote(data) }) },
  ];
}

/**
 * Data as JSON, with the characters that could end the surrounding block escaped (JSON
 * allows \u escapes anywhere in a string): a story holding ``` or </data> stays a string.
 */
export function quote(data: unknown): string {
  return JSON.stringify(data, null, 2).replace(/[`<>]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

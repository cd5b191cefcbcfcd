import { describe, expect, it } from "vitest";
import { localeIds } from "@/db/schema/ids";
import { messages } from "@/lib/i18n/messages";

/** The figures a report names: pages, CSV headers and the weekly mail take their words from here. */
const figureTerms = [
  "shares",
  "participation",
  "activeSharers",
  "members",
  "clicks",
  "uniqueVisitors",
  "botClicks",
  "engagements",
  "impressions",
  "potentialReach",
  "emv",
  "points",
] as const;

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, path = ""): Array<[string, string]> {
  return Object.entries(tree).flatMap(([key, value]) => (typeof value === "string" ? [[`${path}${key}`, value] as [string, string]] : leaves(value, `${path}${key}.`)));
}

describe.each(localeIds)("the %s glossary", (locale) => {
  const glossary = messages[locale].glossary;

  it("names every figure once, each with its own word", () => {
    const words = figureTerms.map((key) => glossary[key]);
    expect(words.every((word) => word.trim().length > 0)).toBe(true);
    expect(new Set(words.map((w) => w.toLowerCase())).size).toBe(words.length);
  });

  // A label is the word on its own, capitalised; the word inside a sentence ("… and impressions") is the sentence's.
  it("is the only place a figure's label is written: no other message is a glossary word on its own", () => {
    const words = new Set(figureTerms.map((key) => glossary[key]));
    const elsewhere = leaves(messages[locale] as unknown as Tree)
      .filter(([path]) => !path.startsWith("glossary."))
      .filter(([, text]) => words.has(text.trim()));
    expect(elsewhere).toEqual([]);
  });
});

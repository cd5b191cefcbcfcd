import type { Locale } from "@/lib/i18n/locales";
import type { ChatMessage } from "../client";
import { inMyWordsPrompt } from "./in-my-words";
import { suggestedTextsPrompt } from "./suggested-texts";
import { render, type PromptTemplate } from "./template";
import { translatePrompt } from "./translate";

export { fill, render, type PromptTemplate } from "./template";
export const prompts = { suggestedTexts: suggestedTextsPrompt, inMyWords: inMyWordsPrompt, translate: translatePrompt } satisfies Record<string, PromptTemplate>;

export const tones = ["personal", "professional", "enthusiastic", "brief"] as const;
export type Tone = (typeof tones)[number];

/** The words each slot gets, per language: the templates hold sentences, this the small pieces. */
const words: Record<Locale, { tone: Record<Tone, string>; none: string; disclosure: (tag: string) => string; examples: string }> = {
  en: {
    tone: { personal: "personal and warm", professional: "professional and factual", enthusiastic: "enthusiastic", brief: "brief: as short as it can be while still saying it" },
    none: "none",
    disclosure: (tag) => `End each post with the hashtag ${tag}, which says the writer works for the company.`,
    examples: "Write it the way this person writes: their earlier posts are given as examples in the data.",
  },
  da: {
    tone: { personal: "personlig og varm", professional: "professionel og saglig", enthusiastic: "begejstret", brief: "kort: så kort som muligt, men stadig med budskabet" },
    none: "ingen",
    disclosure: (tag) => `Slut hvert opslag med hashtagget ${tag}, som fortæller, at skribenten arbejder i virksomheden.`,
    examples: "Skriv, som denne person skriver: deres tidligere opslag står som eksempler i dataene.",
  },
};

export type StoryMaterial = { title: string; summary: string; body: string | null; url: string | null };

/** For editors: `count` different texts about the story, for one network and language. */
export function suggestedTextsMessages(input: {
  story: StoryMaterial;
  networkName: string;
  language: Locale;
  count: number;
  limit: number;
  disclosureHashtag: string | null;
  blockedPhrases: readonly string[];
}): ChatMessage[] {
  const w = words[input.language];
  return render(
    prompts.suggestedTexts,
    input.language,
    {
      network: input.networkName,
      count: input.count,
      limit: input.limit,
      disclosure: input.disclosureHashtag ? w.disclosure(input.disclosureHashtag) : "",
      blocked: input.blockedPhrases.length > 0 ? input.blockedPhrases.map((p) => `"${p}"`).join(", ") : w.none,
    },
    { title: input.story.title, summary: input.story.summary, body: input.story.body ?? "", link: input.story.url ?? "" },
  );
}

/** For employees: the text in their own voice and a tone; their earlier posts only when they opted in. */
export function inMyWordsMessages(input: { text: string; networkName: string; language: Locale; tone: Tone; limit: number; examples: readonly string[] }): ChatMessage[] {
  const w = words[input.language];
  return render(
    prompts.inMyWords,
    input.language,
    { network: input.networkName, tone: w.tone[input.tone], limit: input.limit, examples: input.examples.length > 0 ? w.examples : "" },
    input.examples.length > 0 ? { text: input.text, examples: input.examples } : { text: input.text },
  );
}

/** Danish ⇄ English, into `to`. */
export function translateMessages(input: { text: string; networkName: string; to: Locale; limit: number }): ChatMessage[] {
  return render(prompts.translate, input.to, { network: input.networkName, limit: input.limit }, { text: input.text });
}

/** The texts of a suggestedTexts answer: split at lines holding only ---, trimmed, empty ones dropped. */
export function splitTexts(answer: string): string[] {
  return answer
    .split(/^\s*-{3,}\s*$/m)
    .map((text) => text.trim())
    .filter((text) => text.length > 0);
}

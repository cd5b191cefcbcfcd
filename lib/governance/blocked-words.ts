import { z } from "zod";

/**
 * Phrases no story or share text may say. Matching is case-folded, NFC on both sides, literal
 * (never a regex), space-tolerant and on whole words of Unicode letters, marks and digits, so
 * "kursmål" is not inside "kursmålsætning". Examples: docs/design-notes.md, "Blocked phrases".
 */

export interface BlockedPhraseMatch {
  /** The configured phrase that matched, as configured (trimmed). */
  phrase: string;
  /** The matched text, exactly as it stands in the searched text. */
  match: string;
  /** UTF-16 offset of the match in the searched text. */
  index: number;
}

/** What counts as part of a word on either side of a match. */
const WORD_CHAR = String.raw`[\p{L}\p{M}\p{N}]`;
const STARTS_WITH_WORD_CHAR = /^[\p{L}\p{M}\p{N}]/u;
const ENDS_WITH_WORD_CHAR = /[\p{L}\p{M}\p{N}]$/u;
const HAS_WORD_CHAR = /[\p{L}\p{N}]/u;
// Characters with a meaning in a /u regular expression outside a character class. ("-" is
// not one, and escaping it is a syntax error with the u flag.)
const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

function escapeRegExp(literal: string): string {
  return literal.replace(REGEX_SYNTAX, "\\$&");
}

const compiled = new Map<string, RegExp | null>();
const COMPILED_CACHE_SIZE = 2000;

/** The pattern for one phrase, or null for a phrase that is empty or whitespace only. */
function patternFor(phrase: string): RegExp | null {
  const cached = compiled.get(phrase);
  if (cached !== undefined) return cached;
  const words = phrase.normalize("NFC").trim().split(/\s+/u).filter(Boolean);
  let pattern: RegExp | null = null;
  if (words.length > 0) {
    const body = words.map(escapeRegExp).join(String.raw`\s+`);
    // A boundary is asserted only where the phrase's own edge is a word character: "c++"
    // must not be found in "abc++", but nothing can be demanded of what follows its "+".
    const before = STARTS_WITH_WORD_CHAR.test(words[0]!) ? `(?<!${WORD_CHAR})` : "";
    const after = ENDS_WITH_WORD_CHAR.test(words.at(-1)!) ? `(?!${WORD_CHAR})` : "";
    pattern = new RegExp(`${before}${body}${after}`, "giu");
  }
  if (compiled.size >= COMPILED_CACHE_SIZE) compiled.clear();
  compiled.set(phrase, pattern);
  return pattern;
}

const graphemeSegmenter = new Intl.Segmenter("und", { granularity: "grapheme" });

/**
 * NFC text mapping each of its indexes to the original grapheme's span, so a match is
 * reported where the caller's text has it. Per grapheme: canonical composition does not
 * cross grapheme clusters in practice.
 */
function normalizeWithMap(text: string): { normalized: string; start: number[]; end: number[] } {
  if (text === text.normalize("NFC")) {
    const start = Array.from({ length: text.length }, (_, i) => i);
    return { normalized: text, start, end: start.map((i) => i + 1) };
  }
  let normalized = "";
  const start: number[] = [];
  const end: number[] = [];
  for (const { segment, index } of graphemeSegmenter.segment(text)) {
    const nfc = segment.normalize("NFC");
    normalized += nfc;
    for (let i = 0; i < nfc.length; i++) {
      start.push(index);
      end.push(index + segment.length);
    }
  }
  return { normalized, start, end };
}

/**
 * Every occurrence of every blocked phrase in `text`, in order of appearance (ties: in the
 * order of the list). Phrases that differ only in case, spacing or normalisation are one
 * phrase; empty and whitespace-only phrases are ignored.
 */
export function findBlockedPhrases(text: string, phrases: readonly string[]): BlockedPhraseMatch[] {
  if (!text || phrases.length === 0) return [];
  const { normalized, start, end } = normalizeWithMap(text);
  const seen = new Set<string>();
  const found: Array<BlockedPhraseMatch & { order: number }> = [];
  phrases.forEach((configured, order) => {
    const phrase = configured.trim();
    const key = phrase.normalize("NFC").toLowerCase().split(/\s+/u).join(" ");
    if (!phrase || seen.has(key)) return;
    seen.add(key);
    const pattern = patternFor(phrase);
    if (!pattern) return;
    for (const m of normalized.matchAll(pattern)) {
      if (m[0].length === 0) continue;
      const from = start[m.index]!;
      const to = end[m.index + m[0].length - 1]!;
      found.push({ phrase, match: text.slice(from, to), index: from, order });
    }
  });
  found.sort((a, b) => a.index - b.index || a.order - b.order);
  return found.map(({ phrase, match, index }) => ({ phrase, match, index }));
}

/** One blocked word or phrase as an admin enters it: 1–100 characters after trimming, with a letter or digit. */
export const blockedPhraseSchema = z
  .string()
  .trim()
  .normalize("NFC")
  .min(1, "blockedPhraseEmpty")
  .max(100, "blockedPhraseTooLong")
  .refine((phrase) => HAS_WORD_CHAR.test(phrase), "blockedPhraseNoLetters");

/** An organisation's list: at most 500 phrases, duplicates (ignoring case and spacing) removed. */
export const blockedPhrasesSchema = z
  .array(blockedPhraseSchema)
  .max(500, "blockedPhrasesTooMany")
  .transform((phrases) => {
    const seen = new Set<string>();
    return phrases.filter((phrase) => {
      const key = phrase.toLowerCase().split(/\s+/u).join(" ");
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });

/** The error code for an invalid phrase (a message key), or null when it is valid. */
export function validateBlockedPhrase(phrase: string): string | null {
  const result = blockedPhraseSchema.safeParse(phrase);
  return result.success ? null : (result.error.issues[0]?.message ?? "blockedPhraseInvalid");
}

import { z } from "zod";

/**
 * The disclosure hashtag an organisation may require (e.g. "#nordlysansat"), as advertising
 * rules expect of employee advocacy: appended unless present, and counted in the limit.
 */

/** Letters (with their marks), digits and underscore: what X, Mastodon and Bluesky take as a hashtag's body. */
const TAG_BODY = /^[\p{L}\p{M}\p{N}_]{1,49}$/u;
const HAS_LETTER = /\p{L}/u;
const TAG_CHAR = String.raw`[\p{L}\p{M}\p{N}_]`;

/**
 * The organisation setting: "#" and 1–49 letters, digits or underscores, with at least
 * one letter (a tag of digits only is no hashtag on X or Mastodon). A missing "#" is
 * added; the result is NFC-normalised, at most 50 characters like the settings field.
 */
export const disclosureHashtagSchema = z
  .string()
  .trim()
  .normalize("NFC")
  .transform((tag) => (tag.startsWith("#") || tag.startsWith("＃") ? `#${tag.slice(1)}` : `#${tag}`))
  .refine((tag) => TAG_BODY.test(tag.slice(1)), "disclosureHashtagInvalid")
  .refine((tag) => HAS_LETTER.test(tag), "disclosureHashtagNoLetter");

/** The hashtag with a leading "#", or null for none (null, empty or only "#"). */
function normalizeTag(hashtag: string | null | undefined): string | null {
  const body = (hashtag ?? "").trim().normalize("NFC").replace(/^[#＃]/u, "");
  return body ? `#${body}` : null;
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

/**
 * Whether `text` already carries the hashtag as a whole hashtag, in any case:
 * "#NordlysAnsat" counts for "#nordlysansat", "#nordlysansatte" and "x#nordlysansat" do not.
 */
export function hasHashtag(text: string, hashtag: string): boolean {
  const tag = normalizeTag(hashtag);
  if (!tag) return false;
  const body = escapeRegExp(tag.slice(1));
  const pattern = new RegExp(`(?<!${TAG_CHAR}|[#＃&])[#＃]${body}(?!${TAG_CHAR})`, "iu");
  return pattern.test(text.normalize("NFC"));
}

/** A line made of hashtags only, such as "#nyheder #ansat". */
const HASHTAG_LINE = /^\s*(?:[#＃][\p{L}\p{M}\p{N}_]+\s*)+$/u;

/**
 * Appended after trimming: after a space on a one-line text or a line of hashtags, else on a
 * line of its own; not when already there. No hashtag: the text unchanged. An empty text
 * becomes the tag alone (the checks report the empty text).
 */
export function applyDisclosure(text: string, hashtag: string | null): string {
  const tag = normalizeTag(hashtag);
  if (!tag || hasHashtag(text, tag)) return text;
  const trimmed = text.trimEnd();
  if (!trimmed) return tag;
  const lastLine = trimmed.slice(trimmed.lastIndexOf("\n") + 1);
  const separator = !trimmed.includes("\n") || HASHTAG_LINE.test(lastLine) ? " " : "\n";
  return `${trimmed}${separator}${tag}`;
}

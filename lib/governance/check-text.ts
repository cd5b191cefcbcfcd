import type { NetworkId } from "@/db/schema";
import { measureText, type Measurement } from "@/lib/networks/measure";
import { findBlockedPhrases, type BlockedPhraseMatch } from "./blocked-words";
import { applyDisclosure } from "./disclosure";

export type ShareTextProblemCode = "empty" | "tooLong" | "tooManyBytes" | "blockedPhrase" | "invalidCharacters";

export interface ShareTextProblem {
  code: ShareTextProblemCode;
  /** blockedPhrase: the configured phrase. */
  detail?: string;
}

export interface ShareTextRules {
  disclosureHashtag: string | null;
  blockedWords: readonly string[];
  /** The network's limit where it is per account or instance (Mastodon's max_characters). */
  limit?: number;
  /** What a link counts where the instance says (Mastodon's characters_reserved_per_url). */
  urlLength?: number;
}

export interface ShareTextCheck {
  /** The text that would be posted: the disclosure hashtag applied. */
  text: string;
  /** Measured on `text`, so the disclosure hashtag counts. */
  measure: Measurement;
  /** Blocked phrases found in `text` (offsets into `text`, which starts with the given text). */
  blocked: BlockedPhraseMatch[];
  problems: ShareTextProblem[];
  ok: boolean;
}

/**
 * The one check of a share text that the editor's preview, compose/check, story saving and
 * the publisher all call. Problems in a fixed order: empty, length, bytes, characters, then
 * one per blocked phrase by first appearance.
 */
export function checkShareText(network: NetworkId, text: string, rules: ShareTextRules): ShareTextCheck {
  const withDisclosure = applyDisclosure(text, rules.disclosureHashtag);
  const measure = measureText(network, withDisclosure, {
    ...(rules.limit === undefined ? {} : { limit: rules.limit }),
    ...(rules.urlLength === undefined ? {} : { urlLength: rules.urlLength }),
  });
  const blocked = findBlockedPhrases(withDisclosure, rules.blockedWords);

  const problems: ShareTextProblem[] = [];
  const empty = text.trim() === "";
  if (empty) problems.push({ code: "empty" });
  else {
    if (measure.length > measure.limit) problems.push({ code: "tooLong" });
    if (measure.bytes !== undefined && measure.byteLimit !== undefined && measure.bytes > measure.byteLimit) {
      problems.push({ code: "tooManyBytes" });
    }
    // Within the limits yet not ok: X refuses U+FFFE, U+FEFF and U+FFFF (twitter-text).
    if (problems.length === 0 && !measure.ok) problems.push({ code: "invalidCharacters" });
  }
  for (const phrase of new Set(blocked.map((b) => b.phrase))) problems.push({ code: "blockedPhrase", detail: phrase });

  return { text: withDisclosure, measure, blocked, problems, ok: problems.length === 0 };
}

/** The problems as a form shows them: "code", or "code:detail" with the limit or the phrase. */
export function problemCodes(check: ShareTextCheck): string[] {
  return check.problems.map((p) =>
    p.code === "tooLong" ? `tooLongFor:${check.measure.limit}` : p.code === "tooManyBytes" ? `tooManyBytes:${check.measure.byteLimit}` : p.detail ? `${p.code}:${p.detail}` : p.code,
  );
}

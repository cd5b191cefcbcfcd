import { RichText } from "@atproto/api";
import * as twitterTextModule from "twitter-text";
import type { ParseTweetOptions } from "twitter-text";
import type { NetworkId } from "@/db/schema";

/**
 * How each network counts a post's length, in one place so the editor's counters,
 * POST /api/v1/compose/check and the publisher never disagree (docs/networks/text-measuring.md).
 * No Next.js import and no `server-only`: it must load in tsx, vitest and Next alike.
 */

// twitter-text 3.1.0 is CommonJS typed as named ESM exports: depending on the loader its
// functions sit on the namespace (tsx) or on `default` (Node ESM, vitest, bundlers).
type TwitterText = typeof twitterTextModule & { configs: { defaults: Required<ParseTweetOptions> } };
const twitterText: TwitterText =
  (twitterTextModule as unknown as { default?: TwitterText }).default ?? (twitterTextModule as unknown as TwitterText);

export type MeasureUnit = "weighted" | "graphemes" | "characters";

export interface TextLimit {
  /** Maximum length in `unit`. */
  limit: number;
  unit: MeasureUnit;
  /** A second limit in UTF-8 bytes, where the network has one (Bluesky). */
  byteLimit?: number;
}

/**
 * The default limit per network. Where a network's own counting rule is only partly
 * documented we count conservatively: never fewer than the network would, so a text we
 * call ok is not rejected for length.
 */
export const textLimits = {
  // "commentary max 3000 characters" (networks.md §1); which characters is UNVERIFIED, so
  // UTF-16 code units: never fewer than code points (docs/networks/text-measuring.md).
  linkedin: { limit: 3000, unit: "characters" },
  // twitter-text config v3: weighted length 280, URLs 23, emoji 2, CJK 2 (networks.md §2).
  x: { limit: 280, unit: "weighted" },
  // Lexicon app.bsky.feed.post: text maxGraphemes 300 and maxLength 3000 UTF-8 bytes
  // (networks.md §5), measured with @atproto/api's RichText.
  bluesky: { limit: 300, unit: "graphemes", byteLimit: 3000 },
  // Default of GET /api/v2/instance configuration.statuses.max_characters; an instance's
  // own value is passed as options.limit. Counted in grapheme clusters with every URL as
  // 23 and remote mentions as @username (StatusLengthValidator; networks.md §4).
  mastodon: { limit: 500, unit: "graphemes" },
  // No API and no documented limit (networks.md §3): 5,000 UTF-16 code units as Buffer
  // uses, far above any suggested share text (docs/networks/text-measuring.md).
  facebook: { limit: 5000, unit: "characters" },
  // No API; share link takes a URL only (networks.md §7). No documented post limit
  // (UNVERIFIED): 3,000 UTF-16 code units, the same as LinkedIn, a documented guess for
  // the comparable professional network.
  xing: { limit: 3000, unit: "characters" },
  // "Emojis are counted as the number of UTF-8 bytes" (Threads posts doc; networks.md §6):
  // emoji graphemes count their bytes, other text UTF-16 code units (UNVERIFIED, safe side).
  threads: { limit: 500, unit: "weighted" },
} as const satisfies Record<NetworkId, TextLimit>;

export interface MeasureOptions {
  /**
   * Overrides the network's default limit: a Mastodon instance's
   * configuration.statuses.max_characters, or an X account allowed longer posts.
   */
  limit?: number;
  /** Mastodon only: the instance's configuration.statuses.characters_reserved_per_url (23). */
  urlLength?: number;
}

export interface Measurement {
  network: NetworkId;
  /** Length as the network counts it, in `unit`. */
  length: number;
  limit: number;
  unit: MeasureUnit;
  /** UTF-8 bytes, where the network also limits bytes (Bluesky). */
  bytes?: number;
  byteLimit?: number;
  /**
   * The text is not empty and fits every limit (for X: twitter-text's `valid`, which also
   * rejects U+FFFE, U+FEFF and U+FFFF). Whitespace-only text is the caller's concern.
   */
  ok: boolean;
  /** limit − length; negative when over. */
  remaining: number;
}

const MASTODON_URL_LENGTH = 23;
/** Extractor::MAX_DOMAIN_LENGTH: a longer mention domain is not a mention. */
const MAX_DOMAIN_LENGTH = 253;

export function measureText(network: NetworkId, text: string, options: MeasureOptions = {}): Measurement {
  const defaults: TextLimit = textLimits[network];
  if (!defaults) throw new RangeError(`Unknown network: ${String(network)}`);
  const limit = options.limit ?? defaults.limit;
  if (!Number.isInteger(limit) || limit <= 0) throw new RangeError(`A text limit must be a positive integer, got ${limit}`);
  const base = { network, limit, unit: defaults.unit };

  switch (network) {
    case "x": {
      const parsed = twitterText.parseTweet(text, { ...twitterText.configs.defaults, maxWeightedTweetLength: limit });
      return { ...base, length: parsed.weightedLength, ok: parsed.valid, remaining: limit - parsed.weightedLength };
    }
    case "bluesky": {
      const rt = new RichText({ text });
      const length = rt.graphemeLength;
      const bytes = rt.length;
      const byteLimit = defaults.byteLimit ?? bytes;
      return {
        ...base,
        length,
        bytes,
        byteLimit,
        ok: text.length > 0 && length <= limit && bytes <= byteLimit,
        remaining: limit - length,
      };
    }
    case "mastodon": {
      const length = mastodonLength(text, options.urlLength ?? MASTODON_URL_LENGTH);
      return { ...base, length, ok: text.length > 0 && length <= limit, remaining: limit - length };
    }
    case "threads": {
      const length = threadsLength(text);
      return { ...base, length, ok: text.length > 0 && length <= limit, remaining: limit - length };
    }
    case "linkedin":
    case "facebook":
    case "xing": {
      const length = text.length;
      return { ...base, length, ok: text.length > 0 && length <= limit, remaining: limit - length };
    }
  }
}

// ---------------------------------------------------------------------------------------
// Grapheme clusters (Intl.Segmenter: Unicode extended grapheme clusters, like Ruby's
// grapheme_length that Mastodon uses).

const graphemeSegmenter = new Intl.Segmenter("und", { granularity: "grapheme" });

function* graphemes(text: string): Generator<string> {
  for (const { segment } of graphemeSegmenter.segment(text)) yield segment;
}

function countGraphemes(text: string): number {
  let n = 0;
  for (const _ of graphemes(text)) n++;
  return n;
}

const utf8 = new TextEncoder();

// ---------------------------------------------------------------------------------------
// Threads: emoji graphemes count their UTF-8 bytes.

const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;

function threadsLength(text: string): number {
  let length = 0;
  for (const g of graphemes(text)) length += EMOJI.test(g) ? utf8.encode(g).length : g.length;
  return length;
}

// ---------------------------------------------------------------------------------------
// Mastodon, after status_length_validator.rb (rules: docs/networks/text-measuring.md).
// Where twitter-text's URL rules differ from Mastodon's we count longer, never shorter.

// Account::MENTION_RE of Mastodon 4.x (quoted in docs/networks/text-measuring.md); Ruby's
// [[:word:]] is Unicode letters, marks, decimal numbers and connector punctuation.
const WORD = String.raw`\p{L}\p{M}\p{Nd}\p{Pc}`;
const MASTODON_MENTION = new RegExp(
  String.raw`(?<![=/${WORD}])@(([a-z0-9_]+(?:[a-z0-9_.\-]+[a-z0-9_]+)?)(?:@[${WORD}.\-]+[${WORD}]+)?)`,
  "giu",
);
// twitter-text's end_mention_match, which Mastodon's Extractor keeps: a mention directly
// followed by another at sign, a Latin accented letter or "://" is not a mention.
const MENTION_END_REJECT: RegExp = twitterText.regexen.endMentionMatch;

interface Entity {
  start: number;
  end: number;
  replacement: string;
}

function mastodonLength(text: string, urlLength: number): number {
  if (text.length === 0) return 0;
  const entities: Entity[] = [];
  for (const url of twitterText.extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false })) {
    entities.push({ start: url.indices[0], end: url.indices[1], replacement: "x".repeat(urlLength) });
  }
  for (const m of text.matchAll(MASTODON_MENTION)) {
    const start = m.index;
    const end = start + m[0].length;
    if (MENTION_END_REJECT.test(text.slice(end))) continue;
    const domain = m[1]!.split("@")[1];
    if (domain !== undefined && domain.length > MAX_DOMAIN_LENGTH) continue;
    entities.push({ start, end, replacement: `@${m[2]}` });
  }
  entities.sort((a, b) => a.start - b.start);
  let countable = "";
  let cursor = 0;
  for (const entity of entities) {
    if (entity.start < cursor) continue; // overlaps an earlier entity: Mastodon drops it
    countable += text.slice(cursor, entity.start) + entity.replacement;
    cursor = entity.end;
  }
  countable += text.slice(cursor);
  return countGraphemes(countable);
}

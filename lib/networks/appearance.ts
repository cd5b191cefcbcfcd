import type { NetworkId } from "@/db/schema/ids";
import type { OutgoingPost } from "./types";

/**
 * How each network shows a post, for the composer's preview: client-safe facts (no
 * network calls, no secrets), so the browser draws the post on every keystroke. The
 * adapters carry the same object (`appearance`), so generic code never asks which network.
 */
export type PostAppearance = {
  /** The network's colour for links and the avatar, darkened where needed to read on white (WCAG AA). */
  color: string;
  /** Who the post is from: a name over a handle (X, Mastodon, Bluesky), or a name alone. */
  author: "nameAndHandle" | "name";
  /**
   * How a link in the text is shown: as written, or without its scheme and cut after
   * `maxChars` with "…" (X's display_url, Mastodon's ellipsis).
   */
  link: { kind: "asWritten" } | { kind: "shortened"; maxChars: number };
  /** What a link counts in the length, where the network counts it as a fixed length. */
  linkCountsAs: number | null;
  /** Hashtags are shown as links. */
  hashtagsLinked: boolean;
  /**
   * The link card the network makes for the shared link, or null for none. `image`: the
   * story's image is shown (LinkedIn's article card gets no thumbnail from Ripple).
   */
  card: { layout: "large" | "overlay" | "compact"; image: boolean; description: boolean; domainFirst: boolean } | null;
  /**
   * The network makes the card itself from a URL in the text (X, Mastodon, the share
   * windows), so a post with the link in its text shows one even without a card sent.
   */
  cardFromText: boolean;
};

export const postAppearances = {
  // An article card with title and source; Ripple uploads no thumbnail (linkedin.ts).
  linkedin: { color: "#0a66c2", author: "name", link: { kind: "asWritten" }, linkCountsAs: null, hashtagsLinked: true, card: { layout: "compact", image: false, description: false, domainFirst: false }, cardFromText: false },
  // t.co: every link counts 23 and shows as its display_url; the card's title lies on the image.
  x: { color: "#0f6fae", author: "nameAndHandle", link: { kind: "shortened", maxChars: 23 }, linkCountsAs: 23, hashtagsLinked: true, card: { layout: "overlay", image: true, description: false, domainFirst: false }, cardFromText: true },
  // Links count 23 (characters_reserved_per_url) and show without scheme, cut after 30 characters.
  mastodon: { color: "#563acc", author: "nameAndHandle", link: { kind: "shortened", maxChars: 30 }, linkCountsAs: 23, hashtagsLinked: true, card: { layout: "large", image: true, description: true, domainFirst: false }, cardFromText: true },
  // app.bsky.embed.external with the story's image as thumb (bluesky.ts); the text keeps the link as written.
  bluesky: { color: "#0a5fc2", author: "nameAndHandle", link: { kind: "asWritten" }, linkCountsAs: null, hashtagsLinked: true, card: { layout: "large", image: true, description: true, domainFirst: false }, cardFromText: false },
  facebook: { color: "#0b5fcc", author: "name", link: { kind: "asWritten" }, linkCountsAs: null, hashtagsLinked: true, card: { layout: "large", image: true, description: false, domainFirst: true }, cardFromText: true },
  xing: { color: "#006567", author: "name", link: { kind: "asWritten" }, linkCountsAs: null, hashtagsLinked: false, card: { layout: "large", image: true, description: false, domainFirst: false }, cardFromText: true },
  threads: { color: "#101010", author: "nameAndHandle", link: { kind: "asWritten" }, linkCountsAs: null, hashtagsLinked: true, card: { layout: "large", image: true, description: false, domainFirst: false }, cardFromText: true },
} as const satisfies Record<NetworkId, PostAppearance>;

export function appearanceOf(network: NetworkId): PostAppearance {
  return postAppearances[network];
}

/** A piece of a post's text as a network marks it up. */
export type PostSegment = { kind: "text" | "link" | "hashtag"; text: string; href?: string };

// A link runs to the next space; trailing punctuation belongs to the sentence.
const LINK = /https?:\/\/[^\s]+/giu;
const TRAILING = /[.,:;!?)\]}'"»]+$/u;
const HASHTAG = /(^|[^\p{L}\p{M}\p{N}_&#＃])([#＃][\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*)/gu;

/** A link as the network shows it in the text. */
export function displayLink(url: string, appearance: PostAppearance): string {
  if (appearance.link.kind === "asWritten") return url;
  const bare = url.replace(/^https?:\/\/(www\.)?/iu, "");
  return bare.length > appearance.link.maxChars ? `${bare.slice(0, appearance.link.maxChars)}…` : bare;
}

/** The text split into plain text, links (shown as the network shows them) and hashtags. */
export function postSegments(text: string, appearance: PostAppearance): PostSegment[] {
  const out: PostSegment[] = [];
  const plain = (chunk: string) => {
    if (!chunk) return;
    if (!appearance.hashtagsLinked) {
      out.push({ kind: "text", text: chunk });
      return;
    }
    let cursor = 0;
    for (const m of chunk.matchAll(HASHTAG)) {
      const start = m.index + m[1]!.length;
      if (start > cursor) out.push({ kind: "text", text: chunk.slice(cursor, start) });
      out.push({ kind: "hashtag", text: m[2]! });
      cursor = start + m[2]!.length;
    }
    if (cursor < chunk.length) out.push({ kind: "text", text: chunk.slice(cursor) });
  };
  let cursor = 0;
  for (const m of text.matchAll(LINK)) {
    const url = m[0].replace(TRAILING, "");
    plain(text.slice(cursor, m.index));
    out.push({ kind: "link", text: displayLink(url, appearance), href: url });
    cursor = m.index + url.length;
  }
  plain(text.slice(cursor));
  // Neighbouring plain pieces joined, so the text renders as few nodes as it can.
  return out.reduce<PostSegment[]>((acc, s) => {
    const last = acc.at(-1);
    if (last && last.kind === "text" && s.kind === "text") last.text += s.text;
    else acc.push({ ...s });
    return acc;
  }, []);
}

/** The host a link card names: without "www.". */
export function cardDomain(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.replace(/^www\./u, "");
  } catch {
    return null;
  }
}

/** Where a share's link goes (the organisation's choice, recorded on the share). */
export type LinkPlacement = NonNullable<OutgoingPost["placement"]>;

/**
 * The text a share posts: for placement first_comment without its tracked link (the first
 * comment carries it), spaces left by the link tidied; every other placement as written.
 */
export function postedText(post: Pick<OutgoingPost, "text" | "trackedUrl" | "placement">): string {
  if (post.placement !== "first_comment" || !post.trackedUrl) return post.text;
  // Whole occurrences only (as textHasLink): https://app/r/Ab3 is not inside https://app/r/Ab3x.
  const escaped = post.trackedUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return post.text.replace(new RegExp(`${escaped}(?![0-9A-Za-z_-])`, "g"), "").replace(/[ \t]{2,}/g, " ").replace(/ +\n/g, "\n").trim();
}

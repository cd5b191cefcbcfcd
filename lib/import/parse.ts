import { extractFromJson, extractFromXml, type FeedData, type ParserOptions } from "@extractus/feed-extractor";
import { Parser } from "htmlparser2";
import type { Locale } from "@/db/schema";
import { absoluteHttp } from "@/lib/net/absolute-url";

/**
 * Plain items from a fetched RSS 2.0, RSS 1.0, Atom 1.0 or JSON Feed 1.x document.
 * @extractus/feed-extractor parses the text we fetched ourselves (it never fetches); this
 * module picks what a story needs and makes every text plain.
 */

export type FeedItem = {
  /** Absolute http(s) URL as the feed gives it (tracking parameters may still be in it). */
  link: string | null;
  title: string | null;
  /** Plain text, HTML and entities resolved, whitespace collapsed; not yet capped. */
  summary: string | null;
  imageUrl: string | null;
  language: Locale | null;
  published: Date | null;
};

export type ParsedFeed = {
  format: "rss" | "atom" | "json";
  title: string | null;
  language: Locale | null;
  items: FeedItem[];
};

/** The document is not an RSS, Atom or JSON feed (or not well-formed). */
export class NotAFeedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NotAFeedError";
  }
}

type Raw = Record<string, unknown>;

const BLOCK_TAGS = new Set([
  "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3",
  "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
]);
const SKIPPED_TAGS = new Set(["script", "style", "noscript", "template", "iframe", "object"]);

/**
 * Plain text from a fragment that may hold HTML (feeds put markup and double-escaped
 * entities in titles and descriptions): tags dropped, block ends become spaces, every
 * HTML entity decoded, whitespace collapsed. Empty → null.
 */
export function htmlToText(value: string | null | undefined): string | null {
  if (!value) return null;
  let text = "";
  let skipping = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (SKIPPED_TAGS.has(name)) skipping++;
        else if (BLOCK_TAGS.has(name)) text += " ";
      },
      onclosetag(name) {
        if (SKIPPED_TAGS.has(name)) skipping = Math.max(0, skipping - 1);
        else if (BLOCK_TAGS.has(name)) text += " ";
      },
      ontext(chunk) {
        if (!skipping) text += chunk;
      },
    },
    { decodeEntities: true },
  );
  parser.write(value);
  parser.end();
  const clean = text.replace(/\s+/g, " ").trim();
  return clean || null;
}

/** At most `max` characters (code points), cut at a word boundary when one is near, with "…". */
export function capText(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max - 1).join("");
  const space = cut.lastIndexOf(" ");
  return `${(space > cut.length * 0.7 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** "da", "da-DK", "en_GB" → the locale Ripple knows, else null. */
export function localeOf(tag: unknown): Locale | null {
  if (typeof tag !== "string") return null;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  return primary === "da" || primary === "en" ? primary : null;
}


const list = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);
const isRecord = (value: unknown): value is Raw => typeof value === "object" && value !== null && !Array.isArray(value);

/** The text of a parsed XML node: a string, a number the XML parser typed, or {"#text"}. */
function textOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return textOf(value[0]);
  if (isRecord(value)) return textOf(value["#text"]);
  return null;
}

const attr = (node: unknown, name: string): string | null => (isRecord(node) ? textOf(node[`@_${name}`]) : null);
const IMAGE_FILE = /\.(avif|gif|jpe?g|png|webp)(\?|$)/i;
const looksLikeImage = (url: string | null, type: string | null, medium: string | null) =>
  medium === "image" || (type ? type.toLowerCase().startsWith("image/") : url ? IMAGE_FILE.test(url) : false);

/** An item's image: RSS enclosure, Media RSS content/thumbnail, <image>, Atom enclosure link. */
function xmlImage(raw: Raw, base: string): string | null {
  const candidates: unknown[] = [];
  for (const enclosure of list(raw.enclosure)) {
    if (looksLikeImage(attr(enclosure, "url"), attr(enclosure, "type"), null)) candidates.push(attr(enclosure, "url"));
  }
  const media = [...list(raw["media:content"]), ...list(isRecord(raw["media:group"]) ? raw["media:group"]["media:content"] : undefined)];
  for (const content of media) {
    if (looksLikeImage(attr(content, "url"), attr(content, "type"), attr(content, "medium"))) candidates.push(attr(content, "url"));
  }
  for (const thumbnail of list(raw["media:thumbnail"])) candidates.push(attr(thumbnail, "url"));
  for (const image of list(raw.image)) candidates.push(isRecord(image) ? (textOf(image.url) ?? attr(image, "href")) : textOf(image));
  for (const link of list(raw.link)) {
    if (attr(link, "rel") === "enclosure" && looksLikeImage(attr(link, "href"), attr(link, "type"), null)) candidates.push(attr(link, "href"));
  }
  for (const candidate of candidates) {
    const url = absoluteHttp(candidate, base);
    if (url) return url;
  }
  return null;
}

/** Atom: the rel="alternate" (or rel-less) link, HTML preferred; never "self" or an enclosure. */
function atomLink(raw: Raw, base: string): string | null {
  const links = list(raw.link).filter((l) => {
    const rel = attr(l, "rel");
    return (rel === null || rel === "alternate") && attr(l, "href");
  });
  const html = links.find((l) => (attr(l, "type") ?? "text/html").includes("html")) ?? links[0];
  return html ? absoluteHttp(attr(html, "href"), base) : null;
}

type Extra = { raw: Raw };

function options(base: string): ParserOptions {
  return {
    normalization: true,
    descriptionMaxLen: 0,
    useISODateFormat: true,
    baseUrl: base,
    getExtraEntryFields: (entry) => ({ raw: entry }),
    getExtraFeedFields: (feed) => ({ rawFeed: feed }),
  };
}

function dateOf(value: unknown): Date | null {
  if (typeof value !== "string" || !value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function itemsOf(data: FeedData, format: ParsedFeed["format"], base: string): FeedItem[] {
  return (data.entries ?? []).map((entry) => {
    const raw = ((entry as unknown as Extra).raw ?? {}) as Raw;
    let link: string | null;
    let summary: string | null;
    let imageUrl: string | null;
    let language: Locale | null;
    let title: unknown;
    if (format === "json") {
      link = absoluteHttp(raw.url, base) ?? absoluteHttp(raw.external_url, base);
      title = raw.title;
      summary = htmlToText(textOf(raw.summary)) ?? htmlToText(textOf(raw.content_text)) ?? htmlToText(textOf(raw.content_html));
      imageUrl = absoluteHttp(raw.image, base) ?? absoluteHttp(raw.banner_image, base);
      language = localeOf(raw.language);
    } else {
      link = format === "atom" ? atomLink(raw, base) : absoluteHttp(entry.link, base);
      title = textOf(raw.title);
      const body = format === "atom" ? [raw.summary, raw.content] : [raw.description, raw["content:encoded"]];
      summary = htmlToText(textOf(body[0])) ?? htmlToText(textOf(body[1]));
      imageUrl = xmlImage(raw, base);
      language = localeOf(attr(raw, "xml:lang"));
    }
    return {
      link: link ?? absoluteHttp(entry.link, base),
      title: htmlToText(typeof title === "string" ? title : (entry.title ?? null)),
      summary: summary ?? htmlToText(entry.description ?? null),
      imageUrl,
      language,
      published: dateOf(entry.published),
    };
  });
}

const ATOM_ROOT = /<feed\b[^>]*\bxmlns(?::\w+)?\s*=\s*["']http:\/\/www\.w3\.org\/2005\/Atom["']/;
const PLACEHOLDER_ID = "urn:ripple:no-entries";

function parseXml(text: string, base: string): ParsedFeed {
  let data: FeedData;
  try {
    data = extractFromXml(text, options(base));
  } catch (error) {
    // The library recognises Atom only by its first <entry>; a feed with none is still a feed.
    if (!(error instanceof Error && /unrecognized/i.test(error.message) && ATOM_ROOT.test(text))) {
      throw new NotAFeedError(`The response is not an RSS or Atom feed (${error instanceof Error ? error.message : "unreadable"})`, { cause: error });
    }
    const at = text.lastIndexOf("</feed>");
    data = extractFromXml(`${text.slice(0, at)}<entry><id>${PLACEHOLDER_ID}</id></entry>${text.slice(at)}`, options(base));
    data.entries = (data.entries ?? []).filter((e) => e.id !== PLACEHOLDER_ID);
  }
  const rawFeed = (data.rawFeed ?? {}) as Raw;
  const format = "entry" in rawFeed || ATOM_ROOT.test(text) ? "atom" : "rss";
  return {
    format,
    title: htmlToText(typeof data.title === "string" ? data.title : null),
    language: localeOf(data.language) ?? localeOf(attr(rawFeed, "xml:lang")) ?? localeOf(textOf(rawFeed["dc:language"])),
    items: itemsOf(data, format, base),
  };
}

function parseJson(text: string, base: string): ParsedFeed {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new NotAFeedError("The response is neither XML nor valid JSON", { cause: error });
  }
  if (!isRecord(json) || typeof json.version !== "string" || !json.version.includes("jsonfeed.org/version/") || !Array.isArray(json.items)) {
    throw new NotAFeedError("The JSON response is not a JSON Feed (no jsonfeed.org version or no items)");
  }
  const data = extractFromJson(json, options(base));
  return {
    format: "json",
    title: htmlToText(typeof json.title === "string" ? json.title : null),
    language: localeOf(json.language),
    items: itemsOf(data, "json", base),
  };
}

/** The charset a Content-Type names, else the XML declaration's, else UTF-8; a BOM wins. */
function decode(body: Buffer, contentType: string | undefined): string {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return new TextDecoder("utf-8").decode(body);
  if (body[0] === 0xff && body[1] === 0xfe) return new TextDecoder("utf-16le").decode(body);
  if (body[0] === 0xfe && body[1] === 0xff) return new TextDecoder("utf-16be").decode(body);
  const header = contentType ? /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType)?.[1] : undefined;
  const declared = header ?? /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(body.subarray(0, 512).toString("latin1"))?.[1];
  try {
    return new TextDecoder(declared ?? "utf-8").decode(body);
  } catch {
    return new TextDecoder("utf-8").decode(body);
  }
}

/**
 * Parses a fetched feed. `url` is where it was fetched from (relative links resolve
 * against it); `contentType` is the full Content-Type header. Throws NotAFeedError.
 */
export function parseFeed(body: Buffer, contentType: string | undefined, url: string): ParsedFeed {
  const text = decode(body, contentType).trim();
  if (!text) throw new NotAFeedError("The response is empty");
  const looksJson = text.startsWith("{") || /\bjson\b/i.test(contentType ?? "");
  return looksJson ? parseJson(text, url) : parseXml(text, url);
}

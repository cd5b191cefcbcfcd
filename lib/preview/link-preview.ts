import type { Locale } from "@/db/schema";
import { Parser } from "htmlparser2";
import { safeFetch } from "@/lib/net/safe-fetch";
import { absoluteHttp } from "@/lib/net/absolute-url";

/**
 * What a pasted URL shows, from Open Graph and Twitter-card tags, else <title> and the meta
 * description. Through safeFetch, so internal addresses are refused (UnsafeFetchError, its
 * `reason` kept for the UI to translate).
 */
export type LinkPreview = {
  /** og:url or <link rel=canonical> when on the same site, else the URL the fetch ended at. */
  url: string;
  title: string | null;
  description: string | null;
  /** Absolute, http(s) only. */
  imageUrl: string | null;
  siteName: string | null;
  language: Locale | null;
};

const MAX_BYTES = 2 * 1024 * 1024;
const TITLE_MAX = 300;
const DESCRIPTION_MAX = 1000;
const HTML_TYPES = new Set(["text/html", "application/xhtml+xml"]);
/** Characters handed to the parser at a time, so it can stop soon after </head>. */
const CHUNK = 16 * 1024;

/** Collapses whitespace, trims, caps at `max` characters (code points); empty → null. */
function clean(value: string | undefined, max: number): string | null {
  const text = value?.replace(/\s+/g, " ").trim();
  if (!text) return null;
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}


const withoutWww = (host: string) => host.toLowerCase().replace(/^www\./, "");

/** Same site: the same host up to "www.", or one a subdomain of the other. */
function sameSite(a: URL, b: URL): boolean {
  const x = withoutWww(a.hostname);
  const y = withoutWww(b.hostname);
  return x === y || (x.endsWith(`.${y}`) && y.includes(".")) || (y.endsWith(`.${x}`) && x.includes("."));
}

function language(tag: string | undefined): LinkPreview["language"] {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return primary === "da" || primary === "en" ? primary : null;
}

/** The charset label a Content-Type value names, if any. */
function charsetOf(contentType: string | undefined): string | undefined {
  return contentType ? /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType)?.[1] : undefined;
}

/**
 * windows-1252 bytes 0x80–0x9F (WHATWG index). Node 20.18.3+ decodes windows-1252 and
 * iso-8859-1 as plain Latin-1 (nodejs/node#60888), turning € and curly quotes into C1
 * controls; this table puts them right.
 */
const WINDOWS_1252_C1 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function decoderFor(label: string | undefined): TextDecoder {
  try {
    return new TextDecoder(label ?? "utf-8");
  } catch {
    return new TextDecoder("utf-8"); // a label TextDecoder does not know
  }
}

/** BOM, then the Content-Type header, then <meta charset> / http-equiv in the first bytes, then UTF-8. */
function decode(body: Buffer, contentType: string | undefined): string {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return new TextDecoder("utf-8").decode(body);
  if (body[0] === 0xff && body[1] === 0xfe) return new TextDecoder("utf-16le").decode(body);
  if (body[0] === 0xfe && body[1] === 0xff) return new TextDecoder("utf-16be").decode(body);
  const prescan = body.subarray(0, 4096).toString("latin1");
  const declared = charsetOf(contentType) ?? /<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(prescan)?.[1];
  const decoder = decoderFor(declared);
  const text = decoder.decode(body);
  if (decoder.encoding !== "windows-1252") return text;
  return text.replace(/[\u0080-\u009f]/g, (c) => String.fromCharCode(WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]!));
}

type Head = { meta: Map<string, string>; title?: string; canonical?: string; lang?: string };

/** Reads <head>: meta tags (first of each key wins), <title>, canonical link, <html lang>. Stops at </head> or <body>. */
function readHead(html: string): Head {
  const head: Head = { meta: new Map() };
  let inTitle = false;
  let title = "";
  let done = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (done) return;
        if (name === "html" && attributes.lang) head.lang ??= attributes.lang;
        else if (name === "title" && head.title === undefined) inTitle = true;
        else if (name === "meta") {
          const key = (attributes.property ?? attributes.name ?? "").trim().toLowerCase();
          const content = attributes.content;
          if (key && content !== undefined && !head.meta.has(key)) head.meta.set(key, content);
        } else if (name === "link" && attributes.href) {
          const rel = (attributes.rel ?? "").toLowerCase().split(/\s+/);
          if (rel.includes("canonical")) head.canonical ??= attributes.href;
        } else if (name === "body") done = true;
      },
      ontext(text) {
        if (inTitle) title += text;
      },
      onclosetag(name) {
        if (name === "title" && inTitle) {
          inTitle = false;
          head.title = title;
        } else if (name === "head") done = true;
      },
    },
    { decodeEntities: true },
  );
  for (let at = 0; at < html.length && !done; at += CHUNK) parser.write(html.slice(at, at + CHUNK));
  parser.end();
  if (inTitle) head.title = title;
  return head;
}

function firstOf(head: Head, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = head.meta.get(key);
    if (value?.trim()) return value;
  }
  return undefined;
}

/**
 * Fetches a URL and reads its preview. Non-HTML answers (an image, a PDF) and error
 * statuses give a preview with only `url`; refusals and network failures throw
 * UnsafeFetchError.
 */
export async function fetchLinkPreview(url: string, options: { allowPrivate?: boolean } = {}): Promise<LinkPreview> {
  const isHtml = (type: string | null) => type === null || HTML_TYPES.has(type);
  const response = await safeFetch(url, {
    allowPrivate: options.allowPrivate,
    maxBytes: MAX_BYTES,
    truncate: true,
    headers: { accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5" },
    wantBody: ({ status, contentType }) => status >= 200 && status < 300 && isHtml(contentType),
  });
  const empty: LinkPreview = { url: response.url, title: null, description: null, imageUrl: null, siteName: null, language: null };
  if (response.status < 200 || response.status >= 300 || !isHtml(response.contentType)) return empty;

  const head = readHead(decode(response.body, response.headers["content-type"]));
  const page = new URL(response.url);
  const sameSiteUrl = (value: string | undefined) => {
    const absolute = absoluteHttp(value, response.url);
    return absolute && sameSite(new URL(absolute), page) ? absolute : null;
  };
  const image = ["og:image:secure_url", "og:image:url", "og:image", "twitter:image", "twitter:image:src"]
    .map((key) => absoluteHttp(head.meta.get(key), response.url))
    .find(Boolean);

  return {
    url: sameSiteUrl(head.meta.get("og:url")) ?? sameSiteUrl(head.canonical) ?? response.url,
    title: clean(firstOf(head, ["og:title", "twitter:title"]) ?? head.title, TITLE_MAX),
    description: clean(firstOf(head, ["og:description", "twitter:description", "description"]), DESCRIPTION_MAX),
    imageUrl: image ?? null,
    siteName: clean(firstOf(head, ["og:site_name", "application-name"]), TITLE_MAX),
    language: language(head.lang) ?? language(head.meta.get("og:locale")),
  };
}

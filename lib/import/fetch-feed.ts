import { safeFetch } from "@/lib/net/safe-fetch";
import { parseFeed, type ParsedFeed } from "./parse";

/** The feed answered with an error status (4xx, 5xx, or anything not 2xx/304). */
export class FeedHttpError extends Error {
  constructor(readonly status: number, host: string) {
    super(`${host} answered HTTP ${status} for the feed`);
    this.name = "FeedHttpError";
  }
}

export const FEED_TIMEOUT_MS = 10_000;
export const FEED_MAX_BYTES = 5 * 1024 * 1024;
const ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";

export type FetchedFeed =
  | { status: "notModified" }
  | { status: "ok"; url: string; feed: ParsedFeed; etag: string | null; lastModified: string | null };

/**
 * GETs a feed through safeFetch (internal addresses refused, time and size bounded),
 * conditionally when a validator from the last fetch is given, and parses it.
 * Throws UnsafeFetchError, FeedHttpError or NotAFeedError.
 */
export async function fetchFeed(url: string, validators: { etag?: string | null; lastModified?: string | null } = {}): Promise<FetchedFeed> {
  const headers: Record<string, string> = { accept: ACCEPT };
  if (validators.etag) headers["if-none-match"] = validators.etag;
  if (validators.lastModified) headers["if-modified-since"] = validators.lastModified;
  const response = await safeFetch(url, { headers, timeoutMs: FEED_TIMEOUT_MS, maxBytes: FEED_MAX_BYTES });
  if (response.status === 304) return { status: "notModified" };
  if (response.status < 200 || response.status >= 300) throw new FeedHttpError(response.status, new URL(response.url).host);
  return {
    status: "ok",
    url: response.url,
    feed: parseFeed(response.body, response.headers["content-type"], response.url),
    etag: response.headers.etag ?? null,
    lastModified: response.headers["last-modified"] ?? null,
  };
}

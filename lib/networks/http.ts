import { z } from "zod";
import type { NetworkId } from "@/db/schema";
import { envFor } from "@/lib/env";
import { safeFetch, UnsafeFetchError, type SafeFetchOptions } from "@/lib/net/safe-fetch";
import { NetworkError, type NetworkErrorKind, type PostMetrics } from "./types";

/**
 * The base every adapter calls the network through: safeFetch (a host a person typed cannot
 * reach internal addresses) and one classification of failures into NetworkError kinds.
 * Nothing here retries: only a caller that knows the call is safe to repeat may (STYLE.md).
 */

export type NetworkRequest = {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  headers?: Record<string, string>;
  /** Authorization: Bearer. */
  bearer?: string;
  /** Authorization: Basic (OAuth client authentication). */
  basic?: { username: string; password: string };
  /** application/x-www-form-urlencoded body; undefined values are left out. */
  form?: Record<string, string | undefined>;
  /** application/json body. */
  json?: unknown;
  /** A raw body (an image upload) with its content type. */
  bytes?: { data: Buffer; contentType: string };
  timeoutMs?: number;
  maxBytes?: number;
};

export type NetworkResponse = {
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body, or null when the body is empty or not JSON. */
  body: unknown;
};

/**
 * Looks at a failed answer first; returns a classification, or null for the generic one.
 * retryAfterMs (rateLimited) replaces the one read from the standard headers; existingId
 * is the post a "duplicate" repeats, when the network names it.
 */
export type Classifier = (
  response: NetworkResponse,
) => { kind: NetworkErrorKind; code?: string; message?: string; retryAfterMs?: number; existingId?: string } | null;

const DEFAULT_TIMEOUT_MS = 10_000;

export async function networkFetch(network: NetworkId, url: string, request: NetworkRequest = {}, classify?: Classifier): Promise<NetworkResponse> {
  const headers: Record<string, string> = { accept: "application/json", ...request.headers };
  let body: string | Buffer | undefined;
  if (request.bytes) {
    body = request.bytes.data;
    headers["content-type"] = request.bytes.contentType;
  } else if (request.form) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(request.form)) if (value !== undefined) params.set(key, value);
    body = params.toString();
    headers["content-type"] = "application/x-www-form-urlencoded";
  } else if (request.json !== undefined) {
    body = JSON.stringify(request.json);
    headers["content-type"] = "application/json";
  }
  if (request.bearer) headers.authorization = `Bearer ${request.bearer}`;
  if (request.basic) {
    const pair = `${encodeURIComponent(request.basic.username)}:${encodeURIComponent(request.basic.password)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
  }
  const options: SafeFetchOptions = {
    method: request.method ?? (body === undefined ? "GET" : "POST"),
    body,
    headers,
    timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: request.maxBytes ?? 1024 * 1024,
    maxRedirects: 2,
  };

  let result;
  try {
    result = await safeFetch(url, options);
  } catch (error) {
    throw fetchFailure(network, url, error);
  }
  const response: NetworkResponse = { status: result.status, headers: result.headers, body: parseJson(result.body) };
  if (response.status >= 200 && response.status < 300) return response;
  throw classifyFailure(network, url, response, classify);
}

/** A failure before any answer (refused address, timeout, connection error). */
export function fetchFailure(network: NetworkId, url: string, error: unknown): NetworkError {
  const host = safeHost(url);
  if (error instanceof UnsafeFetchError) {
    const kind: NetworkErrorKind = error.reason === "timeout" || error.reason === "unreachable" || error.reason === "tooLarge" ? "unavailable" : "invalid";
    return new NetworkError(network, kind, `${network}: ${error.message}`, { code: error.reason, cause: error });
  }
  return new NetworkError(network, "unavailable", `${network}: could not reach ${host}`, { cause: error });
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return null;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the network";
  }
}

/** The error code and message a network put in its body, whatever its shape. */
export function errorFields(body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== "object") return {};
  const b = body as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v.slice(0, 300) : undefined);
  // OAuth 2 (RFC 6749 §5.2): {error, error_description}; atproto XRPC: {error, message};
  // X problem+JSON: {title, detail, type}; LinkedIn: {serviceErrorCode, code, message}.
  const code = str(b.error) ?? str(b.code) ?? (typeof b.serviceErrorCode === "number" ? String(b.serviceErrorCode) : undefined) ?? str(b.title);
  const message = str(b.error_description) ?? str(b.message) ?? str(b.detail) ?? (typeof b.error === "string" ? str(b.error) : undefined);
  return { code, message };
}

/** Milliseconds until the network lets us try again, from whichever header it sends. */
export function retryAfterMs(headers: Record<string, string>, now = Date.now()): number | undefined {
  const retryAfter = headers["retry-after"];
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  // X: x-rate-limit-reset (unix seconds); Mastodon: x-ratelimit-reset (ISO 8601);
  // Bluesky: ratelimit-reset (unix seconds). Small numbers are read as a delta in seconds.
  for (const name of ["x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"]) {
    const value = headers[name];
    if (!value) continue;
    const n = Number(value);
    if (Number.isFinite(n)) return Math.max(0, n > 1e9 ? n * 1000 - now : n * 1000);
    const date = Date.parse(value);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  return undefined;
}

/** OAuth token-endpoint codes that mean the grant (code or refresh token) is no good. */
const DEAD_GRANT = new Set(["invalid_grant", "invalid_token", "ExpiredToken", "InvalidToken", "AuthenticationRequired"]);

export function classifyFailure(network: NetworkId, url: string, response: NetworkResponse, classify?: Classifier): NetworkError {
  const fields = errorFields(response.body);
  const details = { status: response.status, code: fields.code };
  const described = (what: string) => `${network}: ${what} (HTTP ${response.status}${fields.code ? ` ${fields.code}` : ""} from ${safeHost(url)})${fields.message ? `: ${fields.message}` : ""}`;

  const specific = classify?.(response);
  if (specific) {
    return new NetworkError(network, specific.kind, described(specific.message ?? specific.kind), {
      ...details,
      code: specific.code ?? fields.code,
      retryAfterMs: specific.kind === "rateLimited" || specific.kind === "unavailable" ? (specific.retryAfterMs ?? retryAfterMs(response.headers)) : undefined,
      existingId: specific.existingId,
    });
  }
  const { status } = response;
  if (status === 429) return new NetworkError(network, "rateLimited", described("rate limited"), { ...details, retryAfterMs: retryAfterMs(response.headers) });
  if (status === 401 || (fields.code && DEAD_GRANT.has(fields.code))) return new NetworkError(network, "unauthorized", described("not authorised"), details);
  if (status === 403) return new NetworkError(network, "forbidden", described("forbidden"), details);
  if (status >= 500 || status === 408) return new NetworkError(network, "unavailable", described("unavailable"), { ...details, retryAfterMs: retryAfterMs(response.headers) });
  return new NetworkError(network, "invalid", described("refused the request"), details);
}

/**
 * A refresh grant's 400 means the refresh token is dead (invalid_grant at X, invalid_request
 * at LinkedIn): re-connect, don't retry. A 401 is Ripple's own client refused (wrong secret).
 */
export const refreshGrantClassifier: Classifier = (response) => {
  if (response.status === 400) return { kind: "unauthorized", message: "refresh token refused" };
  if (response.status === 401) return { kind: "invalid", message: "client authentication refused (check the client id and secret)" };
  return null;
};

/** Parses a successful answer; an answer of the wrong shape is NetworkError "invalid". */
export function expectBody<S extends z.ZodType>(network: NetworkId, what: string, schema: S, body: unknown, details: { code?: string } = {}): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new NetworkError(network, "invalid", `${network}: unexpected answer to ${what}${issue ? ` (${issue.path.join(".") || "body"}: ${issue.message})` : ""}`, details);
}

/** Query string with %20 for spaces (LinkedIn's examples; every network accepts it). */
export function queryString(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join("&");
}

/** Joins a configured base URL (with or without a trailing slash or path) and an absolute path. */
export function apiUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}

/** The standard OAuth 2 token response (RFC 6749 §5.1), as the networks send it. */
export const oauthTokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  refresh_token_expires_in: z.coerce.number().positive().optional(),
  scope: z.string().optional(),
});

export function tokenSetFrom(token: z.infer<typeof oauthTokenSchema>, now = Date.now(), fallbackScopes: readonly string[] = []) {
  return {
    accessToken: token.access_token,
    refreshToken: token.refresh_token ?? null,
    expiresAt: token.expires_in ? new Date(now + token.expires_in * 1000) : null,
    refreshExpiresAt: token.refresh_token && token.refresh_token_expires_in ? new Date(now + token.refresh_token_expires_in * 1000) : null,
    // LinkedIn separates scopes with commas, the others with spaces.
    scopes: token.scope ? token.scope.split(/[\s,]+/).filter(Boolean) : [...fallbackScopes],
  };
}

/**
 * A server's origin from what a person typed (a Mastodon instance, a Bluesky PDS): "mastodon.social",
 * "https://mastodon.social/about", "@me@mastodon.social" or "me@mastodon.social".
 * https only; http is accepted only where ALLOW_PRIVATE_FETCH is on (tests with a local fake).
 */
export function normalizeServerUrl(input: string, network: NetworkId): string {
  let value = input.trim();
  const account = /^@?[^@\s/]+@([^@\s/]+)$/.exec(value);
  if (account) value = account[1]!;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) value = `https://${value}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new NetworkError(network, "invalid", `${network}: "${input.slice(0, 100)}" is not a server address`, { code: "invalidUrl" });
  }

  // Tests reach local servers over http: all of them (ALLOW_PRIVATE_FETCH) or the listed ones (FETCH_ALLOW_HOSTS).
  const config = envFor(["ALLOW_PRIVATE_FETCH", "FETCH_ALLOW_HOSTS"]);
  const httpAllowed = config.ALLOW_PRIVATE_FETCH || config.FETCH_ALLOW_HOSTS.includes(url.host);
  if (url.protocol !== "https:" && !(httpAllowed && url.protocol === "http:")) {
    throw new NetworkError(network, "invalid", `${network}: only https:// servers can be connected`, { code: "unsupportedScheme" });
  }
  if (url.username || url.password) throw new NetworkError(network, "invalid", `${network}: the address contains credentials`, { code: "credentialsInUrl" });
  if (!url.hostname.includes(".") && !httpAllowed) throw new NetworkError(network, "invalid", `${network}: "${url.hostname}" is not a public server name`, { code: "invalidUrl" });
  return url.origin;
}

/**
 * findPost on networks with no key to look a post up by: the match, else null only when the
 * list is complete or reaches back before the share was created, else "unknown" (the post
 * could be older than what was seen).
 */
export function searchRecentPosts<T>(
  posts: readonly T[],
  options: {
    /** The list holds every post there is (no further page). */
    complete: boolean;
    /** When the share was created: its post cannot be older. */
    since: Date;
    /** Where the post sits in the list's order (its creation, or its last change where the network lists by that). */
    listedAt: (post: T) => Date | null;
    matches: (post: T) => boolean;
    /** A post that could be the share's but does not show enough to tell (X: a t.co link without its expansion). */
    undecidable?: (post: T) => boolean;
  },
): T | null | "unknown" {
  const match = posts.find(options.matches);
  if (match !== undefined) return match;
  // Our clock and the network's differ a little: a minute of slack.
  const horizon = options.since.getTime() - 60_000;
  const at = (post: T) => {
    const time = options.listedAt(post)?.getTime();
    return time === undefined || !Number.isFinite(time) ? null : time;
  };
  if (options.undecidable && posts.some((post) => options.undecidable!(post) && (at(post) ?? Infinity) >= horizon)) return "unknown";
  if (options.complete) return null;
  const oldest = posts.reduce<number | null>((min, post) => {
    const time = at(post);
    return time === null ? min : min === null ? time : Math.min(min, time);
  }, null);
  return oldest !== null && oldest <= horizon ? null : "unknown";
}

/**
 * Whether a text holds the share's tracked link as a whole link: https://app/r/Ab3 must
 * not match inside https://app/r/Ab3x, another share's link.
 */
export function textHasLink(text: string, trackedUrl: string): boolean {
  for (let at = text.indexOf(trackedUrl); at !== -1; at = text.indexOf(trackedUrl, at + 1)) {
    if (!/[0-9A-Za-z_-]/.test(text.charAt(at + trackedUrl.length))) return true;
  }
  return false;
}

/** Whether a link a network reports (expanded, normalised) is the share's tracked link: same host and path. */
export function sameLink(candidate: string | null | undefined, trackedUrl: string): boolean {
  if (!candidate) return false;
  try {
    const a = new URL(candidate);
    const b = new URL(trackedUrl);
    const path = (u: URL) => u.pathname.replace(/\/+$/, "");
    return a.host.toLowerCase() === b.host.toLowerCase() && path(a) === path(b);
  } catch {
    return false;
  }
}

/** The first value of a header as an integer, or undefined. */
export function intHeader(headers: Record<string, string>, name: string): number | undefined {
  const value = headers[name];
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** The figures of PostMetrics (everything but when and whence). */
export type MetricFigures = Omit<PostMetrics, "measuredAt" | "source">;

/**
 * PostMetrics from what a network reported: a figure it did not report (undefined or
 * null, or not a finite number ≥ 0) is null, never 0.
 */
export function postMetrics(reported: Partial<Record<keyof MetricFigures, number | null | undefined>>, measuredAt = new Date()): PostMetrics {
  const figure = (name: keyof MetricFigures) => {
    const value = reported[name];
    return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
  };
  return {
    impressions: figure("impressions"),
    reached: figure("reached"),
    reactions: figure("reactions"),
    reposts: figure("reposts"),
    replies: figure("replies"),
    quotes: figure("quotes"),
    clicks: figure("clicks"),
    saves: figure("saves"),
    measuredAt,
    source: "network",
  };
}

/** Splits a list into runs of at most `size` (networks that take a limited number of ids per call). */
export function inChunks<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let at = 0; at < items.length; at += size) chunks.push(items.slice(at, at + size));
  return chunks;
}

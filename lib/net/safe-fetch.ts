import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net, { type LookupFunction } from "node:net";
import zlib from "node:zlib";
import ipaddr from "ipaddr.js";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";
import { envFor } from "@/lib/env";

/**
 * One HTTP GET safe to point at a URL a user, feed or webhook configuration gave us. SSRF is
 * refused twice on every hop: our check of each resolved address, then request-filtering-agent
 * at connect time (docs/design-notes.md). node:http(s), since undici ignores http agents.
 */

export const unsafeFetchReasons = [
  "invalidUrl",
  "unsupportedScheme",
  "credentialsInUrl",
  "privateAddress",
  "tooManyRedirects",
  "tooLarge",
  "timeout",
  "unreachable",
] as const;

/** Why a fetch was refused or failed. Stable: the UI maps each to translated text. */
export type UnsafeFetchReason = (typeof unsafeFetchReasons)[number];

export class UnsafeFetchError extends Error {
  constructor(
    readonly reason: UnsafeFetchReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "UnsafeFetchError";
  }
}

export type SafeFetchOptions = {
  /** Default GET. A 301, 302 or 303 turns a POST into a GET without its body, as browsers do. */
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The request body (with its content-type in `headers`). */
  body?: string | Buffer;
  /** The whole request, redirects and body included. Default 5000 ms. */
  timeoutMs?: number;
  /** Largest body, after decompression. Default 2 MiB. */
  maxBytes?: number;
  /** Instead of refusing a longer body with "tooLarge", return its first maxBytes (result.truncated). */
  truncate?: boolean;
  /** Default 3. */
  maxRedirects?: number;
  /** Extra request headers (If-None-Match, If-Modified-Since, Accept…). Accept-Encoding is ours. */
  headers?: Record<string, string>;
  /** Reach private and loopback addresses too. Default: the ALLOW_PRIVATE_FETCH setting (tests only). */
  allowPrivate?: boolean;
  /**
   * "host:port" pairs (as in a URL: "127.0.0.1:8080", "[::1]:8080") reached even though
   * they are private; every other private address stays refused, redirects included.
   */
  allowList?: string[];
  /** Resolve host names with this instead of dns.lookup (tests, a DNS cache). Every answer is still checked. */
  lookup?: LookupFunction;
  /**
   * Called once the final response's head is in; return false to skip its body (for
   * example a link preview of a PDF). The result then has an empty body.
   */
  wantBody?: (head: { status: number; headers: Record<string, string>; contentType: string | null }) => boolean;
};

export type SafeFetchResult = {
  /** The final URL, after redirects. */
  url: string;
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Decompressed. Empty for 304, HEAD-like answers and when wantBody said no. */
  body: Buffer;
  /** The media type without parameters, lower case ("text/html"); the full value is in headers. */
  contentType: string | null;
  /** True when `truncate` cut the body at maxBytes. */
  truncated: boolean;
};

export const USER_AGENT = "RippleBot/1.0 (+https://github.com/ripple-advocacy/ripple)";
const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/**
 * Internal addresses ipaddr.js classifies as "unicast": the deprecated IPv4-compatible
 * IPv6 block (::a.b.c.d) and Azure's WireServer, a metadata endpoint on a public address.
 */
const EXTRA_BLOCKED: Array<[string, [ipaddr.IPv4 | ipaddr.IPv6, number]]> = [
  ["IPv4-compatible IPv6", ipaddr.parseCIDR("::/96")],
  ["cloud metadata", ipaddr.parseCIDR("168.63.129.16/32")],
];

const RANGE_NAMES: Record<string, string> = {
  unspecified: "unspecified",
  loopback: "loopback",
  private: "private",
  linkLocal: "link-local, where cloud metadata lives",
  uniqueLocal: "unique-local",
  carrierGradeNat: "carrier-grade NAT",
  multicast: "multicast",
  broadcast: "broadcast",
  reserved: "reserved",
  deprecatedSiteLocal: "site-local",
};

/** Why an IP address must not be fetched, or null when it is an ordinary public address. */
export function blockedAddressKind(address: string): string | null {
  if (!ipaddr.isValid(address)) return "unparsable";
  const parsed = ipaddr.parse(address);
  const range = parsed.range();
  if (range === "ipv4Mapped" && parsed.kind() === "ipv6") {
    const inner = (parsed as ipaddr.IPv6).toIPv4Address().range();
    return `IPv4-mapped ${RANGE_NAMES[inner] ?? inner}`;
  }
  if (range !== "unicast") return RANGE_NAMES[range] ?? range;
  for (const [name, [block, bits]] of EXTRA_BLOCKED) {
    if (parsed.kind() === block.kind() && parsed.match(block, bits)) return name;
  }
  return null;
}

type Target = { url: URL; host: string; port: number; key: string };

const defaultPort = (protocol: string) => (protocol === "https:" ? 443 : 80);
/** The host without IPv6 brackets, as sockets want it. */
const bare = (hostname: string) => hostname.replace(/^\[(.*)\]$/, "$1");
const hostKey = (url: URL) => `${url.hostname}:${url.port || defaultPort(url.protocol)}`;

function parseTarget(input: string, base?: URL): Target {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    const shown = input.length > 200 ? `${input.slice(0, 200)}…` : input;
    throw new UnsafeFetchError("invalidUrl", `"${shown}" is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UnsafeFetchError(
      "unsupportedScheme",
      `Only http and https URLs can be fetched, not ${url.protocol} (${url.host || url.href.slice(0, 100)})`,
    );
  }
  if (url.username || url.password) {
    throw new UnsafeFetchError("credentialsInUrl", `The URL for ${url.hostname} contains a user name or password; such URLs are not fetched`);
  }
  if (!url.hostname) throw new UnsafeFetchError("invalidUrl", `"${input}" has no host`);
  return { url, host: bare(url.hostname), port: Number(url.port) || defaultPort(url.protocol), key: hostKey(url) };
}

function privateAddressError(host: string, address: string, kind: string) {
  const shown = host === address ? host : `${host} (${address})`;
  return new UnsafeFetchError(
    "privateAddress",
    `Refused to fetch ${shown}: it is an internal address (${kind}), not a public one`,
  );
}

/** Wraps the resolver so that a DNS answer naming an internal address refuses the connection before it is made. */
function guardedLookup(base: LookupFunction, onRefused: (error: UnsafeFetchError) => void): LookupFunction {
  return (hostname, options, callback) => {
    base(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      const answers = Array.isArray(address) ? address.map((a) => a.address) : [address];
      for (const answer of answers) {
        const kind = blockedAddressKind(answer);
        if (kind) {
          const refusal = privateAddressError(hostname, answer, kind);
          onRefused(refusal);
          return callback(refusal as unknown as NodeJS.ErrnoException, address, family);
        }
      }
      callback(null, address, family);
    });
  };
}

/** request-filtering-agent's refusal ("DNS lookup 127.0.0.1(family:4, host:…) is not allowed. Because, …"). */
const AGENT_REFUSAL = /^DNS lookup (\S+?)\(.*is not allowed/;

function classify(error: unknown, target: Target, signal: AbortSignal, timeoutMs: number): UnsafeFetchError {
  if (signal.aborted) return timeoutError(target, timeoutMs);
  if (error instanceof UnsafeFetchError) return error;
  const err = error as NodeJS.ErrnoException;
  const agent = typeof err?.message === "string" ? AGENT_REFUSAL.exec(err.message) : null;
  if (agent) return privateAddressError(target.host, agent[1]!, blockedAddressKind(agent[1]!) ?? "private or reserved");
  const code = err?.code ?? err?.message ?? String(error);
  return new UnsafeFetchError("unreachable", `Could not reach ${target.url.host}: ${code}`, { cause: error });
}

const timeoutError = (target: Target, timeoutMs: number) =>
  new UnsafeFetchError("timeout", `${target.url.host} did not answer completely within ${timeoutMs} ms`);

const tooLargeError = (target: Target, maxBytes: number) =>
  new UnsafeFetchError("tooLarge", `The response from ${target.url.host} is larger than ${maxBytes} bytes`);

function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function mediaType(header: string | undefined): string | null {
  const type = header?.split(";")[0]?.trim().toLowerCase();
  return type ? type : null;
}

type Hop = {
  target: Target;
  method: string;
  body: Buffer | undefined;
  headers: Record<string, string>;
  allowPrivate: boolean;
  lookup: LookupFunction;
  signal: AbortSignal;
  timeoutMs: number;
};

/** One request; resolves with the response head, the body still unread. */
function requestOnce(hop: Hop): Promise<http.IncomingMessage> {
  const { target, signal } = hop;
  if (!hop.allowPrivate && net.isIP(target.host)) {
    const kind = blockedAddressKind(target.host);
    if (kind) return Promise.reject(privateAddressError(target.url.hostname, target.host, kind));
  }
  if (signal.aborted) return Promise.reject(timeoutError(target, hop.timeoutMs));

  return new Promise((resolve, reject) => {
    let refusal: UnsafeFetchError | undefined;
    const filter = { allowPrivateIPAddress: hop.allowPrivate, allowMetaIPAddress: false, keepAlive: false };
    const https_ = target.url.protocol === "https:";
    const options: http.RequestOptions = {
      method: hop.method,
      hostname: target.host,
      port: target.port,
      path: `${target.url.pathname}${target.url.search}`,
      headers: hop.body ? { ...hop.headers, "content-length": String(hop.body.length) } : hop.headers,
      agent: https_ ? new RequestFilteringHttpsAgent(filter) : new RequestFilteringHttpAgent(filter),
      lookup: hop.allowPrivate ? hop.lookup : guardedLookup(hop.lookup, (error) => (refusal = error)),
      signal,
    };
    const request = (https_ ? https : http).request(options, resolve);
    request.on("error", (error) => reject(refusal ?? classify(error, target, signal, hop.timeoutMs)));
    request.end(hop.body);
  });
}

function decompressor(encoding: string | undefined, first: Buffer): zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress | null {
  switch (encoding?.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip();
    case "deflate":
      // "deflate" should be zlib-wrapped; some servers send raw deflate. A zlib header has CM = 8.
      return (first[0]! & 0x0f) === 8 ? zlib.createInflate() : zlib.createInflateRaw();
    case "br":
      return zlib.createBrotliDecompress();
    default:
      return null;
  }
}

/** Reads the body, decompressing it, never holding more than maxBytes of it. */
function readBody(
  response: http.IncomingMessage,
  target: Target,
  limits: { maxBytes: number; truncate: boolean; signal: AbortSignal; timeoutMs: number },
): Promise<{ body: Buffer; truncated: boolean }> {
  const { maxBytes, truncate, signal } = limits;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let raw = 0;
    let settled = false;
    let decoder: ReturnType<typeof decompressor> | undefined;

    const stop = () => {
      signal.removeEventListener("abort", onAbort);
      response.destroy();
      decoder?.destroy();
    };
    const fail = (error: UnsafeFetchError) => {
      if (settled) return;
      settled = true;
      stop();
      reject(error);
    };
    const done = (truncated: boolean) => {
      if (settled) return;
      settled = true;
      stop();
      resolve({ body: Buffer.concat(chunks, size), truncated });
    };
    const onAbort = () => fail(timeoutError(target, limits.timeoutMs));
    signal.addEventListener("abort", onAbort, { once: true });

    const keep = (chunk: Buffer) => {
      if (settled) return;
      const room = maxBytes - size;
      if (chunk.length <= room) {
        chunks.push(chunk);
        size += chunk.length;
        return;
      }
      if (!truncate) return fail(tooLargeError(target, maxBytes));
      chunks.push(chunk.subarray(0, room));
      size += room;
      done(true);
    };

    response.on("data", (chunk: Buffer) => {
      if (settled) return;
      raw += chunk.length;
      // The compressed size counts too: a body can be no larger on the wire than unpacked, short of an attack.
      if (raw > maxBytes && !truncate) return fail(tooLargeError(target, maxBytes));
      if (decoder === undefined) {
        decoder = decompressor(response.headers["content-encoding"], chunk);
        decoder?.on("data", keep);
        decoder?.on("end", () => done(false));
        decoder?.on("error", (error) =>
          fail(new UnsafeFetchError("unreachable", `${target.url.host} sent a body that could not be decompressed`, { cause: error })),
        );
      }
      if (decoder) decoder.write(chunk);
      else keep(chunk);
      if (raw > maxBytes && !settled) done(true);
    });
    response.on("end", () => {
      if (decoder) decoder.end();
      else done(false);
    });
    response.on("error", (error) => fail(classify(error, target, signal, limits.timeoutMs)));
    response.on("aborted", () => fail(classify(new Error("connection closed before the body was complete"), target, signal, limits.timeoutMs)));
  });
}

function requestHeaders(extra: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string> = { "user-agent": USER_AGENT, accept: "*/*" };
  for (const [name, value] of Object.entries(extra ?? {})) headers[name.toLowerCase()] = value;
  headers["accept-encoding"] = "gzip, deflate, br";
  delete headers.host;
  return headers;
}

/** Normalises "host:port" allow-list entries to the form hostKey() gives a URL. */
function allowKeys(entries: string[] | undefined): Set<string> {
  const keys = new Set<string>();
  for (const entry of entries ?? []) {
    try {
      keys.add(hostKey(new URL(`http://${entry}`)));
    } catch {
      throw new UnsafeFetchError("invalidUrl", `"${entry}" in allowList is not a host:port`);
    }
  }
  return keys;
}

/**
 * GET a URL given by someone outside: refuses internal addresses (also behind a redirect
 * or a DNS answer), and bounds time, size and redirects. Every refusal and failure is an
 * UnsafeFetchError with a `reason`; any HTTP status is returned, 304 included.
 */
export async function safeFetch(input: string, options: SafeFetchOptions = {}): Promise<SafeFetchResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const config = envFor(["ALLOW_PRIVATE_FETCH", "FETCH_ALLOW_HOSTS"]);
  const allowPrivate = options.allowPrivate ?? config.ALLOW_PRIVATE_FETCH;
  const allowed = allowKeys([...(options.allowList ?? []), ...config.FETCH_ALLOW_HOSTS]);
  const lookup = options.lookup ?? (dns.lookup as LookupFunction);
  let headers = requestHeaders(options.headers);
  let method: string = options.method ?? "GET";
  let body = options.body === undefined ? undefined : Buffer.from(options.body);

  let target = parseTarget(input);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    for (let redirects = 0; ; redirects++) {
      const response = await requestOnce({
        target,
        method,
        body,
        headers,
        allowPrivate: allowPrivate || allowed.has(target.key),
        lookup,
        signal: controller.signal,
        timeoutMs,
      });
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECTS.has(status) && location) {
        response.destroy();
        if (redirects >= maxRedirects) {
          throw new UnsafeFetchError("tooManyRedirects", `${target.url.host} redirected more than ${maxRedirects} times`);
        }
        const next = parseTarget(location, target.url);
        if (status === 303 || ((status === 301 || status === 302) && method === "POST")) {
          method = "GET";
          body = undefined;
          headers = { ...headers };
          delete headers["content-type"];
        }
        if (next.url.origin !== target.url.origin) {
          headers = { ...headers };
          for (const name of CREDENTIAL_HEADERS) delete headers[name];
        }
        target = next;
        continue;
      }

      const responseHeaders = flattenHeaders(response.headers);
      const contentType = mediaType(responseHeaders["content-type"]);
      const head = { status, headers: responseHeaders, contentType };
      if (status === 304 || status === 204 || (options.wantBody && !options.wantBody(head))) {
        response.destroy();
        return { url: target.url.href, ...head, body: Buffer.alloc(0), truncated: false };
      }
      const declared = Number(responseHeaders["content-length"]);
      if (!options.truncate && Number.isFinite(declared) && declared > maxBytes) {
        response.destroy();
        throw tooLargeError(target, maxBytes);
      }
      const read = await readBody(response, target, { maxBytes, truncate: options.truncate ?? false, signal: controller.signal, timeoutMs });
      return { url: target.url.href, ...head, body: read.body, truncated: read.truncated };
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * safeFetch with the signature of fetch, for clients that take a fetch implementation
 * (@atproto/api's agent, the network adapters). Requests to hosts a person typed in (a
 * Mastodon instance, a Bluesky PDS) go through the same SSRF rules and limits.
 */
export function safeFetchAsFetch(defaults: Omit<SafeFetchOptions, "method" | "body" | "headers"> = {}): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const method = request.method.toUpperCase() as NonNullable<SafeFetchOptions["method"]>;
    const body = method === "GET" ? undefined : Buffer.from(await request.arrayBuffer());
    const result = await safeFetch(request.url, { ...defaults, method, body: body && body.length > 0 ? body : undefined, headers });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(result.headers)) {
      // The body is already decompressed and complete.
      if (name !== "content-encoding" && name !== "content-length" && name !== "transfer-encoding") responseHeaders.set(name, value);
    }
    const nullBody = result.status === 204 || result.status === 304;
    return new Response(nullBody ? null : new Uint8Array(result.body), { status: result.status, headers: responseHeaders });
  }) as typeof fetch;
}

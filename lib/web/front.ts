import { createServer, IncomingMessage, type Server, type ServerResponse } from "node:http";
import { CLIENT_IP_HEADER, clientIp } from "@/lib/links/client-address";
import { log } from "@/lib/log";
import { MAX_IMAGE_BYTES } from "@/lib/media";
import { FALLBACK_CSP, FALLBACK_HTML_CSP, securityHeaders } from "./security-headers";

/**
 * The web process's own HTTP server, in front of Next's request handler: it owns the
 * socket, so it is the one place that bounds what a request may cost (header, URL and body
 * sizes, counted while the body streams), refuses malformed URLs and NUL bytes before any
 * code parses them, stamps the client's address (x-ripple-client-ip) and puts the security
 * headers on every answer.
 */

const KB = 1024;
const MB = 1024 * KB;

export const FRONT_LIMITS = {
  /** Request line and headers together; Node answers 431 past it. Room for a chunked session cookie. */
  headerBytes: 32 * KB,
  /** Path and query; 414 past it. */
  urlBytes: 8 * KB,
  /** JSON, forms and server-action posts. */
  bodyBytes: 64 * KB,
  /** Stories (every variant), member imports, guidelines, SCIM. */
  largeBodyBytes: 1 * MB,
  /** A story image and its multipart envelope. */
  mediaBodyBytes: MAX_IMAGE_BYTES + 64 * KB,
  /** Headers must arrive within this; the whole request (body included) within requestMs. */
  headersMs: 20_000,
  requestMs: 120_000,
  keepAliveMs: 65_000,
} as const;

/**
 * The body limit for a request: the media upload, the paths that take long texts (story
 * editor and API, imports and guidelines under /admin, SCIM), and 64 KB for everything else.
 * Server actions post to their page's path, so the page decides.
 */
export function bodyLimit(pathname: string): number {
  if (pathname === "/api/media") return FRONT_LIMITS.mediaBodyBytes;
  if (/^\/(scim\/|api\/v1\/stories(\/|$)|admin(\/|$)|library(\/|$)|suggest(\/|$))/.test(pathname)) return FRONT_LIMITS.largeBodyBytes;
  return FRONT_LIMITS.bodyBytes;
}

export type FrontConfig = { appUrl: string; trustProxy: boolean };
export type FrontHandler = (request: IncomingMessage, response: ServerResponse) => unknown;

function headerFromArgs(args: unknown[], name: string): string | undefined {
  const headers = args.find((a) => a !== null && typeof a === "object") as Record<string, unknown> | unknown[] | undefined;
  if (!headers) return undefined;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    return undefined;
  }
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return String(value);
  return undefined;
}

/**
 * Adds the security headers when the answer's head is written, each only where the app set
 * none: Next appends a route's headers only when absent, so headers set before the handler
 * would win over a route's own Content-Security-Policy. Hooked at writeHead, anything the app
 * (proxy.ts, a route) set comes first; ours fill the gaps.
 */
export function addSecurityHeaders(response: ServerResponse, headers: Array<[string, string]>): void {
  const writeHead = response.writeHead;
  response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (!this.headersSent) {
      for (const [name, value] of headers) if (!this.hasHeader(name) && headerFromArgs(args, name.toLowerCase()) === undefined) this.setHeader(name, value);
      if (!this.hasHeader("content-security-policy") && headerFromArgs(args, "content-security-policy") === undefined) {
        const type = String(this.getHeader("content-type") ?? headerFromArgs(args, "content-type") ?? "");
        this.setHeader("Content-Security-Policy", /^text\/html/i.test(type) ? FALLBACK_HTML_CSP : FALLBACK_CSP);
      }
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse["writeHead"];
}

const PROBLEM_TITLES: Record<number, string> = { 400: "Bad Request", 413: "Content Too Large", 414: "URI Too Long", 500: "Internal Server Error" };

/** An RFC 9457 answer written straight to the socket's response (lib/problem.ts's shape). */
function sendProblem(response: ServerResponse, status: number, detail: string, options: { close?: boolean; instance?: string; lingerMs?: number } = {}): void {
  const body = JSON.stringify({ type: "about:blank", title: PROBLEM_TITLES[status] ?? "Error", status, detail, ...(options.instance ? { instance: options.instance } : {}) });
  response.statusCode = status;
  response.setHeader("Content-Type", "application/problem+json");
  response.setHeader("Content-Length", Buffer.byteLength(body));
  response.setHeader("Cache-Control", "no-store");
  if (options.close) response.setHeader("Connection", "close");
  if (!options.lingerMs) return void response.end(body);
  // The whole answer now (its length is known, so the client can read it at once); the end,
  // after which Node closes a connection whose request is unfinished, only later.
  response.write(body);
  setTimeout(() => response.end(), options.lingerMs).unref();
}

// Percent-escapes of C0 controls and DEL (%00–%1F, %7F), and raw ones.
const ENCODED_CONTROL = /%(?:[01][0-9a-f]|7f)/i;
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u001f\u007f]/;

/** Why the URL is refused, or null: a path that does not decode, or a control character (NUL included) anywhere. */
export function urlProblem(url: string): string | null {
  if (RAW_CONTROL.test(url)) return "The address contains a control character.";
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return "The address contains a malformed percent-escape.";
  }
  if (RAW_CONTROL.test(decoded) || (query !== -1 && ENCODED_CONTROL.test(url.slice(query)))) return "The address contains a control character.";
  return null;
}

// \u0000 as a JSON (or JavaScript) escape: a backslash that is not itself escaped.
const ESCAPED_NUL = /(?<!\\)(?:\\\\)*\\u0000/i;

/**
 * Why the body is refused, or null: a NUL byte (raw, as \u0000 or, in a form, as %00) in any
 * body but the media upload's file (an image is binary). PostgreSQL text cannot hold NUL.
 */
export function bodyProblem(pathname: string, contentType: string, body: Buffer): string | null {
  if (pathname === "/api/media" && /^multipart\/form-data/i.test(contentType)) return null;
  if (body.includes(0)) return "The body contains a NUL byte.";
  const text = body.toString("latin1");
  if (ESCAPED_NUL.test(text)) return "The body contains a NUL character.";
  if (/^application\/x-www-form-urlencoded/i.test(contentType) && /%00/.test(text)) return "The body contains a NUL character.";
  return null;
}

const ADDRESS_HEADERS = new Set(["x-forwarded-for", "x-real-ip", "forwarded", CLIENT_IP_HEADER]);

/**
 * Decides the client's address (the socket's; the last X-Forwarded-For entry only with
 * TRUST_PROXY), removes every address header the client sent and sets x-ripple-client-ip
 * and X-Forwarded-For to that one address, so neither the app nor Next's own fill-in can
 * believe a client's claim.
 */
export function stampClientAddress(request: IncomingMessage, trustProxy: boolean): string {
  const forwardedFor = request.headers["x-forwarded-for"];
  const ip = clientIp({ socketAddress: request.socket.remoteAddress, forwardedFor: Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor, trustProxy });
  for (const name of ADDRESS_HEADERS) delete request.headers[name];
  request.headers[CLIENT_IP_HEADER] = ip;
  request.headers["x-forwarded-for"] = ip;
  const raw: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    if (!ADDRESS_HEADERS.has(request.rawHeaders[i]!.toLowerCase())) raw.push(request.rawHeaders[i]!, request.rawHeaders[i + 1]!);
  }
  raw.push(CLIENT_IP_HEADER, ip, "X-Forwarded-For", ip);
  request.rawHeaders = raw;
  return ip;
}

function hasBody(request: IncomingMessage): boolean {
  return request.headers["transfer-encoding"] !== undefined || (request.headers["content-length"] !== undefined && request.headers["content-length"] !== "0");
}

/**
 * Refuses a body past its limit: the whole 413 at once, then no further reading (the paused
 * socket's window fills, so the client's writes wait, and nothing is buffered) until the
 * socket is destroyed 2 s later. Closing at once (Connection: close) made a client still
 * writing meet a reset before it could read the 413 (EPIPE in the e2e run on a busy machine).
 */
const REFUSED_GRACE_MS = 2_000;

function refuseTooLarge(request: IncomingMessage, response: ServerResponse, limit: number, pathname: string): void {
  request.pause();
  request.removeAllListeners("data");
  response.once("finish", () => request.socket.destroy());
  sendProblem(response, 413, `The request body may be at most ${Math.floor(limit / KB)} KB here.`, { instance: pathname, lingerMs: REFUSED_GRACE_MS });
}

/** The body, read up to the limit; null when it was refused or the client went away. */
function readBody(request: IncomingMessage, response: ServerResponse, limit: number, pathname: string): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: Buffer | null) => {
      if (done) return;
      done = true;
      resolve(value);
    };
    request.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        refuseTooLarge(request, response, limit, pathname);
        finish(null);
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => finish(Buffer.concat(chunks, size)));
    request.on("error", () => finish(null));
    request.on("close", () => finish(null));
  });
}

/** A request Next can read the checked body from: the original's head, the buffered body. */
function replayRequest(original: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(original.socket);
  copy.method = original.method;
  copy.url = original.url;
  copy.httpVersion = original.httpVersion;
  copy.httpVersionMajor = original.httpVersionMajor;
  copy.httpVersionMinor = original.httpVersionMinor;
  const headers = { ...original.headers, "content-length": String(body.length) };
  delete headers["transfer-encoding"];
  copy.headers = headers;
  const raw: string[] = [];
  for (let i = 0; i + 1 < original.rawHeaders.length; i += 2) {
    const name = original.rawHeaders[i]!.toLowerCase();
    if (name !== "content-length" && name !== "transfer-encoding") raw.push(original.rawHeaders[i]!, original.rawHeaders[i + 1]!);
  }
  raw.push("Content-Length", String(body.length));
  copy.rawHeaders = raw;
  // Complete, or Node would count its end as an abort and destroy the shared socket.
  copy.complete = true;
  if (body.length > 0) copy.push(body);
  copy.push(null);
  return copy;
}

async function serve(request: IncomingMessage, response: ServerResponse, handler: FrontHandler, config: FrontConfig, headers: Array<[string, string]>): Promise<void> {
  addSecurityHeaders(response, headers);
  const url = request.url ?? "/";
  if (Buffer.byteLength(url) > FRONT_LIMITS.urlBytes) return sendProblem(response, 414, `The address may be at most ${FRONT_LIMITS.urlBytes / KB} KB long.`, { close: hasBody(request) });
  const refused = urlProblem(url);
  if (refused) return sendProblem(response, 400, refused, { close: hasBody(request) });
  const pathname = url.split("?", 1)[0]!;
  stampClientAddress(request, config.trustProxy);
  if (!hasBody(request)) {
    await handler(request, response);
    return;
  }
  const limit = bodyLimit(pathname);
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > limit) return refuseTooLarge(request, response, limit, pathname);
  const body = await readBody(request, response, limit, pathname);
  if (!body) return;
  const bad = bodyProblem(pathname, String(request.headers["content-type"] ?? ""), body);
  if (bad) return sendProblem(response, 400, bad, { instance: pathname });
  await handler(replayRequest(request, body), response);
}

/**
 * The server: node:http with bounded header size and timeouts, each request checked (see
 * serve) before the handler — Next's request handler in `npm start`, a stand-in in tests.
 */
export function createFrontServer(options: { handler: FrontHandler; config: FrontConfig; timeouts?: { headersMs: number; requestMs: number } }): Server {
  const headers = securityHeaders(options.config.appUrl);
  const { headersMs, requestMs } = options.timeouts ?? { headersMs: FRONT_LIMITS.headersMs, requestMs: FRONT_LIMITS.requestMs };
  const server = createServer(
    // Node checks the timeouts every connectionsCheckingInterval (30 s by default): often enough that they hold.
    { maxHeaderSize: FRONT_LIMITS.headerBytes, headersTimeout: headersMs, requestTimeout: requestMs, connectionsCheckingInterval: Math.min(5_000, Math.ceil(headersMs / 4)) },
    (request, response) => {
      serve(request, response, options.handler, options.config, headers).catch((error: unknown) => {
        log.error({ err: error, path: (request.url ?? "").split("?", 1)[0] }, "request failed");
        if (!response.headersSent) sendProblem(response, 500, "Something went wrong on our side.");
        else response.destroy();
      });
    },
  );
  server.keepAliveTimeout = FRONT_LIMITS.keepAliveMs;
  return server;
}

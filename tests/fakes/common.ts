import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { setMaxListeners } from "node:events";
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * The machinery the fake social-network servers share: a plain node:http server on
 * 127.0.0.1 with a random port, body parsing, a request log, fault injection, latency,
 * a clock tests can move forward, fixed-window rate limits, and the OAuth 2.0 pieces
 * (authorize page, single-use codes with PKCE, tokens). Each network's file adds its own
 * routes and error shapes, after /shared/networks.md.
 */

// ---------------------------------------------------------------------------------------
// Requests and responses

export type Form = Record<string, string | string[]>;

export interface FakeRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  /** The query string as sent (without "?"), for parsers that must see the raw encoding. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  /**
   * JSON bodies parsed; form bodies as a Form (a repeated key or `key[]` gives an array);
   * anything else as text; undefined when empty. Unparseable JSON stays text.
   */
  body: unknown;
  /** The body's bytes as sent (uploads). */
  raw: Buffer;
  at: Date;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as is, anything else as JSON; undefined sends an empty body. */
  body?: unknown;
  /** Defaults to JSON for non-string bodies and plain text for strings. */
  contentType?: string;
  /** A body written piece by piece as it is produced (server-sent events), instead of `body`. */
  stream?: AsyncIterable<string>;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): FakeResponse => ({ status, body, headers });

const htmlPage = (status: number, markup: string): FakeResponse => ({ status, body: markup, contentType: "text/html; charset=utf-8" });

const redirect = (location: string): FakeResponse => ({ status: 302, headers: { location } });

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A single string field of a JSON or form body; the first value of a repeated form key. */
export function field(body: unknown, name: string): string | undefined {
  if (!isRecord(body)) return undefined;
  const value = body[name];
  if (Array.isArray(value)) return typeof value[0] === "string" ? value[0] : undefined;
  return typeof value === "string" ? value : undefined;
}

function parseForm(text: string): Form {
  const form: Form = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const isArray = rawKey.endsWith("[]");
    const key = isArray ? rawKey.slice(0, -2) : rawKey;
    const existing = form[key];
    if (existing === undefined) form[key] = isArray ? [value] : value;
    else form[key] = [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return form;
}

function parseBody(contentType: string, text: string): unknown {
  if (text.length === 0) return undefined;
  if (contentType.includes("application/json")) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  if (contentType.includes("application/x-www-form-urlencoded")) return parseForm(text);
  return text;
}

async function readRequest(incoming: http.IncomingMessage, now: number): Promise<FakeRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const target = incoming.url ?? "/";
  const queryAt = target.indexOf("?");
  const rawQuery = queryAt === -1 ? "" : target.slice(queryAt + 1);
  return {
    method: incoming.method ?? "GET",
    path: queryAt === -1 ? target : target.slice(0, queryAt),
    query: new URLSearchParams(rawQuery),
    rawQuery,
    headers: incoming.headers,
    body: parseBody(incoming.headers["content-type"] ?? "", Buffer.concat(chunks).toString("utf8")),
    raw: Buffer.concat(chunks),
    at: new Date(now),
  };
}

/** A streamed reply: headers at once, each piece as it comes, the end when the stream ends. */
async function sendStream(res: http.ServerResponse, reply: FakeResponse & { stream: AsyncIterable<string> }): Promise<void> {
  res.writeHead(reply.status, { "content-type": reply.contentType ?? "text/plain; charset=utf-8", "cache-control": "no-cache", ...reply.headers });
  res.flushHeaders();
  for await (const piece of reply.stream) {
    if (res.destroyed) return;
    res.write(piece);
  }
  res.end();
}

function send(res: http.ServerResponse, reply: FakeResponse): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload = "";
  if (reply.body !== undefined) {
    const isText = typeof reply.body === "string";
    payload = isText ? (reply.body as string) : JSON.stringify(reply.body);
    headers["content-type"] ??= reply.contentType ?? (isText ? "text/plain; charset=utf-8" : "application/json; charset=utf-8");
  }
  headers["content-length"] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers).end(payload);
}

// ---------------------------------------------------------------------------------------
// Routing

export type Params = Record<string, string>;
export type RouteHandler = (req: FakeRequest, params: Params) => FakeResponse | Promise<FakeResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

/** A method and path table; `:name` segments become params. */
export function router(table: Array<[method: string, path: string, handler: RouteHandler]>, notFound: RouteHandler) {
  const routes: Route[] = table.map(([method, path, handler]) => {
    const names: string[] = [];
    const source = path.replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    return { method, pattern: new RegExp(`^${source}$`), names, handler };
  });
  return (req: FakeRequest): FakeResponse | Promise<FakeResponse> => {
    for (const route of routes) {
      if (route.method !== req.method) continue;
      const match = route.pattern.exec(req.path);
      if (!match) continue;
      const params: Params = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1] ?? "")));
      return route.handler(req, params);
    }
    return notFound(req, {});
  };
}

// ---------------------------------------------------------------------------------------
// Time

/** Real time plus an offset that tests move forward (token expiry, rate-limit windows…). */
export class Clock {
  private offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

// ---------------------------------------------------------------------------------------
// Faults

export interface Fault {
  /** Which requests the fault applies to; every request when absent. */
  match?: (req: FakeRequest) => boolean;
  /** Answer with this status instead of handling the request. */
  status?: number;
  /** How many matching requests it applies to (default 1; Infinity for all). */
  times?: number;
  /** Extra or overriding response headers of the injected answer. */
  headers?: Record<string, string>;
  /** The injected answer's body; the network's usual error body for `status` when absent. */
  body?: unknown;
  /** Delay before answering (with `status`) or before normal handling (without). */
  latencyMs?: number;
  /** Never answer: the client sees a timeout. */
  hang?: boolean;
}

export interface FakeServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** Every request received, in order, faults included. */
  requests: FakeRequest[];
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Delay every request by this much (the `latencyMs` option). */
  setLatency(ms: number): void;
  /** Moves the fake's clock forward: codes, tokens, windows and idempotency keys age. */
  advanceTime(ms: number): void;
  close(): Promise<void>;
}

export interface ServerSetup {
  clock: Clock;
  latencyMs?: number;
  handle(req: FakeRequest): FakeResponse | Promise<FakeResponse>;
  /** The network's error body for an injected status without a body. */
  faultBody(status: number): unknown;
  /** Adds headers the network sends on every response (rate limits), injected ones too. */
  decorate?(req: FakeRequest, reply: FakeResponse): FakeResponse;
}

export async function startFakeServer(setup: ServerSetup): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const faults: Array<Fault & { left: number }> = [];
  const closing = new AbortController();
  // Every request in flight waits on this one signal (latency): thousands at once are normal.
  setMaxListeners(0, closing.signal);
  let latencyMs = setup.latencyMs ?? 0;
  const decorate = (req: FakeRequest, reply: FakeResponse) => (setup.decorate ? setup.decorate(req, reply) : reply);

  const takeFault = (req: FakeRequest): Fault | undefined => {
    const fault = faults.find((f) => f.left > 0 && (f.match?.(req) ?? true));
    if (fault) fault.left--;
    return fault;
  };

  const serve = async (incoming: http.IncomingMessage, res: http.ServerResponse) => {
    const req = await readRequest(incoming, setup.clock.now());
    requests.push(req);
    const wait = (ms: number) => (ms > 0 ? sleep(ms, undefined, { signal: closing.signal }) : Promise.resolve());
    await wait(latencyMs);
    const fault = takeFault(req);
    await wait(fault?.latencyMs ?? 0);
    if (fault?.hang) return;
    if (fault?.status !== undefined) {
      const reply = decorate(req, { status: fault.status, body: fault.body ?? setup.faultBody(fault.status) });
      send(res, { ...reply, headers: { ...reply.headers, ...fault.headers } });
      return;
    }
    const reply = decorate(req, await setup.handle(req));
    if (reply.stream) await sendStream(res, reply as FakeResponse & { stream: AsyncIterable<string> });
    else send(res, reply);
  };

  const server = http.createServer((incoming, res) => {
    serve(incoming, res).catch((error: unknown) => {
      if (closing.signal.aborted) return;
      console.error("fake server error", error);
      if (!res.headersSent) send(res, { status: 500, body: { error: `fake server bug: ${String(error)}` } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    clearFaults: () => void faults.splice(0),
    setLatency: (ms) => void (latencyMs = ms),
    advanceTime: (ms) => setup.clock.advance(ms),
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------
// Rate limits

export interface RateState {
  limit: number;
  remaining: number;
  /** When the window ends, epoch milliseconds. */
  resetAt: number;
  exceeded: boolean;
}

/**
 * Fixed windows per key. `aligned` windows start at multiples of the window length
 * (Rack::Attack, Mastodon); otherwise a window starts at its first request (X).
 */
export class FixedWindows {
  private windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
    private readonly aligned: boolean,
  ) {}

  private current(key: string) {
    const now = this.clock.now();
    let window = this.windows.get(key);
    if (!window || now >= window.start + this.windowMs) {
      window = { start: this.aligned ? now - (now % this.windowMs) : now, count: 0 };
      this.windows.set(key, window);
    }
    return window;
  }

  /** Counts one request. */
  hit(key: string, limit: number): RateState {
    const window = this.current(key);
    window.count++;
    return this.state(window, limit);
  }

  /** The state without counting. */
  peek(key: string, limit: number): RateState {
    return this.state(this.current(key), limit);
  }

  reset(): void {
    this.windows.clear();
  }

  private state(window: { start: number; count: number }, limit: number): RateState {
    return {
      limit,
      remaining: Math.max(0, limit - window.count),
      resetAt: window.start + this.windowMs,
      exceeded: window.count > limit,
    };
  }
}

// ---------------------------------------------------------------------------------------
// Identifiers and credentials

export const randomToken = (bytes = 24): string => randomBytes(bytes).toString("base64url");

/** Time-ordered numeric ids: (milliseconds − epoch) shifted left, plus a sequence. */
export function snowflakes(clock: Clock, shift: bigint, epochMs = 0n) {
  let sequence = 0n;
  return (): string => {
    sequence = (sequence + 1n) % (1n << shift);
    return (((BigInt(clock.now()) - epochMs) << shift) + sequence).toString();
  };
}

export function bearerToken(req: FakeRequest): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  return match?.[1];
}

/** client id and secret of an `Authorization: Basic` header. */
export function basicCredentials(req: FakeRequest): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

export function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// ---------------------------------------------------------------------------------------
// OAuth 2.0: codes

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  codeChallenge?: { value: string; method: "S256" | "plain" };
}

export interface Grant extends AuthorizationRequest {
  account: string;
  expiresAt: number;
  used: boolean;
}

/** Authorization codes: single use, 60 seconds, bound to client, redirect URI and PKCE. */
export class AuthorizationCodes {
  static readonly LIFETIME_MS = 60_000;
  private grants = new Map<string, Grant>();
  constructor(private readonly clock: Clock) {}

  issue(request: AuthorizationRequest, account: string): string {
    const code = randomToken(24);
    this.grants.set(code, { ...request, account, expiresAt: this.clock.now() + AuthorizationCodes.LIFETIME_MS, used: false });
    return code;
  }

  /**
   * The grant, marked used, when the code is known, unused, unexpired and presented by its
   * client with its redirect URI (and PKCE verifier when a challenge was sent); otherwise
   * undefined and the code stays as it was.
   */
  redeem(code: string | undefined, by: { clientId: string | undefined; redirectUri: string | undefined; codeVerifier: string | undefined }): Grant | undefined {
    const grant = code === undefined ? undefined : this.grants.get(code);
    if (!grant || grant.used || this.clock.now() >= grant.expiresAt) return undefined;
    if (grant.clientId !== by.clientId || grant.redirectUri !== by.redirectUri) return undefined;
    if (grant.codeChallenge && !pkceMatches(grant.codeChallenge, by.codeVerifier)) return undefined;
    grant.used = true;
    return grant;
  }
}

/**
 * The PKCE challenge of an authorize request: undefined when none was sent, "invalid" for
 * an unknown method (RFC 7636: "plain" when the method is absent).
 */
export function codeChallenge(params: URLSearchParams): AuthorizationRequest["codeChallenge"] | "invalid" | undefined {
  const value = params.get("code_challenge");
  if (!value) return undefined;
  const method = params.get("code_challenge_method") ?? "plain";
  return method === "S256" || method === "plain" ? { value, method } : "invalid";
}

function pkceMatches(challenge: { value: string; method: "S256" | "plain" }, verifier: string | undefined): boolean {
  if (verifier === undefined) return false;
  const computed = challenge.method === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
  return computed === challenge.value;
}

// ---------------------------------------------------------------------------------------
// OAuth 2.0: tokens

export interface TokenRecord {
  value: string;
  kind: "access" | "refresh";
  account: string;
  clientId: string;
  scopes: string[];
  issuedAt: number;
  /** Epoch milliseconds; undefined for tokens that live until revoked (Mastodon). */
  expiresAt: number | undefined;
  revoked: boolean;
}

export type TokenCheck = { ok: true; token: TokenRecord } | { ok: false; reason: "missing" | "unknown" | "revoked" | "expired" };

export class TokenStore {
  private tokens = new Map<string, TokenRecord>();
  constructor(
    private readonly clock: Clock,
    private readonly prefix = "",
  ) {}

  issue(kind: TokenRecord["kind"], fields: { account: string; clientId: string; scopes: string[]; expiresAt?: number }): TokenRecord {
    const token: TokenRecord = {
      value: this.prefix + randomToken(32),
      kind,
      account: fields.account,
      clientId: fields.clientId,
      scopes: fields.scopes,
      issuedAt: this.clock.now(),
      expiresAt: fields.expiresAt,
      revoked: false,
    };
    this.tokens.set(token.value, token);
    return token;
  }

  check(value: string | undefined, kind: TokenRecord["kind"] = "access"): TokenCheck {
    if (value === undefined) return { ok: false, reason: "missing" };
    const token = this.tokens.get(value);
    if (!token || token.kind !== kind) return { ok: false, reason: "unknown" };
    if (token.revoked) return { ok: false, reason: "revoked" };
    if (token.expiresAt !== undefined && this.clock.now() >= token.expiresAt) return { ok: false, reason: "expired" };
    return { ok: true, token };
  }

  get(value: string): TokenRecord | undefined {
    return this.tokens.get(value);
  }

  /** Revokes a token; false when it is unknown. */
  revoke(value: string): boolean {
    const token = this.tokens.get(value);
    if (token) token.revoked = true;
    return token !== undefined;
  }

  /** Makes a token expire now; false when it is unknown. */
  expire(value: string): boolean {
    const token = this.tokens.get(value);
    if (token) token.expiresAt = this.clock.now();
    return token !== undefined;
  }
}

// ---------------------------------------------------------------------------------------
// OAuth 2.0: the authorize page

export const DEFAULT_ACCOUNT = "ripple-user";

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function errorPage(network: string, message: string): FakeResponse {
  return htmlPage(400, page(`Authorization error – ${network}`, `<h1>Authorization error</h1>\n<p>${escapeHtml(message)}</p>`));
}

/** The checked authorize request, or the reason it gets a 400 page rather than a redirect. */
export type AuthorizeCheck =
  | { ok: true; request: AuthorizationRequest; appName: string; redirectError?: { error: string; error_description: string } }
  | { ok: false; message: string };

export interface AuthorizeConfig {
  /** Shown in the page title, e.g. "Fake LinkedIn". */
  network: string;
  autoApprove: boolean;
  codes: AuthorizationCodes;
  /** Validates client, redirect URI and scopes from the query (GET) or form (POST). */
  check(params: URLSearchParams): AuthorizeCheck;
  /** The redirect error when the user presses Cancel. */
  denied: { error: string; error_description: string };
}

function redirectWith(redirectUri: string, params: Record<string, string | undefined>): FakeResponse {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) target.searchParams.set(name, value);
  return redirect(target.toString());
}

function consentPage(config: AuthorizeConfig, action: string, params: URLSearchParams, appName: string, scopes: string[], problem?: string): FakeResponse {
  const hidden = [...params]
    .filter(([name]) => name !== "account" && name !== "decision")
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n");
  const body = `<h1>Authorize ${escapeHtml(appName)}</h1>
<p>${escapeHtml(appName)} asks ${escapeHtml(config.network)} for access to your account:</p>
<ul aria-label="Requested scopes">
${scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join("\n")}
</ul>
<form method="post" action="${escapeHtml(action)}">
${hidden}
${problem ? `<p role="alert" id="account-error">${escapeHtml(problem)}</p>\n` : ""}<label for="account">Account</label>
<input id="account" name="account" type="text" value="${DEFAULT_ACCOUNT}" autocomplete="username" required${problem ? ' aria-invalid="true" aria-describedby="account-error"' : ""}>
<button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>`;
  return htmlPage(problem ? 400 : 200, page(`Authorize ${appName} – ${config.network}`, body));
}

const ACCOUNT_NAME = /^[A-Za-z0-9_.-]{1,30}$/;

/**
 * The authorize endpoint: GET shows the consent page (or, with autoApprove, redirects at
 * once as "ripple-user"); the page's form POSTs back here and is redirected (302) to
 * redirect_uri?code=…&state=…. An unknown client or redirect URI gets a 400 page, never a
 * redirect. Node tests can also POST the form themselves (account=<name>&decision=approve).
 */
export function authorize(req: FakeRequest, config: AuthorizeConfig): FakeResponse {
  const params = req.method === "POST" ? new URLSearchParams(typeof req.body === "string" ? req.body : formToPairs(req.body)) : req.query;
  const checked = config.check(params);
  if (!checked.ok) return errorPage(config.network, checked.message);
  const { request, appName, redirectError } = checked;
  if (redirectError) return redirectWith(request.redirectUri, { ...redirectError, state: request.state });

  if (req.method === "GET") {
    if (!config.autoApprove) return consentPage(config, req.path, params, appName, request.scopes);
    return redirectWith(request.redirectUri, { code: config.codes.issue(request, DEFAULT_ACCOUNT), state: request.state });
  }
  if (params.get("decision") === "deny") return redirectWith(request.redirectUri, { ...config.denied, state: request.state });
  const account = (params.get("account") ?? "").trim();
  if (!ACCOUNT_NAME.test(account)) {
    return consentPage(config, req.path, params, appName, request.scopes, "Enter an account name: letters, digits, '.', '_' or '-'.");
  }
  return redirectWith(request.redirectUri, { code: config.codes.issue(request, account), state: request.state });
}

function formToPairs(body: unknown): Array<[string, string]> {
  if (!isRecord(body)) return [];
  return Object.entries(body).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string").map((v): [string, string] => [name, v]),
  );
}

/** True when `uri` is an absolute http(s) URL without a fragment. */
export function isRedirectUri(uri: string | null | undefined): uri is string {
  if (!uri) return false;
  try {
    const url = new URL(uri);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hash === "";
  } catch {
    return false;
  }
}

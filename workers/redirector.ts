import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeDb } from "@/lib/db";
import { envFor } from "@/lib/env";
import { clientIp } from "@/lib/links/client-address";
import { createRedirectorRuntime, type Outcome } from "@/lib/links/redirect";
import { notFoundAnswer, type Answer } from "@/lib/links/redirect-answers";
import { log } from "@/lib/log";
import { redisConfig, redisMistake } from "@/lib/queue";
import { FALLBACK_CSP, securityHeaders } from "@/lib/web/security-headers";
import { exitOnConfigError, exitOnMistake } from "./startup";

/**
 * `npm run redirector`: /r/<code> (and GET /healthz) on a bare node:http server, for links with
 * more traffic than the web app should carry; same core as lib/links/redirect.ts. SIGTERM:
 * drain, flush the clicks buffered for Redis, exit.
 */

const SHUTDOWN_DEADLINE_MS = 15_000;
const PREFIX = "/r/";

// Only what this process uses: it needs no sign-in or network configuration.
const config = exitOnConfigError(() => envFor(["DATABASE_URL", "QUEUE_PREFIX", "HOST", "REDIRECTOR_PORT", "TRUST_PROXY", "CLICK_STREAM_MAXLEN"]));
exitOnConfigError(() => redisConfig());

// Lookup and recording in this one process, as in the Next route. To use more cores, run
// more redirector processes behind the proxy: they share nothing but Redis and Postgres.
const runtime = createRedirectorRuntime();
const { redirector, recorder } = runtime;

/**
 * The three headers a click needs, straight from the raw list: `request.headers` would
 * build an object of every header on first use, a cost the hot path need not pay. The
 * first of a repeated header counts, as Node does for these.
 */
function wantedHeaders(raw: string[]): { userAgent?: string; referer?: string; forwardedFor?: string } {
  const found: { userAgent?: string; referer?: string; forwardedFor?: string } = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 10 && found.userAgent === undefined && name.toLowerCase() === "user-agent") found.userAgent = raw[i + 1];
    else if (name.length === 7 && found.referer === undefined && name.toLowerCase() === "referer") found.referer = raw[i + 1];
    else if (name.length === 15 && found.forwardedFor === undefined && name.toLowerCase() === "x-forwarded-for") found.forwardedFor = raw[i + 1];
  }
  return found;
}

// The web server's headers (no HSTS: this process does not know the public address; the TLS proxy in front sets it).
const STATIC_HEADERS: Record<string, string> = Object.freeze({ ...Object.fromEntries(securityHeaders().map(([name, value]) => [name.toLowerCase(), value])), "content-security-policy": FALLBACK_CSP });

function send(request: IncomingMessage, response: ServerResponse, answer: Answer): void {
  response.writeHead(answer.status, { ...STATIC_HEADERS, ...answer.headers });
  response.end(request.method === "HEAD" ? undefined : answer.body);
}

function respond(request: IncomingMessage, response: ServerResponse, outcome: Outcome): void {
  send(request, response, outcome.answer);
  // Answer first, record after.
  outcome.record?.();
}

const server = createServer((request, response) => {
  const url = request.url ?? "/";
  const method = request.method ?? "GET";
  if (method !== "GET" && method !== "HEAD") {
    response.writeHead(405, { ...STATIC_HEADERS, allow: "GET, HEAD", "content-length": "0" });
    response.end();
    return;
  }
  if (url === "/healthz") {
    response.writeHead(200, { ...STATIC_HEADERS, "content-type": "text/plain", "cache-control": "no-store" });
    response.end(method === "HEAD" ? undefined : "ok\n");
    return;
  }
  if (!url.startsWith(PREFIX)) {
    send(request, response, notFoundAnswer());
    return;
  }
  const query = url.indexOf("?");
  const code = url.slice(PREFIX.length, query === -1 ? undefined : query);
  const { userAgent, referer, forwardedFor } = wantedHeaders(request.rawHeaders);
  const outcome = redirector.handle({
    method,
    code,
    userAgent,
    referer,
    ip: clientIp({ socketAddress: request.socket.remoteAddress, forwardedFor, trustProxy: config.TRUST_PROXY }),
  });
  if (!(outcome instanceof Promise)) return respond(request, response, outcome);
  outcome.then(
    (resolved) => respond(request, response, resolved),
    (error: unknown) => {
      log.error({ err: error }, "redirect lookup failed");
      if (!response.headersSent) response.writeHead(503, { ...STATIC_HEADERS, "content-type": "text/plain", "retry-after": "5", "cache-control": "no-store" });
      response.end("Temporarily unavailable\n");
    },
  );
});
server.keepAliveTimeout = 65_000;

async function main() {
  await exitOnMistake(() => redisMistake());
  await recorder.warm().catch((error: unknown) => log.warn({ err: error }, "visitor salt not loaded yet; clicks wait for it"));
  await new Promise<void>((resolve) => server.listen(config.REDIRECTOR_PORT, config.HOST, resolve));
  log.info({ port: config.REDIRECTOR_PORT, host: config.HOST }, "redirector listening");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "redirector stopping");
    const deadline = setTimeout(() => {
      log.error("redirector did not stop in time; exiting");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    // Stop accepting; idle keep-alive connections are closed, busy ones after their answer.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 3_000))]);
    server.closeAllConnections();
    await runtime.close(SHUTDOWN_DEADLINE_MS - 5_000);
    await closeDb();
    log.info({ ...redirector.stats, ...recorder.stats, ...recorder.buffer.stats }, "redirector stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, "redirector failed to start");
  process.exit(1);
});

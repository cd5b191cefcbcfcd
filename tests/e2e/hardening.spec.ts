import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { expect, test, type APIResponse } from "@playwright/test";
import { E2E_PORT, baseURL } from "./env";
import { storedSession, withDatabase } from "./support";

/**
 * The web server in front of Next (lib/web/front.ts) against the real production build:
 * bodies bounded while they stream (memory stays flat under 50 MB and a flood of oversized
 * bodies), security headers on pages, API answers and media, the Origin check on a cookie
 * upload, and malformed addresses answered 400, never 500.
 */

/** The web process's resident memory in bytes (its own process: global-setup starts it without a launcher). */
function rss(): number {
  const status = readFileSync(`/proc/${process.env.E2E_WEB_PID}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** A chunked POST (no Content-Length) of `total` bytes, written until the server answers. */
function chunkedPost(path: string, total: number): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const chunk = Buffer.alloc(64 * 1024, "a");
    const req = httpRequest({ host: "127.0.0.1", port: E2E_PORT, method: "POST", path, agent: false, headers: { "content-type": "application/x-www-form-urlencoded", host: `localhost:${E2E_PORT}` } }, (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, body, sent }));
      res.on("error", () => resolve({ status: res.statusCode!, body, sent }));
    });
    req.on("error", (error) => (answered ? undefined : reject(error)));
    const pump = () => {
      while (sent < total && !answered && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered && !req.destroyed) req.end();
    };
    pump();
  });
}

/** GET with the path exactly as written (no client-side normalisation). */
function rawGet(path: string): Promise<{ status: number; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: E2E_PORT, path, agent: false, headers: { host: `localhost:${E2E_PORT}` } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode!, type: res.headers["content-type"] }));
    });
    req.on("error", reject);
    req.end();
  });
}

const MB = 1024 * 1024;

test("a 50 MB chunked body to an unauthenticated endpoint is refused with 413 and the web process grows by less than 20 MB; so is a flood of them", async () => {
  test.setTimeout(120_000);
  // Warm: the refusal path once, so the measurement sees no first-use allocations.
  await chunkedPost("/api/auth/signin/email", MB);
  const before = rss();
  const big = await chunkedPost("/api/auth/signin/email", 50 * MB);
  expect(big.status).toBe(413);
  expect(JSON.parse(big.body)).toMatchObject({ type: "about:blank", title: "Content Too Large", status: 413 });
  const afterOne = rss();
  console.log(`web RSS: ${(before / MB).toFixed(1)} MB before, ${(afterOne / MB).toFixed(1)} MB after one 50 MB body (${((afterOne - before) / MB).toFixed(1)} MB); client wrote ${(big.sent / MB).toFixed(1)} MB before the answer`);
  expect(afterOne - before).toBeLessThan(20 * MB);

  // Twenty at once, each 10× the SCIM limit, to an endpoint that needs no sign-in to be reached.
  const flood = await Promise.all(Array.from({ length: 20 }, (_, i) => chunkedPost(i % 2 ? "/scim/v2/Users" : "/api/auth/signin/email", 10 * MB)));
  expect(flood.map((r) => r.status)).toEqual(Array(20).fill(413));
  const afterFlood = rss();
  console.log(`web RSS after a flood of 20 × 10 MB: ${(afterFlood / MB).toFixed(1)} MB (${((afterFlood - before) / MB).toFixed(1)} MB over the start)`);
  expect(afterFlood - before).toBeLessThan(20 * MB);
  // And the server still answers.
  expect((await rawGet("/api/health")).status).toBe(200);
});

function expectSecurityHeaders(response: APIResponse, label: string) {
  const headers = response.headers();
  expect(headers["x-content-type-options"], label).toBe("nosniff");
  expect(headers["referrer-policy"], label).toBe("strict-origin-when-cross-origin");
  expect(headers["permissions-policy"], label).toMatch(/camera=\(\).*geolocation=\(\).*microphone=\(\)/);
  expect(headers["content-security-policy"], label).toMatch(/frame-ancestors 'none'/);
  // APP_URL is http here: no HSTS.
  expect(headers["strict-transport-security"], label).toBeUndefined();
  return headers;
}

test("security headers on a page, an API answer, a media file and a static asset", async ({ request }) => {
  const page = await request.get("/signin");
  expect(page.status()).toBe(200);
  expectSecurityHeaders(page, "page");

  const api = await request.get("/api/health");
  expect(api.status()).toBe(200);
  expect(expectSecurityHeaders(api, "api")["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");

  const key = await withDatabase(async (sql) => (await sql<Array<{ key: string }>>`select key from media order by created_at limit 1`)[0]!.key);
  const file = await request.get(`/media/${key}`);
  expect(file.status()).toBe(200);
  expect(file.headers()["content-type"]).toMatch(/^image\//);
  expect(expectSecurityHeaders(file, "media")["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");

  const html = await page.text();
  const asset = /\/_next\/static\/[^"]+\.js/.exec(html)![0];
  expectSecurityHeaders(await request.get(asset), "static asset");
});

const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
const mediaCount = () => withDatabase(async (sql) => Number((await sql<Array<{ n: string }>>`select count(*) as n from media`)[0]!.n));

test.describe("the editor's session", () => {
  test.use({ storageState: storedSession("editor") });

  test("a cross-origin upload with the session cookie is refused 403 and nothing is saved; the editor's own page uploads", async ({ page, playwright }) => {
    const before = await mediaCount();
    const evil = await playwright.request.newContext({ baseURL, storageState: storedSession("editor"), extraHTTPHeaders: { origin: "https://evil.example" } });
    const refused = await evil.post("/api/media", { multipart: { file: { name: "a.png", mimeType: "image/png", buffer: PNG } } });
    expect(refused.status()).toBe(403);
    expect(refused.headers()["content-type"]).toBe("application/problem+json");
    expect((await refused.json()) as object).toMatchObject({ status: 403, title: "Forbidden" });
    await evil.dispose();
    expect(await mediaCount()).toBe(before);

    // From Ripple's own page (the browser sends its Origin) the multipart upload goes through the web server to the route.
    await page.goto("/library/new");
    const uploaded = await page.evaluate(async (bytes) => {
      const form = new FormData();
      form.set("file", new Blob([new Uint8Array(bytes)], { type: "image/png" }), "a.png");
      const response = await fetch("/api/media", { method: "POST", body: form });
      return { status: response.status, body: (await response.json()) as { url?: string } };
    }, [...PNG]);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.url).toMatch(/^\/media\//);
    expect(await mediaCount()).toBe(before + 1);
  });
});

test("malformed escapes, NUL and control characters in an address answer 400 problem+json, never 500", async () => {
  for (const path of ["/%E0%A4%A", "/feed%ZZ", "/api/v1/feed%ZZ", "/feed%00", "/r/abc%00", "/signin?callbackUrl=%0D%0A", "/api/v1/me?x=%00", "/media/%C0%AF"]) {
    const answer = await rawGet(path);
    expect(answer.status, path).toBe(400);
    expect(answer.type, path).toBe("application/problem+json");
  }
});

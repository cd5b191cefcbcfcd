import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFrontServer, FRONT_LIMITS, type FrontConfig } from "@/lib/web/front";

/**
 * The web process's own server (lib/web/front.ts) over real HTTP, with a stand-in for Next's
 * handler that records what reached it: bounded bodies (counted while they stream, chunked
 * too), headers and URLs; malformed URLs and NUL bytes refused; the client's address
 * stamped by the server, not taken from the client; security headers on every answer.
 */

type Seen = { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer };

function standIn(seen: Seen[]) {
  return async (request: IncomingMessage, response: import("node:http").ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    seen.push({ method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks) });
    if (request.url === "/own-policy") response.setHeader("content-security-policy", "default-src 'self'");
    if (request.url === "/page") {
      response.setHeader("content-type", "text/html; charset=utf-8");
      return response.end("<!doctype html><p>page</p>");
    }
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ ok: true, bytes: Buffer.concat(chunks).length }));
  };
}

async function start(config: FrontConfig): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createFrontServer({ handler: standIn(seen), config });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

type Answer = { status: number; headers: IncomingHttpHeaders; body: string; sent: number };

/**
 * One request over its own connection. `chunks` of `chunkBytes` are written one after the
 * other (chunked unless a content-length header is given), stopping when the server answers.
 */
function send(port: number, init: { method?: string; path?: string; headers?: Record<string, string | number>; body?: Buffer | string; chunks?: number; chunkBytes?: number }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest({ host: "127.0.0.1", port, method: init.method ?? "POST", path: init.path ?? "/", headers: { connection: "close", ...init.headers }, agent: false }, (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body, sent }));
      res.on("error", () => resolve({ status: res.statusCode!, headers: res.headers, body, sent }));
    });
    req.on("error", (error) => (answered ? undefined : reject(error)));
    if (init.body !== undefined) {
      sent += Buffer.byteLength(init.body);
      req.end(init.body);
      return;
    }
    if (!init.chunks) return void req.end();
    const chunk = Buffer.alloc(init.chunkBytes ?? 64 * 1024, "a");
    let left = init.chunks;
    const pump = () => {
      while (left > 0 && !answered && !req.destroyed) {
        left--;
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered && !req.destroyed) req.end();
    };
    pump();
  });
}

function expectProblem(answer: Answer, status: number) {
  expect(answer.status).toBe(status);
  expect(answer.headers["content-type"]).toBe("application/problem+json");
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(body).toMatchObject({ type: "about:blank", status });
  expect(typeof body.detail).toBe("string");
  return body;
}

let plain: Awaited<ReturnType<typeof start>>;
let proxied: Awaited<ReturnType<typeof start>>;

beforeAll(async () => {
  plain = await start({ appUrl: "http://localhost:3000", trustProxy: false });
  proxied = await start({ appUrl: "https://ripple.example", trustProxy: true });
});

afterAll(async () => {
  for (const { server } of [plain, proxied]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe("request bodies are bounded while they stream", () => {
  it("refuses a Content-Length over the limit at once with 413 problem+json; the handler never sees it", async () => {
    const before = plain.seen.length;
    const answer = await send(plain.port, { path: "/api/auth/signin/email", headers: { "content-type": "application/json", "content-length": 10 * 1024 * 1024 }, chunks: 1, chunkBytes: 1024 });
    const problem = expectProblem(answer, 413);
    expect(problem.title).toBe("Content Too Large");
    expect(problem.detail).toContain("64 KB");
    expect(plain.seen.length).toBe(before);
  });

  it("refuses a chunked body without Content-Length once it passes the limit, long before the client is done; nothing reaches the handler", async () => {
    const before = plain.seen.length;
    // 10× the limit, in 16 KB chunks.
    const answer = await send(plain.port, { path: "/api/v1/compose/check", headers: { "content-type": "application/json" }, chunks: 40, chunkBytes: 16 * 1024 });
    expectProblem(answer, 413);
    expect(plain.seen.length).toBe(before);
  });

  it("passes a body within the limit intact, chunked or not, with its real length", async () => {
    const json = JSON.stringify({ text: "Læs om vores nye fabrik ".repeat(2000) });
    expect(Buffer.byteLength(json)).toBeLessThan(FRONT_LIMITS.bodyBytes);
    const answer = await send(plain.port, { path: "/api/v1/compose/check", headers: { "content-type": "application/json" }, body: json });
    expect(answer.status).toBe(200);
    const seen = plain.seen.at(-1)!;
    expect(seen.body.toString("utf8")).toBe(json);
    expect(seen.headers["content-length"]).toBe(String(Buffer.byteLength(json)));
    expect(seen.headers["transfer-encoding"]).toBeUndefined();

    const chunked = await send(plain.port, { path: "/feed", headers: { "content-type": "text/plain;charset=UTF-8" }, chunks: 3, chunkBytes: 20 * 1024 });
    expect(chunked.status).toBe(200);
    expect(JSON.parse(chunked.body)).toEqual({ ok: true, bytes: 60 * 1024 });
  });

  it("gives the media upload its image limit, and stories, imports and SCIM 1 MB, while everything else stays at 64 KB", async () => {
    const half = { chunks: 8, chunkBytes: 64 * 1024 }; // 512 KB
    expect((await send(plain.port, { path: "/api/media", headers: { "content-type": "multipart/form-data; boundary=x" }, ...half })).status).toBe(200);
    expect((await send(plain.port, { path: "/scim/v2/Users", headers: { "content-type": "application/scim+json" }, ...half })).status).toBe(200);
    expect((await send(plain.port, { path: "/admin", headers: { "content-type": "text/plain" }, ...half })).status).toBe(200);
    expect((await send(plain.port, { path: "/library/new", headers: { "content-type": "text/plain" }, ...half })).status).toBe(200);
    expect((await send(plain.port, { path: "/settings", headers: { "content-type": "text/plain" }, ...half })).status).toBe(413);
    expect((await send(plain.port, { path: "/scim/v2/Users", headers: { "content-type": "application/scim+json" }, chunks: 20, chunkBytes: 64 * 1024 })).status).toBe(413);
    const media = await send(plain.port, { path: "/api/media", headers: { "content-type": "multipart/form-data; boundary=x" }, chunks: 100, chunkBytes: 64 * 1024 });
    expectProblem(media, 413);
  });
});

describe("headers and URLs are bounded", () => {
  it("answers 431 to headers past the limit, and the handler never sees them", async () => {
    const before = plain.seen.length;
    const answer = await raw(plain.port, `GET /feed HTTP/1.1\r\nHost: x\r\nCookie: big=${"x".repeat(FRONT_LIMITS.headerBytes + 1024)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
    expect(plain.seen.length).toBe(before);
  });

  it("answers 414 problem+json to an address longer than 8 KB", async () => {
    const before = plain.seen.length;
    const answer = await send(plain.port, { method: "GET", path: `/feed?q=${"a".repeat(FRONT_LIMITS.urlBytes)}` });
    expectProblem(answer, 414);
    expect(plain.seen.length).toBe(before);
  });
});

describe("malformed input is refused before the app parses it", () => {
  it("answers 400 problem+json to malformed percent-escapes, NUL and control characters in the path or query", async () => {
    const before = plain.seen.length;
    for (const path of ["/%E0%A4%A", "/feed%ZZ", "/%FF", "/feed%00", "/r/abc%00def", "/feed?q=%00", "/signin?callbackUrl=%2F%0D%0ASet-Cookie:x", "/feed?q=a%7Fb"]) {
      const answer = await send(plain.port, { method: "GET", path });
      expectProblem(answer, 400);
    }
    expect(plain.seen.length).toBe(before);
    // Well-formed escapes pass.
    expect((await send(plain.port, { method: "GET", path: "/feed?q=%C3%A6bler%20og%20p%C3%A6rer" })).status).toBe(200);
  });

  it("answers 400 to a body with a NUL byte (raw, as \\u0000 in JSON or action payloads, as %00 in a form); the handler never sees it", async () => {
    const before = plain.seen.length;
    const bodies: Array<[string, string | Buffer]> = [
      ["application/json", '{"title":"a\\u0000b"}'],
      ["text/plain;charset=UTF-8", '["$K1",{"csv":"navn\\u0000"}]'],
      ["application/x-www-form-urlencoded", "email=a%00%40example.com&csrfToken=x"],
      ["application/json", Buffer.from('{"title":"a\u0000b"}')],
      ["multipart/form-data; boundary=x", Buffer.from('--x\r\nContent-Disposition: form-data; name="1_title"\r\n\r\na\u0000b\r\n--x--\r\n')],
    ];
    for (const [type, body] of bodies) expectProblem(await send(plain.port, { path: "/api/v1/stories", headers: { "content-type": type }, body }), 400);
    expect(plain.seen.length).toBe(before);
    // An escaped backslash before u0000 is text, not NUL; an image's NUL bytes in the media upload are fine.
    expect((await send(plain.port, { path: "/api/v1/stories", headers: { "content-type": "application/json" }, body: '{"body":"write \\\\u0000 in JSON"}' })).status).toBe(200);
    const image = Buffer.concat([Buffer.from('--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), Buffer.from("\r\n--x--\r\n")]);
    expect((await send(plain.port, { path: "/api/media", headers: { "content-type": "multipart/form-data; boundary=x" }, body: image })).status).toBe(200);
  });
});

describe("the client's address is the server's to stamp", () => {
  const claims = { "x-forwarded-for": "198.51.100.1", "x-real-ip": "198.51.100.2", forwarded: "for=198.51.100.3", "x-ripple-client-ip": "198.51.100.4" };

  it("without TRUST_PROXY: the socket's address, whatever the client claims in any header", async () => {
    await send(plain.port, { method: "GET", path: "/r/abc", headers: claims });
    const { headers } = plain.seen.at(-1)!;
    expect(headers["x-ripple-client-ip"]).toBe("127.0.0.1");
    expect(headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(headers["x-real-ip"]).toBeUndefined();
    expect(headers.forwarded).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain("198.51.100");
  });

  it("with TRUST_PROXY: the last X-Forwarded-For entry, the one the installation's proxy appended", async () => {
    await send(proxied.port, { method: "GET", path: "/r/abc", headers: { ...claims, "x-forwarded-for": "198.51.100.1, 203.0.113.50" } });
    expect(proxied.seen.at(-1)!.headers["x-ripple-client-ip"]).toBe("203.0.113.50");
    await send(proxied.port, { method: "GET", path: "/r/abc", headers: { "x-ripple-client-ip": "198.51.100.4" } });
    expect(proxied.seen.at(-1)!.headers["x-ripple-client-ip"]).toBe("127.0.0.1");
  });
});

describe("security headers on every answer", () => {
  const staticHeaders = (headers: IncomingHttpHeaders) => {
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["permissions-policy"]).toMatch(/camera=\(\).*geolocation=\(\).*microphone=\(\)/);
  };

  it("API answers and refusals carry them with the fallback policy; HSTS only when APP_URL is https", async () => {
    for (const answer of [await send(plain.port, { method: "GET", path: "/api/v1/me" }), await send(plain.port, { method: "GET", path: "/%ZZ" })]) {
      staticHeaders(answer.headers);
      expect(answer.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(answer.headers["strict-transport-security"]).toBeUndefined();
    }
    const https = await send(proxied.port, { method: "GET", path: "/api/v1/me" });
    staticHeaders(https.headers);
    expect(https.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
  });

  it("a policy the app set wins (one header, the app's); an HTML answer without one is still not frameable", async () => {
    const own = await send(plain.port, { method: "GET", path: "/own-policy" });
    expect(own.headers["content-security-policy"]).toBe("default-src 'self'");
    staticHeaders(own.headers);
    const page = await send(plain.port, { method: "GET", path: "/page" });
    expect(page.headers["content-security-policy"]).toBe("frame-ancestors 'none'");
  });
});

/** Raw bytes to the server; everything it answers until it closes the connection. */
function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    let data = "";
    socket.on("data", (c: Buffer) => (data += c.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(data));
  });
}

describe("slow clients", () => {
  it("closes a connection whose headers or body never finish, with 408", async () => {
    // 20 s and 120 s in production; the same check on short ones here.
    const seen: Seen[] = [];
    const server = createFrontServer({ handler: standIn(seen), config: { appUrl: "http://localhost:3000", trustProxy: false }, timeouts: { headersMs: 400, requestMs: 800 } });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    expect(await raw(port, "GET /feed HTTP/1.1\r\nHost: x\r\n")).toMatch(/^HTTP\/1\.1 408/);
    expect(await raw(port, "POST /feed HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly a little")).toMatch(/^HTTP\/1\.1 408/);
    expect(seen).toHaveLength(0);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }, 20_000);
});

import type { LookupAddress, LookupOptions } from "node:dns";
import http from "node:http";
import net, { type AddressInfo, type LookupFunction } from "node:net";
import zlib from "node:zlib";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { safeFetch, UnsafeFetchError, type UnsafeFetchReason } from "@/lib/net/safe-fetch";

type Route = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 that counts the connections it was offered. */
async function startServer(routes: Record<string, Route> = {}) {
  let connections = 0;
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request);
    const route = routes[new URL(request.url ?? "/", "http://x").pathname];
    if (route) return route(request, response);
    response.writeHead(200, { "content-type": "text/plain" }).end("hello");
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const handle = {
    port,
    origin: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}
const servers: Array<{ close: () => Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** The UnsafeFetchError a promise rejects with; fails the test if it resolves. */
async function refusal(promise: Promise<unknown>): Promise<UnsafeFetchError> {
  const error = await promise.then(
    () => new Error("expected the fetch to be refused, but it succeeded"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnsafeFetchError);
  return error as UnsafeFetchError;
}

async function expectReason(promise: Promise<unknown>, reason: UnsafeFetchReason) {
  const error = await refusal(promise);
  expect(error.reason, error.message).toBe(reason);
  return error;
}

/** A resolver that answers every name with the given addresses, as a hostile DNS server would. */
function resolvesTo(...addresses: string[]): LookupFunction {
  return (_hostname: string, options: LookupOptions, callback) => {
    const answers: LookupAddress[] = addresses.map((address) => ({ address, family: net.isIP(address) }));
    if (options.all) callback(null, answers);
    else callback(null, answers[0]!.address, answers[0]!.family);
  };
}

/**
 * Makes every socket connect throw instead of connecting, so that a regression in these
 * tests fails loudly rather than sending a packet to a real internal address.
 */
function forbidConnections() {
  return vi.spyOn(net.Socket.prototype, "connect").mockImplementation(() => {
    throw new Error("a connection was attempted");
  });
}

const redirect = (status: number, location: string): Route => (_req, res) => res.writeHead(status, { location }).end();

describe("safeFetch: internal addresses are refused by default", () => {
  const saved = process.env.ALLOW_PRIVATE_FETCH;
  afterEach(() => {
    if (saved === undefined) delete process.env.ALLOW_PRIVATE_FETCH;
    else process.env.ALLOW_PRIVATE_FETCH = saved;
  });

  it("refuses the test's own loopback server when ALLOW_PRIVATE_FETCH is not set, and reaches it when it is", async () => {
    const server = await startServer();
    delete process.env.ALLOW_PRIVATE_FETCH;
    const error = await expectReason(safeFetch(`${server.origin}/`), "privateAddress");
    expect(error.message).toContain("127.0.0.1");
    expect(server.connections()).toBe(0);

    process.env.ALLOW_PRIVATE_FETCH = "true";
    const response = await safeFetch(`${server.origin}/`);
    expect(response).toMatchObject({ status: 200, url: `${server.origin}/` });
    expect(response.body.toString()).toBe("hello");
  });

  // Literal addresses in every spelling; none of them may even open a socket.
  const probes = [
    "http://127.0.0.1/",
    "http://127.8.9.10:8080/",
    "http://[::1]/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://172.31.255.254/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "https://169.254.169.254/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[fd00:ec2::254]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://0x7f.0.0.1/",
    "http://127.1/",
    "http://100.64.0.1/",
    "http://100.100.100.200/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://168.63.129.16/",
  ];
  it.each(probes)("refuses %s at once, without opening a connection", async (url) => {
    const connect = forbidConnections();
    try {
      const started = performance.now();
      const error = await expectReason(safeFetch(url, { timeoutMs: 3_000 }), "privateAddress");
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(error.message).toMatch(/^Refused to fetch \S+/);
      expect(connect).not.toHaveBeenCalled();
    } finally {
      connect.mockRestore();
    }
  });

  it.each(["http://0.0.0.0/", "http://[::]/"])("refuses %s even with private addresses allowed (the agent's check)", async (url) => {
    const connect = forbidConnections();
    try {
      const error = await expectReason(safeFetch(url, { allowPrivate: true }), "privateAddress");
      expect(error.message).toContain("unspecified");
      expect(connect).not.toHaveBeenCalled();
    } finally {
      connect.mockRestore();
    }
  });

  it("refuses localhost by name, before the server sees a connection", async () => {
    const server = await startServer();
    const error = await expectReason(safeFetch(`http://LocalHost:${server.port}/`), "privateAddress");
    expect(error.message).toContain("localhost");
    expect(server.connections()).toBe(0);
  });

  it("refuses a public-looking name whose DNS answer is internal, and reaches it only when allowed", async () => {
    const server = await startServer();
    const url = `http://news.example.com:${server.port}/`;
    for (const answer of ["127.0.0.1", "169.254.169.254", "::ffff:127.0.0.1", "10.1.2.3"]) {
      const error = await expectReason(safeFetch(url, { lookup: resolvesTo(answer) }), "privateAddress");
      expect(error.message).toContain("news.example.com");
      expect(error.message).toContain(answer);
    }
    expect(server.connections()).toBe(0);

    // The same resolver with private addresses allowed reaches the server: the lookup is what was used.
    const response = await safeFetch(url, { lookup: resolvesTo("127.0.0.1"), allowPrivate: true });
    expect(response.status).toBe(200);
    expect(server.requests.at(-1)?.headers.host).toBe(`news.example.com:${server.port}`);
  });

  it("re-checks every redirect: an allowed server cannot send the fetcher inside the network", async () => {
    const inside = await startServer();
    const allowed = await startServer({
      "/to-loopback": redirect(302, `http://127.0.0.1:${inside.port}/secret`),
      "/to-localhost": redirect(301, `http://localhost:${inside.port}/secret`),
      "/to-metadata": redirect(307, "http://169.254.169.254/latest/meta-data/"),
      "/to-mapped": redirect(308, `http://[::ffff:127.0.0.1]:${inside.port}/`),
      "/to-decimal": redirect(303, `http://2130706433:${inside.port}/`),
    });
    const allowList = [`127.0.0.1:${allowed.port}`];

    expect((await safeFetch(`${allowed.origin}/`, { allowList })).status).toBe(200);
    for (const path of ["/to-loopback", "/to-localhost", "/to-metadata", "/to-mapped", "/to-decimal"]) {
      await expectReason(safeFetch(`${allowed.origin}${path}`, { allowList }), "privateAddress");
    }
    expect(inside.connections()).toBe(0);
    expect(allowed.requests.map((r) => r.url)).toEqual(["/", "/to-loopback", "/to-localhost", "/to-metadata", "/to-mapped", "/to-decimal"]);
  });
});

describe("safeFetch: URLs it will not fetch", () => {
  it.each([
    ["not a url", "invalidUrl"],
    ["", "invalidUrl"],
    ["http://", "invalidUrl"],
    ["ftp://example.com/file.txt", "unsupportedScheme"],
    ["file:///etc/passwd", "unsupportedScheme"],
    ["javascript:alert(1)", "unsupportedScheme"],
    ["gopher://127.0.0.1:6379/_FLUSHALL", "unsupportedScheme"],
    ["http://user:pw@example.com/", "credentialsInUrl"],
    ["https://token@example.com/", "credentialsInUrl"],
  ] as const)("%j → %s", async (url, reason) => {
    await expectReason(safeFetch(url, { allowPrivate: true }), reason);
  });

  it("refuses a redirect to another scheme or to a URL with credentials", async () => {
    const server = await startServer({
      "/ftp": redirect(302, "ftp://example.com/"),
      "/creds": redirect(302, `http://admin:admin@127.0.0.1:1/`),
    });
    await expectReason(safeFetch(`${server.origin}/ftp`, { allowPrivate: true }), "unsupportedScheme");
    await expectReason(safeFetch(`${server.origin}/creds`, { allowPrivate: true }), "credentialsInUrl");
  });
});

describe("safeFetch: limits and HTTP behaviour (private addresses allowed for the test servers)", () => {
  const allowPrivate = true;

  it("follows 301 → 302 → 200, with relative Locations, and reports the final URL", async () => {
    const server = await startServer({
      "/a": redirect(301, "/b"),
      "/b": redirect(302, "c?x=1"),
      "/c": (_req, res) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<p>done</p>"),
    });
    const response = await safeFetch(`${server.origin}/a`, { allowPrivate });
    expect(response).toMatchObject({ status: 200, url: `${server.origin}/c?x=1`, contentType: "text/html", truncated: false });
    expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(response.body.toString()).toBe("<p>done</p>");
  });

  it("follows 307, 308 and 303 up to three hops and refuses a fourth", async () => {
    const server = await startServer({
      "/1": redirect(307, "/2"),
      "/2": redirect(308, "/3"),
      "/3": redirect(303, "/4"),
      "/4": redirect(302, "/5"),
    });
    const three = await safeFetch(`${server.origin}/2`, { allowPrivate });
    expect(three).toMatchObject({ status: 200, url: `${server.origin}/5` });
    const error = await expectReason(safeFetch(`${server.origin}/1`, { allowPrivate }), "tooManyRedirects");
    expect(error.message).toContain(`127.0.0.1:${server.port}`);
    await expectReason(safeFetch(`${server.origin}/4`, { allowPrivate, maxRedirects: 0 }), "tooManyRedirects");
  });

  it("does not carry Authorization or Cookie to another origin on a redirect", async () => {
    const other = await startServer();
    const server = await startServer({ "/away": redirect(302, `${other.origin}/landing`), "/here": redirect(302, "/landing") });
    const headers = { authorization: "Bearer secret", cookie: "s=1", "x-trace": "keep" };
    await safeFetch(`${server.origin}/here`, { allowPrivate, headers });
    expect(server.requests.at(-1)?.headers).toMatchObject({ authorization: "Bearer secret", cookie: "s=1" });
    await safeFetch(`${server.origin}/away`, { allowPrivate, headers });
    const landed = other.requests.at(-1)!.headers;
    expect(landed.authorization).toBeUndefined();
    expect(landed.cookie).toBeUndefined();
    expect(landed["x-trace"]).toBe("keep");
  });

  it("sends its User-Agent, asks for compression and passes the caller's headers", async () => {
    const server = await startServer();
    await safeFetch(`${server.origin}/`, { allowPrivate, headers: { Accept: "application/rss+xml", "User-Agent": "Custom/2" } });
    expect(server.requests.at(-1)?.headers).toMatchObject({ accept: "application/rss+xml", "user-agent": "Custom/2", "accept-encoding": "gzip, deflate, br" });
    await safeFetch(`${server.origin}/`, { allowPrivate });
    expect(server.requests.at(-1)?.headers["user-agent"]).toMatch(/^RippleBot\/1\.0 \(\+https:\/\//);
  });

  it("gives up with 'timeout' when the headers never come", async () => {
    const server = await startServer({ "/silent": () => undefined });
    const started = performance.now();
    const error = await expectReason(safeFetch(`${server.origin}/silent`, { allowPrivate, timeoutMs: 300 }), "timeout");
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_000);
    expect(error.message).toContain(`127.0.0.1:${server.port}`);
  });

  it("gives up with 'timeout' when the body trickles", async () => {
    const server = await startServer({
      "/trickle": (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        const timer = setInterval(() => res.write("."), 20);
        res.on("close", () => clearInterval(timer));
      },
    });
    const started = performance.now();
    await expectReason(safeFetch(`${server.origin}/trickle`, { allowPrivate, timeoutMs: 300 }), "timeout");
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("counts the time limit over the whole chain of redirects", async () => {
    const slowHop = (next: string): Route => (_req, res) => {
      const timer = setTimeout(() => res.writeHead(302, { location: next }).end(), 120);
      res.on("close", () => clearTimeout(timer));
    };
    const server = await startServer({ "/h1": slowHop("/h2"), "/h2": slowHop("/h3"), "/h3": slowHop("/h4") });
    const started = performance.now();
    await expectReason(safeFetch(`${server.origin}/h1`, { allowPrivate, timeoutMs: 300 }), "timeout");
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(server.requests.map((r) => r.url)).toEqual(["/h1", "/h2", "/h3"]);
  });

  it("refuses a 3 MB body with 'tooLarge' and returns one just under 2 MiB", async () => {
    const server = await startServer({
      "/big": (_req, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream" }); // chunked: no length up front
        res.end(Buffer.alloc(3 * 1024 * 1024, 0x61));
      },
      "/fits": (_req, res) => res.writeHead(200).end(Buffer.alloc(2 * 1024 * 1024, 0x61)),
    });
    const error = await expectReason(safeFetch(`${server.origin}/big`, { allowPrivate }), "tooLarge");
    expect(error.message).toContain(`127.0.0.1:${server.port}`);
    expect((await safeFetch(`${server.origin}/fits`, { allowPrivate })).body.length).toBe(2 * 1024 * 1024);
    const truncated = await safeFetch(`${server.origin}/big`, { allowPrivate, truncate: true, maxBytes: 1000 });
    expect(truncated).toMatchObject({ truncated: true });
    expect(truncated.body.length).toBe(1000);
  });

  it("refuses a too large Content-Length before reading the body", async () => {
    // The server promises 3 MB and then sends nothing: reading would end in a timeout, not tooLarge.
    const server = await startServer({
      "/declared": (_req, res) => {
        res.writeHead(200, { "content-length": String(3 * 1024 * 1024) });
        res.write("x");
      },
    });
    const started = performance.now();
    await expectReason(safeFetch(`${server.origin}/declared`, { allowPrivate, timeoutMs: 2_000 }), "tooLarge");
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("refuses a gzip bomb: the limit applies to the decompressed size", async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(16 * 1024);
    const server = await startServer({
      "/bomb": (_req, res) => res.writeHead(200, { "content-encoding": "gzip", "content-length": bomb.length }).end(bomb),
    });
    const started = performance.now();
    await expectReason(safeFetch(`${server.origin}/bomb`, { allowPrivate }), "tooLarge");
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it.each([
    ["gzip", zlib.gzipSync],
    ["deflate", zlib.deflateSync],
    ["deflate", zlib.deflateRawSync],
    ["br", zlib.brotliCompressSync],
  ] as const)("decompresses a %s body", async (encoding, compress) => {
    const text = "Blåbærgrød ".repeat(1000);
    const server = await startServer({
      "/": (_req, res) => res.writeHead(200, { "content-encoding": encoding }).end(compress(Buffer.from(text))),
    });
    const response = await safeFetch(`${server.origin}/`, { allowPrivate });
    expect(response.body.toString("utf8")).toBe(text);
  });

  it("returns 304 to a conditional GET the server honours (ETag and Last-Modified)", async () => {
    const lastModified = "Wed, 01 Jan 2025 10:00:00 GMT";
    const server = await startServer({
      "/feed.xml": (req, res) => {
        if (req.headers["if-none-match"] === '"v1"' || req.headers["if-modified-since"] === lastModified) return res.writeHead(304).end();
        res.writeHead(200, { etag: '"v1"', "last-modified": lastModified, "content-type": "application/rss+xml" }).end("<rss/>");
      },
    });
    const first = await safeFetch(`${server.origin}/feed.xml`, { allowPrivate });
    expect(first).toMatchObject({ status: 200, contentType: "application/rss+xml" });
    expect(first.headers.etag).toBe('"v1"');

    const byEtag = await safeFetch(`${server.origin}/feed.xml`, { allowPrivate, headers: { "If-None-Match": first.headers.etag! } });
    expect(byEtag.status).toBe(304);
    expect(byEtag.body.length).toBe(0);
    const byDate = await safeFetch(`${server.origin}/feed.xml`, { allowPrivate, headers: { "If-Modified-Since": first.headers["last-modified"]! } });
    expect(byDate.status).toBe(304);
  });

  it("returns error statuses as they are", async () => {
    const server = await startServer({ "/gone": (_req, res) => res.writeHead(410, { "content-type": "text/plain" }).end("gone") });
    const response = await safeFetch(`${server.origin}/gone`, { allowPrivate });
    expect(response).toMatchObject({ status: 410, contentType: "text/plain" });
    expect(response.body.toString()).toBe("gone");
  });

  it("reports a refused connection and a failed DNS lookup as 'unreachable'", async () => {
    const server = await startServer();
    const port = server.port;
    await server.close();
    const refused = await expectReason(safeFetch(`http://127.0.0.1:${port}/`, { allowPrivate }), "unreachable");
    expect(refused.message).toContain(`127.0.0.1:${port}`);
    expect(refused.message).toContain("ECONNREFUSED");

    const noSuchHost: LookupFunction = (hostname, _options, callback) =>
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), "");
    const dns = await expectReason(safeFetch("http://no-such-host.example/", { lookup: noSuchHost }), "unreachable");
    expect(dns.message).toContain("no-such-host.example");
  });

  it("reports a connection closed mid-body as 'unreachable'", async () => {
    const server = await startServer({
      "/cut": (req, res) => {
        res.writeHead(200, { "content-length": "1000" });
        res.write("partial", () => req.socket.destroy());
      },
    });
    await expectReason(safeFetch(`${server.origin}/cut`, { allowPrivate }), "unreachable");
  });
});

import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import type { ChildProcess } from "node:child_process";
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { clickEvents, clickUniques, trackedLinks } from "@/db/schema";
import * as redirectRoute from "@/app/r/[code]/route";
import { db } from "@/lib/db";
import { clickStreamKey } from "@/lib/links/click-stream";
import { newLinkCode } from "@/lib/links/tracked-links";
import { createShares } from "@/lib/shares";
import { ClickConsumer } from "@/workers/processors/clicks";
import { makeOrganization, makePublishedStory, makeSharer } from "../support/factories";
import { startScript, stopProcess, waitForHttp } from "../support/processes";
import { clearRedisPrefix } from "../support/test-env";

/**
 * The standalone redirector (workers/redirector.ts) as a real process: it answers as the
 * Next route does (one core), ignores X-Forwarded-For unless told to trust a proxy, and
 * on SIGTERM writes the clicks it still holds to the stream before it exits.
 */

vi.mock("@/lib/auth/config", () => ({ auth: async () => null }));

const PREFIX = `{ripple-test-redirector-${randomBytes(4).toString("hex")}}`;
let child: ChildProcess | undefined;
let base: string;
let redis: Redis;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = startScript("workers/redirector.ts", { QUEUE_PREFIX: PREFIX, REDIRECTOR_PORT: String(port), HOST: "127.0.0.1", RIPPLE_PROCESS: "redirector" }, "redirector");
  await waitForHttp(`${base}/healthz`, 60_000);
  redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
}, 90_000);

afterAll(async () => {
  if (child) await stopProcess(child, 10_000);
  redis?.disconnect();
  await clearRedisPrefix(process.env.REDIS_URL!, PREFIX);
});

async function sharedLink() {
  const { cli } = await makeOrganization();
  const story = await makePublishedStory(cli, { canonicalUrl: "https://nordlys.example/nyheder/hav?sprog=da" });
  const person = await makeSharer(cli, { networks: ["bluesky"] });
  const [share] = await createShares(db(), cli, person.user.id, { storyId: story.id, posts: [{ connectionId: person.connections.bluesky!.id, text: "Se her" }] });
  const [link] = await db().select().from(trackedLinks).where(eq(trackedLinks.shareId, share!.id));
  return link!;
}

const get = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { redirect: "manual", ...init });

describe("the standalone redirector", () => {
  it("answers like the Next route: 302 to the stored destination, 404 with the same page for unknown and malformed codes", async () => {
    const link = await sharedLink();
    const response = await get(`/r/${link.code}?next=https://evil.example`, { headers: { host: "evil.example", "x-forwarded-host": "evil.example" } });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(link.destination);
    expect(response.headers.get("cache-control")).toMatch(/no-store/);
    // The web server's headers on every answer (the 302 keeps its own referrer policy).
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers.get("permissions-policy")).toMatch(/camera=\(\)/);

    const head = await get(`/r/${link.code}`, { method: "HEAD" });
    expect(head.status).toBe(302);
    expect(head.headers.get("location")).toBe(link.destination);

    const viaRoute = await redirectRoute.GET(new Request(`http://localhost:3999/r/${link.code}`), { params: Promise.resolve({ code: link.code }) });
    expect(viaRoute.headers.get("location")).toBe(response.headers.get("location"));

    const unknownCode = newLinkCode();
    const unknown = await get(`/r/${unknownCode}`);
    const unknownViaRoute = await redirectRoute.GET(new Request(`http://localhost:3999/r/${unknownCode}`), { params: Promise.resolve({ code: unknownCode }) });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("location")).toBeNull();
    expect(await unknown.text()).toBe(await unknownViaRoute.text());
    // The not-found page's own policy: its inline style by hash, nothing else, never framed.
    expect(unknown.headers.get("content-security-policy")).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; frame-ancestors 'none'$/);
    expect(unknown.headers.get("x-content-type-options")).toBe("nosniff");
    for (const path of ["/r/short", "/r/%2F%2Fevil.example", `/r/${link.code}/`, "/r/../etc/passwd", "/", "/favicon.ico"]) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.headers.get("location"), path).toBeNull();
    }
    expect((await get(`/r/${link.code}`, { method: "POST" })).status).toBe(405);
  });

  it("ignores X-Forwarded-For without TRUST_PROXY, and flushes its clicks to the stream on SIGTERM", async () => {
    const link = await sharedLink();
    const browser = "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0";
    await get(`/r/${link.code}`, { headers: { "user-agent": browser, "x-forwarded-for": "198.51.100.1" } });
    await get(`/r/${link.code}`, { headers: { "user-agent": browser, "x-forwarded-for": "198.51.100.2" } });
    await get(`/r/${link.code}`, { headers: { "user-agent": "Twitterbot/1.0" } });

    expect(await stopProcess(child!, 20_000)).toBe(0);
    child = undefined;

    const consumer = new ClickConsumer({ db: db(), key: clickStreamKey(PREFIX) });
    try {
      await consumer.drain();
    } finally {
      await consumer.stop();
    }
    const rows = await db().select().from(clickEvents).where(eq(clickEvents.linkId, link.id));
    expect(rows).toHaveLength(3);
    const humans = rows.filter((r) => !r.isBot);
    expect(humans).toHaveLength(2);
    // One socket address: one visitor, whatever the header claimed.
    expect(new Set(humans.map((r) => r.visitorHash)).size).toBe(1);
    expect(await db().select().from(clickUniques).where(eq(clickUniques.linkId, link.id))).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain("198.51.100");
  });
});

import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { and, eq, sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { clickEvents, dailyRollups, pointsLedger, trackedLinks } from "@/db/schema";
import * as redirectRoute from "@/app/r/[code]/route";
import { db } from "@/lib/db";
import { clickStreamKey } from "@/lib/links/click-stream";
import { createRedis, keyBase, redisKeys, type RedisClient } from "@/lib/queue";
import { CLIENT_IP_HEADER } from "@/lib/links/client-address";
import { LinkLookup } from "@/lib/links/lookup-link";
import { closeSharedRedirector, flushSharedRedirector, sharedRedirector } from "@/lib/links/redirect";
import { newLinkCode } from "@/lib/links/tracked-links";
import { createShares } from "@/lib/shares";
import { createFrontServer } from "@/lib/web/front";
import { createTeam } from "@/lib/teams";
import { ClickConsumer } from "@/workers/processors/clicks";
import { makeOrganization, makePublishedStory, makeSharer } from "../support/factories";
import { clearRedisPrefix } from "../support/test-env";

/**
 * The click path end to end through the Next route: lookup (LRU → Redis → Postgres with
 * negative caching), 302 first, then the click through the Redis stream and the consumer
 * into click_events, click_uniques, daily_rollups and points.
 */

vi.mock("@/lib/auth/config", () => ({ auth: async () => null }));

// A stream of this file's own: other files' clicks (and consumers) never meet these.
const PREFIX = `ripple-test-clicks-${randomBytes(4).toString("hex")}`;
process.env.QUEUE_PREFIX = PREFIX;

let consumer: ClickConsumer;
let redis: RedisClient;

beforeAll(() => {
  consumer = new ClickConsumer({ db: db(), key: clickStreamKey(PREFIX) });
  // The Redis the run names: one server, or (integration-cluster, integration-sentinel) a cluster or Sentinels.
  redis = createRedis("client");
});

afterAll(async () => {
  await consumer.stop();
  await closeSharedRedirector();
  redis.disconnect();
  await clearRedisPrefix(process.env.REDIS_URL!, PREFIX);
});

const BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
const LINKEDIN_PREVIEW = "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)";

async function visit(code: string, init: { method?: "GET" | "HEAD"; ip?: string; userAgent?: string; referer?: string } = {}) {
  // The address as the web server stamps it (lib/web/front.ts); the route reads nothing else.
  const headers: Record<string, string> = { [CLIENT_IP_HEADER]: init.ip ?? "198.51.100.7", "user-agent": init.userAgent ?? BROWSER };
  if (init.referer) headers.referer = init.referer;
  const request = new Request(`http://localhost:3999/r/${encodeURIComponent(code)}`, { method: init.method ?? "GET", headers });
  const handler = init.method === "HEAD" ? redirectRoute.HEAD : redirectRoute.GET;
  return handler(request, { params: Promise.resolve({ code }) });
}

/** Every buffered click into the stream, then the consumer until the stream is empty. */
async function ingest() {
  await flushSharedRedirector();
  return consumer.drain();
}

/** A share's link, made the way sharing makes it, by an employee in a team. */
async function sharedLink() {
  const { cli, org } = await makeOrganization();
  const team = await createTeam(db(), cli, { name: "Salg" });
  const story = await makePublishedStory(cli, { canonicalUrl: "https://nordlys.example/nyheder/vind" });
  const person = await makeSharer(cli, { networks: ["linkedin"], teamId: team.id });
  const [share] = await createShares(db(), cli, person.user.id, { storyId: story.id, posts: [{ connectionId: person.connections.linkedin!.id, text: "Læs om vores nye fabrik" }] });
  const [link] = await db().select().from(trackedLinks).where(eq(trackedLinks.shareId, share!.id));
  return { org, cli, team, story, person, share: share!, link: link! };
}

async function rollups(orgId: string) {
  const rows = await db().select().from(dailyRollups).where(eq(dailyRollups.orgId, orgId));
  return new Map(rows.map((r) => [`${r.dimension}:${r.dimensionId}:${r.network}`, { clicks: r.clicks, uniqueVisitors: r.uniqueVisitors, botClicks: r.botClicks, day: r.day }]));
}

describe("GET /r/<code>: answer", () => {
  it("302s to the stored destination with its UTM parameters, for GET and HEAD", async () => {
    const { link, share, story } = await sharedLink();
    const response = await visit(link.code);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(link.destination);
    const location = new URL(response.headers.get("location")!);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({ utm_source: "linkedin", utm_medium: "employee_advocacy", utm_campaign: story.slug, utm_content: share.id });

    const head = await visit(link.code, { method: "HEAD" });
    expect(head.status).toBe(302);
    expect(head.headers.get("location")).toBe(link.destination);
    expect(await head.text()).toBe("");
    await ingest();
  });

  it("404s unknown and malformed codes with the HTML page; an unknown code reaches Postgres once, a malformed one never", async () => {
    const lookup = sharedRedirector().lookup;
    const unknown = newLinkCode();
    const before = lookup.stats.databaseQueries;

    const first = await visit(unknown);
    expect(first.status).toBe(404);
    expect(first.headers.get("location")).toBeNull();
    expect(first.headers.get("content-type")).toMatch(/text\/html/);
    expect(await first.text()).toContain("This link does not exist");
    expect(lookup.stats.databaseQueries).toBe(before + 1);

    // A storm of the same unknown code, at once and afterwards: no further query.
    const storm = await Promise.all(Array.from({ length: 50 }, () => visit(unknown)));
    expect(storm.every((r) => r.status === 404)).toBe(true);
    expect(lookup.stats.databaseQueries).toBe(before + 1);

    const redisBefore = lookup.stats.redisHits;
    for (const code of ["short", "a".repeat(33), "abc-def-ghij", "../../etc/passwd", "%2F%2Fevil.example", "æøåæøåæøåæ", ""]) {
      expect((await visit(code)).status, code).toBe(404);
    }
    expect(lookup.stats.databaseQueries).toBe(before + 1);
    expect(lookup.stats.redisHits).toBe(redisBefore);
  });

  it("remembers unknown codes in Redis too: another process (an empty LRU) does not ask Postgres", async () => {
    const unknown = newLinkCode();
    const counting = () => new LinkLookup({ db, redis, prefix: PREFIX });
    const first = counting();
    expect(await first.resolve(unknown)).toBeNull();
    expect(first.stats.databaseQueries).toBe(1);
    // The write-back to Redis is not awaited by the lookup: give it a moment.
    await vi.waitFor(async () => expect(await redis.get(redisKeys.link(unknown, keyBase(PREFIX)))).toBe("-"));

    const second = counting();
    expect(await second.resolve(unknown)).toBeNull();
    expect(second.stats).toMatchObject({ databaseQueries: 0, redisHits: 1 });
  });

  it("answers from Postgres when Redis is unreachable, without waiting on it", async () => {
    const { link } = await sharedLink();
    const dead = new Redis("redis://127.0.0.1:1", { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 50, lazyConnect: true, retryStrategy: () => null });
    dead.on("error", () => {});
    try {
      const lookup = new LinkLookup({ db, redis: dead, prefix: PREFIX });
      const started = Date.now();
      const found = await lookup.resolve(link.code);
      expect(found).toMatchObject({ id: link.id, destination: link.destination });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(lookup.stats.redisErrors + lookup.stats.redisSkipped).toBeGreaterThan(0);
      expect(lookup.stats.databaseQueries).toBe(1);
    } finally {
      dead.disconnect();
    }
  });


  it("answers from Postgres when Redis is connected but does not answer: every call is bounded", async () => {
    const { link } = await sharedLink();
    // A server that accepts the connection's set-up commands and never answers a GET.
    const silent = createServer((socket) =>
      socket.on("data", (chunk: Buffer) => {
        const text = chunk.toString();
        if (/\r\nget\r\n/i.test(text)) return;
        socket.write("+OK\r\n".repeat((text.match(/^\*\d+\r\n/gm) ?? []).length));
      }),
    );
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    const slow = new Redis({ host: "127.0.0.1", port, enableReadyCheck: false, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 50 });
    slow.on("error", () => {});
    try {
      await vi.waitFor(() => expect(slow.status).toBe("ready"));
      const lookup = new LinkLookup({ db, redis: slow, prefix: PREFIX });
      const started = Date.now();
      expect(await lookup.resolve(link.code)).toMatchObject({ id: link.id, destination: link.destination });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(lookup.stats).toMatchObject({ redisErrors: 1, databaseQueries: 1 });
    } finally {
      slow.disconnect();
      silent.close();
    }
  });
});

describe("GET /r/<code>: clicks", () => {
  it("stores a click after the consumer runs, with no raw address anywhere, and only the referrer's host", async () => {
    const { link, org } = await sharedLink();
    const ip = "203.0.113.77";
    expect((await visit(link.code, { ip, referer: "https://www.linkedin.com/feed/update/urn:li:activity:123?trk=secret" })).status).toBe(302);

    // In the stream (before Postgres) there is no address either.
    await flushSharedRedirector();
    const waiting = await redis.xrange(clickStreamKey(PREFIX), "-", "+");
    expect(JSON.stringify(waiting)).toContain(link.id);
    expect(JSON.stringify(waiting)).not.toContain(ip);

    await ingest();
    const rows = await db().select().from(clickEvents).where(eq(clickEvents.linkId, link.id));
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ orgId: org.id, isBot: false, referrerHost: "www.linkedin.com" });
    expect(row!.visitorHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(row)).not.toContain(ip);
    expect(JSON.stringify(row)).not.toContain("203.0.113");
    expect(JSON.stringify(row)).not.toContain("activity");
    expect(Math.abs(row!.occurredAt.getTime() - Date.now())).toBeLessThan(60_000);
    // Acknowledged and removed from the stream.
    expect(await redis.xlen(clickStreamKey(PREFIX))).toBe(0);
  });

  it("through the web server, a client cannot become new visitors by varying address headers: one socket, one unique visitor", async () => {
    const { link, org } = await sharedLink();
    // The real front server (lib/web/front.ts) over HTTP, with the route as its handler.
    const server = createFrontServer({
      config: { appUrl: "http://localhost:3999", trustProxy: false },
      handler: async (req, res) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
        const answer = await redirectRoute.GET(new Request(`http://localhost:3999${req.url}`, { headers }), { params: Promise.resolve({ code: req.url!.split("/")[2]! }) });
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(Buffer.from(await answer.arrayBuffer()));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const tricks: Array<Record<string, string>> = [
        {},
        { "x-forwarded-for": "198.51.100.1" },
        { "x-forwarded-for": "198.51.100.2, 198.51.100.3" },
        { "x-real-ip": "198.51.100.4" },
        { forwarded: "for=198.51.100.5" },
        { [CLIENT_IP_HEADER]: "198.51.100.6" },
      ];
      for (const headers of tricks) {
        const response = await fetch(`http://127.0.0.1:${port}/r/${link.code}`, { redirect: "manual", headers: { "user-agent": BROWSER, ...headers } });
        expect(response.status).toBe(302);
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await ingest();
    const rows = await db().select().from(clickEvents).where(eq(clickEvents.linkId, link.id));
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r.visitorHash)).size).toBe(1);
    expect((await rollups(org.id)).get(`org:${org.id}:all`)).toMatchObject({ clicks: 6, uniqueVisitors: 1 });
  });

  it("counts the same visitor twice on one day as 2 clicks and 1 unique visitor; another visitor is another unique", async () => {
    const { link, org, share, person, team, story } = await sharedLink();
    await visit(link.code, { ip: "192.0.2.10" });
    await visit(link.code, { ip: "192.0.2.10" });
    await visit(link.code, { ip: "192.0.2.11" });
    // Same address, other browser: another visitor.
    await visit(link.code, { ip: "192.0.2.10", userAgent: `${BROWSER} Edg/125.0` });
    await ingest();

    const rows = await db().select().from(clickEvents).where(eq(clickEvents.linkId, link.id));
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((r) => r.visitorHash)).size).toBe(3);

    const figures = await rollups(org.id);
    const expected = { clicks: 4, uniqueVisitors: 3, botClicks: 0 };
    for (const key of [
      `share:${share.id}:linkedin`,
      `share:${share.id}:all`,
      `user:${person.user.id}:linkedin`,
      `user:${person.user.id}:all`,
      `team:${team.id}:all`,
      `story:${story.id}:linkedin`,
      `story:${story.id}:all`,
      `network:linkedin:linkedin`,
      `org:${org.id}:all`,
    ]) {
      expect(figures.get(key), key).toMatchObject(expected);
    }

    // One point per unique visitor (the organisation's default for "click").
    const [points] = await db()
      .select({ total: sql<number>`sum(${pointsLedger.points})::int` })
      .from(pointsLedger)
      .where(and(eq(pointsLedger.orgId, org.id), eq(pointsLedger.action, "click")));
    expect(points!.total).toBe(3);
  });

  it("counts bots apart: a LinkedIn preview, a HEAD request and an empty user agent are botClicks, never clicks or reach", async () => {
    const { link, org, share } = await sharedLink();
    await visit(link.code, { userAgent: LINKEDIN_PREVIEW, ip: "192.0.2.20" });
    await visit(link.code, { method: "HEAD", ip: "192.0.2.21" });
    await visit(link.code, { userAgent: "", ip: "192.0.2.22" });
    await visit(link.code, { ip: "192.0.2.23" });
    await ingest();

    const rows = await db().select().from(clickEvents).where(eq(clickEvents.linkId, link.id));
    expect(rows.filter((r) => r.isBot)).toHaveLength(3);
    expect((await rollups(org.id)).get(`share:${share.id}:all`)).toMatchObject({ clicks: 1, uniqueVisitors: 1, botClicks: 3 });
    const [points] = await db().select({ total: sql<number>`coalesce(sum(${pointsLedger.points}), 0)::int` }).from(pointsLedger).where(and(eq(pointsLedger.orgId, org.id), eq(pointsLedger.action, "click")));
    expect(points!.total).toBe(1);
  });
});

import { randomBytes } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { clickEvents, clickUniques, stories } from "@/db/schema";
import * as meRoute from "@/app/api/v1/me/route";
import * as storiesRoute from "@/app/api/v1/stories/route";
import * as scimUsers from "@/app/scim/v2/Users/route";
import { createApiToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db";
import { consume, consumeForClient, LIMITS, peek } from "@/lib/limits";
import { signInMailSpent, takeSignInMail } from "@/lib/limits/sign-in";
import { ClickBuffer } from "@/lib/links/click-stream";
import { CLICK_GROUP, ensureClickGroup, readClicks, writeClickBatch } from "@/lib/links/ingest";
import { ClickRecorder } from "@/lib/links/record-click";
import { SaltCache } from "@/lib/links/visitor-hash";
import { CLIENT_IP_HEADER } from "@/lib/net/client-ip";
import { createScimToken } from "@/lib/scim";
import { makeMember, makeOrganization, makeSharedLink, uniqueEmail } from "../support/factories";
import { clearRedisPrefix } from "../support/test-env";

/**
 * The Redis rate limits (lib/limits) through the code that applies them: the API's budget per
 * token and its RateLimit fields, refused tokens per client address (API and SCIM), sign-in
 * mails per address and client, the click limit per address and link in the click consumer,
 * and what happens when Redis cannot answer. Each refusal: the status, and nothing changed.
 */

// Outside a Next.js request there are no cookies: a request without a token has no session.
vi.mock("@/lib/auth/config", () => ({ auth: async () => null }));

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** A call as the web server hands it on: with the client's address stamped. */
async function call(handler: Handler, path: string, options: { token?: string; client?: string; method?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { [CLIENT_IP_HEADER]: options.client ?? "198.51.100.10" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await handler(new Request(`http://localhost${path}`, { method: options.method ?? "GET", headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) }), {
    params: Promise.resolve({}),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

/** A client address of the test's own, so no two tests share a budget. */
function newClient(): string {
  return `2001:db8:${randomBytes(2).toString("hex")}::${randomBytes(2).toString("hex")}`;
}

async function editorWithToken() {
  const { cli, org } = await makeOrganization();
  const editor = await makeMember(cli, ["editor"]);
  const { token, record } = await createApiToken(db(), cli, { userId: editor.user.id, name: "limits test" });
  return { cli, org, editor, token, tokenId: record.id };
}

async function storyCount(orgId: string) {
  const [row] = await db().select({ n: count() }).from(stories).where(eq(stories.orgId, orgId));
  return row!.n;
}

describe("API calls per token", () => {
  it("sends the RateLimit fields on every answer and, past the budget, 429 with Retry-After and nothing written", async () => {
    const { org, token, tokenId } = await editorWithToken();
    const budget = LIMITS.apiCallsPerToken.points;

    const first = await call(meRoute.GET, "/api/v1/me", { token });
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-limit")).toBe(String(budget));
    expect(first.headers.get("ratelimit-remaining")).toBe(String(budget - 1));
    expect(first.headers.get("ratelimit-policy")).toBe(`${budget};w=${LIMITS.apiCallsPerToken.durationS}`);
    const reset = Number(first.headers.get("ratelimit-reset"));
    expect(reset).toBeGreaterThan(0);
    expect(reset).toBeLessThanOrEqual(LIMITS.apiCallsPerToken.durationS);
    const second = await call(meRoute.GET, "/api/v1/me", { token });
    expect(second.headers.get("ratelimit-remaining")).toBe(String(budget - 2));

    // The rest of the minute's budget, spent as other calls would (from any process).
    await consume("apiCallsPerToken", tokenId, { points: budget - 2 });
    const before = await storyCount(org.id);
    const refused = await call(storiesRoute.POST, "/api/v1/stories", {
      token,
      method: "POST",
      body: { title: "Over budget", canonicalUrl: "https://example.com/over", language: "da", variants: [] },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(refused.json).toMatchObject({ status: 429 });
    expect(await storyCount(org.id)).toBe(before);

    // Another token of the same person has its own budget.
    const { editor, cli } = await editorWithToken();
    const other = await createApiToken(db(), cli, { userId: editor.user.id, name: "second" });
    expect((await call(meRoute.GET, "/api/v1/me", { token: other.token })).status).toBe(200);
  });
});

describe("refused tokens per client address", () => {
  it("answers 429 to a client that sent too many refused tokens, even with a good one, while other clients go on", async () => {
    const { token } = await editorWithToken();
    const guesser = newClient();
    const allowed = LIMITS.failedTokenPerClient.points;
    for (let i = 0; i < allowed; i++) {
      const guess = await call(meRoute.GET, "/api/v1/me", { token: `rpl_${randomBytes(30).toString("base64url").slice(0, 40)}`, client: guesser });
      expect(guess.status, `guess ${i + 1}`).toBe(401);
    }
    const blocked = await call(meRoute.GET, "/api/v1/me", { token, client: guesser });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);

    expect((await call(meRoute.GET, "/api/v1/me", { token, client: newClient() })).status).toBe(200);
  });

  it("counts refused SCIM tokens too, and a blocked client gets a SCIM 429 with nothing provisioned", async () => {
    const { cli, org } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const { token } = await createScimToken(db(), admin.scope);
    const guesser = newClient();
    for (let i = 0; i < LIMITS.failedTokenPerClient.points; i++) await consumeForClient("failedTokenPerClient", guesser);
    const email = uniqueEmail("scim");
    const response = await scimUsers.POST(
      new Request("http://localhost/scim/v2/Users", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json", [CLIENT_IP_HEADER]: guesser },
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: email, emails: [{ value: email, primary: true }] }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(429);
    expect(response.headers.get("content-type")).toContain("application/scim+json");
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    const { memberships } = await import("@/db/schema");
    const [members] = await db().select({ n: count() }).from(memberships).where(eq(memberships.orgId, org.id));
    expect(members!.n).toBe(1);
  });
});

describe("sign-in mails", () => {
  it("allows five mails an address a quarter of an hour, the same for a member's address and an unknown one", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);
    const stranger = uniqueEmail("nobody");
    const client = newClient();
    const per = LIMITS.signInMailPerAddress.points;
    const answers: Record<string, boolean[]> = { member: [], stranger: [] };
    for (let i = 0; i < per + 1; i++) {
      for (const [who, address] of [["member", member.user.email], ["stranger", stranger]] as const) {
        const spent = await signInMailSpent(address, client);
        answers[who]!.push(spent === null && (await takeSignInMail(address, client)));
      }
    }
    const expected = [...Array<boolean>(per).fill(true), false];
    expect(answers.member).toEqual(expected);
    expect(answers.stranger).toEqual(expected);
    // Upper case is the same address.
    expect(await signInMailSpent(member.user.email.toUpperCase(), newClient())).not.toBeNull();
    // Another address from the same client still may (the client's own budget is larger).
    expect(await signInMailSpent(uniqueEmail("other"), client)).toBeNull();
  });

  it("also stops one client asking for mails for many addresses", async () => {
    const client = newClient();
    for (let i = 0; i < LIMITS.signInMailPerClient.points; i++) expect(await takeSignInMail(uniqueEmail(`many${i}`), client)).toBe(true);
    expect(await takeSignInMail(uniqueEmail("one-more"), client)).toBe(false);
    expect(await signInMailSpent(uniqueEmail("fresh"), client)).not.toBeNull();
    expect(await signInMailSpent(uniqueEmail("fresh"), newClient())).toBeNull();
  });
});

describe("shared budgets and a Redis that cannot answer", () => {
  it("is one budget for every process: two connections spend the same one", async () => {
    const a = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
    const b = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
    try {
      const key = randomBytes(8).toString("hex");
      await consume("apiCallsPerToken", key, { redis: a, points: LIMITS.apiCallsPerToken.points - 1 });
      expect((await consume("apiCallsPerToken", key, { redis: b })).allowed).toBe(true);
      expect((await consume("apiCallsPerToken", key, { redis: a })).allowed).toBe(false);
      expect((await peek("apiCallsPerToken", key, { redis: b })).allowed).toBe(false);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });

  it("lets the request through, quickly, when Redis is down (fail open)", async () => {
    const down = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    down.on("error", () => {});
    try {
      const started = Date.now();
      const state = await consume("signInMailPerAddress", "anyone", { redis: down });
      expect(state.allowed).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      down.disconnect();
    }
  });
});

describe("clicks per address and link", () => {
  const prefix = `{ripple-test-click-limit-${randomBytes(4).toString("hex")}}`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis.disconnect();
    await clearRedisPrefix(process.env.REDIS_URL!, prefix);
  });


  it("counts at most the limit from one address, however its user agent varies, and the same again when a batch is written twice", async () => {
    const { link } = await makeSharedLink();
    const key = `${prefix}:clicks:stream`;
    const buffer = new ClickBuffer(redis, { key, maxLen: 1_000_000 });
    const recorder = new ClickRecorder(buffer, new SaltCache(), db);
    const limit = LIMITS.clicksPerClientLink.points;
    const at = Date.now();
    const raw = (ip: string, i: number) => ({ linkId: link.id, orgId: link.orgId, shareId: link.shareId, at, method: "GET", code: link.code, userAgent: `Mozilla/5.0 (X11; Linux x86_64) Chrome/${100 + i}.0 Safari/537.36`, referer: null, ip });
    // One address, 25 user agents; then two other people.
    for (let i = 0; i < 25; i++) recorder.add(raw("192.0.2.77", i));
    recorder.add(raw("192.0.2.78", 0));
    recorder.add(raw("2001:db8::5", 1));
    await vi.waitFor(() => expect(recorder.stats.recorded).toBe(27));
    expect(await buffer.drain()).toBe(0);

    await ensureClickGroup(redis, key);
    const entries = await readClicks(redis, key, "limit-test", { count: 100 });
    expect(entries).toHaveLength(27);
    const first = await writeClickBatch(db(), entries, { redis });
    expect(first).toMatchObject({ stored: limit + 2, throttled: 25 - limit });
    const events = await db().select({ n: count() }).from(clickEvents).where(eq(clickEvents.linkId, link.id));
    expect(events[0]!.n).toBe(limit + 2);
    const uniques = await db().select({ n: count() }).from(clickUniques).where(eq(clickUniques.linkId, link.id));
    expect(uniques[0]!.n).toBe(limit + 2);

    // The same batch again (a consumer died before XACK): the same verdicts, nothing new.
    const again = await writeClickBatch(db(), entries, { redis });
    expect(again).toMatchObject({ stored: 0, duplicates: limit + 2, throttled: 25 - limit });
    const after = await db().select({ n: count() }).from(clickEvents).where(eq(clickEvents.linkId, link.id));
    expect(after[0]!.n).toBe(limit + 2);
    await redis.xack(key, CLICK_GROUP, ...entries.map(([id]) => id));
  });
});

import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { networkApps } from "@/db/schema";
import * as composeCheckRoute from "@/app/api/v1/compose/check/route";
import * as feedRoute from "@/app/api/v1/feed/route";
import * as shareRoute from "@/app/api/v1/shares/[id]/route";
import * as sharesRoute from "@/app/api/v1/shares/route";
import { shareResourceSchema } from "@/lib/api/shares";
import { createApiToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db";
import { bullPrefix, getQueue, redis } from "@/lib/queue";
import { publishJobId } from "@/lib/queue/publish";
import { reconcileShares } from "@/lib/shares/reconcile";
import { checkShareText } from "@/lib/governance/check-text";
import { measureText } from "@/lib/networks/measure";
import { updateGovernance } from "@/lib/orgs/governance";
import type { Scope } from "@/lib/tenant";
import { makeConnection, makeMember, makeOrganization, makePublishedStory, makeSharer } from "../support/factories";

/**
 * REST API v1 for sharing — compose/check, shares and the feed — called through the route
 * handlers with bearer tokens exactly as Next.js would call them.
 */

// Outside a Next.js request there is no session to read (Auth.js would ask next/headers).
vi.mock("@/lib/auth/config", () => ({ auth: async () => null }));

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(handler: Handler, path: string, options: { token?: string; method?: string; body?: unknown; params?: Record<string, string> } = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await handler(new Request(`http://localhost${path}`, { method: options.method ?? "GET", headers, body }), {
    params: Promise.resolve(options.params ?? {}),
  });
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, headers: response.headers, json };
}

function expectProblem(result: Awaited<ReturnType<typeof call>>, status: number) {
  expect(result.status, JSON.stringify(result.json)).toBe(status);
  expect(result.headers.get("content-type")).toBe("application/problem+json");
  expect(result.json).toMatchObject({ type: "about:blank", status });
}

const check = (token: string | undefined, body: unknown) => call(composeCheckRoute.POST, "/api/v1/compose/check", { token, method: "POST", body });
const postShare = (token: string | undefined, body: unknown) => call(sharesRoute.POST, "/api/v1/shares", { token, method: "POST", body });
const getShare = (token: string | undefined, id: string) => call(shareRoute.GET, `/api/v1/shares/${id}`, { token, params: { id } });
const feed = (token: string | undefined, query = "") => call(feedRoute.GET, `/api/v1/feed${query}`, { token });

const TAG = "#nordlysansat";
const RULES = { disclosureHashtag: TAG, blockedWords: ["ærgerlig løn"] };

async function tokenFor(cli: Scope, userId: string) {
  return (await createApiToken(db(), cli, { userId, name: "api test" })).token;
}

/** An organisation with rules, a story, an employee ready to share, an editor and an admin (tokens for each). */
async function organisation() {
  const { cli } = await makeOrganization("Nordlys Energi A/S");
  await updateGovernance(db(), cli, { approvalRequired: false, ...RULES });
  const story = await makePublishedStory(cli, { canonicalUrl: "https://nordlys.example/vind" });
  const employee = await makeSharer(cli, { networks: ["x", "mastodon"] });
  const editor = await makeMember(cli, ["editor"]);
  const admin = await makeMember(cli, ["admin"]);
  return {
    cli,
    story,
    employee,
    token: await tokenFor(cli, employee.user.id),
    editorToken: await tokenFor(cli, editor.user.id),
    adminToken: await tokenFor(cli, admin.user.id),
  };
}

describe("POST /api/v1/compose/check", () => {
  it("answers what checkShareText and measureText say, for several networks and texts", async () => {
    const { token } = await organisation();
    const cases: Array<{ network: "x" | "bluesky" | "linkedin" | "threads" | "mastodon"; text: string }> = [
      { network: "x", text: "Stolt af vores nye vindmøllepark 🌬️ https://nordlys.example/vind" },
      { network: "x", text: "Vind ".repeat(60) },
      { network: "x", text: "Sikke en Ærgerlig Løn" },
      { network: "x", text: "   " },
      { network: "bluesky", text: "Grøn strøm fra Esbjerg 👩‍👩‍👧‍👦" },
      { network: "linkedin", text: "Vi bygger vindmøller" },
      { network: "threads", text: "Havvind 🌊" },
      { network: "mastodon", text: "Hej @anna@social.example https://nordlys.example/vind" },
    ];
    for (const c of cases) {
      const result = await check(token, c);
      expect(result.status, JSON.stringify(result.json)).toBe(200);
      const expected = checkShareText(c.network, c.text, RULES);
      const measure = measureText(c.network, expected.text);
      expect(result.json).toMatchObject({
        network: c.network,
        length: measure.length,
        limit: measure.limit,
        unit: measure.unit,
        ok: expected.ok,
        text: expected.text,
        problems: expected.problems,
      });
      if (c.network === "bluesky") expect(result.json).toMatchObject({ bytes: measure.bytes, byteLimit: 3000 });
      else expect(result.json).not.toHaveProperty("bytes");
    }
  });

  it("uses the instance's own limit for a Mastodon account and reports a copy of a colleague's text", async () => {
    const { cli, story, token, employee } = await organisation();
    const instanceUrl = `https://social-${randomBytes(4).toString("hex")}.example`;
    await db().insert(networkApps).values({ network: "mastodon", instanceUrl, redirectUri: "http://localhost:3999/cb", clientId: "c", clientSecretEnc: "s", scopes: "write:statuses", maxCharacters: 1000 });
    const big = await makeConnection(cli, employee.user.id, { network: "mastodon", instanceUrl });
    const text = "Havvind. ".repeat(80);
    expect((await check(token, { network: "mastodon", text, connectionId: big.id })).json).toMatchObject({ limit: 1000, ok: true });
    expect((await check(token, { network: "mastodon", text, connectionId: employee.connections.mastodon!.id })).json).toMatchObject({ limit: 500, ok: false });

    const colleague = await makeSharer(cli, { networks: ["x"] });
    const words = "I dag åbner vi vores nye kontor i Aarhus med plads til halvtreds kolleger tæt på kunderne";
    expect((await postShare(await tokenFor(cli, colleague.user.id), { storyId: story.id, connectionId: colleague.connections.x!.id, text: words })).status).toBe(201);
    const copy = await check(token, { network: "x", text: words, storyId: story.id });
    expect((copy.json.duplicate as { kind: string } | null)?.kind).toMatch(/identical|nearlyIdentical/);
    expect((await check(token, { network: "x", text: "Noget helt andet om solceller", storyId: story.id })).json.duplicate).toBeNull();
  });

  it("lets an editor call it, refuses an admin without either role, and a missing token", async () => {
    const { editorToken, adminToken } = await organisation();
    expect((await check(editorToken, { network: "linkedin", text: "Hej" })).status).toBe(200);
    expectProblem(await check(adminToken, { network: "linkedin", text: "Hej" }), 403);
    expectProblem(await check(undefined, { network: "linkedin", text: "Hej" }), 401);
  });

  it("validates the body strictly (422): unknown fields, unknown networks, missing text", async () => {
    const { token } = await organisation();
    for (const body of [
      { network: "x", text: "Hej", extra: true },
      { network: "myspace", text: "Hej" },
      { network: "x" },
      { network: "x", text: "a".repeat(10_001) },
      { network: "x", text: "Hej", storyId: "not-a-uuid" },
    ]) {
      const result = await check(token, body);
      expectProblem(result, 422);
      expect(result.json.errors).toBeTypeOf("object");
    }
  });
});

describe("POST /api/v1/shares and GET /api/v1/shares/{id}", () => {
  it("answers 202 with queued false when the publish queue cannot take the job, and the reconciler queues it later", async () => {
    const { story, token, employee } = await organisation();
    // The Mastodon publish queue's meta key of the wrong type: every add to that queue fails, Redis answers.
    const broken = `${bullPrefix("publish-mastodon")}:publish-mastodon:meta`;
    const saved = await redis().get(broken).catch(() => null);
    await redis().del(broken);
    await redis().set(broken, "not a hash");
    let id: string;
    try {
      const created = await postShare(token, { storyId: story.id, connectionId: employee.connections.mastodon!.id, text: "Se vores vindmøller", scheduledAt: new Date(Date.now() + 3_600_000).toISOString() });
      expect(created.status, JSON.stringify(created.json)).toBe(202);
      expect(created.json).toMatchObject({ status: "scheduled", queued: false });
      id = created.json.id as string;
      expect(await getQueue("publish-mastodon").getJob(publishJobId(id))).toBeUndefined();
    } finally {
      await redis().del(broken);
      if (saved !== null) await redis().set(broken, saved);
    }
    await reconcileShares(db());
    expect(await getQueue("publish-mastodon").getJob(publishJobId(id))).toBeDefined();
  });

  it("creates a share (201 with Location) that GET then returns", async () => {
    const { story, token, employee } = await organisation();
    const scheduledAt = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const created = await postShare(token, { storyId: story.id, connectionId: employee.connections.x!.id, text: "Se vores vindmøller https://nordlys.example/vind", scheduledAt });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const share = shareResourceSchema.parse(created.json);
    expect(created.headers.get("location")).toBe(`/api/v1/shares/${share.id}`);
    expect(share).toMatchObject({ storyId: story.id, connectionId: employee.connections.x!.id, network: "x", mode: "api", status: "scheduled", scheduledAt, publishedAt: null, externalUrl: null, errorCode: null });
    expect(share.text).toMatch(/^Se vores vindmøller http:\/\/localhost:3999\/r\/[0-9A-Za-z]{10} #nordlysansat$/);

    expect(share.queued).toBe(true);

    const fetched = await getShare(token, share.id);
    expect(fetched.status).toBe(200);
    const { queued: _, ...resource } = created.json;
    expect(fetched.json).toEqual(resource);
  });

  it("answers 404 for another person's share, in the organisation or outside it, and for an unknown id", async () => {
    const { cli, story, token, employee } = await organisation();
    const created = await postShare(token, { storyId: story.id, connectionId: employee.connections.x!.id, text: "Hej" });
    const id = created.json.id as string;
    const colleague = await makeSharer(cli);
    expectProblem(await getShare(await tokenFor(cli, colleague.user.id), id), 404);
    const other = await organisation();
    expectProblem(await getShare(other.token, id), 404);
    expectProblem(await getShare(token, randomUUID()), 404);
    expectProblem(await getShare(token, "not-a-uuid"), 404);
  });

  it("answers 422 with errors.scheduledAt for a time in the past", async () => {
    const { story, token, employee } = await organisation();
    const past = await postShare(token, { storyId: story.id, connectionId: employee.connections.x!.id, text: "Hej", scheduledAt: new Date(Date.now() - 3_600_000).toISOString() });
    expectProblem(past, 422);
    expect(past.json).toMatchObject({ title: "timeInPast", errors: { scheduledAt: ["timeInPast"] } });
  });

  it("answers 422 naming the body's own field (connectionId, text) when the account or the text is refused", async () => {
    const { cli, story, token, employee } = await organisation();

    const colleague = await makeSharer(cli);
    const foreign = await postShare(token, { storyId: story.id, connectionId: colleague.connections.x!.id, text: "Hej" });
    expectProblem(foreign, 422);
    // `errors` names the fields of this endpoint's body (connectionId, text), not of lib's internal compose schema.
    expect(foreign.json.errors).toEqual({ connectionId: ["unknownConnection"] });

    const blocked = await postShare(token, { storyId: story.id, connectionId: employee.connections.x!.id, text: "ÆRGERLIG LØN" });
    expectProblem(blocked, 422);
    expect(blocked.json.errors).toEqual({ text: ["blockedPhrase:ærgerlig løn"] });
  });

  it("answers 409 before the guidelines are accepted, 404 for a story the person may not see, 422 on unknown fields, 403 without the employee role", async () => {
    const { cli, story, token, employee, adminToken } = await organisation();
    const newcomer = await makeMember(cli, ["employee"]);
    const account = await makeConnection(cli, newcomer.user.id);
    const refused = await postShare(await tokenFor(cli, newcomer.user.id), { storyId: story.id, connectionId: account.id, text: "Hej" });
    expectProblem(refused, 409);
    expect(refused.json.title).toBe("guidelinesNotAccepted");

    const draft = await makePublishedStory(cli, { status: "draft" });
    expectProblem(await postShare(token, { storyId: draft.id, connectionId: employee.connections.x!.id, text: "Hej" }), 404);
    expectProblem(await postShare(token, { storyId: story.id, connectionId: employee.connections.x!.id, text: "Hej", posts: [] }), 422);
    expectProblem(await postShare(adminToken, { storyId: story.id, connectionId: employee.connections.x!.id, text: "Hej" }), 403);
    expectProblem(await getShare(adminToken, randomUUID()), 403);
  });
});

describe("GET /api/v1/feed", () => {
  it("pages the feed with the cursor: every story once, newest first", async () => {
    const { cli, token } = await organisation();
    for (let i = 0; i < 11; i++) {
      const at = new Date(Date.now() - (i + 2) * 3_600_000);
      await makePublishedStory(cli, { title: `Historie ${i}`, publishAt: at, publishedAt: at });
    }
    const seen: string[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const result = await feed(token, `?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(result.status, JSON.stringify(result.json)).toBe(200);
      const data = result.json.data as Array<{ id: string; title: string; liveAt: string; expiresAt: string | null }>;
      pages.push(data.length);
      seen.push(...data.map((s) => s.title));
      for (const s of data) expect(new Date(s.liveAt).toISOString()).toBe(s.liveAt);
      cursor = result.json.nextCursor as string | null;
    } while (cursor && pages.length < 10);
    // The organisation's first story (an hour old) and the eleven older ones.
    expect(pages).toEqual([5, 5, 2]);
    expect(seen).toEqual(["Nordlys bygger vindmøller", ...Array.from({ length: 11 }, (_, i) => `Historie ${i}`)]);
  });

  it("filters by language and refuses a bad cursor or an unknown parameter (400)", async () => {
    const { cli, token } = await organisation();
    await makePublishedStory(cli, { title: "In English", language: "en" });
    const english = await feed(token, "?language=en");
    expect((english.json.data as Array<{ title: string }>).map((s) => s.title)).toEqual(["In English"]);
    const bad = await feed(token, "?cursor=not-a-cursor");
    expectProblem(bad, 400);
    expect(bad.json).toMatchObject({ errors: { cursor: ["invalidCursor"] } });
    expectProblem(await feed(token, "?page=2"), 400);
    expectProblem(await feed(token, "?limit=1000"), 400);
  });

  it("refuses an admin-only token (403) and no token (401)", async () => {
    const { adminToken } = await organisation();
    expectProblem(await feed(adminToken), 403);
    expectProblem(await feed(undefined), 401);
    expectProblem(await feed("rpl_notarealtoken"), 401);
  });
});

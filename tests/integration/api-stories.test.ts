import { randomUUID } from "node:crypto";
import { and, count, eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { auditLog, shares, stories, storyAudiences, storyTopics, storyVariants } from "@/db/schema";
import * as openApiRoute from "@/app/api/v1/openapi.json/route";
import * as storyArchiveRoute from "@/app/api/v1/stories/[id]/archive/route";
import * as storyRoute from "@/app/api/v1/stories/[id]/route";
import * as storiesRoute from "@/app/api/v1/stories/route";
import * as teamsRoute from "@/app/api/v1/teams/route";
import * as topicsRoute from "@/app/api/v1/topics/route";
import { storyResourceSchema, type StoryResource } from "@/lib/api/resources";
import { createApiToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db";
import { updateGovernance } from "@/lib/orgs/governance";
import { createTeam } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import { createTopic } from "@/lib/topics";
import { makeMember, makeOrganization } from "../support/factories";

/**
 * REST API v1 stories, topics and teams, called through the route handlers with bearer
 * tokens exactly as Next.js would call them.
 */

// Outside a Next.js request there are no cookies to read: a request without a token has
// no session either (Auth.js would otherwise ask next/headers, which needs a live request).
vi.mock("@/lib/auth/config", () => ({ auth: async () => null }));

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(
  handler: Handler,
  path: string,
  options: { token?: string; method?: string; body?: unknown; rawBody?: string; params?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await handler(new Request(`http://localhost${path}`, { method: options.method ?? "GET", headers, body }), {
    params: Promise.resolve(options.params ?? {}),
  });
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, headers: response.headers, json };
}

const list = (token: string, query = "") => call(storiesRoute.GET, `/api/v1/stories${query}`, { token });
const create = (token: string, body: unknown) => call(storiesRoute.POST, "/api/v1/stories", { token, method: "POST", body });
const get = (token: string, id: string) => call(storyRoute.GET, `/api/v1/stories/${id}`, { token, params: { id } });
const patch = (token: string, id: string, body: unknown) => call(storyRoute.PATCH, `/api/v1/stories/${id}`, { token, method: "PATCH", body, params: { id } });
const archive = (token: string, id: string, body: unknown = {}) =>
  call(storyArchiveRoute.POST, `/api/v1/stories/${id}/archive`, { token, method: "POST", body, params: { id } });

function expectProblem(result: Awaited<ReturnType<typeof call>>, status: number) {
  expect(result.status, JSON.stringify(result.json)).toBe(status);
  expect(result.headers.get("content-type")).toBe("application/problem+json");
  expect(result.json).toMatchObject({ type: "about:blank", status });
  expect(typeof result.json.title).toBe("string");
  expect(typeof result.json.detail).toBe("string");
}

async function tokenFor(cli: Scope, userId: string) {
  return (await createApiToken(db(), cli, { userId, name: "api test" })).token;
}

/** An organisation with an editor (and their token) and an employee's token. */
async function organisation() {
  const { cli } = await makeOrganization();
  const editor = await makeMember(cli, ["editor"]);
  const employee = await makeMember(cli, ["employee"]);
  return { cli, editor, employee, token: await tokenFor(cli, editor.user.id), employeeToken: await tokenFor(cli, employee.user.id) };
}

/** Rows a refused write could have left behind, in the organisation. */
async function footprint(orgId: string) {
  const ids = (await db().select({ id: stories.id }).from(stories).where(eq(stories.orgId, orgId))).map((s) => s.id);
  const none = Promise.resolve([{ n: 0 }]);
  const [[topicLinks], [audienceLinks], [variants], [audits]] = await Promise.all([
    ids.length ? db().select({ n: count() }).from(storyTopics).where(inArray(storyTopics.storyId, ids)) : none,
    ids.length ? db().select({ n: count() }).from(storyAudiences).where(inArray(storyAudiences.storyId, ids)) : none,
    db().select({ n: count() }).from(storyVariants).where(eq(storyVariants.orgId, orgId)),
    db().select({ n: count() }).from(auditLog).where(and(eq(auditLog.orgId, orgId), eq(auditLog.targetType, "story"))),
  ]);
  return { stories: ids.length, topicLinks: topicLinks!.n, audienceLinks: audienceLinks!.n, variants: variants!.n, audits: audits!.n };
}

describe("REST API v1: stories", () => {
  it("lets an editor create, get, change and archive a story, always in the one story shape", async () => {
    const { cli, token, employee } = await organisation();
    const topic = await createTopic(db(), cli, "Bæredygtighed");
    const team = await createTeam(db(), cli, { name: "Salg" });

    const created = await create(token, {
      title: "  Vi åbner et nyt kontor i Aarhus  ",
      summary: "Flere kolleger tæt på kunderne.",
      canonicalUrl: "https://example.com/aarhus",
      language: "da",
      topicIds: [topic.id],
      audienceTeamIds: [team.id],
      publishAt: "2030-01-01T08:00:00Z",
      expiresAt: "2030-02-01T08:00:00Z",
      variants: [{ network: "linkedin", language: "da", text: "Stolt af vores nye kontor i Aarhus!" }],
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const story = storyResourceSchema.parse(created.json);
    expect(created.headers.get("location")).toBe(`/api/v1/stories/${story.id}`);
    expect(story).toMatchObject({
      title: "Vi åbner et nyt kontor i Aarhus",
      slug: "vi-aabner-et-nyt-kontor-i-aarhus",
      status: "draft",
      source: "api",
      pinned: false,
      imageUrl: null,
      publishAt: "2030-01-01T08:00:00.000Z",
      expiresAt: "2030-02-01T08:00:00.000Z",
      archivedAt: null,
      topicIds: [topic.id],
      audienceTeamIds: [team.id],
      variants: [{ network: "linkedin", language: "da", text: "Stolt af vores nye kontor i Aarhus!" }],
    });

    const fetched = await get(token, story.id);
    expect(fetched.status).toBe(200);
    expect(storyResourceSchema.parse(fetched.json)).toEqual(story);

    const changed = await patch(token, story.id, { title: "Nyt kontor i Aarhus", topicIds: [], pinned: true, imageUrl: "" });
    expect(changed.status, JSON.stringify(changed.json)).toBe(200);
    expect(storyResourceSchema.parse(changed.json)).toMatchObject({
      title: "Nyt kontor i Aarhus",
      pinned: true,
      imageUrl: null,
      topicIds: [],
      audienceTeamIds: [team.id],
      summary: "Flere kolleger tæt på kunderne.",
      canonicalUrl: "https://example.com/aarhus",
    });

    // A share waiting to be published is cancelled when the story is withdrawn.
    await db().insert(shares).values({
      orgId: cli.orgId,
      storyId: story.id,
      userId: employee.user.id,
      network: "linkedin",
      mode: "api",
      text: "Se her",
      scheduledAt: new Date(Date.now() + 86_400_000),
    });
    const archived = await archive(token, story.id, { reason: "Kontoret åbner senere" });
    expect(archived.status, JSON.stringify(archived.json)).toBe(200);
    expect(archived.json.cancelledShares).toBe(1);
    const archivedStory = storyResourceSchema.parse(archived.json.story);
    expect(archivedStory.status).toBe("archived");
    expect(archivedStory.archivedAt).not.toBeNull();
    const [share] = await db().select().from(shares).where(eq(shares.storyId, story.id));
    expect(share!.status).toBe("cancelled");

    expectProblem(await archive(token, story.id), 409);
    const readOnly = await patch(token, story.id, { title: "Igen" });
    expectProblem(readOnly, 422);
    expect(readOnly.json.title).toBe("storyArchived");
  });

  it("filters the list by status, topic, audience team, language and search words", async () => {
    const { cli, token } = await organisation();
    const topic = await createTopic(db(), cli, "Energi");
    const salg = await createTeam(db(), cli, { name: "Salg" });
    const oest = await createTeam(db(), cli, { name: "Salg Øst", parentId: salg.id });
    const make = async (body: Record<string, unknown>) => storyResourceSchema.parse((await create(token, { language: "da", ...body })).json);

    const vind = await make({ title: "Vindmøller til havs", topicIds: [topic.id] });
    const sol = await make({ title: "Solceller på taget", summary: "Grøn strøm", audienceTeamIds: [salg.id] });
    const english = await make({ title: "Quarterly results", language: "en" });
    await archive(token, english.id);

    const titles = async (query: string) => {
      const result = await list(token, query);
      expect(result.status, JSON.stringify(result.json)).toBe(200);
      return (result.json.data as StoryResource[]).map((s) => s.title).sort();
    };
    expect(await titles("")).toEqual([english.title, sol.title, vind.title].sort());
    expect(await titles("?status=archived")).toEqual([english.title]);
    expect(await titles("?status=draft&language=da")).toEqual([sol.title, vind.title].sort());
    expect(await titles("?language=en")).toEqual([english.title]);
    expect(await titles(`?topicId=${topic.id}`)).toEqual([vind.title]);
    // A story for Salg is for Salg Øst too.
    expect(await titles(`?teamId=${oest.id}`)).toEqual([sol.title]);
    expect(await titles(`?q=${encodeURIComponent("vindmøller")}`)).toEqual([vind.title]);
    expect(await titles("?q=strøm")).toEqual([sol.title]);
    expect(await titles("?q=ingenting")).toEqual([]);
  });

  it("pages with an opaque cursor, newest change first, without repeating or skipping a story", async () => {
    const { token } = await organisation();
    const made: string[] = [];
    for (let i = 1; i <= 5; i++) made.push(storyResourceSchema.parse((await create(token, { title: `Historie ${i}`, language: "da" })).json).id);
    // Postgres keeps microseconds, a JS Date milliseconds: put three stories in one
    // millisecond (two of them on the same microsecond) so the keyset must get it right.
    await db().update(stories).set({ updatedAt: new Date("2030-01-01T00:00:00.123Z") }).where(eq(stories.id, made[1]!));
    for (const [id, at] of [
      [made[2]!, "2030-01-01 00:00:00.123456+00"],
      [made[3]!, "2030-01-01 00:00:00.123456+00"],
      [made[4]!, "2030-01-01 00:00:00.123999+00"],
    ] as const) {
      await db().execute(sqlUpdateAt(id, at));
    }

    const pages: StoryResource[][] = [];
    let cursor: string | null = null;
    do {
      const result = await list(token, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(result.status, JSON.stringify(result.json)).toBe(200);
      pages.push(result.json.data as StoryResource[]);
      cursor = result.json.nextCursor as string | null;
      if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    } while (cursor && pages.length < 10);

    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const ids = pages.flat().map((s) => s.id);
    expect(new Set(ids).size).toBe(5);
    expect([...ids].sort()).toEqual([...made].sort());
    const order = pages.flat().map((s) => [s.updatedAt, s.id] as const);
    const sorted = [...order].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? 1 : -1) : a[0] < b[0] ? 1 : -1));
    expect(order).toEqual(sorted);

    const all = await list(token, "?limit=100");
    expect(all.json.nextCursor).toBeNull();
    expect((all.json.data as StoryResource[]).map((s) => s.id)).toEqual(ids);
  });

  it("refuses a malformed cursor, a bad limit and unknown query parameters with 400 naming them", async () => {
    const { token } = await organisation();
    for (const [query, field] of [
      ["?cursor=bm90LWEtY3Vyc29y", "cursor"],
      ["?cursor=%25%25", "cursor"],
      ["?limit=0", "limit"],
      ["?limit=101", "limit"],
      ["?limit=ten", "limit"],
      ["?status=gone", "status"],
      ["?topicId=42", "topicId"],
    ] as const) {
      const result = await list(token, query);
      expectProblem(result, 400);
      expect(Object.keys(result.json.errors as object), query).toEqual([field]);
    }
    // Strict: a parameter the endpoint does not know is refused, not ignored.
    const unknown = await list(token, "?sort=title");
    expectProblem(unknown, 400);
    expect(unknown.json.errors).toEqual({ _: [expect.stringContaining("sort")] });
    expectProblem(await call(topicsRoute.GET, "/api/v1/topics?page=2", { token }), 400);
  });

  it("answers 401 without a valid token and 403 to an employee, as problem+json", async () => {
    const { token, employeeToken } = await organisation();
    const story = storyResourceSchema.parse((await create(token, { title: "Kun for redaktører", language: "da" })).json);

    const anonymous = await list("");
    expectProblem(anonymous, 401);
    expect(anonymous.headers.get("www-authenticate")).toBe("Bearer");
    expectProblem(await list(`rpl_${"Q".repeat(40)}`), 401);

    for (const result of [
      await list(employeeToken),
      await get(employeeToken, story.id),
      await create(employeeToken, { title: "Fra en medarbejder", language: "da" }),
      await patch(employeeToken, story.id, { title: "Ændret" }),
      await archive(employeeToken, story.id),
      await call(topicsRoute.GET, "/api/v1/topics", { token: employeeToken }),
      await call(teamsRoute.GET, "/api/v1/teams", { token: employeeToken }),
    ]) {
      expectProblem(result, 403);
    }
    expect(storyResourceSchema.parse((await get(token, story.id)).json)).toMatchObject({ title: "Kun for redaktører", status: "draft" });
  });

  it("answers 404 for another organisation's story and never lists it", async () => {
    const { token } = await organisation();
    const other = await organisation();
    const foreign = storyResourceSchema.parse((await create(other.token, { title: "Hemmelig plan", language: "da" })).json);

    expectProblem(await get(token, foreign.id), 404);
    expectProblem(await get(token, randomUUID()), 404);
    expectProblem(await get(token, "not-a-uuid"), 404);
    expectProblem(await patch(token, foreign.id, { title: "Overtaget" }), 404);
    expectProblem(await archive(token, foreign.id), 404);
    expect((await list(token)).json.data).toEqual([]);
    expect((await list(token, "?q=hemmelig")).json.data).toEqual([]);

    const untouched = storyResourceSchema.parse((await get(other.token, foreign.id)).json);
    expect(untouched).toMatchObject({ title: "Hemmelig plan", status: "draft", archivedAt: null });
  });

  it("refuses bad input with 422 naming the field, and writes nothing", async () => {
    const { cli, token } = await organisation();
    const other = await makeOrganization("Konkurrent A/S");
    const foreignTopic = await createTopic(db(), other.cli, "Deres emne");
    const foreignTeam = await createTeam(db(), other.cli, { name: "Deres team" });
    await updateGovernance(db(), cli, { approvalRequired: false, disclosureHashtag: null, blockedWords: ["konkurs"] });
    const existing = storyResourceSchema.parse((await create(token, { title: "Findes allerede", language: "da" })).json);
    const before = await footprint(cli.orgId);
    const valid = { title: "En god historie", language: "da", variants: [{ network: "x", language: "da", text: "Læs den" }] };

    for (const [what, body, field, title] of [
      ["an over-long title", { ...valid, title: "x".repeat(201) }, "title", "Unprocessable Content"],
      ["an invalid canonical URL", { ...valid, canonicalUrl: "not a url" }, "canonicalUrl", "Unprocessable Content"],
      ["a non-http URL", { ...valid, imageUrl: "javascript:alert(1)" }, "imageUrl", "Unprocessable Content"],
      ["a share text over X's limit", { ...valid, variants: [{ network: "x", language: "da", text: "ord ".repeat(100) }] }, "variants.0.text", "storyBreaksRules"],
      ["a blocked phrase", { ...valid, summary: "Vi går konkurs" }, "summary", "storyBreaksRules"],
      ["expiry before publishing", { ...valid, publishAt: "2030-02-01T00:00:00Z", expiresAt: "2030-01-01T00:00:00Z" }, "expiresAt", "Unprocessable Content"],
      ["an unknown topic id", { ...valid, topicIds: [randomUUID()] }, "topicIds", "unknownTopic"],
      ["another organisation's topic", { ...valid, topicIds: [foreignTopic.id] }, "topicIds", "unknownTopic"],
      ["another organisation's team", { ...valid, audienceTeamIds: [foreignTeam.id] }, "audienceTeamIds", "unknownTeam"],
      ["an unknown field", { ...valid, status: "published" }, "_", "Unprocessable Content"],
    ] as const) {
      const result = await create(token, body);
      expectProblem(result, 422);
      expect(result.json.title, what).toBe(title);
      expect(Object.keys(result.json.errors as object), what).toEqual([field]);

      const changed = await patch(token, existing.id, body);
      expectProblem(changed, 422);
      expect(Object.keys(changed.json.errors as object), `${what} (PATCH)`).toEqual([field]);
    }

    const malformed = await call(storiesRoute.POST, "/api/v1/stories", { token, method: "POST", rawBody: '{"title": "Halv' });
    expectProblem(malformed, 400);
    expectProblem(await call(storiesRoute.POST, "/api/v1/stories", { token, method: "POST" }), 400);

    expect(await footprint(cli.orgId)).toEqual(before);
    expect(storyResourceSchema.parse((await get(token, existing.id)).json)).toEqual(existing);
  });
});

describe("REST API v1: topics and teams", () => {
  it("lists the organisation's own topics with story counts and its teams as a tree", async () => {
    const { cli, token } = await organisation();
    const other = await makeOrganization();
    await createTopic(db(), other.cli, "Fremmed emne");
    await createTeam(db(), other.cli, { name: "Fremmed team" });
    const energi = await createTopic(db(), cli, "Energi");
    const kultur = await createTopic(db(), cli, "Kultur");
    const salg = await createTeam(db(), cli, { name: "Salg" });
    const oest = await createTeam(db(), cli, { name: "Salg Øst", parentId: salg.id });
    await create(token, { title: "Om energi", language: "da", topicIds: [energi.id] });

    const topics = await call(topicsRoute.GET, "/api/v1/topics", { token });
    expect(topics.status).toBe(200);
    expect(topics.json).toEqual({
      data: [
        { id: energi.id, name: "Energi", slug: "energi", storyCount: 1 },
        { id: kultur.id, name: "Kultur", slug: "kultur", storyCount: 0 },
      ],
    });

    const teams = await call(teamsRoute.GET, "/api/v1/teams", { token });
    expect(teams.status).toBe(200);
    expect(teams.json).toEqual({
      data: [
        { id: salg.id, name: "Salg", parentId: null },
        { id: oest.id, name: "Salg Øst", parentId: salg.id },
      ],
    });
  });
});

describe("REST API v1: the OpenAPI document", () => {
  it("is public, cacheable for five minutes and names the configured base URL", async () => {
    const result = await call(openApiRoute.GET, "/api/v1/openapi.json");
    expect(result.status).toBe(200);
    expect(result.headers.get("cache-control")).toBe("public, max-age=300");
    expect(result.json).toMatchObject({ openapi: "3.1.0", servers: [{ url: process.env.APP_URL }] });
    expect(Object.keys(result.json.paths as object)).toContain("/api/v1/stories/{id}/archive");
  });
});

/** updated_at set to an exact microsecond (a JS Date cannot say it). */
function sqlUpdateAt(id: string, at: string) {
  return sql`update ${stories} set updated_at = ${at}::timestamptz where id = ${id}`;
}

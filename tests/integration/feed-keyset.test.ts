import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { memberships, stories, type Story } from "@/db/schema";
import { db } from "@/lib/db";
import { decodeFeedCursor, encodeFeedCursor, feedQuerySchema, listFeed, visitFeed, type FeedQuery } from "@/lib/stories/feed";
import { createTeam } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import { createTopic } from "@/lib/topics";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";

/**
 * The feed a page at a time by keyset (pinned, live time, id): every visible story exactly
 * once and in order, whatever the page size, the filters, equal live times or stories
 * published between two pages; a cursor positions, it never widens what a member may see.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Row = Pick<Story, "id" | "pinned" | "language"> & { liveAt: Date; topics: string[] };

/** The feed's order, computed here: pinned first, then newest, then id (uuids compare as their hex). */
function feedOrder(rows: Row[]): string[] {
  return [...rows]
    .sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.liveAt.getTime() - a.liveAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((r) => r.id);
}

/** Every page of the feed for the member, and the page sizes seen. */
async function walk(scope: Scope, userId: string, query: Partial<FeedQuery> = {}, limit = 7) {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: FeedQuery["cursor"] = query.cursor;
  for (let page = 0; page < 50; page++) {
    const result = await listFeed(db(), scope, userId, { ...query, limit, cursor });
    ids.push(...result.items.map((s) => s.id));
    sizes.push(result.items.length);
    if (!result.nextCursor) return { ids, sizes };
    cursor = decodeFeedCursor(result.nextCursor)!;
    expect(cursor).not.toBeNull();
  }
  throw new Error("the feed did not end");
}

/**
 * About forty visible stories for a member of Salg: four pinned (two at the same instant),
 * the rest in groups of three sharing a live time, some live by publish_at and some by
 * published_at alone, in two languages and two topics; plus stories the member must not see.
 */
async function library() {
  const { cli } = await makeOrganization("Nordlys Energi A/S");
  const salg = await createTeam(db(), cli, { name: "Salg" });
  const teknik = await createTeam(db(), cli, { name: "Teknik" });
  const vind = await createTopic(db(), cli, "Vind");
  const sol = await createTopic(db(), cli, "Sol");
  const member = await makeMember(cli, ["employee"], { teamId: salg.id });
  const base = Date.now() - 20 * DAY;

  const visible: Row[] = [];
  const add = async (i: number, liveAt: Date, extra: { pinned?: boolean; audiences?: string[]; byPublishedAt?: boolean } = {}) => {
    const language = i % 2 === 0 ? "da" : "en";
    const topics = [...(i % 3 === 0 ? [vind.id] : []), ...(i % 4 === 0 ? [sol.id] : [])];
    const story = await makePublishedStory(cli, {
      title: `Historie ${i}`,
      language,
      pinned: extra.pinned ?? false,
      publishAt: extra.byPublishedAt ? null : liveAt,
      publishedAt: liveAt,
      audiences: extra.audiences ?? [],
      topics,
    });
    visible.push({ id: story.id, pinned: story.pinned, language, liveAt, topics });
  };

  for (let i = 0; i < 4; i++) await add(i, new Date(base + (i < 2 ? 5 : i) * HOUR), { pinned: true });
  for (let i = 4; i < 40; i++) {
    await add(i, new Date(base + Math.floor(i / 3) * HOUR), { byPublishedAt: i % 5 === 0, audiences: i % 7 === 0 ? [salg.id] : [] });
  }

  // Not for this member: another team's, a draft, one not yet live, one expired.
  const hidden = [
    await makePublishedStory(cli, { title: "Teknik", audiences: [teknik.id], publishAt: new Date(base + 3 * HOUR) }),
    await makePublishedStory(cli, { title: "Kladde", status: "draft", publishAt: new Date(base + 3 * HOUR) }),
    await makePublishedStory(cli, { title: "Senere", publishAt: new Date(Date.now() + DAY), publishedAt: new Date(Date.now() + DAY) }),
    await makePublishedStory(cli, { title: "Udløbet", publishAt: new Date(base + 3 * HOUR), expiresAt: new Date(Date.now() - MINUTE) }),
    await makePublishedStory(cli, { title: "Fastgjort for Teknik", pinned: true, audiences: [teknik.id] }),
  ].map((s) => s.id);

  return { cli, member, visible, hidden, vind, sol };
}

describe("listFeed: keyset pages", () => {
  it("pages through every visible story exactly once, pinned first, then newest, then id", async () => {
    const { cli, member, visible, hidden } = await library();
    expect(visible).toHaveLength(40);
    const expected = feedOrder(visible);

    const { ids, sizes } = await walk(cli, member.user.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected);
    expect(sizes).toEqual([7, 7, 7, 7, 7, 5]);
    for (const id of hidden) expect(ids).not.toContain(id);

    // Other page sizes give the same sequence.
    for (const limit of [1, 3, 40, 100]) expect((await walk(cli, member.user.id, {}, limit)).ids).toEqual(expected);
  });

  it("pages a topic and a language the same way", async () => {
    const { cli, member, visible, vind, sol } = await library();
    const byTopic = (topicId: string) => feedOrder(visible.filter((r) => r.topics.includes(topicId)));
    expect((await walk(cli, member.user.id, { topicId: vind.id })).ids).toEqual(byTopic(vind.id));
    expect((await walk(cli, member.user.id, { topicId: sol.id }, 2)).ids).toEqual(byTopic(sol.id));
    expect((await walk(cli, member.user.id, { language: "en" })).ids).toEqual(feedOrder(visible.filter((r) => r.language === "en")));
    expect((await walk(cli, member.user.id, { language: "da", topicId: vind.id }, 2)).ids).toEqual(
      feedOrder(visible.filter((r) => r.language === "da" && r.topics.includes(vind.id))),
    );
  });

  it("neither repeats nor skips when a story goes live between two pages", async () => {
    const { cli, member, visible } = await library();
    const first = await listFeed(db(), cli, member.user.id, { limit: 7 });
    const fresh = await makePublishedStory(cli, { title: "Helt ny", publishAt: new Date(), publishedAt: new Date() });
    const rest = await walk(cli, member.user.id, { cursor: decodeFeedCursor(first.nextCursor!)! });
    const seen = [...first.items.map((s) => s.id), ...rest.ids];
    expect(seen).toEqual(feedOrder(visible));
    expect(seen).not.toContain(fresh.id);
    // From the top, the new story comes first among the unpinned.
    expect((await walk(cli, member.user.id)).ids.slice(0, 5)).toEqual([...feedOrder(visible).slice(0, 4), fresh.id]);
  });

  it("returns the story fields with the live time as a date", async () => {
    const { cli, member, visible } = await library();
    const { items } = await listFeed(db(), cli, member.user.id, { limit: 1 });
    const top = visible.find((r) => r.id === items[0]!.id)!;
    expect(items[0]).toMatchObject({ pinned: true, liveAt: top.liveAt, expiresAt: null, canonicalUrl: expect.any(String), title: expect.any(String) });
  });

  it("keeps stories that went live at the same instant with sub-millisecond precision (rows written by SQL)", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await makePublishedStory(cli, { title: `Samtidig ${i}` })).id);
    // As a backfill or import in SQL would leave them: live at one microsecond-precise instant.
    await db().execute(sql`update ${stories} set publish_at = '2026-01-05 09:00:00.123456+00', published_at = '2026-01-05 09:00:00.123456+00' where org_id = ${cli.orgId}`);
    const { ids } = await walk(cli, member.user.id, {}, 2);
    expect(ids).toEqual([...made].sort().reverse());
  });
});

describe("listFeed: the feed index", () => {
  /** listFeed's page query as it is sent (through a drizzle instance that logs), and its plan. */
  async function planOf(run: (database: Database) => Promise<unknown>) {
    const client = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    const queries: Array<{ query: string; params: unknown[] }> = [];
    try {
      const logging = drizzle(client, { schema, casing: "snake_case", logger: { logQuery: (query, params) => queries.push({ query, params }) } });
      await run(logging);
      const page = queries.find((q) => /order by/i.test(q.query))!;
      expect(page).toBeDefined();
      // Sequential scans off, so the plan shows whether the index can give the order at all.
      const [row] = await client.begin(async (tx) => {
        await tx.unsafe("set local enable_seqscan = off");
        return tx.unsafe(`explain (format json) ${page.query}`, page.params as never[]);
      });
      return JSON.stringify((row as Record<string, unknown>)["QUERY PLAN"]);
    } finally {
      await client.end();
    }
  }

  it("reads the first page and a later page in order from stories_feed_index, without sorting the organisation's stories", async () => {
    const { cli, member } = await library();
    const first = await planOf((d) => listFeed(d, cli, member.user.id, { limit: 7 }));
    expect(first).toContain("stories_feed_index");
    expect(first).not.toContain('"Node Type":"Sort"');

    const { nextCursor } = await listFeed(db(), cli, member.user.id, { limit: 7 });
    const later = await planOf((d) => listFeed(d, cli, member.user.id, { limit: 7, cursor: decodeFeedCursor(nextCursor!)! }));
    expect(later).toContain("stories_feed_index");
    expect(later).not.toContain('"Node Type":"Sort"');
  });
});

describe("listFeed: cursors and organisations", () => {
  it("never shows another organisation's stories, whatever cursor is sent", async () => {
    const a = await library();
    const { cli: otherOrg } = await makeOrganization("Andet Firma ApS");
    const outsider = await makeMember(otherOrg, ["employee"]);
    const theirs: string[] = [];
    for (let i = 0; i < 9; i++) theirs.push((await makePublishedStory(otherOrg, { title: `Andet ${i}`, pinned: i === 0 })).id);
    const mine = new Set(a.visible.map((r) => r.id).concat(a.hidden));

    // A cursor taken from organisation A's feed, and cursors made up from A's stories.
    const page = await listFeed(db(), a.cli, a.member.user.id, { limit: 7 });
    const cursors = [
      decodeFeedCursor(page.nextCursor!)!,
      { pinned: true, liveAt: new Date(Date.now() + 365 * DAY).toISOString(), id: a.visible[0]!.id },
      { pinned: false, liveAt: new Date(Date.now() + DAY).toISOString(), id: "ffffffff-ffff-4fff-bfff-ffffffffffff" },
    ];
    for (const cursor of cursors) {
      const { ids } = await walk(otherOrg, outsider.user.id, { cursor }, 3);
      for (const id of ids) {
        expect(mine.has(id)).toBe(false);
        expect(theirs).toContain(id);
      }
    }
    // And A's member never sees the other organisation's, from any cursor.
    const { ids } = await walk(a.cli, a.member.user.id, { cursor: { pinned: true, liveAt: new Date(Date.now() + DAY).toISOString(), id: theirs[0]! } });
    for (const id of ids) expect(theirs).not.toContain(id);
  });

  it("encodes cursors opaquely and refuses a malformed one", () => {
    const cursor = { pinned: false, liveAt: "2026-01-05T09:00:00.123Z", id: "0b5d3c64-1b1c-4c55-9f38-7d1e6b6a8a01" };
    const encoded = encodeFeedCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeFeedCursor(encoded)).toEqual(cursor);
    expect(feedQuerySchema.parse({ cursor: encoded, limit: "7" })).toMatchObject({ cursor, limit: 7 });
    for (const bad of ["", "bm90IGpzb24", Buffer.from('[true,"yesterday","x"]').toString("base64url"), Buffer.from('{"id":1}').toString("base64url")]) {
      expect(decodeFeedCursor(bad)).toBeNull();
    }
    expect(feedQuerySchema.safeParse({ cursor: "garbage!" }).success).toBe(false);
    expect(feedQuerySchema.safeParse({ limit: "0" }).success).toBe(false);
    expect(feedQuerySchema.safeParse({ limit: "101" }).success).toBe(false);
  });
});

describe("visitFeed", () => {
  it("returns the previous visit and records the new one, for this member in this organisation only", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);
    const colleague = await makeMember(cli, ["employee"]);
    const { cli: otherOrg } = await makeOrganization();
    await makeMember(otherOrg, ["employee"], { email: member.user.email });
    const t1 = new Date("2026-02-02T08:00:00.000Z");
    const t2 = new Date("2026-02-03T09:30:00.000Z");
    const t3 = new Date("2026-02-05T12:00:00.000Z");

    expect(await visitFeed(db(), cli, member.user.id, t1)).toBeNull();
    expect(await visitFeed(db(), cli, member.user.id, t2)).toEqual(t1);
    expect(await visitFeed(db(), cli, member.user.id, t3)).toEqual(t2);

    const visits = await db().select({ orgId: memberships.orgId, at: memberships.lastFeedVisitAt }).from(memberships).where(eq(memberships.userId, member.user.id));
    expect(visits.find((v) => v.orgId === cli.orgId)!.at).toEqual(t3);
    expect(visits.find((v) => v.orgId === otherOrg.orgId)!.at).toBeNull();
    expect(await visitFeed(db(), cli, colleague.user.id, t3)).toBeNull();
    expect(await visitFeed(db(), otherOrg, member.user.id, t3)).toBeNull();
  });
});

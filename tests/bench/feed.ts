import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { createDatabase, type Database } from "@/db/client";
import { memberships, organizations, teams, topics, users } from "@/db/schema";
import { getOrganizationSettings } from "@/lib/orgs";
import { encodeFeedCursor, decodeFeedCursor, feedCardDetails, feedCardDetailsQuery, listFeed, listFeedCards } from "@/lib/stories/feed";
import { listTopicNames } from "@/lib/topics";
import { trustedScope, type Scope } from "@/lib/tenant";
import { createTestDatabase } from "../support/database";

/**
 * The feed's keyset pages against OFFSET pages, on a fresh database with 10,000 published
 * stories in one organisation (pinned ones, equal live times, team audiences, expired and
 * not-yet-live ones) and 2,000 in another. Measures page 1 and page 400 (20 a page) for a
 * member of one team, 30 runs each after a warm-up. The baseline is a plain SQL query with
 * the same visibility rules and order, paged with OFFSET; both sides look up the member's
 * teams first, as the feed does.
 *
 * Then the feed page as the server loads it (settings, cards with stored images, topics,
 * the viewer's own shares and colleague counts, over 200 colleagues' 60,000 shares) at 16
 * requests at a time, against listFeed alone at the same concurrency; goal p95 <= 100 ms.
 *
 * Last line: {"keyset_p95_ms_page1", "keyset_p95_ms_deep", "offset_p95_ms_deep", "speedup_deep",
 * "cards_p95_ms_c16", "cards_p95_ms_c16_deep", "listfeed_p95_ms_c16", "cards_goal_met"}.
 */

const STORIES = 10_000;
const OTHER_STORIES = 2_000;
const PAGE_SIZE = 20;
const DEEP_PAGE = 400;
const WARMUP = 5;
const RUNS = 30;
const CONCURRENCY = 16;
const CONCURRENT_REQUESTS = 640;
const COLLEAGUES = 200;
const GOAL_P95_MS = 100;

type Page = { ids: string[] };

async function seed(db: Database) {
  const [orgA] = await db.insert(organizations).values({ name: "Bench A/S", slug: `bench-a-${randomBytes(3).toString("hex")}` }).returning();
  const [orgB] = await db.insert(organizations).values({ name: "Andet A/S", slug: `bench-b-${randomBytes(3).toString("hex")}` }).returning();
  // A department with five teams; the member sits in the first.
  const [root] = await db.insert(teams).values({ orgId: orgA!.id, name: "Salg" }).returning();
  const children = await db
    .insert(teams)
    .values(Array.from({ length: 5 }, (_, i) => ({ orgId: orgA!.id, parentId: root!.id, name: `Salg ${i + 1}` })))
    .returning();
  const [user] = await db.insert(users).values({ email: `bench.${randomBytes(3).toString("hex")}@example.test`, name: "Bench" }).returning();
  await db.insert(memberships).values({ orgId: orgA!.id, userId: user!.id, roles: ["employee"], teamId: children[0]!.id, status: "active" });

  // Live times on whole seconds, in pairs (equal live times are ordered by id); some pinned,
  // some expired, some not yet live, a third in English.
  const insertStories = (orgId: string, n: number, offsetSeconds: number) => db.execute(sql`
    insert into stories (org_id, slug, title, summary, language, status, pinned, publish_at, published_at, expires_at, canonical_url)
    select ${orgId}::uuid, 's-' || i, 'Historie ' || i, 'Et resumé af historie ' || i,
           (case when i % 3 = 0 then 'en' else 'da' end)::locale,
           'published', i % 500 = 0,
           case when i % 100 = 2 then date_trunc('second', now()) + interval '2 days'
                else date_trunc('second', now()) - make_interval(secs => ${offsetSeconds} + (i / 2) * 420) end,
           date_trunc('second', now()) - make_interval(secs => ${offsetSeconds} + (i / 2) * 420),
           case when i % 50 = 1 then date_trunc('second', now()) - interval '1 hour' end,
           'https://nordlys.example/historie/' || i
    from generate_series(1, ${n}) i`);
  await insertStories(orgA!.id, STORIES, 0);
  await insertStories(orgB!.id, OTHER_STORIES, 17);
  // A tenth of the stories are for one of the five teams, another tenth for the department.
  const teamIds = children.map((c) => c.id);
  await db.execute(sql`
    insert into story_audiences (story_id, team_id)
    select s.id, (${sql.raw(`array[${teamIds.map((id) => `'${id}'::uuid`).join(",")}]`)})[1 + (substring(s.slug from 3)::int / 10) % 5]
    from stories s where s.org_id = ${orgA!.id} and substring(s.slug from 3)::int % 10 = 3`);
  await db.execute(sql`
    insert into story_audiences (story_id, team_id)
    select s.id, ${root!.id}::uuid from stories s where s.org_id = ${orgA!.id} and substring(s.slug from 3)::int % 10 = 7`);
  // Every story has a stored image and two of five topics.
  await db.execute(sql`update stories set image_key = org_id || '/' || substr(md5(id::text), 1, 24) || '.png', image_url = 'https://nordlys.example/billede/' || slug || '.png'`);
  const topicRows = await db
    .insert(topics)
    .values(["Vind", "Sol", "Kunder", "Job", "Net"].map((name) => ({ orgId: orgA!.id, name, slug: name.toLowerCase() })))
    .returning();
  const topicArray = sql.raw(`array[${topicRows.map((t) => `'${t.id}'::uuid`).join(",")}]`);
  await db.execute(sql`
    insert into story_topics (story_id, topic_id)
    select s.id, (${topicArray})[1 + (substring(s.slug from 3)::int + k) % 5] from stories s, generate_series(0, 1) k where s.org_id = ${orgA!.id}`);
  // 200 colleagues; the newest 2,000 stories and the pinned ones (page 1) carry 30 shares each (about 60,000), the member's own on every seventh.
  const colleagues = await db
    .insert(users)
    .values(Array.from({ length: COLLEAGUES }, (_, i) => ({ email: `bench.${i}.${randomBytes(3).toString("hex")}@example.test`, name: `Kollega ${i}` })))
    .returning({ id: users.id });
  await db.insert(memberships).values(colleagues.map((c) => ({ orgId: orgA!.id, userId: c.id, roles: ["employee" as const], status: "active" as const })));
  const colleagueArray = sql.raw(`array[${colleagues.map((c) => `'${c.id}'`).join(",")}]`);
  await db.execute(sql`
    insert into shares (org_id, story_id, user_id, network, mode, text, status, scheduled_at, published_at)
    select s.org_id, s.id, (${colleagueArray})[1 + (k * 7 + substring(s.slug from 3)::int) % ${COLLEAGUES}],
           (array['linkedin','x','mastodon','bluesky']::network[])[1 + k % 4], 'api', 'Se her',
           (case when k % 10 = 9 then 'scheduled' else 'published' end)::share_status, now() - interval '1 day', case when k % 10 = 9 then null else now() - interval '1 day' end
    from stories s, generate_series(0, 29) k where s.org_id = ${orgA!.id} and (substring(s.slug from 3)::int <= 2000 or substring(s.slug from 3)::int % 500 = 0)`);
  await db.execute(sql`
    insert into shares (org_id, story_id, user_id, network, mode, text, status, scheduled_at, published_at)
    select s.org_id, s.id, ${user!.id}, 'linkedin', 'api', 'Se her', 'published', now() - interval '2 days', now() - interval '2 days'
    from stories s where s.org_id = ${orgA!.id} and substring(s.slug from 3)::int % 7 = 0`);
  await db.execute(sql`analyze`);
  return { scope: trustedScope(orgA!.id, { kind: "user", userId: user!.id }), userId: user!.id };
}

/** The baseline: the member's teams, then the same visible stories in the same order, paged with OFFSET. */
async function offsetPage(db: Database, scope: Scope, userId: string, offset: number): Promise<Page & { last: { pinned: boolean; liveAt: Date; id: string } | undefined }> {
  const teamRows = await db.execute<{ id: string }>(sql`
    with recursive up as (
      select t.id, t.parent_id from teams t join memberships m on m.team_id = t.id where m.user_id = ${userId} and m.org_id = ${scope.orgId}
      union
      select p.id, p.parent_id from teams p join up on p.id = up.parent_id
    ) select id from up`);
  const teamIds = teamRows.map((r) => r.id);
  const now = new Date().toISOString();
  const rows = await db.execute<{ id: string; pinned: boolean; live_at: Date }>(sql`
    select s.id, s.title, s.summary, s.canonical_url, s.image_url, s.language, s.pinned,
           coalesce(s.publish_at, s.published_at, s.created_at) as live_at, s.expires_at
    from stories s
    where s.org_id = ${scope.orgId} and s.status = 'published'
      and (s.publish_at is null or s.publish_at <= ${now}::timestamptz)
      and (s.expires_at is null or s.expires_at > ${now}::timestamptz)
      and (not exists (select 1 from story_audiences a where a.story_id = s.id)
           or ${teamIds.length ? sql`exists (select 1 from story_audiences a where a.story_id = s.id and a.team_id in ${teamIds})` : sql`false`})
    order by s.pinned desc, coalesce(s.publish_at, s.published_at, s.created_at) desc, s.id desc
    limit ${PAGE_SIZE} offset ${offset}`);
  const last = rows.at(-1);
  return { ids: rows.map((r) => r.id), last: last ? { pinned: last.pinned, liveAt: new Date(last.live_at), id: last.id } : undefined };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function measure(run: () => Promise<unknown>) {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

/** `total` calls, `CONCURRENCY` at a time (each worker starts the next as one ends); latency per call. */
async function measureConcurrent(run: () => Promise<unknown>, total = CONCURRENT_REQUESTS) {
  await Promise.all(Array.from({ length: CONCURRENCY }, () => run()));
  const times: number[] = [];
  let started = 0;
  const wall = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (started < total) {
        started++;
        const start = performance.now();
        await run();
        times.push(performance.now() - start);
      }
    }),
  );
  const seconds = (performance.now() - wall) / 1000;
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), perSecond: total / seconds };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export default async function main() {
  const started = performance.now();
  const database = await createTestDatabase("bench");
  const handle = createDatabase(database.url, { max: CONCURRENCY, applicationName: "ripple-bench" });
  try {
    const db = handle.db;
    const { scope, userId } = await seed(db);
    const [counted] = await db.execute<{ n: number }>(sql`select count(*)::int as n from stories`);
    console.log(`seeded ${counted!.n} stories in ${Math.round(performance.now() - started)} ms (database ${database.name})`);

    // The keyset cursor for page 400 is the last row of page 399.
    const deepOffset = (DEEP_PAGE - 1) * PAGE_SIZE;
    const before = await offsetPage(db, scope, userId, deepOffset - PAGE_SIZE);
    if (!before.last) throw new Error(`the member sees fewer than ${deepOffset} stories: the data does not reach page ${DEEP_PAGE}`);
    const cursor = decodeFeedCursor(encodeFeedCursor({ pinned: before.last.pinned, liveAt: before.last.liveAt.toISOString(), id: before.last.id }))!;

    const keysetFirst = () => listFeed(db, scope, userId, { limit: PAGE_SIZE });
    const keysetDeep = () => listFeed(db, scope, userId, { limit: PAGE_SIZE, cursor });
    const offsetFirst = () => offsetPage(db, scope, userId, 0);
    const offsetDeep = () => offsetPage(db, scope, userId, deepOffset);

    // Both ways must return the same pages, or the comparison means nothing.
    for (const [keyset, offset, label] of [
      [keysetFirst, offsetFirst, "page 1"],
      [keysetDeep, offsetDeep, `page ${DEEP_PAGE}`],
    ] as const) {
      const a = (await keyset()).items.map((s) => s.id);
      const b = (await offset()).ids;
      if (a.length !== PAGE_SIZE || JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`keyset and offset disagree on ${label}`);
    }

    const results = {
      keysetFirst: await measure(keysetFirst),
      offsetFirst: await measure(offsetFirst),
      keysetDeep: await measure(keysetDeep),
      offsetDeep: await measure(offsetDeep),
    };
    const line = (label: string, r: { p50: number; p95: number }) => `${label.padEnd(26)} p50 ${r.p50.toFixed(2).padStart(8)} ms   p95 ${r.p95.toFixed(2).padStart(8)} ms`;
    console.log(`feed pages of ${PAGE_SIZE}, ${RUNS} runs each after ${WARMUP} warm-up runs`);
    console.log(line("keyset page 1", results.keysetFirst));
    console.log(line("offset page 1 (baseline)", results.offsetFirst));
    console.log(line(`keyset page ${DEEP_PAGE}`, results.keysetDeep));
    console.log(line(`offset page ${DEEP_PAGE} (baseline)`, results.offsetDeep));
    const speedup = results.offsetDeep.p95 / results.keysetDeep.p95;

    // The page as the server loads it: the cards (with the organisation's settings) and the topic names.
    const feedPage = (query: NonNullable<Parameters<typeof listFeed>[3]>) => Promise.all([listFeedCards(db, scope, userId, query), listTopicNames(db, scope)]);
    const [sample] = await feedPage({ limit: PAGE_SIZE });
    const withShares = sample.items.filter((c) => c.colleagues && c.colleagues > 0).length;
    const mine = sample.items.filter((c) => c.myShare).length;
    if (sample.items.some((c) => !c.imageKey) || withShares === 0 || mine === 0) throw new Error("page 1 lacks images, colleague counts or own shares: the data does not exercise the cards");
    const concurrent = {
      baseline: await measureConcurrent(keysetFirst),
      cards: await measureConcurrent(() => feedPage({ limit: PAGE_SIZE })),
      cardsDeep: await measureConcurrent(() => feedPage({ limit: PAGE_SIZE, cursor })),
    };
    const cline = (label: string, r: { p50: number; p95: number; perSecond: number }) => `${line(label, r)}   ${r.perSecond.toFixed(0).padStart(5)}/s`;
    console.log(`feed page at ${CONCURRENCY} concurrent, ${CONCURRENT_REQUESTS} requests each (page 1: ${withShares} of ${PAGE_SIZE} cards with colleague shares, ${mine} of the member's own)`);
    console.log(cline("listFeed (baseline)", concurrent.baseline));
    console.log(cline("feed page cards", concurrent.cards));
    console.log(cline(`feed page cards page ${DEEP_PAGE}`, concurrent.cardsDeep));
    const goalMet = concurrent.cards.p95 <= GOAL_P95_MS && concurrent.cardsDeep.p95 <= GOAL_P95_MS;
    console.log(`goal: feed page p95 <= ${GOAL_P95_MS} ms at ${CONCURRENCY} concurrent: ${goalMet ? "met" : "NOT met"}`);
    // Where a page's time goes, one call at a time: the cards' extra query against the page itself.
    const ids = sample.items.map((c) => c.id);
    const parts = {
      details: await measure(() => feedCardDetails(db, scope, userId, ids, { colleagues: true })),
      settings: await measure(() => getOrganizationSettings(db, scope.orgId)),
      topics: await measure(() => listTopicNames(db, scope)),
    };
    console.log("one at a time:");
    console.log(line("  card details (20 ids)", parts.details));
    console.log(line("  organisation settings", parts.settings));
    console.log(line("  topic names", parts.topics));
    if (!goalMet) {
      const plan = await db.execute<{ "QUERY PLAN": string }>(sql`explain (analyze, buffers) ${feedCardDetailsQuery(scope, userId, ids, { colleagues: true })}`);
      console.log(`card details plan:\n${plan.map((r) => `  ${r["QUERY PLAN"]}`).join("\n")}`);
    }
    console.log(`page ${DEEP_PAGE}: offset p95 / keyset p95 = ${speedup.toFixed(2)}x; keyset page ${DEEP_PAGE} p95 / page 1 p95 = ${(results.keysetDeep.p95 / results.keysetFirst.p95).toFixed(2)}x`);
    console.log(
      JSON.stringify({
        keyset_p95_ms_page1: round(results.keysetFirst.p95),
        keyset_p95_ms_deep: round(results.keysetDeep.p95),
        offset_p95_ms_deep: round(results.offsetDeep.p95),
        speedup_deep: Math.round(speedup * 100) / 100,
        cards_p95_ms_c16: round(concurrent.cards.p95),
        cards_p95_ms_c16_deep: round(concurrent.cardsDeep.p95),
        listfeed_p95_ms_c16: round(concurrent.baseline.p95),
        cards_goal_met: goalMet,
      }),
    );
  } finally {
    await handle.close();
    await database.drop();
  }
}

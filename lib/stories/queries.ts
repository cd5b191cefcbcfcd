import { and, asc, count, desc, eq, gte, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { stories, storyAudiences, storyTopics, storyTransitions, storyVariants, teams, topics, users, type Story, type StoryStatus, type Locale } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { storyTargets, teamAndAncestorIds } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import type { StoryFilter } from "./schemas";

export type LibraryStory = {
  id: string;
  title: string;
  status: StoryStatus;
  language: Locale;
  pinned: boolean;
  source: Story["source"];
  publishAt: Date | null;
  expiresAt: Date | null;
  updatedAt: Date;
  variantCount: number;
  topicNames: string[];
  audienceNames: string[];
  authorName: string | null;
};

/** Words that must all occur, in the story's own language (Danish or English stemming), or as a part of the title or summary. */
function searchCondition(q: string) {
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql`(${stories.search} @@ (websearch_to_tsquery('danish', ${q}) || websearch_to_tsquery('english', ${q}))
    or ${stories.title} ilike ${like} or ${stories.summary} ilike ${like})`;
}

/**
 * updated_at at the millisecond a JS Date holds (inserts store microseconds): the order
 * and the keyset compare on this, so a page's last Date continues exactly where it ended.
 */
const updatedAtMs = sql`date_trunc('milliseconds', ${stories.updatedAt})`;

/**
 * The editors' library, newest change first. An audience team also lists stories for the
 * teams above it ("Salg" shows under "Salg Øst"); `after` is a keyset on (updatedAt, id), so
 * pages neither repeat nor skip a story while others are written.
 */
export async function listLibraryStories(
  db: DbOrTx,
  scope: Scope,
  filter: StoryFilter & { ids?: string[] } = {},
  limit = 200,
  after?: { updatedAt: Date; id: string },
): Promise<LibraryStory[]> {
  const q = filter.q?.trim();
  const audienceCondition = filter.teamId ? storyTargets(await teamAndAncestorIds(db, scope, filter.teamId)) : undefined;
  return db
    .select({
      id: stories.id,
      title: stories.title,
      status: stories.status,
      language: stories.language,
      pinned: stories.pinned,
      source: stories.source,
      publishAt: stories.publishAt,
      expiresAt: stories.expiresAt,
      updatedAt: stories.updatedAt,
      variantCount: sql<number>`(select count(*)::int from ${storyVariants} v where v.story_id = "stories"."id")`,
      topicNames: sql<string[]>`coalesce((select array_agg(t.name order by t.name) from ${storyTopics} st join ${topics} t on t.id = st.topic_id where st.story_id = "stories"."id"), '{}')`,
      audienceNames: sql<string[]>`coalesce((select array_agg(t.name order by t.name) from ${storyAudiences} sa join ${teams} t on t.id = sa.team_id where sa.story_id = "stories"."id"), '{}')`,
      authorName: sql<string | null>`(select coalesce(u.name, u.email) from ${users} u where u.id = "stories"."created_by")`,
    })
    .from(stories)
    .where(
      and(
        eq(stories.orgId, scope.orgId),
        filter.ids ? inArray(stories.id, filter.ids) : undefined,
        filter.status ? eq(stories.status, filter.status) : undefined,
        filter.language ? eq(stories.language, filter.language) : undefined,
        filter.topicId ? sql`exists (select 1 from ${storyTopics} st where st.story_id = ${stories.id} and st.topic_id = ${filter.topicId})` : undefined,
        audienceCondition,
        q ? searchCondition(q) : undefined,
        // A Date bound next to raw SQL reaches postgres.js unserialised: pass ISO text.
        after ? sql`(${updatedAtMs}, ${stories.id}) < (${after.updatedAt.toISOString()}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(updatedAtMs), desc(stories.id))
    .limit(limit);
}

/** Stories per status, for the library's filter tabs. */
export async function countStoriesByStatus(db: DbOrTx, scope: Scope): Promise<Partial<Record<StoryStatus, number>>> {
  const rows = await db
    .select({ status: stories.status, n: count() })
    .from(stories)
    .where(eq(stories.orgId, scope.orgId))
    .groupBy(stories.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export type StoryDetail = Omit<Story, "search"> & {
  topicIds: string[];
  audienceTeamIds: string[];
  variants: Array<{ id: string; network: (typeof storyVariants.$inferSelect)["network"]; language: Locale; text: string; position: number; assisted: boolean }>;
  authorName: string | null;
  approverName: string | null;
};

/** One story with its topics, audiences and variants; 404 outside the organisation. */
export async function getStory(db: DbOrTx, scope: Scope, storyId: string): Promise<StoryDetail> {
  const [story] = await getStories(db, scope, [storyId]);
  if (!story) throw notFound("Story");
  return story;
}

/** Several stories in full, in the order of `ids`, in four queries; ids outside the organisation are left out. */
export async function getStories(db: DbOrTx, scope: Scope, ids: string[]): Promise<StoryDetail[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(stories)
    .where(and(eq(stories.orgId, scope.orgId), inArray(stories.id, ids)));
  if (rows.length === 0) return [];
  const found = rows.map((r) => r.id);
  const [topicRows, audienceRows, variants, people] = await Promise.all([
    db.select({ storyId: storyTopics.storyId, id: storyTopics.topicId }).from(storyTopics).where(inArray(storyTopics.storyId, found)),
    db.select({ storyId: storyAudiences.storyId, id: storyAudiences.teamId }).from(storyAudiences).where(inArray(storyAudiences.storyId, found)),
    db
      .select({ storyId: storyVariants.storyId, id: storyVariants.id, network: storyVariants.network, language: storyVariants.language, text: storyVariants.text, position: storyVariants.position, assisted: storyVariants.assisted })
      .from(storyVariants)
      .where(inArray(storyVariants.storyId, found))
      .orderBy(asc(storyVariants.network), asc(storyVariants.language), asc(storyVariants.position)),
    db
      .select({ id: users.id, label: sql<string>`coalesce(${users.name}, ${users.email})` })
      .from(users)
      .where(inArray(users.id, [...new Set(rows.flatMap((r) => [r.createdBy, r.approvedBy]).filter((v): v is string => Boolean(v)))].concat(""))),
  ]);
  const label = (id: string | null) => people.find((p) => p.id === id)?.label ?? null;
  const byId = new Map(
    rows.map(({ search: _search, ...story }) => [
      story.id,
      {
        ...story,
        topicIds: topicRows.filter((r) => r.storyId === story.id).map((r) => r.id),
        audienceTeamIds: audienceRows.filter((r) => r.storyId === story.id).map((r) => r.id),
        variants: variants.filter((v) => v.storyId === story.id).map(({ storyId: _s, ...v }) => v),
        authorName: label(story.createdBy),
        approverName: label(story.approvedBy),
      } satisfies StoryDetail,
    ]),
  );
  return ids.flatMap((id) => {
    const story = byId.get(id);
    return story ? [story] : [];
  });
}

export type CalendarEntry = { id: string; title: string; status: StoryStatus; publishAt: Date | null; expiresAt: Date | null; pinned: boolean };

/** Stories whose publish window overlaps [from, to), for the editors' calendar. */
export async function listCalendar(db: DbOrTx, scope: Scope, from: Date, to: Date): Promise<CalendarEntry[]> {
  return db
    .select({ id: stories.id, title: stories.title, status: stories.status, publishAt: stories.publishAt, expiresAt: stories.expiresAt, pinned: stories.pinned })
    .from(stories)
    .where(
      and(
        eq(stories.orgId, scope.orgId),
        sql`${stories.status} <> 'draft'`,
        // A Date bound next to raw SQL reaches postgres.js unserialised: pass ISO text.
        lt(sql`coalesce(${stories.publishAt}, ${stories.publishedAt}, ${stories.createdAt})`, to.toISOString()),
        or(isNull(stories.expiresAt), gte(stories.expiresAt, from)),
      ),
    )
    .orderBy(asc(sql`coalesce(${stories.publishAt}, ${stories.publishedAt}, ${stories.createdAt})`))
    .limit(1000);
}

/** Stories waiting for review, the one that has waited longest (since it entered review) first. */
export async function listReviewQueue(db: DbOrTx, scope: Scope, limit = 200) {
  const waitingSince = sql`coalesce((select max(tr.created_at) from ${storyTransitions} tr where tr.story_id = ${stories.id} and tr.to_status = 'in_review'), ${stories.updatedAt})`;
  const rows = await db
    .select({ id: stories.id, waitingSince: sql<Date>`${waitingSince}` })
    .from(stories)
    .where(and(eq(stories.orgId, scope.orgId), eq(stories.status, "in_review")))
    .orderBy(asc(waitingSince), asc(stories.id))
    .limit(limit);
  if (rows.length === 0) return [];
  const details = await listLibraryStories(db, scope, { status: "in_review", ids: rows.map((r) => r.id) }, limit);
  const byId = new Map(details.map((d) => [d.id, d]));
  return rows.flatMap((r) => {
    const story = byId.get(r.id);
    return story ? [{ ...story, waitingSince: r.waitingSince }] : [];
  });
}


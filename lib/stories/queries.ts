import { and, asc, count, desc, eq, gt, gte, isNull, lt, lte, or, sql } from "drizzle-orm";
import { memberships, stories, storyAudiences, storyTopics, storyVariants, teams, topics, users, type Story, type StoryStatus } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import type { Scope } from "@/lib/tenant";

import { notFound } from "@/lib/errors";
import type { StoryFilter } from "./schemas";

export type FeedStory = {
  id: string;
  title: string;
  summary: string;
  canonicalUrl: string | null;
  imageUrl: string | null;
  language: "da" | "en";
  pinned: boolean;
  publishAt: Date | null;
  expiresAt: Date | null;
};

/**
 * The stories a member may share now: published, inside their window, and meant for the
 * whole organisation or for the member's team or a team above it. Pinned first, then newest.
 */
export async function listFeedStories(db: DbOrTx, scope: Scope, userId: string, limit = 50): Promise<FeedStory[]> {
  const now = new Date();
  const myTeams = sql`(
    with recursive up as (
      select t.id, t.parent_id from ${teams} t
        join ${memberships} m on m.team_id = t.id
        where m.user_id = ${userId} and m.org_id = ${scope.orgId}
      union
      select p.id, p.parent_id from ${teams} p join up on p.id = up.parent_id
    ) select id from up)`;
  return db
    .select({
      id: stories.id,
      title: stories.title,
      summary: stories.summary,
      canonicalUrl: stories.canonicalUrl,
      imageUrl: stories.imageUrl,
      language: stories.language,
      pinned: stories.pinned,
      publishAt: stories.publishAt,
      expiresAt: stories.expiresAt,
    })
    .from(stories)
    .where(
      and(
        eq(stories.orgId, scope.orgId),
        eq(stories.status, "published"),
        or(isNull(stories.publishAt), lte(stories.publishAt, now)),
        or(isNull(stories.expiresAt), gt(stories.expiresAt, now)),
        sql`(not exists (select 1 from ${storyAudiences} a where a.story_id = ${stories.id})
             or exists (select 1 from ${storyAudiences} a where a.story_id = ${stories.id} and a.team_id in ${myTeams}))`,
      ),
    )
    .orderBy(desc(stories.pinned), desc(sql`coalesce(${stories.publishAt}, ${stories.publishedAt}, ${stories.createdAt})`), desc(stories.id))
    .limit(limit);
}

export type LibraryStory = {
  id: string;
  title: string;
  status: StoryStatus;
  language: "da" | "en";
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
 * The library for editors: stories by status, topic, audience team (sub-teams included:
 * a story for "Salg" is listed under "Salg Øst" too) and language, and by search words;
 * newest change first.
 */
export async function listLibraryStories(db: DbOrTx, scope: Scope, filter: StoryFilter = {}, limit = 200): Promise<LibraryStory[]> {
  const q = filter.q?.trim();
  const audienceCondition = filter.teamId
    ? sql`exists (
        with recursive up as (
          select id, parent_id from ${teams} where id = ${filter.teamId} and org_id = ${scope.orgId}
          union select p.id, p.parent_id from ${teams} p join up on p.id = up.parent_id
        )
        select 1 from ${storyAudiences} a where a.story_id = ${stories.id} and a.team_id in (select id from up))`
    : undefined;
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
        filter.status ? eq(stories.status, filter.status) : undefined,
        filter.language ? eq(stories.language, filter.language) : undefined,
        filter.topicId ? sql`exists (select 1 from ${storyTopics} st where st.story_id = ${stories.id} and st.topic_id = ${filter.topicId})` : undefined,
        audienceCondition,
        q ? searchCondition(q) : undefined,
      ),
    )
    .orderBy(desc(stories.updatedAt), desc(stories.id))
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
  variants: Array<{ id: string; network: (typeof storyVariants.$inferSelect)["network"]; language: "da" | "en"; text: string; position: number }>;
  authorName: string | null;
  approverName: string | null;
};

/** One story with its topics, audiences and variants; 404 outside the organisation. */
export async function getStory(db: DbOrTx, scope: Scope, storyId: string): Promise<StoryDetail> {
  const [row] = await db
    .select()
    .from(stories)
    .where(and(eq(stories.id, storyId), eq(stories.orgId, scope.orgId)))
    .limit(1);
  if (!row) throw notFound("Story");
  const { search: _search, ...story } = row;
  const [topicRows, audienceRows, variants, people] = await Promise.all([
    db.select({ id: storyTopics.topicId }).from(storyTopics).where(eq(storyTopics.storyId, storyId)),
    db.select({ id: storyAudiences.teamId }).from(storyAudiences).where(eq(storyAudiences.storyId, storyId)),
    db
      .select({ id: storyVariants.id, network: storyVariants.network, language: storyVariants.language, text: storyVariants.text, position: storyVariants.position })
      .from(storyVariants)
      .where(eq(storyVariants.storyId, storyId))
      .orderBy(asc(storyVariants.network), asc(storyVariants.language), asc(storyVariants.position)),
    db
      .select({ id: users.id, label: sql<string>`coalesce(${users.name}, ${users.email})` })
      .from(users)
      .where(or(eq(users.id, story.createdBy ?? ""), eq(users.id, story.approvedBy ?? ""))),
  ]);
  const label = (id: string | null) => people.find((p) => p.id === id)?.label ?? null;
  return {
    ...story,
    topicIds: topicRows.map((r) => r.id),
    audienceTeamIds: audienceRows.map((r) => r.id),
    variants,
    authorName: label(story.createdBy),
    approverName: label(story.approvedBy),
  };
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

/** Stories waiting for review, oldest first. */
export async function listReviewQueue(db: DbOrTx, scope: Scope) {
  return listLibraryStories(db, scope, { status: "in_review" }).then((rows) => rows.reverse());
}


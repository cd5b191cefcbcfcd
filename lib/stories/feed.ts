import { and, desc, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import { z } from "zod";
import { localeIds, memberships, shares, stories, storyTopics, type Locale, type NetworkId } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { getOrganizationSettings } from "@/lib/orgs";
import { memberAudienceTeamIds, storyReaches } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";

export type FeedStory = {
  id: string;
  title: string;
  summary: string;
  canonicalUrl: string | null;
  imageUrl: string | null;
  /** The stored copy of the image (served at /media/<key>); null: show a placeholder. */
  imageKey: string | null;
  language: Locale;
  pinned: boolean;
  /** When it went live: publish_at, else when it was published. */
  liveAt: Date;
  expiresAt: Date | null;
};

export type FeedCursor = { pinned: boolean; liveAt: string; id: string };

const cursorSchema = z.tuple([z.boolean(), z.iso.datetime({ offset: true }), z.uuid()]);

export function encodeFeedCursor(c: FeedCursor): string {
  return Buffer.from(JSON.stringify([c.pinned, c.liveAt, c.id])).toString("base64url");
}

export function decodeFeedCursor(value: string): FeedCursor | null {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
    return parsed.success ? { pinned: parsed.data[0], liveAt: parsed.data[1], id: parsed.data[2] } : null;
  } catch {
    return null;
  }
}

export const feedQuerySchema = z.object({
  topicId: z.uuid().optional(),
  language: z.enum(localeIds).optional(),
  cursor: z
    .string()
    .max(200)
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const c = decodeFeedCursor(v);
      if (!c) ctx.addIssue({ code: "custom", message: "invalidCursor" });
      return c ?? undefined;
    }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type FeedQuery = z.infer<typeof feedQuerySchema>;

/** When a story went live. */
const liveAt = sql<Date>`coalesce(${stories.publishAt}, ${stories.publishedAt}, ${stories.createdAt})`;
/** The same in UTC to the millisecond (what a Date and a cursor hold): the feed index's key. */
const liveKey = sql`date_trunc('milliseconds', coalesce(${stories.publishAt}, ${stories.publishedAt}, ${stories.createdAt}) at time zone 'UTC')`;

/** Stories the member may see now: published, inside the window, for the whole organisation or their teams. */
function visibleTo(scope: Scope, teamIds: string[], now: Date) {
  return and(
    eq(stories.orgId, scope.orgId),
    eq(stories.status, "published"),
    or(isNull(stories.publishAt), lte(stories.publishAt, now)),
    or(isNull(stories.expiresAt), gt(stories.expiresAt, now)),
    storyReaches(teamIds),
  );
}

const feedColumns = {
  id: stories.id,
  title: stories.title,
  summary: stories.summary,
  canonicalUrl: stories.canonicalUrl,
  imageUrl: stories.imageUrl,
  imageKey: stories.imageKey,
  language: stories.language,
  pinned: stories.pinned,
  liveAt,
  expiresAt: stories.expiresAt,
};

/**
 * The feed a page at a time: pinned stories first, then newest, filtered by topic and
 * language. Keyset pages (pinned, live time, id) follow the feed index, so page 500 costs
 * what page 1 does.
 */
export async function listFeed(db: DbOrTx, scope: Scope, userId: string, query: Partial<FeedQuery> = {}, now = new Date()) {
  const limit = query.limit ?? 20;
  const teamIds = await memberAudienceTeamIds(db, scope, userId);
  const after = query.cursor;
  const rows = await db
    .select(feedColumns)
    .from(stories)
    .where(
      and(
        visibleTo(scope, teamIds, now),
        query.language ? eq(stories.language, query.language) : undefined,
        query.topicId ? sql`exists (select 1 from ${storyTopics} st where st.story_id = ${stories.id} and st.topic_id = ${query.topicId})` : undefined,
        after ? sql`(${stories.pinned}, ${liveKey}, ${stories.id}) < (${after.pinned}::boolean, ${after.liveAt}::timestamptz at time zone 'UTC', ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(stories.pinned), desc(liveKey), desc(stories.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit).map((r) => ({ ...r, liveAt: new Date(r.liveAt) }));
  const last = items.at(-1);
  return {
    items: items as FeedStory[],
    nextCursor: rows.length > limit && last ? encodeFeedCursor({ pinned: last.pinned, liveAt: last.liveAt.toISOString(), id: last.id }) : null,
  };
}

/** One story if the member may share it now, else null. */
export async function feedStory(db: DbOrTx, scope: Scope, userId: string, storyId: string, now = new Date()): Promise<FeedStory | null> {
  const teamIds = await memberAudienceTeamIds(db, scope, userId);
  const [row] = await db
    .select(feedColumns)
    .from(stories)
    .where(and(eq(stories.id, storyId), visibleTo(scope, teamIds, now)))
    .limit(1);
  return row ? ({ ...row, liveAt: new Date(row.liveAt) } as FeedStory) : null;
}

/**
 * Marks the feed visited and says since when stories count as new (the visit before).
 * A first visit counts nothing as new.
 */
export async function visitFeed(db: DbOrTx, scope: Scope, userId: string, now = new Date()): Promise<Date | null> {
  const [row] = await db.execute<{ previous: Date | null }>(sql`
    update ${memberships} m set last_feed_visit_at = ${now.toISOString()}::timestamptz
      from (select id, last_feed_visit_at from ${memberships} where org_id = ${scope.orgId} and user_id = ${userId} for update) old
      where m.id = old.id
      returning old.last_feed_visit_at as previous`);
  return row?.previous ? new Date(row.previous) : null;
}

/** The viewer's own share of a story: published (the latest), else scheduled (the next). */
export type MyShare = { status: "published" | "scheduled"; networks: NetworkId[]; at: Date };

export type FeedCard = FeedStory & {
  topicIds: string[];
  myShare: MyShare | null;
  /** Colleagues who published a share of it; null when the organisation hides the count. */
  colleagues: number | null;
};

type DetailRow = {
  story_id: string;
  topic_ids: string[] | null;
  published_networks: NetworkId[] | null;
  published_at: string | Date | null;
  scheduled_networks: NetworkId[] | null;
  scheduled_at: string | Date | null;
  colleagues: number | null;
};

/** The SQL of feedCardDetails (for a page's story ids), apart so the bench can EXPLAIN it. */
export function feedCardDetailsQuery(scope: Scope, userId: string, storyIds: string[], options: { colleagues: boolean }) {
  const ids = sql`array[${sql.join(storyIds.map((id) => sql`${id}::uuid`), sql`, `)}]`;
  const colleagues = options.colleagues
    ? sql`(select count(distinct c.user_id)::int from ${shares} c
             where c.org_id = ${scope.orgId} and c.story_id = p.id and c.status = 'published' and c.user_id <> ${userId})`
    : sql`null::int`;
  return sql`
    select p.id as story_id,
      (select array_agg(st.topic_id::text) from ${storyTopics} st where st.story_id = p.id) as topic_ids,
      mine.published_networks, mine.published_at, mine.scheduled_networks, mine.scheduled_at,
      ${colleagues} as colleagues
    from unnest(${ids}) as p(id)
    cross join lateral (
      select array_agg(distinct m.network::text) filter (where m.status = 'published') as published_networks,
             max(m.published_at) filter (where m.status = 'published') as published_at,
             array_agg(distinct m.network::text) filter (where m.status in ('scheduled', 'publishing') and m.mode = 'api') as scheduled_networks,
             min(m.scheduled_at) filter (where m.status in ('scheduled', 'publishing') and m.mode = 'api') as scheduled_at
      from ${shares} m
      where m.org_id = ${scope.orgId} and m.story_id = p.id and m.user_id = ${userId}
    ) mine`;
}

/**
 * What a page of cards adds to its stories, in one query for the whole page: topics, the
 * viewer's own share (published, or scheduled through the API; an unanswered share window
 * is not a share) and how many colleagues of the same organisation published one.
 */
export async function feedCardDetails(
  db: DbOrTx,
  scope: Scope,
  userId: string,
  storyIds: string[],
  options: { colleagues: boolean },
): Promise<Map<string, Omit<FeedCard, keyof FeedStory>>> {
  const details = new Map<string, Omit<FeedCard, keyof FeedStory>>();
  if (storyIds.length === 0) return details;
  const rows = await db.execute<DetailRow>(feedCardDetailsQuery(scope, userId, storyIds, options));
  for (const row of rows) {
    const myShare: MyShare | null = row.published_networks?.length
      ? { status: "published", networks: row.published_networks, at: new Date(row.published_at!) }
      : row.scheduled_networks?.length
        ? { status: "scheduled", networks: row.scheduled_networks, at: new Date(row.scheduled_at!) }
        : null;
    details.set(row.story_id, { topicIds: row.topic_ids ?? [], myShare, colleagues: row.colleagues });
  }
  return details;
}

/**
 * A page of the feed as cards: listFeed's page plus feedCardDetails, whatever the page
 * size; the organisation's settings (is the colleague count shown?) are read alongside.
 */
export async function listFeedCards(
  db: DbOrTx,
  scope: Scope,
  userId: string,
  query: Partial<FeedQuery>,
  now = new Date(),
): Promise<{ items: FeedCard[]; nextCursor: string | null }> {
  const [page, settings] = await Promise.all([listFeed(db, scope, userId, query, now), getOrganizationSettings(db, scope.orgId)]);
  const colleagues = settings.showColleagueShares;
  const details = await feedCardDetails(db, scope, userId, page.items.map((s) => s.id), { colleagues });
  return {
    items: page.items.map((story) => ({ ...story, ...(details.get(story.id) ?? { topicIds: [], myShare: null, colleagues: colleagues ? 0 : null }) })),
    nextCursor: page.nextCursor,
  };
}

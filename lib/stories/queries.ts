import { and, count, desc, eq, isNull, lte, or, gt, sql } from "drizzle-orm";
import { memberships, stories, storyAudiences, storyVariants, teams, type StoryStatus } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import type { Scope } from "@/lib/tenant";

export { storyStatusIds, type StoryStatus } from "@/db/schema";

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
  publishAt: Date | null;
  expiresAt: Date | null;
  updatedAt: Date;
  variantCount: number;
};

/** The library for editors: every story of the organisation, optionally by status, newest change first. */
export async function listLibraryStories(db: DbOrTx, scope: Scope, filter: { status?: StoryStatus } = {}): Promise<LibraryStory[]> {
  return db
    .select({
      id: stories.id,
      title: stories.title,
      status: stories.status,
      language: stories.language,
      publishAt: stories.publishAt,
      expiresAt: stories.expiresAt,
      updatedAt: stories.updatedAt,
      variantCount: count(storyVariants.id),
    })
    .from(stories)
    .leftJoin(storyVariants, eq(storyVariants.storyId, stories.id))
    .where(and(eq(stories.orgId, scope.orgId), filter.status ? eq(stories.status, filter.status) : undefined))
    .groupBy(stories.id)
    .orderBy(desc(stories.updatedAt))
    .limit(200);
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

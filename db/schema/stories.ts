import { sql } from "drizzle-orm";
import { boolean, customType, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt, localeEnum, networkEnum, updatedAt } from "./common";
import { rssFeeds } from "./feeds";
import { teams } from "./teams";
import { topics } from "./topics";
import { idColumn, orgColumn } from "./columns";

export const storyStatusIds = ["draft", "in_review", "approved", "published", "archived"] as const;
export type StoryStatus = (typeof storyStatusIds)[number];
export const storyStatusEnum = pgEnum("story_status", storyStatusIds);
export const storySourceEnum = pgEnum("story_source", ["manual", "rss", "api", "suggestion"]);

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/** A company story in the library, with its publish window. */
export const stories = pgTable(
  "stories",
  {
    id: idColumn(),
    orgId: orgColumn(),
    /** Used as utm_campaign; unique in the organisation. */
    slug: text().notNull(),
    title: text().notNull(),
    summary: text().notNull().default(""),
    /** Markdown; sanitised when rendered. */
    body: text().notNull().default(""),
    canonicalUrl: text(),
    /** The image as given: an upload's /media path or a page's preview image URL. */
    imageUrl: text(),
    /** The copy Ripple stores and serves (media key); null until fetched, or if it could not be. */
    imageKey: text(),
    language: localeEnum().notNull(),
    status: storyStatusEnum().notNull().default("draft"),
    source: storySourceEnum().notNull().default("manual"),
    sourceFeedId: uuid().references(() => rssFeeds.id, { onDelete: "set null" }),
    pinned: boolean().notNull().default(false),
    publishAt: timestamp({ withTimezone: true }),
    expiresAt: timestamp({ withTimezone: true }),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    approvedBy: text().references(() => users.id, { onDelete: "set null" }),
    approvedAt: timestamp({ withTimezone: true }),
    publishedAt: timestamp({ withTimezone: true }),
    archivedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /**
     * Full-text search in the story's own language (Danish or English stemming), title
     * weighted above summary above body.
     */
    search: tsvector().generatedAlwaysAs(
      sql`case when language = 'da' then
            setweight(to_tsvector('danish', coalesce(title, '')), 'A') || setweight(to_tsvector('danish', coalesce(summary, '')), 'B') || setweight(to_tsvector('danish', coalesce(body, '')), 'C')
          else
            setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(summary, '')), 'B') || setweight(to_tsvector('english', coalesce(body, '')), 'C')
          end`,
    ),
  },
  (t) => [
    unique("stories_org_slug").on(t.orgId, t.slug),
    index().on(t.orgId, t.status, t.publishAt),
    index().on(t.orgId, t.canonicalUrl),
    index("stories_search_index").using("gin", t.search),
    // The feed's order: pinned first, then by when the story went live; keyset pages walk it.
    // (The live time in UTC truncated to milliseconds, what a JavaScript Date and a cursor
    // hold; in UTC so the expression is immutable, as an index needs.)
    index("stories_feed_index")
      .on(t.orgId, sql`${t.pinned} desc`, sql`date_trunc('milliseconds', coalesce(${t.publishAt}, ${t.publishedAt}, ${t.createdAt}) at time zone 'UTC') desc`, sql`${t.id} desc`)
      .where(sql`${t.status} = 'published'`),
  ],
);

/** Suggested share text per network; several variants per network, in order. */
export const storyVariants = pgTable(
  "story_variants",
  {
    id: idColumn(),
    orgId: orgColumn(),
    storyId: uuid()
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    network: networkEnum().notNull(),
    language: localeEnum().notNull(),
    position: integer().notNull().default(0),
    text: text().notNull(),
    /** Written with the organisation's language model and kept by an editor (issue 16). */
    assisted: boolean().notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.storyId, t.network)],
);

export const storyTopics = pgTable(
  "story_topics",
  {
    storyId: uuid()
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    topicId: uuid()
      .notNull()
      .references(() => topics.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.storyId, t.topicId] }), index().on(t.topicId)],
);

/** Audience teams (sub-teams included); a story with none is for the whole organisation. */
export const storyAudiences = pgTable(
  "story_audiences",
  {
    storyId: uuid()
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    teamId: uuid()
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.storyId, t.teamId] }), index().on(t.teamId)],
);

/** Each lifecycle step: who moved the story, from where to where, and when. */
export const storyTransitions = pgTable(
  "story_transitions",
  {
    id: idColumn(),
    orgId: orgColumn(),
    storyId: uuid()
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    fromStatus: storyStatusEnum(),
    toStatus: storyStatusEnum().notNull(),
    actorUserId: text().references(() => users.id, { onDelete: "set null" }),
    note: text(),
    // The clock, not the transaction's start: two steps in one transaction stay in order.
    createdAt: timestamp({ withTimezone: true }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [index().on(t.storyId, t.createdAt)],
);

export type Story = typeof stories.$inferSelect;
export type NewStory = typeof stories.$inferInsert;
export type StoryVariant = typeof storyVariants.$inferSelect;

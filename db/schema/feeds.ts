import { boolean, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt } from "./common";
import { organizations } from "./organizations";

/** RSS, Atom and JSON feeds the import queue turns into draft stories. */
export const rssFeeds = pgTable(
  "rss_feeds",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    url: text().notNull(),
    title: text(),
    active: boolean().notNull().default(true),
    etag: text(),
    lastModified: text(),
    lastPolledAt: timestamp({ withTimezone: true }),
    lastError: text(),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [unique("rss_feeds_org_url").on(t.orgId, t.url)],
);

export type RssFeed = typeof rssFeeds.$inferSelect;

import { boolean, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt } from "./common";
import { idColumn, orgColumn } from "./columns";

/** RSS, Atom and JSON feeds the import queue turns into draft stories. */
export const rssFeeds = pgTable(
  "rss_feeds",
  {
    id: idColumn(),
    orgId: orgColumn(),
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

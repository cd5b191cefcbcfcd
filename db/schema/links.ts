import { bigserial, boolean, index, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./common";
import { organizations } from "./organizations";
import { shares } from "./shares";
import { stories } from "./stories";

/** An unguessable redirect code for one share, pointing at its destination with UTM. */
export const trackedLinks = pgTable(
  "tracked_links",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    code: text().notNull().unique(),
    shareId: uuid()
      .unique()
      .references(() => shares.id, { onDelete: "cascade" }),
    storyId: uuid().references(() => stories.id, { onDelete: "cascade" }),
    destination: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.orgId, t.storyId)],
);

/**
 * Append-only clicks, range-partitioned by month on occurred_at (the partitioning is
 * made by a custom migration; the primary key includes the partition key as Postgres
 * requires). No raw IP: visitor_hash is an HMAC under a daily salt.
 */
export const clickEvents = pgTable(
  "click_events",
  {
    id: bigserial({ mode: "number" }).notNull(),
    occurredAt: timestamp({ withTimezone: true }).notNull(),
    orgId: uuid().notNull(),
    linkId: uuid().notNull(),
    visitorHash: text().notNull(),
    isBot: boolean().notNull().default(false),
    referrerHost: text(),
  },
  (t) => [primaryKey({ columns: [t.occurredAt, t.id] }), index().on(t.linkId, t.occurredAt), index().on(t.orgId, t.occurredAt)],
);

export type TrackedLink = typeof trackedLinks.$inferSelect;
export type ClickEvent = typeof clickEvents.$inferSelect;

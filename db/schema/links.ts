import { bigserial, boolean, date, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./common";
import { shares } from "./shares";
import { stories } from "./stories";
import { idColumn, orgColumn } from "./columns";

/** An unguessable redirect code for one share, pointing at its destination with UTM. */
export const trackedLinks = pgTable(
  "tracked_links",
  {
    id: idColumn(),
    orgId: orgColumn(),
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
    /** The click's id in the buffer (the Redis stream entry id): a batch written twice after a crash stores each click once. */
    eventKey: text(),
  },
  (t) => [
    primaryKey({ columns: [t.occurredAt, t.id] }),
    // No index by link: nothing reads raw clicks by link (reports read rollups), and keeping
    // one cost the click ingest about two fifths of its events insert (docs/design-notes.md,
    // "Performance history"). By organisation: retention's deletes.
    index().on(t.orgId, t.occurredAt),
    uniqueIndex("click_events_event_key").on(t.occurredAt, t.eventKey),
  ],
);

/**
 * Visitors already counted for a link on a day, so each counts once a day. Only today's
 * and yesterday's rows are needed; maintenance deletes older days.
 */
export const clickUniques = pgTable(
  "click_uniques",
  {
    day: date({ mode: "string" }).notNull(),
    linkId: uuid().notNull(),
    visitorHash: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.linkId, t.visitorHash] })],
);

/**
 * The secret of one day's visitor hashes. Made on first use, discarded once the day is
 * over (maintenance deletes it), so a stored hash can no longer be tied to an address.
 */
export const visitorSalts = pgTable("visitor_salts", {
  day: date({ mode: "string" }).primaryKey(),
  salt: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export type TrackedLink = typeof trackedLinks.$inferSelect;
export type ClickEvent = typeof clickEvents.$inferSelect;

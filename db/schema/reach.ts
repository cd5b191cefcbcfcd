import { bigint, date, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./common";
import { organizations } from "./organizations";
import { shares } from "./shares";

export const metricSourceEnum = pgEnum("metric_source", ["measured", "estimated"]);

/** A network's counts for one share at one moment. */
export const reachSnapshots = pgTable(
  "reach_snapshots",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    shareId: uuid()
      .notNull()
      .references(() => shares.id, { onDelete: "cascade" }),
    capturedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    source: metricSourceEnum().notNull().default("measured"),
    impressions: integer(),
    likes: integer(),
    comments: integer(),
    reshares: integer(),
    quotes: integer(),
    clicks: integer(),
    raw: jsonb(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.shareId, t.capturedAt)],
);

export const rollupDimensionEnum = pgEnum("rollup_dimension", ["org", "share", "user", "team", "story", "network"]);

/**
 * Daily figures per dimension (one row per org, dimension, id, network, day), maintained
 * incrementally; reports read these only. network = 'all' holds the total over networks.
 */
export const dailyRollups = pgTable(
  "daily_rollups",
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    dimension: rollupDimensionEnum().notNull(),
    dimensionId: text().notNull(),
    network: text().notNull().default("all"),
    day: date({ mode: "string" }).notNull(),
    shares: bigint({ mode: "number" }).notNull().default(0),
    clicks: bigint({ mode: "number" }).notNull().default(0),
    uniqueVisitors: bigint({ mode: "number" }).notNull().default(0),
    botClicks: bigint({ mode: "number" }).notNull().default(0),
    impressions: bigint({ mode: "number" }).notNull().default(0),
    engagements: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.dimension, t.dimensionId, t.network, t.day] }), index().on(t.orgId, t.day)],
);

export type ReachSnapshot = typeof reachSnapshots.$inferSelect;
export type DailyRollup = typeof dailyRollups.$inferSelect;

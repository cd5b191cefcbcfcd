import { sql } from "drizzle-orm";
import { bigint, date, index, integer, jsonb, pgEnum, pgTable, primaryKey, smallint, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt } from "./common";
import { shares } from "./shares";
import { teams } from "./teams";
import { idColumn, orgColumn } from "./columns";

export const metricSourceEnum = pgEnum("metric_source", ["measured", "estimated"]);

/** A network's counts for one share at one moment. */
export const reachSnapshots = pgTable(
  "reach_snapshots",
  {
    id: idColumn(),
    orgId: orgColumn(),
    shareId: uuid()
      .notNull()
      .references(() => shares.id, { onDelete: "cascade" }),
    capturedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    source: metricSourceEnum().notNull().default("measured"),
    /** Which poll took it (0 = about an hour after publishing); null for the estimate made at publishing. */
    poll: integer(),
    impressions: integer(),
    /** Distinct people reached, where the network says (LinkedIn MEMBERS_REACHED); for an estimate: followers. */
    reached: integer(),
    likes: integer(),
    comments: integer(),
    reshares: integer(),
    quotes: integer(),
    clicks: integer(),
    saves: integer(),
    raw: jsonb(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.shareId, t.capturedAt), unique("reach_snapshots_share_source_poll").on(t.shareId, t.source, t.poll).nullsNotDistinct()],
);

/**
 * A published share's next metric poll, while it has one: which (0 = about an hour after
 * publishing) and when it is due. Written with the share's "published" and moved on by each
 * poll; the reach dispatcher claims due rows in batches, and a claim only moves due_at a
 * lease ahead, so a poll whose job Redis lost is claimed again (lib/reach/schedule.ts).
 */
export const reachPolls = pgTable(
  "reach_polls",
  {
    shareId: uuid()
      .primaryKey()
      .references(() => shares.id, { onDelete: "cascade" }),
    orgId: orgColumn(),
    poll: smallint().notNull(),
    dueAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index("reach_polls_due").on(t.dueAt)],
);

/**
 * team_story: a story's figures within one team (dimensionId "<teamId>:<storyId>"), for a team
 * report's top stories. user_placement: a person's figures by where the link went (dimensionId
 * the user, network "<network>:<placement>", no 'all' row), the people behind a story's placements.
 * team_placement: the same per team (dimensionId the team, or "none" for no team), for a team
 * report's placements; the organisation's rows (dimension org) by network and placement are the
 * same for everyone, for a whole organisation's.
 */
export const rollupDimensionEnum = pgEnum("rollup_dimension", ["org", "share", "user", "team", "story", "network", "team_story", "user_placement", "team_placement"]);

const rollupFigures = () => ({
  shares: bigint({ mode: "number" }).notNull().default(0),
  clicks: bigint({ mode: "number" }).notNull().default(0),
  uniqueVisitors: bigint({ mode: "number" }).notNull().default(0),
  botClicks: bigint({ mode: "number" }).notNull().default(0),
  impressions: bigint({ mode: "number" }).notNull().default(0),
  engagements: bigint({ mode: "number" }).notNull().default(0),
  /** Followers of the accounts shared from: potential reach, an estimate (never "measured"). */
  estimatedReach: bigint({ mode: "number" }).notNull().default(0),
});

/**
 * Daily figures per dimension (one row per org, dimension, id, network, day), maintained
 * incrementally; reports read these only. network = 'all' holds the total over networks.
 */
export const dailyRollups = pgTable(
  "daily_rollups",
  {
    orgId: orgColumn(),
    dimension: rollupDimensionEnum().notNull(),
    dimensionId: text().notNull(),
    network: text().notNull().default("all"),
    day: date({ mode: "string" }).notNull(),
    ...rollupFigures(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.dimension, t.dimensionId, t.network, t.day] }),
    index().on(t.orgId, t.day),
    // Reports read a dimension's days with their figures from the index alone (index-only
    // scans): migration 0010 adds INCLUDE (network and the figures), which drizzle cannot say.
    index("daily_rollups_covering")
      .on(t.orgId, t.dimension, t.dimensionId, t.day)
      .with({ fillfactor: 90 }),
    // The days each person shared: participation per period and the adoption curve.
    index("daily_rollups_share_days").on(t.orgId, t.dimensionId, t.day).where(sql`${t.dimension} = 'user' and ${t.network} = 'all' and ${t.shares} > 0`),
    // People's days by network and link placement, day first (daily_rollups_placement_days):
    // made by db/backfills.ts, since a fresh database adds 'user_placement' to the enum in the
    // migrations' one transaction, and an index predicate may not use the value there.
  ],
);

/**
 * The same figures per calendar month (month = its first day), kept by the same upsert as
 * the daily rows: a year's report sums twelve rows a person instead of hundreds.
 */
export const monthlyRollups = pgTable(
  "monthly_rollups",
  {
    orgId: orgColumn(),
    dimension: rollupDimensionEnum().notNull(),
    dimensionId: text().notNull(),
    network: text().notNull().default("all"),
    month: date({ mode: "string" }).notNull(),
    ...rollupFigures(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.dimension, t.dimensionId, t.network, t.month] }),
    index("monthly_rollups_covering").on(t.orgId, t.dimension, t.dimensionId, t.month),
    // The totals over networks alone, with their figures (migration 0024 adds INCLUDE (network
    // and the figures), which drizzle cannot say): a report's rankings read a member's or a
    // team's dozen months without stepping over their rows per network (npm run bench -- report).
    index("monthly_rollups_totals").on(t.orgId, t.dimension, t.dimensionId, t.month).where(sql`${t.network} = 'all'`),
  ],
);

/**
 * A team report that is slow to make (a large organisation's whole tree), kept made: served while
 * at most five minutes old, made again every minute by the workers while people read it
 * (lib/reports/stored.ts). `question` is the range, period and network. Migration 0026's
 * triggers delete an organisation's stored reports when who is in a team, who may be shown or
 * the team tree changes, so those changes show at once.
 */
export const storedReports = pgTable(
  "stored_reports",
  {
    orgId: orgColumn(),
    teamId: uuid()
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    question: text().notNull(),
    report: jsonb().notNull(),
    /** The moment the figures are current as of (when they were made, or a read replica's moment). */
    asOf: timestamp({ withTimezone: true }).notNull(),
    /** How long making it took: what decides whether it is kept, and what the refresh costs. */
    madeInMs: integer().notNull(),
    readAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.teamId, t.question] })],
);

export type ReachSnapshot = typeof reachSnapshots.$inferSelect;
export type DailyRollup = typeof dailyRollups.$inferSelect;
export type MonthlyRollup = typeof monthlyRollups.$inferSelect;

/**
 * Each edit of an organisation's earned-media-value table is a new version; every EMV
 * figure names the version (and formula) that produced it. Until the first edit the
 * defaults in lib/reach/emv.ts apply as version 0 (never stored).
 */
export const emvRateVersions = pgTable(
  "emv_rate_versions",
  {
    orgId: orgColumn(),
    version: integer().notNull(),
    /** The formula's id in lib/reach/emv.ts, e.g. "emv-1". */
    formula: text().notNull(),
    /** Per network: cpm (per 1,000 impressions), cpc (per click), perEngagement; amounts in `currency`. */
    rates: jsonb().$type<Record<string, { cpm: number; cpc: number; perEngagement: number }>>().notNull(),
    currency: text().notNull().default("DKK"),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.version] })],
);

export type EmvRateVersion = typeof emvRateVersions.$inferSelect;

/**
 * Backfills that must run after their migration committed (a new enum value cannot be used in
 * the transaction that adds it): db/migrate.ts runs each once, in a transaction of its own.
 */
export const dataBackfills = pgTable("data_backfills", {
  name: text().primaryKey(),
  doneAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

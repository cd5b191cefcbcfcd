import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, integer, jsonb, pgEnum, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt, roleEnum, updatedAt } from "./common";
import { teams } from "./teams";
import { idColumn, orgColumn, userColumn } from "./columns";

export const membershipStatusEnum = pgEnum("membership_status", ["invited", "active", "deactivated"]);

/** A person in an organisation: their roles (one or several), team and standing. */
export const memberships = pgTable(
  "memberships",
  {
    id: idColumn(),
    orgId: orgColumn(),
    userId: userColumn(),
    roles: roleEnum().array().notNull().default(sql`'{employee}'`),
    teamId: uuid().references(() => teams.id, { onDelete: "set null" }),
    status: membershipStatusEnum().notNull().default("invited"),
    /** The guidelines version this person acknowledged; null = none yet. */
    guidelinesVersionAccepted: integer(),
    guidelinesAcceptedAt: timestamp({ withTimezone: true }),
    /** The last weekly digest sent, so a digest goes out once a week even across restarts. */
    digestSentAt: timestamp({ withTimezone: true }),
    /** The last weekly report mail sent to this manager. */
    reportSentAt: timestamp({ withTimezone: true }),
    leaderboardOptOut: boolean().notNull().default(false),
    /** Writing help may show the model a few of this person's earlier posts as style examples (opt-in). */
    writingExamples: boolean().notNull().default(false),
    notificationPrefs: jsonb().$type<Record<string, boolean>>().notNull().default(sql`'{}'::jsonb`),
    /** For the feed's "new since your last visit". */
    lastFeedVisitAt: timestamp({ withTimezone: true }),
    invitedBy: text().references(() => users.id, { onDelete: "set null" }),
    invitedAt: timestamp({ withTimezone: true }),
    joinedAt: timestamp({ withTimezone: true }),
    deactivatedAt: timestamp({ withTimezone: true }),
    /**
     * Set on deactivation: sessions signed in before it never act in this organisation again,
     * also after reactivation (lib/auth/sessions); null = every session may.
     */
    sessionsNotBefore: timestamp({ withTimezone: true }),
    /**
     * What a team report asks of each member without reading their rollups (lib/reach/activity.ts,
     * kept with the rollups in the same transaction): the first UTC day they shared, and the
     * months they shared in with which networks and link placements (db/share-activity.ts).
     */
    firstSharedOn: date({ mode: "string" }),
    sharedMonths: bigint({ mode: "number" }).array().notNull().default(sql`'{}'`),
    /**
     * The same, for a report of every network over recent months: the latest month shared in
     * (counted as shared_months counts), and for it and the 62 before it (bit i: month
     * last_shared_month - 62 + i) the months shared in at all and with each link placement.
     * A shift and a mask instead of reading shared_months (db/share-activity.ts). Generated from
     * shared_months by Postgres, so whatever writes that keeps these.
     */
    lastSharedMonth: integer().generatedAlwaysAs(sql`(shared_months[cardinality(shared_months)] >> 40)::int`),
    monthsShared: bigint({ mode: "number" }).notNull().generatedAlwaysAs(sql`ripple_recent_months(shared_months, 0)`),
    monthsCard: bigint({ mode: "number" }).notNull().generatedAlwaysAs(sql`ripple_recent_months(shared_months, 10)`),
    monthsText: bigint({ mode: "number" }).notNull().generatedAlwaysAs(sql`ripple_recent_months(shared_months, 20)`),
    monthsFirstComment: bigint({ mode: "number" }).notNull().generatedAlwaysAs(sql`ripple_recent_months(shared_months, 30)`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique("memberships_org_user").on(t.orgId, t.userId),
    index().on(t.userId),
    index().on(t.orgId, t.teamId),
    check("memberships_roles_not_empty", sql`cardinality(${t.roles}) > 0`),
  ],
);

export type Membership = typeof memberships.$inferSelect;
export type NewMembership = typeof memberships.$inferInsert;

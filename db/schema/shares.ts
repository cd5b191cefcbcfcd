import { sql } from "drizzle-orm";
import { boolean, index, integer, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt, networkEnum, updatedAt } from "./common";
import { socialConnections } from "./connections";
import { stories, storyVariants } from "./stories";
import { idColumn, orgColumn } from "./columns";

export const shareStatusIds = ["scheduled", "publishing", "published", "failed", "cancelled", "needs_attention"] as const;
export type ShareStatus = (typeof shareStatusIds)[number];
export const shareStatusEnum = pgEnum("share_status", shareStatusIds);
/** api: Ripple posts through the network's API; intent: the employee posts through a share link. */
export const shareModeEnum = pgEnum("share_mode", ["api", "intent"]);

/**
 * Where a share's tracked link goes (issue 15, item 7): a link card, the URL in the text
 * without a card, or a first comment under the post. Chosen per network by the
 * organisation and recorded on the share when it is made, so reports compare placements.
 */
export const linkPlacementIds = ["card", "text", "first_comment"] as const;
export type LinkPlacement = (typeof linkPlacementIds)[number];
export const linkPlacementEnum = pgEnum("link_placement", linkPlacementIds);
/** A placement's code in a member's shared months (lib/reach/activity.ts; 0 is any, codes stay under 16). Stored: never renumber one. */
export const placementCodes = { card: 1, text: 2, first_comment: 3 } as const satisfies Record<LinkPlacement, number>;

/** One employee's share of one story on one network. The source of truth for publishing. */
export const shares = pgTable(
  "shares",
  {
    id: idColumn(),
    orgId: orgColumn(),
    storyId: uuid()
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    userId: text().references(() => users.id, { onDelete: "set null" }),
    connectionId: uuid().references(() => socialConnections.id, { onDelete: "set null" }),
    variantId: uuid().references(() => storyVariants.id, { onDelete: "set null" }),
    network: networkEnum().notNull(),
    mode: shareModeEnum().notNull(),
    text: text().notNull(),
    /** Written with help: from a suggested text the model wrote, or rewritten or translated with it (issue 16). */
    assisted: boolean().notNull().default(false),
    /** Where the link went, as the organisation's setting was when the share was made. */
    placement: linkPlacementEnum().notNull().default("card"),
    status: shareStatusEnum().notNull().default("scheduled"),
    scheduledAt: timestamp({ withTimezone: true }).notNull(),
    publishingStartedAt: timestamp({ withTimezone: true }),
    /** When the first try began: a repeat within a network's idempotency window is safe (Mastodon). */
    firstAttemptAt: timestamp({ withTimezone: true }),
    publishedAt: timestamp({ withTimezone: true }),
    externalId: text(),
    externalUrl: text(),
    /**
     * A two-step network's first step (a Threads container), stored and committed before the
     * second: a retry publishes this draft or finds it published, never a second one.
     */
    draftId: text(),
    /** The draft expired once and was made again; a second expiry is not retried. */
    draftRecreated: boolean().notNull().default(false),
    /**
     * first_comment only: the link's comment under the post. "pending" is written before the
     * comment is sent, "posted" with its id after, "failed" when the network refused it: a
     * retry after a crash looks for a pending comment before sending again.
     */
    commentStatus: text(),
    commentExternalId: text(),
    attempts: integer().notNull().default(0),
    /** A machine-readable reason (lib maps it to words in the employee's language). */
    errorCode: text(),
    lastError: text(),
    cancelledAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index().on(t.status, t.scheduledAt),
    // The reconciler walks pending and polled shares in (time, id) pages (lib/shares/reconcile.ts).
    index("shares_reconcile_scheduled").on(t.status, t.scheduledAt, t.id).where(sql`${t.mode} = 'api'`),
    index("shares_reconcile_published").on(t.status, t.publishedAt, t.id).where(sql`${t.mode} = 'api'`),
    index().on(t.orgId, t.userId, t.createdAt),
    index().on(t.storyId, t.network),
  ],
);

export type Share = typeof shares.$inferSelect;
export type NewShare = typeof shares.$inferInsert;

import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt } from "./common";
import { idColumn, orgColumn } from "./columns";
import { memberships } from "./memberships";

/**
 * Single-use sign-in links for invited members, so an invitation reaches its person with
 * or without mail. Only a SHA-256 hash of the token is kept; a link is good until it is
 * used, replaced by a newer one (revokedAt) or expires.
 */
export const invitationLinks = pgTable(
  "invitation_links",
  {
    id: idColumn(),
    orgId: orgColumn(),
    membershipId: uuid()
      .notNull()
      .references(() => memberships.id, { onDelete: "cascade" }),
    tokenHash: text().notNull().unique(),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.membershipId), index().on(t.orgId)],
);

export type InvitationLink = typeof invitationLinks.$inferSelect;

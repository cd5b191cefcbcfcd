import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt } from "./common";
import { idColumn, orgColumn, userColumn } from "./columns";

/**
 * A browser's Web Push subscription (RFC 8030/8291) for one person in one organisation.
 * The push service answering 404/410 for `endpoint` deletes the row.
 */
export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    id: idColumn(),
    orgId: orgColumn(),
    userId: userColumn(),
    endpoint: text().notNull().unique(),
    /** The browser's P-256 public key and auth secret, base64url, as the subscription gives them. */
    p256dh: text().notNull(),
    auth: text().notNull(),
    createdAt: createdAt(),
    lastSentAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.userId, t.orgId)],
);

export type PushSubscription = typeof pushSubscriptions.$inferSelect;

import { index, integer, pgEnum, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt, networkEnum, updatedAt } from "./common";
import { organizations } from "./organizations";

export const connectionStatusEnum = pgEnum("connection_status", ["active", "expiring", "expired", "revoked"]);

/** An employee's own account on a network. Tokens are AES-256-GCM ciphertext (lib/crypto). */
export const socialConnections = pgTable(
  "social_connections",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    network: networkEnum().notNull(),
    externalId: text().notNull(),
    handle: text().notNull(),
    displayName: text(),
    /** Mastodon instance or Bluesky PDS base URL. */
    instanceUrl: text(),
    profileUrl: text(),
    followerCount: integer(),
    followersFetchedAt: timestamp({ withTimezone: true }),
    accessTokenEnc: text(),
    refreshTokenEnc: text(),
    tokenExpiresAt: timestamp({ withTimezone: true }),
    refreshExpiresAt: timestamp({ withTimezone: true }),
    scopes: text().array().notNull().default([]),
    status: connectionStatusEnum().notNull().default("active"),
    lastError: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique("social_connections_account").on(t.orgId, t.userId, t.network, t.externalId),
    index().on(t.status, t.tokenExpiresAt),
  ],
);

export type SocialConnection = typeof socialConnections.$inferSelect;

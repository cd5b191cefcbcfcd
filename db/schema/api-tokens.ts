import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt } from "./common";
import { idColumn, orgColumn, userColumn } from "./columns";

/** Bearer tokens for /api/v1, acting as one member of one organisation. Only a SHA-256 hash is kept. */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: idColumn(),
    orgId: orgColumn(),
    userId: userColumn(),
    name: text().notNull(),
    tokenHash: text().notNull().unique(),
    /** The first characters, to recognise a token in lists. */
    prefix: text().notNull(),
    lastUsedAt: timestamp({ withTimezone: true }),
    expiresAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.orgId)],
);

export type ApiToken = typeof apiTokens.$inferSelect;

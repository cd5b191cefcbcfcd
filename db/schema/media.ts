import { index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt } from "./common";
import { idColumn, orgColumn } from "./columns";

/**
 * Uploaded files (story images). The bytes live in the storage backend under `key`, an
 * unguessable path, so the public URL can be handed to social networks' card crawlers.
 */
export const media = pgTable(
  "media",
  {
    id: idColumn(),
    orgId: orgColumn(),
    key: text().notNull().unique(),
    contentType: text().notNull(),
    byteSize: integer().notNull(),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.orgId)],
);

export type Media = typeof media.$inferSelect;

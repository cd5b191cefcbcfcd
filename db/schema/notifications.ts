import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt } from "./common";
import { organizations } from "./organizations";

/**
 * In-app notices for one person ("a story you scheduled was withdrawn"). `kind` names a
 * message; `data` holds its parameters, so the text is rendered in the reader's language.
 */
export const notifications = pgTable(
  "notifications",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text().notNull(),
    data: jsonb().$type<Record<string, string | number | null>>().notNull(),
    readAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.userId, t.orgId, t.createdAt)],
);

export type Notification = typeof notifications.$inferSelect;

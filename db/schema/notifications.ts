import { index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt } from "./common";
import { idColumn, orgColumn, userColumn } from "./columns";

/**
 * In-app notices for one person ("a story you scheduled was withdrawn"). `kind` names a
 * message; `data` holds its parameters, so the text is rendered in the reader's language.
 */
export const notifications = pgTable(
  "notifications",
  {
    id: idColumn(),
    orgId: orgColumn(),
    userId: userColumn(),
    kind: text().notNull(),
    data: jsonb().$type<Record<string, string | number | null>>().notNull(),
    readAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.userId, t.orgId, t.createdAt)],
);

export type Notification = typeof notifications.$inferSelect;

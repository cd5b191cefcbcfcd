import { pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./common";
import { organizations } from "./organizations";

export const topics = pgTable(
  "topics",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text().notNull(),
    slug: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique("topics_org_slug").on(t.orgId, t.slug)],
);

export type Topic = typeof topics.$inferSelect;

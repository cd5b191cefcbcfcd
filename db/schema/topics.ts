import { pgTable, text, unique } from "drizzle-orm/pg-core";
import { createdAt } from "./common";
import { idColumn, orgColumn } from "./columns";

export const topics = pgTable(
  "topics",
  {
    id: idColumn(),
    orgId: orgColumn(),
    name: text().notNull(),
    slug: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique("topics_org_slug").on(t.orgId, t.slug)],
);

export type Topic = typeof topics.$inferSelect;

import { index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt } from "./common";
import { organizations } from "./organizations";
import { shares } from "./shares";

/** Points earned per action; a ledger, so totals are sums and history stays. */
export const pointsLedger = pgTable(
  "points_ledger",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    action: text().notNull(),
    points: integer().notNull(),
    shareId: uuid().references(() => shares.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.orgId, t.userId, t.createdAt)],
);

export type PointsEntry = typeof pointsLedger.$inferSelect;

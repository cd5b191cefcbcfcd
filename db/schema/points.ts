import { index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./common";
import { shares } from "./shares";
import { idColumn, orgColumn, userColumn } from "./columns";

/** Points earned per action; a ledger, so totals are sums and history stays. */
export const pointsLedger = pgTable(
  "points_ledger",
  {
    id: idColumn(),
    orgId: orgColumn(),
    userId: userColumn(),
    action: text().notNull(),
    points: integer().notNull(),
    shareId: uuid().references(() => shares.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.orgId, t.userId, t.createdAt)],
);

export type PointsEntry = typeof pointsLedger.$inferSelect;

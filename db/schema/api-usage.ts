import { date, integer, numeric, pgTable, primaryKey } from "drizzle-orm/pg-core";
import { networkEnum, updatedAt } from "./common";
import { orgColumn } from "./columns";

/**
 * What an organisation's calls to a paid network API (X) cost in one calendar month (UTC):
 * the meter behind its budget. Reserved before each call (lib/orgs/api-budget.ts), so two
 * workers cannot spend past the budget between them.
 */
export const apiUsage = pgTable(
  "api_usage",
  {
    orgId: orgColumn(),
    network: networkEnum().notNull(),
    /** The month's first day. */
    month: date({ mode: "string" }).notNull(),
    posts: integer().notNull().default(0),
    reads: integer().notNull().default(0),
    /** In the pricing's currency, at the unit prices of each call's time. */
    spent: numeric({ precision: 14, scale: 4, mode: "number" }).notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.network, t.month] })],
);

export type ApiUsage = typeof apiUsage.$inferSelect;

/**
 * Requests to the organisation's language model in one calendar month (UTC): the meter
 * behind writing help's monthly budget (lib/writing/budget.ts), reserved before each request.
 */
export const aiUsage = pgTable(
  "ai_usage",
  {
    orgId: orgColumn(),
    /** The month's first day. */
    month: date({ mode: "string" }).notNull(),
    requests: integer().notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.month] })],
);

import { sql } from "drizzle-orm";
import { boolean, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, updatedAt, type Locale, type NetworkId } from "./common";

/**
 * Organisation settings as stored. Every field is optional here; lib/orgs/settings
 * parses them with zod and fills the defaults, so old rows keep working as fields are added.
 */
export type OrganizationSettingsJson = {
  locale?: Locale;
  timeZone?: string;
  enabledNetworks?: NetworkId[];
  approvalRequired?: boolean;
  disclosureHashtag?: string | null;
  blockedWords?: string[];
  shareSpacingMinutes?: number;
  clickRetentionMonths?: number;
  points?: { share?: number; click?: number; engagement?: number };
  defaultShareWindows?: Array<{ weekday: number; hour: number }>;
  facebookAppId?: string | null;
  [key: string]: unknown;
};

export const organizations = pgTable("organizations", {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  slug: text().notNull().unique(),
  settings: jsonb().$type<OrganizationSettingsJson>().notNull().default(sql`'{}'::jsonb`),
  /** Demo organisations accept the demo sign-in, and only while DEMO_MODE is on. */
  isDemo: boolean().notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export type Organization = typeof organizations.$inferSelect;
export type NewOrganization = typeof organizations.$inferInsert;

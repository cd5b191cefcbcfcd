import { boolean, integer, pgTable, text, unique } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt } from "./common";
import { idColumn, orgColumn } from "./columns";

/**
 * The organisation's social-media guidelines, versioned: every save is a new version in
 * Danish and English, and members acknowledge a version (memberships).
 */
export const guidelineVersions = pgTable(
  "guideline_versions",
  {
    id: idColumn(),
    orgId: orgColumn(),
    version: integer().notNull(),
    bodyDa: text().notNull(),
    bodyEn: text().notNull(),
    /** Whether members must acknowledge this version again (false for a typo fix). */
    requiresAcceptance: boolean().notNull().default(true),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [unique("guideline_versions_org_version").on(t.orgId, t.version)],
);

export type GuidelineVersion = typeof guidelineVersions.$inferSelect;

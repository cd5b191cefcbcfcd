import { sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt, roleEnum, updatedAt } from "./common";
import { idColumn, orgColumn } from "./columns";
import { memberships } from "./memberships";
import { teams } from "./teams";

/**
 * Provisioning from the company directory (SCIM 2.0). The directory authenticates with a
 * bearer token of one organisation (only its SHA-256 is kept); the people it provisions
 * are ordinary memberships, with the directory's own attributes beside them; its groups
 * are kept as sent and, once an admin maps one, membership in it sets a team or a role.
 */
export const scimTokens = pgTable(
  "scim_tokens",
  {
    id: idColumn(),
    orgId: orgColumn(),
    tokenHash: text().notNull().unique(),
    /** The first characters, to recognise the token. */
    prefix: text().notNull(),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.orgId)],
);

/** What the directory said about a member it provisions; the SCIM id is the membership id. */
export type DirectoryUserAttributes = {
  givenName?: string | null;
  familyName?: string | null;
  formatted?: string | null;
  displayName?: string | null;
  emails?: Array<{ value: string; type?: string | null; primary?: boolean | null }>;
};

export const directoryUsers = pgTable(
  "directory_users",
  {
    membershipId: uuid()
      .primaryKey()
      .references(() => memberships.id, { onDelete: "cascade" }),
    orgId: orgColumn(),
    externalId: text(),
    attributes: jsonb().$type<DirectoryUserAttributes>().notNull().default(sql`'{}'::jsonb`),
    /** Set by a SCIM DELETE: the membership is deactivated and the resource answers 404 until provisioned again. */
    deletedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique("directory_users_org_external_id").on(t.orgId, t.externalId)],
);

/** A directory group; `teamId` or `role` (never both) is the admin's mapping, null while unmapped. */
export const directoryGroups = pgTable(
  "directory_groups",
  {
    id: idColumn(),
    orgId: orgColumn(),
    displayName: text().notNull(),
    externalId: text(),
    teamId: uuid().references(() => teams.id, { onDelete: "set null" }),
    role: roleEnum(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique("directory_groups_org_external_id").on(t.orgId, t.externalId),
    index().on(t.orgId, t.displayName),
    check("directory_groups_one_mapping", sql`${t.teamId} is null or ${t.role} is null`),
  ],
);

export const directoryGroupMembers = pgTable(
  "directory_group_members",
  {
    groupId: uuid()
      .notNull()
      .references(() => directoryGroups.id, { onDelete: "cascade" }),
    membershipId: uuid()
      .notNull()
      .references(() => memberships.id, { onDelete: "cascade" }),
    orgId: orgColumn(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.membershipId] }), index().on(t.membershipId)],
);

export type ScimToken = typeof scimTokens.$inferSelect;
export type DirectoryUser = typeof directoryUsers.$inferSelect;
export type DirectoryGroup = typeof directoryGroups.$inferSelect;

import { index, pgTable, primaryKey, text, unique, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { createdAt } from "./common";
import { idColumn, orgColumn, userColumn } from "./columns";

/** Teams form a tree (departments and their sub-teams); parent null = a top-level team. */
export const teams = pgTable(
  "teams",
  {
    id: idColumn(),
    orgId: orgColumn(),
    parentId: uuid().references((): AnyPgColumn => teams.id, { onDelete: "restrict" }),
    name: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique("teams_org_parent_name").on(t.orgId, t.parentId, t.name).nullsNotDistinct(), index().on(t.parentId)],
);

/** Which managers report on which teams (a team includes its sub-teams). */
export const teamManagers = pgTable(
  "team_managers",
  {
    orgId: orgColumn(),
    teamId: uuid()
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: userColumn(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index().on(t.orgId, t.userId)],
);

export type Team = typeof teams.$inferSelect;

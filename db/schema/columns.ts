import { text, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { organizations } from "./organizations";

/** A row's own id. */
export const idColumn = () => uuid().primaryKey().defaultRandom();
/** The organisation a tenant row belongs to; the row goes when the organisation does. */
export const orgColumn = () => uuid().notNull().references(() => organizations.id, { onDelete: "cascade" });
/** The person a row belongs to; the row goes when the person does. */
export const userColumn = () => text().notNull().references(() => users.id, { onDelete: "cascade" });

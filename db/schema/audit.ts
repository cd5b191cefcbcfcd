import { bigserial, index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt } from "./common";
import { organizations } from "./organizations";

/** Who did what, when, with the state before and after. Written in the same transaction as the change. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    orgId: uuid().references(() => organizations.id, { onDelete: "cascade" }),
    actorUserId: text().references(() => users.id, { onDelete: "set null" }),
    /** "user", "cli", "directory" (SCIM provisioning) or "system". */
    actorKind: text().notNull().default("user"),
    action: text().notNull(),
    targetType: text().notNull(),
    targetId: text(),
    before: jsonb(),
    after: jsonb(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.orgId, t.createdAt), index().on(t.targetType, t.targetId)],
);

export type AuditEntry = typeof auditLog.$inferSelect;

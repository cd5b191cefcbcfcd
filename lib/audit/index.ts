import { auditLog } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import type { Scope } from "@/lib/tenant";
import type { AuditAction } from "./actions";

export { auditActions, auditTargetTypes, isAuditAction, type AuditAction, type AuditTargetType } from "./actions";

export type AuditEntry = {
  action: AuditAction;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
};

/** Records who did what and the state before and after; call it inside the change's transaction. */
export async function audit(tx: DbOrTx, scope: Scope, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    orgId: scope.orgId,
    actorUserId: scope.actor.kind === "user" ? scope.actor.userId : null,
    actorKind: scope.actor.kind,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
  });
}

export { auditActors, auditFilterSchema, changedFields, readAuditLog, type AuditChange, type AuditFilter, type ReadableAuditRow } from "./read";
export { AUDIT_CSV_BOM, auditCsv, auditWords, csvSafe, type Words } from "./csv";

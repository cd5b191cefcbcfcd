import { and, desc, eq, lt } from "drizzle-orm";
import { auditLog, users } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import type { Scope } from "@/lib/tenant";

export type AuditEntry = {
  action: string;
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

export type AuditRow = {
  id: number;
  createdAt: Date;
  action: string;
  actorKind: string;
  actorEmail: string | null;
  actorName: string | null;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
};

/** The organisation's audit trail, newest first, 50 at a time (keyset on id). */
export async function listAuditLog(db: DbOrTx, scope: Scope, options: { before?: number; limit?: number } = {}): Promise<AuditRow[]> {
  return db
    .select({
      id: auditLog.id,
      createdAt: auditLog.createdAt,
      action: auditLog.action,
      actorKind: auditLog.actorKind,
      actorEmail: users.email,
      actorName: users.name,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      before: auditLog.before,
      after: auditLog.after,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .where(and(eq(auditLog.orgId, scope.orgId), options.before ? lt(auditLog.id, options.before) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(options.limit ?? 50);
}

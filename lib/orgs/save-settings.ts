import { eq } from "drizzle-orm";
import { organizations, type OrganizationSettingsJson } from "@/db/schema";
import { audit, type AuditAction } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { Scope } from "@/lib/tenant";
import { parseSettings, type OrganizationSettings } from "./settings";

/**
 * Saves one part of the organisation's settings (already validated): the row locked, the part
 * written over the stored JSON, and the change audited with the part's values before and after.
 */
export async function saveSettingsPart<T>(
  db: DbOrTx,
  scope: Scope,
  part: { action: AuditAction; before: (settings: OrganizationSettings) => unknown; stored: (next: T) => Partial<OrganizationSettingsJson> },
  next: T,
): Promise<T> {
  return db.transaction(async (tx) => {
    const [org] = await tx.select().from(organizations).where(eq(organizations.id, scope.orgId)).for("update");
    if (!org) throw notFound("Organisation");
    const before = part.before(parseSettings(org.settings));
    await tx
      .update(organizations)
      .set({ settings: { ...org.settings, ...part.stored(next) } })
      .where(eq(organizations.id, scope.orgId));
    await audit(tx, scope, { action: part.action, targetType: "organization", targetId: scope.orgId, before, after: next });
    return next;
  });
}

import { eq } from "drizzle-orm";
import { z } from "zod";
import { organizations } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { Scope } from "@/lib/tenant";
import { parseSettings } from "./settings";

/** Points per action for the leaderboard (settings.points); 0 turns an action's points off. */
const pointsField = z.preprocess(
  // A form's empty field is a missing value, not 0.
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
  z.coerce.number({ error: "required" }).int("wholeNumber").min(0, "pointsRange").max(1000, "pointsRange"),
);
export const pointsSettingsSchema = z.object({ share: pointsField, click: pointsField, engagement: pointsField });
export type PointsSettings = z.infer<typeof pointsSettingsSchema>;

/**
 * Saves the points per action, audited with the values before and after. Applies to
 * points earned from now on: the ledger keeps what was earned under the old values.
 */
export async function updatePointsSettings(db: DbOrTx, scope: Scope, input: z.input<typeof pointsSettingsSchema>): Promise<PointsSettings> {
  const next = pointsSettingsSchema.parse(input);
  return db.transaction(async (tx) => {
    const [org] = await tx.select().from(organizations).where(eq(organizations.id, scope.orgId)).for("update");
    if (!org) throw notFound("Organisation");
    const before = parseSettings(org.settings).points;
    await tx
      .update(organizations)
      .set({ settings: { ...org.settings, points: next } })
      .where(eq(organizations.id, scope.orgId));
    await audit(tx, scope, { action: "org.points", targetType: "organization", targetId: scope.orgId, before, after: next });
    return next;
  });
}

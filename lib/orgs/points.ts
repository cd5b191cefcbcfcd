import { z } from "zod";
import type { DbOrTx } from "@/lib/db";
import type { Scope } from "@/lib/tenant";
import { saveSettingsPart } from "./save-settings";

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
  return saveSettingsPart(db, scope, { action: "org.points", before: (s) => s.points, stored: (points) => ({ points }) }, pointsSettingsSchema.parse(input));
}

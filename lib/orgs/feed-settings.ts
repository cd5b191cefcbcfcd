import { z } from "zod";
import type { DbOrTx } from "@/lib/db";
import type { Scope } from "@/lib/tenant";
import { saveSettingsPart } from "./save-settings";

/** What the employees' feed shows beyond the stories themselves. */
export const feedSettingsSchema = z.object({ showColleagueShares: z.boolean() });
export type FeedSettings = z.infer<typeof feedSettingsSchema>;

/** Saves the feed settings, audited with the values before and after. */
export async function updateFeedSettings(db: DbOrTx, scope: Scope, input: FeedSettings): Promise<FeedSettings> {
  return saveSettingsPart(db, scope, { action: "org.feed", before: (s) => ({ showColleagueShares: s.showColleagueShares }), stored: (next) => next }, feedSettingsSchema.parse(input));
}

import { eq } from "drizzle-orm";
import { z } from "zod";
import { organizations } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { Scope } from "@/lib/tenant";
import { parseSettings } from "./settings";

/** What the employees' feed shows beyond the stories themselves. */
export const feedSettingsSchema = z.object({ showColleagueShares: z.boolean() });
export type FeedSettings = z.infer<typeof feedSettingsSchema>;

/** Saves the feed settings, audited with the values before and after. */
export async function updateFeedSettings(db: DbOrTx, scope: Scope, input: FeedSettings): Promise<FeedSettings> {
  const next = feedSettingsSchema.parse(input);
  return db.transaction(async (tx) => {
    const [org] = await tx.select().from(organizations).where(eq(organizations.id, scope.orgId)).for("update");
    if (!org) throw notFound("Organisation");
    const before = { showColleagueShares: parseSettings(org.settings).showColleagueShares };
    await tx
      .update(organizations)
      .set({ settings: { ...org.settings, ...next } })
      .where(eq(organizations.id, scope.orgId));
    await audit(tx, scope, { action: "org.feed", targetType: "organization", targetId: scope.orgId, before, after: next });
    return next;
  });
}

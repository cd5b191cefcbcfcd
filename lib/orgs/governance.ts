import { eq } from "drizzle-orm";
import { z } from "zod";
import { organizations } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { blockedPhrasesSchema } from "@/lib/governance/blocked-words";
import { disclosureHashtagSchema } from "@/lib/governance/disclosure";
import type { Scope } from "@/lib/tenant";
import { parseSettings, type OrganizationSettings } from "./settings";

/** What admins set for the whole organisation's content: review, disclosure and words to avoid. */
export const governanceSchema = z.object({
  approvalRequired: z.boolean(),
  disclosureHashtag: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? null : v), disclosureHashtagSchema.nullable()),
  blockedWords: blockedPhrasesSchema,
});
export type GovernanceInput = z.input<typeof governanceSchema>;

export function governanceOf(settings: OrganizationSettings) {
  return { approvalRequired: settings.approvalRequired, disclosureHashtag: settings.disclosureHashtag, blockedWords: settings.blockedWords };
}

/** Saves the governance settings, audited with the values before and after. */
export async function updateGovernance(db: DbOrTx, scope: Scope, input: GovernanceInput) {
  const next = governanceSchema.parse(input);
  return db.transaction(async (tx) => {
    const [org] = await tx.select().from(organizations).where(eq(organizations.id, scope.orgId)).for("update");
    if (!org) throw notFound("Organisation");
    const before = parseSettings(org.settings);
    await tx
      .update(organizations)
      .set({ settings: { ...org.settings, ...next } })
      .where(eq(organizations.id, scope.orgId));
    await audit(tx, scope, { action: "org.governance", targetType: "organization", targetId: scope.orgId, before: governanceOf(before), after: next });
    return next;
  });
}

import { z } from "zod";
import type { DbOrTx } from "@/lib/db";
import { blockedPhrasesSchema } from "@/lib/governance/blocked-words";
import { disclosureHashtagSchema } from "@/lib/governance/disclosure";
import type { Scope } from "@/lib/tenant";
import { saveSettingsPart } from "./save-settings";
import type { OrganizationSettings } from "./settings";

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
  return saveSettingsPart(db, scope, { action: "org.governance", before: governanceOf, stored: (next) => next }, governanceSchema.parse(input));
}

import type { LinkPlacement } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import type { Scope } from "@/lib/tenant";
import { saveSettingsPart } from "./save-settings";
import { linkPlacementSchema, type LinkPlacementSettings, type OrganizationSettings } from "./settings";

export { linkPlacementSchema, type LinkPlacementSettings } from "./settings";

/**
 * Where a new share's link goes: the organisation's choice for an account Ripple posts to;
 * a share window (intent) always gets the network's own card from the URL. "compare"
 * alternates by the story's shares on the network so far (`earlierShares`, asked only then):
 * card, text, card…, so each placement gets half of the story's shares on it.
 */
export async function placementFor(settings: OrganizationSettings, network: string, mode: "api" | "intent", earlierShares: () => Promise<number>): Promise<LinkPlacement> {
  if (mode !== "api") return "card";
  const choice = (settings.linkPlacement as Record<string, LinkPlacement | "compare" | undefined>)[network] ?? "card";
  if (choice !== "compare") return choice;
  return (await earlierShares()) % 2 === 0 ? "card" : "text";
}

/** Saves where the link goes per network, audited with the values before and after. Unknown networks or placements are refused. */
export async function updateLinkPlacement(db: DbOrTx, scope: Scope, input: LinkPlacementSettings): Promise<LinkPlacementSettings> {
  return saveSettingsPart(db, scope, { action: "org.linkPlacement", before: (s) => s.linkPlacement, stored: (linkPlacement) => ({ linkPlacement }) }, linkPlacementSchema.strict().parse(input));
}

import { eq } from "drizzle-orm";
import type { LinkPlacement } from "@/db/schema";
import { organizations } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { Scope } from "@/lib/tenant";
import { linkPlacementSchema, parseSettings, type LinkPlacementSettings, type OrganizationSettings } from "./settings";

export { linkPlacementSchema, type LinkPlacementSettings } from "./settings";

/**
 * Where a new share's link goes: the organisation's choice for an account Ripple posts to;
 * a share window (intent) always gets the network's own card from the URL.
 */
export function placementFor(settings: OrganizationSettings, network: string, mode: "api" | "intent"): LinkPlacement {
  if (mode !== "api") return "card";
  return (settings.linkPlacement as Record<string, LinkPlacement | undefined>)[network] ?? "card";
}

/** Saves where the link goes per network, audited with the values before and after. Unknown networks or placements are refused. */
export async function updateLinkPlacement(db: DbOrTx, scope: Scope, input: LinkPlacementSettings): Promise<LinkPlacementSettings> {
  const next = linkPlacementSchema.strict().parse(input);
  return db.transaction(async (tx) => {
    const [org] = await tx.select().from(organizations).where(eq(organizations.id, scope.orgId)).for("update");
    if (!org) throw notFound("Organisation");
    const before = parseSettings(org.settings).linkPlacement;
    await tx
      .update(organizations)
      .set({ settings: { ...org.settings, linkPlacement: next } })
      .where(eq(organizations.id, scope.orgId));
    await audit(tx, scope, { action: "org.linkPlacement", targetType: "organization", targetId: scope.orgId, before, after: next });
    return next;
  });
}

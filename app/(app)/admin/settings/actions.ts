"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { updateXApiSettings, xApiInputSchema } from "@/lib/orgs/api-budget";
import { feedSettingsSchema, updateFeedSettings } from "@/lib/orgs/feed-settings";
import { linkPlacementSchema, updateLinkPlacement } from "@/lib/orgs/link-placement";
import { updateGovernance } from "@/lib/orgs/governance";
import { pointsSettingsSchema, updatePointsSettings } from "@/lib/orgs/points";
import { writingHelpSettingsSchema } from "@/lib/orgs/settings";
import { updateWritingHelpSettings } from "@/lib/writing/budget";

/** Blocked phrases arrive one per line; the lib schema validates and de-duplicates them. */
const form = z.object({
  approvalRequired: z.boolean(),
  disclosureHashtag: z.string().max(60),
  blockedWords: z.string().max(60_000),
});

export const saveGovernanceAction = action({ roles: ["admin"], input: form }, async (input, ctx) => {
  const saved = await updateGovernance(ctx.db, ctx.scope, {
    approvalRequired: input.approvalRequired,
    disclosureHashtag: input.disclosureHashtag,
    blockedWords: input.blockedWords
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean),
  });
  revalidatePath("/admin/settings");
  return saved;
});

/** Points per action for the leaderboard. */
export const savePointsAction = action({ roles: ["admin"], input: pointsSettingsSchema }, async (input, ctx) => {
  const saved = await updatePointsSettings(ctx.db, ctx.scope, input);
  revalidatePath("/admin/settings");
  return saved;
});

/** What the feed shows: the colleague count on each card. */
export const saveFeedSettingsAction = action({ roles: ["admin"], input: feedSettingsSchema }, async (input, ctx) => {
  const saved = await updateFeedSettings(ctx.db, ctx.scope, input);
  revalidatePath("/admin/settings");
  revalidatePath("/feed");
  return saved;
});

/** Posting through X's paid API: the switch, the monthly budget and the unit prices. */
export const saveXApiAction = action({ roles: ["admin"], input: xApiInputSchema }, async (input, ctx) => {
  const saved = await updateXApiSettings(ctx.db, ctx.scope, input);
  revalidatePath("/admin/settings");
  revalidatePath("/compose");
  return saved;
});

/** Where the tracked link goes, per network: a card or the URL in the text. */
export const saveLinkPlacementAction = action({ roles: ["admin"], input: linkPlacementSchema.strict() }, async (input, ctx) => {
  const saved = await updateLinkPlacement(ctx.db, ctx.scope, input);
  revalidatePath("/admin/settings");
  return saved;
});

/** Writing help for the organisation: on or off, and a monthly budget in requests to the model (audited). */
export const saveWritingHelpAction = action({ roles: ["admin"], input: writingHelpSettingsSchema.strict() }, async (input, ctx) => {
  const saved = await updateWritingHelpSettings(ctx.db, ctx.scope, input);
  revalidatePath("/admin/settings");
  return saved;
});

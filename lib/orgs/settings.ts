import { z } from "zod";
import { localeIds, networkIds, type OrganizationSettingsJson } from "@/db/schema";
import { offeredPlacements, placementChoices } from "./placements";

const price = z.number().min(0).max(100);

/** The organisation's use of X's pay-per-use API. */
export const xApiSettingsSchema = z.object({
  enabled: z.boolean(),
  budget: z.object({ kind: z.enum(["posts", "money"]), amount: z.number().min(0).max(10_000_000).nullable() }),
  prices: z.object({ post: price, postWithLink: price, read: price }).nullable(),
});
export type XApiSettings = z.infer<typeof xApiSettingsSchema>;

/**
 * The placements an organisation can choose today, per network: first_comment is recorded by
 * the schema (db/schema/shares.ts) and offered only where publishing posts the comment.
 */
export { offeredPlacements, placementChoices };
const placement = <N extends keyof typeof placementChoices>(network: N) => z.enum(placementChoices[network]).default("card");

/** Where the tracked link goes, per network Ripple posts to; the card until the organisation decides otherwise. */
export const linkPlacementSchema = z.object({ linkedin: placement("linkedin"), x: placement("x"), mastodon: placement("mastodon"), bluesky: placement("bluesky") });
export type LinkPlacementSettings = z.infer<typeof linkPlacementSchema>;

/**
 * Writing help with the server's language model (lib/writing): on unless the organisation
 * turns it off, and a monthly budget in requests to the model (null: no cap).
 */
export const writingHelpSettingsSchema = z.object({
  enabled: z.boolean(),
  monthlyRequests: z.number().int().min(0).max(1_000_000).nullable(),
});
export type WritingHelpSettings = z.infer<typeof writingHelpSettingsSchema>;

/** Organisation settings with their defaults; stored rows are parsed through this. */
export const organizationSettingsSchema = z.object({
  locale: z.enum(localeIds).default("da"),
  timeZone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "Unknown time zone")
    .default("Europe/Copenhagen"),
  enabledNetworks: z.array(z.enum(networkIds)).default([...networkIds]),
  approvalRequired: z.boolean().default(true),
  disclosureHashtag: z.string().max(50).nullable().default(null),
  blockedWords: z.array(z.string().min(1).max(100)).max(500).default([]),
  shareSpacingMinutes: z.number().int().min(0).max(24 * 60).default(10),
  clickRetentionMonths: z.number().int().min(1).max(120).default(13),
  /** Points per action for the leaderboard: a published share, a unique visitor on its link, an engagement on the post. */
  points: z
    .object({
      share: z.number().int().min(0).max(1000).default(10),
      click: z.number().int().min(0).max(1000).default(1),
      engagement: z.number().int().min(0).max(1000).default(1),
    })
    .default({ share: 10, click: 1, engagement: 1 }),
  /**
   * When to suggest sharing to someone whose own history does not say yet: weekday
   * (1 = Monday … 7 = Sunday) and hour in the organisation's time zone.
   */
  defaultShareWindows: z
    .array(z.object({ weekday: z.number().int().min(1).max(7), hour: z.number().int().min(0).max(23) }))
    .max(50)
    .default([
      { weekday: 2, hour: 8 },
      { weekday: 3, hour: 12 },
      { weekday: 4, hour: 8 },
    ]),
  /** The organisation's Facebook app id, for the official share dialog (else the legacy sharer). */
  facebookAppId: z.string().regex(/^\d{5,20}$/).nullable().default(null),
  /** Feed cards say how many colleagues shared each story ("N colleagues shared this"). */
  showColleagueShares: z.boolean().default(true),
  /**
   * Posting through X's paid API (lib/orgs/api-budget.ts): on or off, a monthly budget in
   * posts or in money (null: no cap), and the unit prices the meter charges (null: X's
   * published prices, lib/networks/x.ts).
   */
  linkPlacement: linkPlacementSchema.default({ linkedin: "card", x: "card", mastodon: "card", bluesky: "card" }),
  xApi: xApiSettingsSchema.default({ enabled: true, budget: { kind: "money", amount: null }, prices: null }),
  writingHelp: writingHelpSettingsSchema.default({ enabled: true, monthlyRequests: null }),
});

export type OrganizationSettings = z.infer<typeof organizationSettingsSchema>;

export function parseSettings(stored: OrganizationSettingsJson | null | undefined): OrganizationSettings {
  const result = organizationSettingsSchema.safeParse(stored ?? {});
  // A stored value that no longer validates falls back to the defaults field by field
  // rather than breaking every page of the organisation.
  if (result.success) return result.data;
  const partial: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored ?? {})) {
    const field = organizationSettingsSchema.shape[key as keyof OrganizationSettings];
    if (field && field.safeParse(value).success) partial[key] = value;
  }
  return organizationSettingsSchema.parse(partial);
}

import { z } from "zod";
import { networkIds } from "@/db/schema";

/** A moment given as an ISO instant (the UI converts the picker's wall-clock time first). */
const instant = z.coerce.date({ error: "invalidDate" });

export const composeSchema = z.object({
  storyId: z.uuid(),
  /** Absent: now. */
  scheduledAt: instant.optional(),
  posts: z
    .array(
      z.object({
        connectionId: z.uuid(),
        text: z.string().max(10_000, "tooLong"),
        variantId: z.uuid().nullable().optional(),
        /** The person used writing help on this text (recorded on the share). */
        assisted: z.boolean().optional(),
      }),
    )
    .min(1, "chooseAnAccount")
    .max(20),
});

/** A share through the network's own share window (no API, or no connected account). */
export const intentSchema = z.object({
  storyId: z.uuid(),
  network: z.enum(networkIds),
  text: z.string().max(10_000, "tooLong"),
  variantId: z.uuid().nullable().optional(),
  assisted: z.boolean().optional(),
  mastodonInstance: z.url({ protocol: /^https?$/ }).optional(),
});

export const shareEditSchema = z.object({
  text: z.string().max(10_000, "tooLong").optional(),
  scheduledAt: instant.optional(),
});

"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { setPreferences } from "@/lib/notifications/preferences";

/** The member's own mail choices; a personal setting, saved for this organisation. */
export const saveNotificationPrefsAction = action(
  { roles: "any-member", input: z.object({ weeklyDigest: z.boolean(), withdrawnMail: z.boolean(), weeklyReport: z.boolean() }) },
  async (input, ctx) => {
    const saved = await setPreferences(ctx.db, ctx.scope, ctx.userId, input);
    revalidatePath("/settings");
    return saved;
  },
);

"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { setLeaderboardOptOut } from "@/lib/me/leaderboard";

/** Takes the signed-in person off the leaderboard or puts them back; their own choice only. */
export const setLeaderboardOptOutAction = action(
  { roles: "any-member", input: z.object({ optOut: z.enum(["true", "false"]).transform((v) => v === "true") }) },
  async ({ optOut }, ctx) => {
    const result = await setLeaderboardOptOut(ctx.db, ctx.scope, ctx.userId, optOut);
    revalidatePath("/leaderboard");
    revalidatePath("/impact/manager-view");
    return result;
  },
);

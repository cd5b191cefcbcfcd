"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { revokeApiToken } from "@/lib/auth/api-tokens";
import { action } from "@/lib/auth/guard";

/** An admin revokes any token of the organisation, at once. */
export const revokeTokenAction = action({ roles: ["admin"], input: z.object({ tokenId: z.uuid() }) }, async ({ tokenId }, ctx) => {
  await revokeApiToken(ctx.db, ctx.scope, { tokenId });
  revalidatePath("/admin/api-tokens");
  revalidatePath("/settings/api-tokens");
  return true;
});

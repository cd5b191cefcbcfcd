"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { createApiToken, expiryInDays, newApiTokenSchema, revokeApiToken } from "@/lib/auth/api-tokens";
import { action } from "@/lib/auth/guard";

// Every role may call some of /api/v1 (GET /api/v1/me is for any member), so every member manages their own tokens.

/** A token for the signed-in member; the secret is in this answer and nowhere else. */
export const createOwnTokenAction = action({ roles: "any-member", input: newApiTokenSchema }, async ({ name, days }, ctx) => {
  const { token, record } = await createApiToken(ctx.db, ctx.scope, { userId: ctx.userId, name, expiresAt: expiryInDays(days) });
  revalidatePath("/settings/api-tokens");
  revalidatePath("/admin/api-tokens");
  return { token, name: record.name, prefix: record.prefix };
});

/** Revokes one of the member's own tokens; another member's is not found. */
export const revokeOwnTokenAction = action({ roles: "any-member", input: z.object({ tokenId: z.uuid() }) }, async ({ tokenId }, ctx) => {
  await revokeApiToken(ctx.db, ctx.scope, { tokenId }, { ownerId: ctx.userId });
  revalidatePath("/settings/api-tokens");
  revalidatePath("/admin/api-tokens");
  return true;
});

"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { createScimToken, mapDirectoryGroup, revokeScimToken } from "@/lib/scim";

const admin = ["admin"] as const;

/** A new SCIM token, returned once to show once; the previous token stops working. */
export const createScimTokenAction = action({ roles: admin, input: z.object({}) }, async (_input, ctx) => {
  const { token } = await createScimToken(ctx.db, ctx.scope);
  revalidatePath("/admin/directory");
  return { token };
});

export const revokeScimTokenAction = action({ roles: admin, input: z.object({}) }, async (_input, ctx) => {
  await revokeScimToken(ctx.db, ctx.scope);
  revalidatePath("/admin/directory");
  return true;
});

/** target: "none", "role:<role>" or "team:<id>" (checked by lib/scim's groupMappingSchema). */
export const mapDirectoryGroupAction = action({ roles: admin, input: z.object({ groupId: z.uuid(), target: z.string().max(60) }) }, async (input, ctx) => {
  const group = await mapDirectoryGroup(ctx.db, ctx.scope, input);
  revalidatePath("/admin/directory");
  revalidatePath("/admin");
  return { id: group.id };
});

"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { orgAppNetworks, orgNetworkAppSchema, removeOrgNetworkApp, saveOrgNetworkApp } from "@/lib/connections";

/** The organisation's own Threads app: its id and (when typed) secret. The answer never carries the secret. */
export const saveNetworkAppAction = action({ roles: ["admin"], input: orgNetworkAppSchema }, async (input, ctx) => {
  const saved = await saveOrgNetworkApp(ctx.db, ctx.scope, input);
  revalidatePath("/admin/settings");
  revalidatePath("/connections");
  return { network: saved.network, clientId: saved.clientId };
});

export const removeNetworkAppAction = action({ roles: ["admin"], input: z.object({ network: z.enum(orgAppNetworks as ["threads"]) }) }, async (input, ctx) => {
  const removed = await removeOrgNetworkApp(ctx.db, ctx.scope, input.network);
  revalidatePath("/admin/settings");
  revalidatePath("/connections");
  return { removed };
});

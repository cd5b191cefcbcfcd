"use server";

import { revalidatePath } from "next/cache";
import { action } from "@/lib/auth/guard";
import { guidelinesInputSchema, saveGuidelines } from "@/lib/guidelines";

/** Saves the Danish and English text as the next version (admins). */
export const saveGuidelinesAction = action({ roles: ["admin"], input: guidelinesInputSchema }, async (input, ctx) => {
  const saved = await saveGuidelines(ctx.db, ctx.scope, input);
  revalidatePath("/admin/guidelines");
  revalidatePath("/guidelines");
  return { version: saved.version };
});

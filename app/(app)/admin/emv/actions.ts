"use server";

import { revalidatePath } from "next/cache";
import { action } from "@/lib/auth/guard";
import { emvFormSchema, saveEmvRates } from "@/lib/reach/emv";

/** Saves the table as typed (amounts may use a decimal comma) as the organisation's next version; admins only, audited in lib. */
export const saveEmvRatesAction = action({ roles: ["admin"], input: emvFormSchema }, async (input, ctx) => {
  const saved = await saveEmvRates(ctx.db, ctx.scope, input);
  revalidatePath("/admin/emv");
  return { version: saved.version };
});

"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { markNoticesRead } from "@/lib/notifications";

export const markNoticesReadAction = action({ roles: "any-member", input: z.unknown() }, async (_input, ctx) => {
  await markNoticesRead(ctx.db, ctx.scope, ctx.userId);
  revalidatePath("/", "layout");
  return true;
});

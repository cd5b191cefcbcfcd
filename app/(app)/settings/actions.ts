"use server";

import { revalidatePath } from "next/cache";
import { action } from "@/lib/auth/guard";
import { profileSchema, updateProfile } from "@/lib/users";

export const updateProfileAction = action({ roles: "any-member", input: profileSchema }, async (input, ctx) => {
  await updateProfile(ctx.db, ctx.userId, input);
  revalidatePath("/", "layout");
  return true;
});

"use server";

import { signOut } from "@/lib/auth/config";
import { action } from "@/lib/auth/guard";
import { deleteAccountSchema, deleteMyAccount } from "@/lib/me/delete-account";

/**
 * Deletes the signed-in person's account in this organisation (see lib/me/delete-account),
 * then signs them out. Any member may delete their own account; the lib refuses the
 * organisation's last admin.
 */
export const deleteAccountAction = action({ roles: "any-member", input: deleteAccountSchema }, async (input, ctx) => {
  await deleteMyAccount(ctx.db, ctx.scope, ctx.userId, input);
  await signOut({ redirectTo: "/signin" });
  return true;
});

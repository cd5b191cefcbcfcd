"use server";

import { z } from "zod";
import { signOut } from "@/lib/auth/config";
import { action } from "@/lib/auth/guard";
import { signOutEverywhere } from "@/lib/auth/sessions";
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

/**
 * Ends every session of the signed-in person on every device, this one included (lib/auth/sessions),
 * then shows the sign-in page with a note saying so.
 */
export const signOutEverywhereAction = action({ roles: "any-member", input: z.unknown() }, async (_input, ctx) => {
  await signOutEverywhere(ctx.db, ctx.scope, ctx.userId);
  await signOut({ redirectTo: "/signin?signedOut=everywhere" });
  return true;
});

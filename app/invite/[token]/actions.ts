"use server";

import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { z } from "zod";
import { signIn } from "@/lib/auth/config";
import { publicAction } from "@/lib/auth/guard";
import { currentClient, signInAttemptsSpent, tooMany } from "@/lib/limits/sign-in";

/**
 * Uses an invitation link: signs its person in (once) and lands them in the inviting
 * organisation. A link that no longer works goes back to its page, which says why.
 */
export const acceptInvitation = publicAction({ input: z.object({ token: z.string().regex(/^[0-9A-Za-z]{1,100}$/) }) }, async ({ token }) => {
  tooMany("tooManySignInAttempts", await signInAttemptsSpent(await currentClient()));
  try {
    await signIn("invitation", { token, redirectTo: "/" });
  } catch (error) {
    if (error instanceof AuthError) redirect(`/invite/${token}`);
    throw error;
  }
});

"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { signIn } from "@/lib/auth/config";
import { publicAction } from "@/lib/auth/guard";
import { currentClient, signInAttemptsSpent, signInMailSpent, tooMany } from "@/lib/limits/sign-in";
import { returnPath } from "@/lib/auth/return-to";
import { emailSchema } from "@/lib/users";

/** Only a path on this site (lib/auth/return-to); anything else is the start page. */
const callbackUrl = z.string().optional().transform(returnPath);

export const requestSignInLink = publicAction({ input: z.object({ email: emailSchema, callbackUrl }) }, async ({ email, callbackUrl }) => {
  tooMany("tooManySignInMails", await signInMailSpent(email, await currentClient()));
  await signIn("nodemailer", { email, redirectTo: callbackUrl, redirect: false });
  // The same page for every address, member or not.
  redirect("/signin/check-email");
});

export const signInWithSso = publicAction({ input: z.object({ callbackUrl }) }, async ({ callbackUrl }) => {
  await signIn("oidc", { redirectTo: callbackUrl });
});

export const demoSignIn = publicAction({ input: z.object({ email: emailSchema, callbackUrl }) }, async ({ email, callbackUrl }) => {
  tooMany("tooManySignInAttempts", await signInAttemptsSpent(await currentClient()));
  await signIn("demo", { email, redirectTo: callbackUrl });
});

"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { signIn } from "@/lib/auth/config";
import { publicAction } from "@/lib/auth/guard";
import { returnPath } from "@/lib/auth/return-to";
import { emailSchema } from "@/lib/users";

/** Only a path on this site (lib/auth/return-to); anything else is the start page. */
const callbackUrl = z.string().optional().transform(returnPath);

export const requestSignInLink = publicAction({ input: z.object({ email: emailSchema, callbackUrl }) }, async ({ email, callbackUrl }) => {
  await signIn("nodemailer", { email, redirectTo: callbackUrl, redirect: false });
  // The same page for every address, member or not.
  redirect("/signin/check-email");
});

export const signInWithSso = publicAction({ input: z.object({ callbackUrl }) }, async ({ callbackUrl }) => {
  await signIn("oidc", { redirectTo: callbackUrl });
});

export const demoSignIn = publicAction({ input: z.object({ email: emailSchema, callbackUrl }) }, async ({ email, callbackUrl }) => {
  await signIn("demo", { email, redirectTo: callbackUrl });
});

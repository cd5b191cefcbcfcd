"use server";

import { cookies } from "next/headers";
import { z } from "zod";
import { getSession, publicAction } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { LOCALE_COOKIE, locales } from "@/lib/i18n/locales";
import { setUserLocale } from "@/lib/users";

/** Remembers the language: a year-long cookie, and on the person's profile when signed in. */
export const setLocaleAction = publicAction({ input: z.object({ locale: z.enum(locales) }) }, async ({ locale }) => {
  (await cookies()).set(LOCALE_COOKIE, locale, { path: "/", maxAge: 365 * 24 * 3600, sameSite: "lax" });
  const session = await getSession();
  if (session?.userId) await setUserLocale(db(), session.userId, locale);
  return locale;
});

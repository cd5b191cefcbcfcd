import { eq } from "drizzle-orm";
import { z } from "zod";
import { users, type Locale, type User } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { getOrganization, parseSettings } from "@/lib/orgs";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "invalidEmail" }).max(254));

export async function findUserByEmail(db: DbOrTx, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  return user;
}

export async function getUser(db: DbOrTx, userId: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  return user;
}

/** The user with this email, created if there is none. */
export async function ensureUser(db: DbOrTx, email: string, name?: string | null): Promise<User> {
  const normalised = email.trim().toLowerCase();
  await db
    .insert(users)
    .values({ email: normalised, name: name ?? null })
    .onConflictDoNothing({ target: users.email });
  const user = await findUserByEmail(db, normalised);
  if (!user) throw new Error(`User ${normalised} vanished after insert`);
  return user;
}

export async function setUserLocale(db: DbOrTx, userId: string, locale: Locale): Promise<void> {
  await db.update(users).set({ locale }).where(eq(users.id, userId));
}

/** A person's language and time zone, falling back to their organisation's. */
export async function getUserPreferences(db: DbOrTx, userId: string, orgId: string | null) {
  const user = await getUser(db, userId);
  const org = orgId ? await getOrganization(db, orgId) : undefined;
  const settings = org ? parseSettings(org.settings) : undefined;
  return {
    locale: user?.locale ?? null,
    orgLocale: settings?.locale ?? null,
    timeZone: user?.timeZone ?? settings?.timeZone ?? null,
  };
}

export const timeZoneSchema = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "unknownTimeZone");

export const profileSchema = z.object({
  name: z.string().trim().min(1, "required").max(120, "tooLong"),
  timeZone: z.preprocess((v) => (v === "" ? null : v), timeZoneSchema.nullable()),
});

/** A person's own name and time zone (null = the organisation's). */
export async function updateProfile(db: DbOrTx, userId: string, input: z.input<typeof profileSchema>): Promise<void> {
  const parsed = profileSchema.parse(input);
  await db.update(users).set({ name: parsed.name, timeZone: parsed.timeZone }).where(eq(users.id, userId));
}

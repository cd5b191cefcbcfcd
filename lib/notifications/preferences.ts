import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { memberships } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { Scope } from "@/lib/tenant";

/**
 * Per membership. A missing key means the default, so members who never opened their settings
 * get the defaults and new kinds need no change to old rows. Personal: saved, not audited.
 */
export const notificationPrefsSchema = z.object({
  /** The Monday mail with the week's new stories for the member's audience. */
  weeklyDigest: z.boolean().default(true),
  /** Mails about stories withdrawn or expired with shares still scheduled (the in-app notice stays either way). */
  withdrawnMail: z.boolean().default(true),
  /** Managers: the Monday mail with last week's figures for their teams. */
  weeklyReport: z.boolean().default(true),
});
export type NotificationPrefs = z.infer<typeof notificationPrefsSchema>;
export const notificationPrefKeys = Object.keys(notificationPrefsSchema.shape) as Array<keyof NotificationPrefs>;

/** Some of the choices; no defaults here, so what is not given is left as it is. */
export const preferenceChangesSchema = z.object({ weeklyDigest: z.boolean().optional(), withdrawnMail: z.boolean().optional(), weeklyReport: z.boolean().optional() }).strict();

/** Stored JSON to preferences: known keys with a boolean value count, anything else falls back to the default. */
export function parsePreferences(stored: Record<string, unknown> | null | undefined): NotificationPrefs {
  const known: Record<string, boolean> = {};
  for (const key of notificationPrefKeys) {
    const value = stored?.[key];
    if (typeof value === "boolean") known[key] = value;
  }
  return notificationPrefsSchema.parse(known);
}

export async function getPreferences(db: DbOrTx, scope: Scope, userId: string): Promise<NotificationPrefs> {
  const [row] = await db
    .select({ prefs: memberships.notificationPrefs })
    .from(memberships)
    .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId)))
    .limit(1);
  if (!row) throw notFound("Member");
  return parsePreferences(row.prefs);
}

/** Saves the given choices (others stay as they were); returns the full set. */
export async function setPreferences(db: DbOrTx, scope: Scope, userId: string, input: Partial<NotificationPrefs>): Promise<NotificationPrefs> {
  const changes = preferenceChangesSchema.parse(input);
  const patch = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  const [row] = await db
    .update(memberships)
    .set({ notificationPrefs: sql`${memberships.notificationPrefs} || ${JSON.stringify(patch)}::jsonb` })
    .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId)))
    .returning({ prefs: memberships.notificationPrefs });
  if (!row) throw notFound("Member");
  return parsePreferences(row.prefs);
}

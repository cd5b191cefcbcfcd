import type { AuthContext } from "@/lib/auth/guard";
import { getOrganizationSettings } from "@/lib/orgs";
import { getUserPreferences } from "@/lib/users";

/** The person's time zone, else the organisation's: date pickers' wall-clock times mean that. */
export async function timeZoneOf(ctx: AuthContext): Promise<string> {
  const prefs = await getUserPreferences(ctx.db, ctx.userId, ctx.orgId);
  return prefs.timeZone ?? (await getOrganizationSettings(ctx.db, ctx.orgId)).timeZone;
}

import { inArray, sql } from "drizzle-orm";
import { organizations, pointsLedger } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { parseSettings } from "@/lib/orgs/settings";
import { pgArray } from "@/lib/sql-arrays";

/** What earns points; each organisation sets how many per action (settings.points). */
export type PointsAction = "share" | "click" | "engagement";

/** `at`: when the rewarded event happened (the ledger row's time); now when not given. */
export type PointsAward = { orgId: string; userId: string | null; action: PointsAction; count: number; shareId?: string | null; at?: Date };

/**
 * Writes points to the ledger: one row per user, action, share and moment (`at`) for the batch, worth
 * count × the organisation's points for the action. Awards for nobody (an anonymised
 * share), of nothing, or of an action set to 0 points write nothing.
 */
export async function awardPoints(db: DbOrTx, awards: readonly PointsAward[]): Promise<void> {
  const due = awards.filter((a) => a.userId && a.count > 0);
  if (due.length === 0) return;
  const orgIds = [...new Set(due.map((a) => a.orgId))];
  const orgs = await db.select({ id: organizations.id, settings: organizations.settings }).from(organizations).where(inArray(organizations.id, orgIds));
  const perAction = new Map(orgs.map((o) => [o.id, parseSettings(o.settings).points]));
  const merged = new Map<string, { orgId: string; userId: string; action: PointsAction; points: number; shareId: string | null; createdAt?: Date }>();
  for (const a of due) {
    const points = (perAction.get(a.orgId)?.[a.action] ?? 0) * a.count;
    if (points === 0) continue;
    const key = `${a.orgId}|${a.userId}|${a.action}|${a.shareId ?? ""}|${a.at?.toISOString() ?? ""}`;
    const row = merged.get(key);
    if (row) row.points += points;
    else merged.set(key, { orgId: a.orgId, userId: a.userId!, action: a.action, points, shareId: a.shareId ?? null, ...(a.at ? { createdAt: a.at } : {}) });
  }
  if (merged.size === 0) return;
  // Six array parameters, not six a row: a click batch awards a share and day each, thousands
  // of rows, whose VALUES list took several times the insert itself to build and plan.
  const rows = [...merged.values()];
  await db.execute(sql`
    insert into ${pointsLedger} (org_id, user_id, action, points, share_id, created_at)
    select a.org_id, a.user_id, a.action, a.points, a.share_id, coalesce(a.created_at, now())
    from unnest(
      ${pgArray(rows.map((r) => r.orgId))}::uuid[], ${pgArray(rows.map((r) => r.userId))}::text[], ${pgArray(rows.map((r) => r.action))}::text[],
      ${pgArray(rows.map((r) => String(r.points)))}::int[], ${pgArray(rows.map((r) => r.shareId))}::uuid[],
      ${pgArray(rows.map((r) => r.createdAt?.toISOString() ?? null))}::timestamptz[]
    ) as a(org_id, user_id, action, points, share_id, created_at)`);
}

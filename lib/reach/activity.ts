import { sql } from "drizzle-orm";
import type { LinkPlacement, NetworkId } from "@/db/schema";
import { activityMonth, MONTH_UNIT, shareBits, sqlMergeMonths } from "@/db/share-activity";
import type { DbOrTx } from "@/lib/db";

/**
 * Each member's sharing at a glance, on their membership: the first UTC day they shared
 * (`first_shared_on`) and, per month they shared in, with which networks and link placements
 * (`shared_months`, encoded as db/share-activity.ts says). A team report counts its members
 * from these instead of reading every member's rollups, which at 100,000 people took longer
 * than the rest of the report (npm run bench -- report org). They are kept with the rollups, in
 * the same transaction (./rollups.ts addToRollups), and only ever grow, as the rollups' shares do.
 */

/** One person's share on a day, on a network, with its link's placement, as the activity records it. */
export type ShareActivity = { orgId: string; userId: string; network: NetworkId; placement: LinkPlacement; day: string };

/**
 * Adds shares to their people's activity: one statement, writing only memberships it changes
 * (a person's first share of a month on a network or with a placement), locked in id order as
 * two batches could hold the same people, and merged into the row as it is once locked. Run
 * before the rollups' upserts: deleting an account locks the membership first and the rollups
 * after, and so does this.
 */
export async function recordShareActivity(db: DbOrTx, activity: readonly ShareActivity[]): Promise<void> {
  const byPerson = new Map<string, { orgId: string; userId: string; firstDay: string; months: Map<number, number> }>();
  for (const share of activity) {
    const id = `${share.orgId}|${share.userId}`;
    let person = byPerson.get(id);
    if (!person) byPerson.set(id, (person = { orgId: share.orgId, userId: share.userId, firstDay: share.day, months: new Map() }));
    if (share.day < person.firstDay) person.firstDay = share.day;
    const month = activityMonth(share.day);
    // Bitwise or of masks under 2^40: JavaScript's | is 32 bits, so by sets of bits.
    person.months.set(month, orBits(person.months.get(month) ?? 0, shareBits(share.network, share.placement)));
  }
  if (byPerson.size === 0) return;
  const rows = [...byPerson.values()].map((p) => ({ orgId: p.orgId, userId: p.userId, firstDay: p.firstDay, keys: [...p.months].map(([month, mask]) => month * MONTH_UNIT + mask) }));
  await db.execute(sql`
    with input as (
      select a."orgId" as org_id, a."userId" as user_id, a."firstDay" as first_day,
        array(select jsonb_array_elements_text(a.keys)::bigint) as keys
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as a("orgId" uuid, "userId" text, "firstDay" date, keys jsonb)),
    changed as (
      select m.id, i.first_day, i.keys
      from memberships m join input i on m.org_id = i.org_id and m.user_id = i.user_id
      where m.first_shared_on is null or m.first_shared_on > i.first_day or ${sql.raw(sqlMergeMonths("m.shared_months || i.keys"))} <> m.shared_months
      order by m.id
      for update of m)
    update memberships m set
      first_shared_on = least(m.first_shared_on, c.first_day),
      shared_months = ${sql.raw(sqlMergeMonths("m.shared_months || c.keys"))}
    from changed c
    where m.id = c.id`);
}

/** a | b for masks of up to 40 bits. */
function orBits(a: number, b: number): number {
  const high = 2 ** 20;
  return (Math.floor(a / high) | Math.floor(b / high)) * high + ((a % high) | (b % high));
}

import { sql } from "drizzle-orm";
import { networkCodes, type NetworkId } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";

/**
 * Each member's sharing at a glance, on their membership: the first UTC day they shared
 * (`first_shared_on`) and the months they shared in, per network (`shared_months`). A team
 * report reads these with the memberships instead of every member's rollups, which at 100,000
 * people took longer than the rest of the report (npm run bench -- report org). They are kept
 * with the user rollups, in the same transaction (./rollups.ts addToRollups), and only ever grow,
 * as the rollups' shares do.
 *
 * A month is its index (year × 12 + month - 1, UTC); an entry is index × 16 + the network's code
 * (networkCodes), code 0 for any network. db/backfills.ts makes the same from the rollups.
 */
const ANY_NETWORK = 0;
const CODES = 16;

/** A UTC day's (YYYY-MM-DD) month index. */
export function monthOfDay(day: string): number {
  return Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;
}

/** The entry for a month and a network (undefined: any network). */
export function monthKey(month: number, network?: NetworkId): number {
  return month * CODES + (network ? networkCodes[network] : ANY_NETWORK);
}

/** An entry's month index. */
export function keyMonth(key: number): number {
  return Math.floor(key / CODES);
}

/** One person's share on a day, on a network, as the activity records it. */
export type ShareActivity = { orgId: string; userId: string; network: NetworkId; day: string };

/**
 * Adds shares to their people's activity: one statement, writing only memberships it changes
 * (a person's first share of a month on a network), locked in id order as two batches could
 * hold the same people. Run before the rollups' upserts: deleting an account locks the
 * membership first and the rollups after, and so does this.
 */
export async function recordShareActivity(db: DbOrTx, activity: readonly ShareActivity[]): Promise<void> {
  const byPerson = new Map<string, { orgId: string; userId: string; firstDay: string; keys: Set<number> }>();
  for (const { orgId, userId, network, day } of activity) {
    const id = `${orgId}|${userId}`;
    let person = byPerson.get(id);
    if (!person) byPerson.set(id, (person = { orgId, userId, firstDay: day, keys: new Set() }));
    if (day < person.firstDay) person.firstDay = day;
    const month = monthOfDay(day);
    person.keys.add(monthKey(month)).add(monthKey(month, network));
  }
  if (byPerson.size === 0) return;
  const rows = [...byPerson.values()].map((p) => ({ ...p, keys: [...p.keys] }));
  await db.execute(sql`
    with input as (
      select a."orgId" as org_id, a."userId" as user_id, a."firstDay" as first_day,
        array(select jsonb_array_elements_text(a.keys)::int) as keys
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as a("orgId" uuid, "userId" text, "firstDay" date, keys jsonb)),
    changed as (
      select m.id, i.first_day, i.keys
      from memberships m join input i on m.org_id = i.org_id and m.user_id = i.user_id
      where m.first_shared_on is null or m.first_shared_on > i.first_day or not m.shared_months @> i.keys
      order by m.id
      for update of m)
    update memberships m set
      first_shared_on = least(m.first_shared_on, c.first_day),
      shared_months = array(select distinct k from unnest(m.shared_months || c.keys) k order by k)
    from changed c
    where m.id = c.id`);
}

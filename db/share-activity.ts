import type postgres from "postgres";
import { networkCodes, type NetworkId } from "./schema/ids";
import { placementCodes, type LinkPlacement } from "./schema/shares";

/**
 * memberships.shared_months: one number a month the person shared in, ascending, the month
 * (counted from January 2000) times 2^40 plus a mask of what they shared with that month: bit
 * placement code × 10 + network code, code 0 for any (networkCodes, placementCodes). So a share
 * on LinkedIn with a link card sets the bits of (any, any), (any, LinkedIn), (card, any) and
 * (card, LinkedIn). Every value stays below 2^53, a JavaScript number. Kept by
 * lib/reach/activity.ts, read by lib/reports/team-report.ts.
 */
export const ACTIVITY_EPOCH = 2000 * 12;
export const MONTH_UNIT = 2 ** 40;
/** In SQL: the mask of an element (its low 40 bits) and its month (the rest). */
export const SQL_MASK = "1099511627775";
export const SQL_MONTH_SHIFT = "40";

/** A UTC day's (YYYY-MM-DD) month, counted from January 2000. */
export function activityMonth(day: string): number {
  return Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1 - ACTIVITY_EPOCH;
}

/** The bit of sharing on a network with a placement (each: any when not given). */
export function activityBit(network?: NetworkId, placement?: LinkPlacement): number {
  return 2 ** ((placement ? placementCodes[placement] : 0) * 10 + (network ? networkCodes[network] : 0));
}

/** The bits one share sets: any, its network, its placement, and both. */
export function shareBits(network: NetworkId, placement: LinkPlacement): number {
  return activityBit() + activityBit(network) + activityBit(undefined, placement) + activityBit(network, placement);
}

const caseOf = (expression: string, codes: Record<string, number>) =>
  `(case ${expression} ${Object.entries(codes).map(([id, code]) => `when '${id}' then ${code}`).join(" ")} else 0 end)`;

/** SQL: the mask a user_placement rollup row with shares sets (`network` its "<network>:<placement>" column). */
export function sqlShareBits(network: string): string {
  const n = caseOf(`split_part(${network}, ':', 1)`, networkCodes);
  const p = caseOf(`split_part(${network}, ':', 2)`, placementCodes);
  return `(1::bigint | (1::bigint << ${n}) | (1::bigint << (${p} * 10)) | (1::bigint << (${p} * 10 + ${n})))`;
}

/** SQL: the month of a date, counted as activityMonth counts it. */
export function sqlActivityMonth(date: string): string {
  return `(extract(year from ${date})::int * 12 + extract(month from ${date})::int - 1 - ${ACTIVITY_EPOCH})`;
}

/**
 * How many months a membership's recent columns hold (last_shared_month, months_shared,
 * months_card, months_text, months_first_comment, generated from shared_months by migration
 * 0025's ripple_recent_months): the latest month shared in and the 62 before it, bit i being
 * month last_shared_month - 62 + i. 63 bits keep the sign bit clear, so >> shifts in zeros.
 */
export const RECENT_MONTHS = 63;

/** The recent column of each activity bit of any network (activityBit(undefined, placement)). */
export const recentColumns = { shared: "months_shared", card: "months_card", text: "months_text", first_comment: "months_first_comment" } as const;

/**
 * SQL over a membership `m` for whole months first..last (counted as activityMonth counts;
 * at most RECENT_MONTHS of them): `covers`, true when its recent columns hold every month of the
 * range it can have shared in (it shared in none of them, or its latest month is fewer than
 * RECENT_MONTHS after first); `bits(column)`, that column's months in the range as bits from
 * first (bit k: month first + k), valid where `covers`.
 */
export function sqlRecentMonths(m: string, first: number, last: number): { covers: string; bits: (column: string) => string } {
  if (last - first + 1 > RECENT_MONTHS) throw new Error(`${last - first + 1} months do not fit the recent columns`);
  const span = ((1n << BigInt(last - first + 1)) - 1n).toString();
  const latest = `${m}.last_shared_month`;
  return {
    covers: `(${latest} is null or ${latest} < ${first} or ${latest} - ${first} < ${RECENT_MONTHS})`,
    bits: (column) => `(case when ${latest} >= ${first} then (${m}.${column} >> (${first} - ${latest} + ${RECENT_MONTHS - 1})) & ${span} else 0 end)`,
  };
}

/** SQL: `elements` (a bigint[] expression) merged a month each, the masks of a month or-ed together, ascending. */
export function sqlMergeMonths(elements: string): string {
  return `(select coalesce(array_agg(e order by e), '{}') from (
    select ((x >> ${SQL_MONTH_SHIFT}) << ${SQL_MONTH_SHIFT}) | bit_or(x & ${SQL_MASK}) as e from unnest(${elements}) x group by x >> ${SQL_MONTH_SHIFT}) merged)`;
}

/**
 * Each member's first share day and shared months, from their rollups: the months from their
 * monthly rows by placement (user_placement, kept for good by month), the first day from their
 * share days (user rows, kept for good). For one organisation or all: migration 0024's
 * backfill, and how generated data gets them (tests/bench/report.ts).
 */
export async function fillShareActivity(sql: postgres.Sql | postgres.TransactionSql, orgId?: string): Promise<void> {
  await sql.unsafe(
    `with months as (
      select r.org_id, r.dimension_id as user_id, ${sqlActivityMonth("r.month")}::bigint * ${MONTH_UNIT} | bit_or(${sqlShareBits("r.network")}) as e
      from monthly_rollups r
      where r.dimension = 'user_placement' and r.shares > 0 and ($1::uuid is null or r.org_id = $1::uuid)
      group by 1, 2, r.month),
    keys as (select org_id, user_id, array_agg(e order by e) as keys from months group by 1, 2),
    firsts as (
      select r.org_id, r.dimension_id as user_id, min(r.day) as first_day
      from daily_rollups r
      where r.dimension = 'user' and r.network = 'all' and r.shares > 0 and ($1::uuid is null or r.org_id = $1::uuid)
      group by 1, 2)
    update memberships m set first_shared_on = f.first_day, shared_months = k.keys
    from keys k join firsts f on f.org_id = k.org_id and f.user_id = k.user_id
    where m.org_id = k.org_id and m.user_id = k.user_id`,
    [orgId ?? null],
  );
}

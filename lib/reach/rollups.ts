import { inArray, sql } from "drizzle-orm";
import { memberships, shares, type DailyRollup, type LinkPlacement, type NetworkId } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { NO_TEAM, teamStoryId } from "@/db/rollup-rows";
import { recordShareActivity } from "./activity";

/**
 * Reports read rollups only. Each event adds its delta (UTC days and months) in the event's own
 * transaction, so a rollup never counts what was not stored, nor counts it twice. The sixteen
 * rows one delta lands on: docs/design-notes.md, "Daily rollups".
 */
export type RollupFigures = {
  shares: number;
  clicks: number;
  uniqueVisitors: number;
  botClicks: number;
  impressions: number;
  engagements: number;
  estimatedReach: number;
};
export const rollupFigureKeys = ["shares", "clicks", "uniqueVisitors", "botClicks", "impressions", "engagements", "estimatedReach"] as const satisfies ReadonlyArray<keyof RollupFigures>;

/** Who and what a share's figures belong to. userId and teamId are null once anonymised or when the sharer has no team. */
export type ShareFacts = {
  orgId: string;
  shareId: string;
  userId: string | null;
  teamId: string | null;
  storyId: string;
  network: NetworkId;
  /** Where the share's link went (card, URL in the text, first comment). */
  placement: LinkPlacement;
};

export type RollupDelta = { facts: ShareFacts; day: string; delta: Partial<RollupFigures> };

/** The facts of shares, by id; the team is the sharer's team now (at the time of the event). */
export async function shareFacts(db: DbOrTx, shareIds: readonly string[]): Promise<Map<string, ShareFacts>> {
  if (shareIds.length === 0) return new Map();
  const rows = await db
    .select({ orgId: shares.orgId, shareId: shares.id, userId: shares.userId, storyId: shares.storyId, network: shares.network, placement: shares.placement, teamId: memberships.teamId })
    .from(shares)
    .leftJoin(memberships, sql`${memberships.orgId} = ${shares.orgId} and ${memberships.userId} = ${shares.userId}`)
    .where(inArray(shares.id, [...new Set(shareIds)]));
  return new Map(rows.map((r) => [r.shareId, { ...r, teamId: r.teamId ?? null }]));
}

type RowKey = { orgId: string; dimension: DailyRollup["dimension"]; dimensionId: string; network: string; day: string };

function rowsFor(facts: ShareFacts, day: string): RowKey[] {
  const { orgId, network } = facts;
  const keyed: Array<[RowKey["dimension"], string | null]> = [
    ["org", orgId],
    ["share", facts.shareId],
    ["user", facts.userId],
    ["team", facts.teamId],
    ["story", facts.storyId],
    // A share by someone in no team counts under "none": a story's team_story rows then add up
    // to its story rows, and the whole organisation's stories are its story rows less these.
    ["team_story", teamStoryId(facts.teamId, facts.storyId)],
  ];
  const rows: RowKey[] = [];
  for (const [dimension, id] of keyed) {
    if (!id) continue;
    rows.push({ orgId, dimension, dimensionId: id, network, day }, { orgId, dimension, dimensionId: id, network: "all", day });
  }
  rows.push({ orgId, dimension: "network", dimensionId: network, network, day });
  // By where the link went, per network only: a person's (the people behind a story's
  // placements), a team's (a team report's placements, lib/reports/team-report.ts; "none" for
  // no team, as team_story) and the organisation's (the whole organisation's placements are
  // these less the "none" rows: a row a network and placement instead of one a team).
  const placed = `${network}:${facts.placement}`;
  if (facts.userId) rows.push({ orgId, dimension: "user_placement", dimensionId: facts.userId, network: placed, day });
  rows.push({ orgId, dimension: "team_placement", dimensionId: facts.teamId ?? NO_TEAM, network: placed, day });
  rows.push({ orgId, dimension: "org", dimensionId: orgId, network: placed, day });
  return rows;
}

/**
 * Adds the deltas to the rollups: merged by row first, then one multi-row upsert in a
 * fixed order (so two concurrent batches lock rows in the same order and cannot deadlock).
 * Shares also go into their people's activity (./activity.ts), first.
 */
export async function addToRollups(db: DbOrTx, deltas: readonly RollupDelta[]): Promise<void> {
  const merged = new Map<string, RowKey & RollupFigures>();
  for (const { facts, day, delta } of deltas) {
    if (!rollupFigureKeys.some((k) => (delta[k] ?? 0) !== 0)) continue;
    for (const key of rowsFor(facts, day)) {
      const id = `${key.orgId}|${key.dimension}|${key.dimensionId}|${key.network}|${key.day}`;
      let row = merged.get(id);
      if (!row) {
        row = { ...key, shares: 0, clicks: 0, uniqueVisitors: 0, botClicks: 0, impressions: 0, engagements: 0, estimatedReach: 0 };
        merged.set(id, row);
      }
      for (const k of rollupFigureKeys) row[k] += delta[k] ?? 0;
    }
  }
  if (merged.size === 0) return;
  await recordShareActivity(
    db,
    deltas.flatMap(({ facts, day, delta }) =>
      (delta.shares ?? 0) > 0 && facts.userId ? [{ orgId: facts.orgId, userId: facts.userId, network: facts.network, placement: facts.placement, day }] : [],
    ),
  );
  const rows = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  await upsert(db, "daily_rollups", "day", rows);
  // The month's row takes the same delta (month = its first day).
  const months = new Map<string, RowKey & RollupFigures>();
  for (const row of rows) {
    const month = `${row.day.slice(0, 7)}-01`;
    const id = `${row.orgId}|${row.dimension}|${row.dimensionId}|${row.network}|${month}`;
    const merged = months.get(id);
    if (merged) for (const k of rollupFigureKeys) merged[k] += row[k];
    else months.set(id, { ...row, day: month });
  }
  await upsert(db, "monthly_rollups", "month", [...months.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row));
}

/**
 * One statement with one parameter whatever the batch size (a JSON array of rows): far
 * less work to build than a multi-row VALUES list of 12 parameters a row.
 */
async function upsert(db: DbOrTx, table: "daily_rollups" | "monthly_rollups", dateColumn: "day" | "month", rows: Array<RowKey & RollupFigures>) {
  const t = sql.raw(`"${table}"`);
  const d = sql.raw(`"${dateColumn}"`);
  const add = (column: string) => sql.raw(`"${column}" = ${table}."${column}" + excluded."${column}"`);
  await db.execute(sql`
    insert into ${t} (org_id, dimension, dimension_id, network, ${d}, shares, clicks, unique_visitors, bot_clicks, impressions, engagements, estimated_reach)
    select r."orgId", r.dimension, r."dimensionId", r.network, r.day, r.shares, r.clicks, r."uniqueVisitors", r."botClicks", r.impressions, r.engagements, r."estimatedReach"
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(
      "orgId" uuid, dimension rollup_dimension, "dimensionId" text, network text, day date, shares bigint, clicks bigint,
      "uniqueVisitors" bigint, "botClicks" bigint, impressions bigint, engagements bigint, "estimatedReach" bigint)
    on conflict (org_id, dimension, dimension_id, network, ${d}) do update set
      ${add("shares")}, ${add("clicks")}, ${add("unique_visitors")}, ${add("bot_clicks")}, ${add("impressions")}, ${add("engagements")}, ${add("estimated_reach")}`);
}

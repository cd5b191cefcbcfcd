import { linkPlacementIds, type LinkPlacement, type NetworkId } from "@/db/schema";
import { emvFiguresOf, emvOf, type EmvTable } from "@/lib/reach/emv";
import { rowsToHold, rowsToHoldBySize } from "./privacy";

/**
 * Where the link went (card, URL in the text, first comment), compared over a set of shares:
 * a story's (./story.ts) or a team's (./team-report.ts), under the one privacy rule of
 * ./privacy.ts. Both build their rows here, so the two pages cannot disagree on a figure.
 */

export type StoryFigures = {
  shares: number;
  /** Human clicks through our redirect (measured); bots are counted apart. */
  clicks: number;
  /** One a visitor, link and UTC day (measured): what EMV prices as clicks. */
  uniqueVisitors: number;
  /** Reported by the networks (measured). */
  impressions: number;
  engagements: number;
  /** Followers of the accounts shared from: potential reach, an estimate. */
  estimatedReach: number;
  /** Under the organisation's current EMV table (see StoryAnalytics.emv for its version). */
  emv: number;
};

export type Shown = {
  suppressed: false;
  /** Distinct people behind the row. */
  people: number;
  figures: StoryFigures;
  /** Null where there are no shares to divide by. */
  clicksPerShare: number | null;
  engagementsPerShare: number | null;
};
export type Held = { suppressed: true };

/**
 * One placement of the link (card, URL in the text, first comment) across a set of shares:
 * `shares` is what every ratio rests on. Impressions are reported by LinkedIn and X only, so
 * impressionsPerShare divides by `sharesReportingImpressions` (null when none).
 */
export type PlacementRow = { key: LinkPlacement; placement: LinkPlacement } & (
  | (Shown & { impressionsPerShare: number | null; sharesReportingImpressions: number })
  | Held
);

export type Sums = { shares: number; clicks: number; uniqueVisitors: number; botClicks: number; impressions: number; engagements: number; estimatedReach: number };
export const zero = (): Sums => ({ shares: 0, clicks: 0, uniqueVisitors: 0, botClicks: 0, impressions: 0, engagements: 0, estimatedReach: 0 });
export function add(into: Sums, row: Sums): Sums {
  for (const k of Object.keys(into) as Array<keyof Sums>) into[k] += row[k];
  return into;
}

const emvOfSums = (table: EmvTable, network: NetworkId, sums: Sums) => emvOf(table, network, emvFiguresOf(sums));

export function shown(people: number, sums: Sums, emv: number): Shown {
  return {
    suppressed: false,
    people,
    figures: { shares: sums.shares, clicks: sums.clicks, uniqueVisitors: sums.uniqueVisitors, impressions: sums.impressions, engagements: sums.engagements, estimatedReach: sums.estimatedReach, emv },
    clicksPerShare: sums.shares > 0 ? sums.clicks / sums.shares : null,
    engagementsPerShare: sums.shares > 0 ? sums.engagements / sums.shares : null,
  };
}

/** The networks whose metrics include impressions (lib/networks/types.ts PostMetrics.impressions). */
const REPORTS_IMPRESSIONS: ReadonlySet<string> = new Set(["linkedin", "x"]);

/**
 * Shares grouped by a key of theirs (each row: its share's rollup total, person and network),
 * in `order`, each group under the one privacy rule (rowsToHold): a group fewer than five
 * people make shows nothing, nor does the rest give it away.
 */
function comparedRows<K extends string, R extends { userId: string | null; network: NetworkId } & Sums>(
  shareRows: readonly R[],
  keyOf: (row: R) => K,
  order: readonly K[],
  table: EmvTable,
  person: (userId: string | null) => string,
): Array<{ key: K } & ((Shown & { impressionsPerShare: number | null; sharesReportingImpressions: number }) | Held)> {
  const groups = new Map<K, { people: Set<string>; sums: Sums; emv: number; reporting: Sums }>();
  for (const share of shareRows) {
    const row: Sums = { shares: share.shares, clicks: share.clicks, uniqueVisitors: share.uniqueVisitors, botClicks: share.botClicks, impressions: share.impressions, engagements: share.engagements, estimatedReach: share.estimatedReach };
    const key = keyOf(share);
    const group = groups.get(key) ?? { people: new Set<string>(), sums: zero(), emv: 0, reporting: zero() };
    group.people.add(person(share.userId));
    add(group.sums, row);
    if (REPORTS_IMPRESSIONS.has(share.network)) add(group.reporting, row);
    group.emv += emvOfSums(table, share.network, row);
    groups.set(key, group);
  }
  const present = order.filter((key) => groups.has(key));
  const held = rowsToHold(present.map((key) => ({ key, people: groups.get(key)!.people })));
  return present.map((key) => {
    const group = groups.get(key)!;
    if (held.has(key)) return { key, suppressed: true as const };
    return { key, ...comparedRow(group.people.size, group.sums, group.reporting, group.emv) };
  });
}

/** A shown row of a comparison: `reporting` sums the rows of networks that report impressions. */
export function comparedRow(people: number, sums: Sums, reporting: Sums, emv: number): Shown & { impressionsPerShare: number | null; sharesReportingImpressions: number } {
  return {
    ...shown(people, sums, emv),
    impressionsPerShare: reporting.shares > 0 ? reporting.impressions / reporting.shares : null,
    sharesReportingImpressions: reporting.shares,
  };
}

/**
 * The placements' rows from sums already grouped (per network) and their people counted apart,
 * for groups too large to list who is behind them (a team's): `people(placements)` is how many
 * used any of them. Held as placementRows holds them (./privacy.ts rowsToHoldBySize). A
 * placement with figures but nobody counted (clicks in the range on shares made before it) has
 * someone behind it all the same: it counts as one person, held, with a row held beside it.
 */
export function groupedPlacementRows(
  sums: ReadonlyArray<{ network: NetworkId; placement: LinkPlacement } & Sums>,
  people: (placements: readonly LinkPlacement[]) => number,
  table: EmvTable,
): PlacementRow[] {
  const uncounted = (placement: string) => people([placement as LinkPlacement]) === 0 && sums.some((row) => row.placement === placement);
  const present = linkPlacementIds.filter((placement) => people([placement]) > 0 || uncounted(placement));
  const held = rowsToHoldBySize(
    present.map((placement) => ({ key: placement, size: people([placement]) || 1 })),
    (keys) => people(keys as LinkPlacement[]) + keys.filter(uncounted).length,
  );
  return present.map((placement) => {
    if (held.has(placement)) return { key: placement, placement, suppressed: true };
    const sum = zero();
    const reporting = zero();
    let emv = 0;
    for (const row of sums.filter((r) => r.placement === placement)) {
      add(sum, row);
      if (REPORTS_IMPRESSIONS.has(row.network)) add(reporting, row);
      emv += emvOfSums(table, row.network, row);
    }
    return { key: placement, placement, ...comparedRow(people([placement]), sum, reporting, emv) };
  });
}

/** Shares grouped by where the link went: a placement fewer than five people used shows nothing. */
export function placementRows(
  shareRows: ReadonlyArray<{ userId: string | null; network: NetworkId; placement: LinkPlacement } & Sums>,
  table: EmvTable,
  person: (userId: string | null) => string,
): PlacementRow[] {
  return comparedRows(shareRows, (row) => row.placement, linkPlacementIds, table, person).map((row) => ({ ...row, placement: row.key }));
}

/** Written with help or not (issue 16): the same comparison, the same rule. */
export type AssistanceRow = { key: "assisted" | "unassisted"; assisted: boolean } & ((Shown & { impressionsPerShare: number | null; sharesReportingImpressions: number }) | Held);

export function assistanceRows(
  shareRows: ReadonlyArray<{ userId: string | null; network: NetworkId; assisted: boolean } & Sums>,
  table: EmvTable,
  person: (userId: string | null) => string,
): AssistanceRow[] {
  return comparedRows(shareRows, (row) => (row.assisted ? "assisted" : "unassisted"), ["assisted", "unassisted"] as const, table, person).map((row) => ({ ...row, assisted: row.key === "assisted" }));
}

import { linkPlacementIds, type LinkPlacement, type NetworkId } from "@/db/schema";
import { emvFiguresOf, emvOf, type EmvTable } from "@/lib/reach/emv";
import { rowsToHold } from "./privacy";

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
 * Shares grouped by where the link went (each row: its share's rollup total, person and network), each group under the one privacy rule
 * (rowsToHold): a placement fewer than five people used shows nothing, nor does the rest
 * give it away.
 */
export function placementRows(
  shareRows: ReadonlyArray<{ userId: string | null; network: NetworkId; placement: LinkPlacement } & Sums>,
  table: EmvTable,
  person: (userId: string | null) => string,
): PlacementRow[] {
  const groups = new Map<LinkPlacement, { people: Set<string>; sums: Sums; emv: number; reporting: Sums }>();
  for (const { userId, network, placement, ...figures } of shareRows) {
    const row: Sums = { shares: figures.shares, clicks: figures.clicks, uniqueVisitors: figures.uniqueVisitors, botClicks: figures.botClicks, impressions: figures.impressions, engagements: figures.engagements, estimatedReach: figures.estimatedReach };
    const group = groups.get(placement) ?? { people: new Set<string>(), sums: zero(), emv: 0, reporting: zero() };
    group.people.add(person(userId));
    add(group.sums, row);
    if (REPORTS_IMPRESSIONS.has(network)) add(group.reporting, row);
    group.emv += emvOfSums(table, network, row);
    groups.set(placement, group);
  }
  const order = linkPlacementIds.filter((p) => groups.has(p));
  const held = rowsToHold(order.map((key) => ({ key, people: groups.get(key)!.people })));
  return order.map((placement): PlacementRow => {
    const group = groups.get(placement)!;
    if (held.has(placement)) return { key: placement, placement, suppressed: true };
    return {
      key: placement,
      placement,
      ...shown(group.people.size, group.sums, group.emv),
      impressionsPerShare: group.reporting.shares > 0 ? group.reporting.impressions / group.reporting.shares : null,
      sharesReportingImpressions: group.reporting.shares,
    };
  });
}

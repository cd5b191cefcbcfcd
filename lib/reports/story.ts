import { and, asc, eq, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";
import { dailyRollups, monthlyRollups, networkIds, shares, stories, storyVariants, type NetworkId } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { currentEmvTable, emvOf, emvFiguresOf, isDefaultEmvTable, type EmvTable } from "@/lib/reach/emv";
import type { Scope } from "@/lib/tenant";
import { addDays, isoWeekStart } from "@/lib/time";
import { mayShow, rowsToHold } from "./privacy";
import { add, assistanceRows, placementRows, shown, zero, type AssistanceRow, type Held, type PlacementRow, type Shown, type StoryFigures, type Sums } from "./placements";

/**
 * Figures from the rollups only; shares are read for each one's variant, network and person,
 * never for a figure. No row, and no total minus the shown rows, reveals fewer than
 * five people: the rule of ./privacy.ts (docs/design-notes.md, "Story analytics").
 */

export const storyAnalyticsQuerySchema = z.object({
  interval: z.enum(["day", "week"]).catch("day"),
});
export type StoryAnalyticsQuery = z.infer<typeof storyAnalyticsQuerySchema>;

export type { StoryFigures };

export type NetworkRow = { key: string; network: NetworkId } & (Shown | Held);
export type VariantRow = {
  key: string;
  /** Null: the employees' own words (they started from no suggested text). */
  variantId: string | null;
  network: NetworkId | null;
  language: "da" | "en" | null;
  /** 1-based place among the story's texts for its network and language. */
  position: number | null;
  text: string | null;
} & (Shown | Held);

export type { AssistanceRow, PlacementRow };

export type TimelinePoint = { period: string; shares: number; clicks: number; uniqueVisitors: number; impressions: number; engagements: number };

export type Best = { clicksPerShare: string | null; engagementsPerShare: string | null };

export type StoryAnalytics = {
  story: { id: string; title: string; slug: string };
  emv: { version: number; formula: string; currency: string; isDefault: boolean };
  interval: "day" | "week";
  /** Distinct people who have shared the story (with figures so far). */
  people: number;
  /** True while fewer than five people have shared (./privacy.ts): no figures at all then. */
  suppressed: boolean;
  totals: (StoryFigures & { botClicks: number }) | null;
  timeline: TimelinePoint[];
  networks: NetworkRow[];
  variants: VariantRow[];
  /** The link's placements compared (lib/orgs/link-placement.ts); only placements with shares. */
  placements: PlacementRow[];
  /** Shares written with help against those without (issue 16); empty when no share was written with help. */
  assistance: AssistanceRow[];
  best: { networks: Best; variants: Best };
};

const sumOf = (column: AnyPgColumn) => sql<number>`coalesce(sum(${column}), 0)::bigint`.mapWith(Number);

/** Daily (or weekly) totals from the first day with figures to the last, gaps filled with zeros, so the chart's time axis is even. */
export function buildTimeline(byDay: ReadonlyMap<string, Sums>, interval: "day" | "week"): TimelinePoint[] {
  const days = [...byDay.keys()].sort();
  if (days.length === 0) return [];
  const bucket = interval === "week" ? isoWeekStart : (d: string) => d;
  const points = new Map<string, TimelinePoint>();
  const step = interval === "week" ? 7 : 1;
  for (let p = bucket(days[0]!); p <= bucket(days.at(-1)!); p = addDays(p, step)) {
    points.set(p, { period: p, shares: 0, clicks: 0, uniqueVisitors: 0, impressions: 0, engagements: 0 });
  }
  for (const [day, row] of byDay) {
    const point = points.get(bucket(day))!;
    point.shares += row.shares;
    point.clicks += row.clicks;
    point.uniqueVisitors += row.uniqueVisitors;
    point.impressions += row.impressions;
    point.engagements += row.engagements;
  }
  return [...points.values()];
}

/** The row of the highest ratio among shown rows with shares, when there are at least two to compare. */
function bestOf(rows: ReadonlyArray<{ key: string } & (Shown | Held)>, ratio: "clicksPerShare" | "engagementsPerShare"): string | null {
  const candidates = rows.filter((r): r is { key: string } & Shown => !r.suppressed && r[ratio] !== null);
  if (candidates.length < 2) return null;
  const top = candidates.reduce((a, b) => (b[ratio]! > a[ratio]! ? b : a));
  return top[ratio]! > 0 ? top.key : null;
}

const isNetwork = (n: string): n is NetworkId => (networkIds as readonly string[]).includes(n);
const emvOfSums = (table: EmvTable, network: NetworkId, sums: Sums) => emvOf(table, network, emvFiguresOf(sums));

/** The story's analytics in the scope's organisation; another organisation's story is not found. */
export async function storyAnalytics(db: DbOrTx, scope: Scope, storyId: string, query: Partial<StoryAnalyticsQuery> = {}, figures: DbOrTx = db): Promise<StoryAnalytics> {
  const interval = query.interval ?? "day";
  const [story] = await db
    .select({ id: stories.id, title: stories.title, slug: stories.slug })
    .from(stories)
    .where(and(eq(stories.id, storyId), eq(stories.orgId, scope.orgId)));
  if (!story) throw notFound("story");

  const sumsOf = (t: typeof dailyRollups | typeof monthlyRollups) => ({
    shares: sumOf(t.shares),
    clicks: sumOf(t.clicks),
    uniqueVisitors: sumOf(t.uniqueVisitors),
    botClicks: sumOf(t.botClicks),
    impressions: sumOf(t.impressions),
    engagements: sumOf(t.engagements),
    estimatedReach: sumOf(t.estimatedReach),
  });
  const figureColumns = sumsOf(dailyRollups);
  // The story is found on `db` (the primary); its figures read from `figures` (a fresh replica, or the primary).
  const [table, storyRows, shareRows, variants] = await Promise.all([
    currentEmvTable(db, scope.orgId),
    // The story's own rollup rows: per network and under 'all', per day.
    figures
      .select({ network: dailyRollups.network, day: dailyRollups.day, ...figureColumns })
      .from(dailyRollups)
      .where(and(eq(dailyRollups.orgId, scope.orgId), eq(dailyRollups.dimension, "story"), eq(dailyRollups.dimensionId, story.id)))
      .groupBy(dailyRollups.network, dailyRollups.day),
    // Each share's rollup total (a share is on one network, so its 'all' rows are its figures),
    // from its months: a share's days fold into them a year on (lib/reach/retention.ts).
    figures
      .select({ shareId: shares.id, userId: shares.userId, network: shares.network, variantId: shares.variantId, placement: shares.placement, assisted: shares.assisted, ...sumsOf(monthlyRollups) })
      .from(monthlyRollups)
      .innerJoin(shares, sql`${monthlyRollups.dimensionId} = ${shares.id}::text`)
      .where(
        and(
          eq(monthlyRollups.orgId, scope.orgId),
          eq(monthlyRollups.dimension, "share"),
          eq(monthlyRollups.network, "all"),
          eq(shares.orgId, scope.orgId),
          eq(shares.storyId, story.id),
        ),
      )
      .groupBy(shares.id),
    figures
      .select({ id: storyVariants.id, network: storyVariants.network, language: storyVariants.language, position: storyVariants.position, text: storyVariants.text, createdAt: storyVariants.createdAt })
      .from(storyVariants)
      .where(and(eq(storyVariants.storyId, story.id), eq(storyVariants.orgId, scope.orgId)))
      .orderBy(asc(storyVariants.network), asc(storyVariants.language), asc(storyVariants.position), asc(storyVariants.createdAt)),
  ]);

  // People behind each group. Shares of erased accounts (no user any more) count together as one person: fewer, never more.
  const person = (userId: string | null) => userId ?? "anonymised";
  const everyone = new Set(shareRows.map((s) => person(s.userId)));

  const emv = { version: table.version, formula: table.formula, currency: table.currency, isDefault: isDefaultEmvTable(table) };
  const base = { story, emv, interval, people: everyone.size };
  if (!mayShow(everyone.size)) {
    return { ...base, suppressed: true, totals: null, timeline: [], networks: [], variants: [], placements: [], assistance: [], best: { networks: { clicksPerShare: null, engagementsPerShare: null }, variants: { clicksPerShare: null, engagementsPerShare: null } } };
  }

  // Totals, timeline and networks from the story's rows.
  const byDay = new Map<string, Sums>();
  const byNetwork = new Map<NetworkId, Sums>();
  const total = zero();
  for (const { network, day, ...row } of storyRows) {
    if (network === "all") {
      add(total, row);
      byDay.set(day, add(byDay.get(day) ?? zero(), row));
    } else if (isNetwork(network)) {
      byNetwork.set(network, add(byNetwork.get(network) ?? zero(), row));
    }
  }
  let totalEmv = 0;
  for (const [network, sums] of byNetwork) totalEmv += emvOfSums(table, network, sums);

  const peopleByNetwork = new Map<string, Set<string>>();
  for (const s of shareRows) {
    const set = peopleByNetwork.get(s.network) ?? new Set<string>();
    set.add(person(s.userId));
    peopleByNetwork.set(s.network, set);
  }
  const networkOrder = [...byNetwork.keys()].sort((a, b) => byNetwork.get(b)!.shares - byNetwork.get(a)!.shares || networkIds.indexOf(a) - networkIds.indexOf(b));
  const heldNetworks = rowsToHold(networkOrder.map((n) => ({ key: n, people: peopleByNetwork.get(n) ?? new Set() })));
  const networks: NetworkRow[] = networkOrder.map((network) =>
    heldNetworks.has(network)
      ? { key: network, network, suppressed: true }
      : { key: network, network, ...shown(peopleByNetwork.get(network)?.size ?? 0, byNetwork.get(network)!, emvOfSums(table, network, byNetwork.get(network)!)) },
  );

  // Variants from the shares' rows, grouped by the variant each share started from.
  const known = new Set(variants.map((v) => v.id));
  const OWN = "own";
  const groups = new Map<string, { people: Set<string>; sums: Sums; emv: number }>();
  for (const { userId, network, variantId, ...figures } of shareRows) {
    const { shareId: _, placement: __, assisted: ___, ...row } = figures;
    const key = variantId && known.has(variantId) ? variantId : OWN;
    const group = groups.get(key) ?? { people: new Set<string>(), sums: zero(), emv: 0 };
    group.people.add(person(userId));
    add(group.sums, row);
    group.emv += emvOfSums(table, network, row);
    groups.set(key, group);
  }
  const positions = new Map<string, number>();
  const counters = new Map<string, number>();
  for (const v of variants) {
    const slot = `${v.network}:${v.language}`;
    const n = (counters.get(slot) ?? 0) + 1;
    counters.set(slot, n);
    positions.set(v.id, n);
  }
  const heldVariants = rowsToHold([...variants.map((v) => v.id), ...(groups.has(OWN) ? [OWN] : [])].map((key) => ({ key, people: groups.get(key)?.people ?? new Set<string>(), unused: !groups.has(key) })));
  const variantRow = (key: string, meta: Omit<VariantRow, "key" | keyof Shown | "suppressed">): VariantRow => {
    const group = groups.get(key);
    if (heldVariants.has(key)) return { key, ...meta, suppressed: true };
    return { key, ...meta, ...shown(group?.people.size ?? 0, group?.sums ?? zero(), group?.emv ?? 0) };
  };
  const variantRows: VariantRow[] = variants.map((v) => variantRow(v.id, { variantId: v.id, network: v.network, language: v.language, position: positions.get(v.id)!, text: v.text }));
  if (groups.has(OWN)) variantRows.push(variantRow(OWN, { variantId: null, network: null, language: null, position: null, text: null }));

  return {
    ...base,
    suppressed: false,
    placements: placementRows(shareRows, table, person),
    assistance: shareRows.some((row) => row.assisted) ? assistanceRows(shareRows, table, person) : [],
    totals: { shares: total.shares, clicks: total.clicks, uniqueVisitors: total.uniqueVisitors, impressions: total.impressions, engagements: total.engagements, estimatedReach: total.estimatedReach, emv: totalEmv, botClicks: total.botClicks },
    timeline: buildTimeline(byDay, interval),
    networks,
    variants: variantRows,
    best: {
      networks: { clicksPerShare: bestOf(networks, "clicksPerShare"), engagementsPerShare: bestOf(networks, "engagementsPerShare") },
      variants: { clicksPerShare: bestOf(variantRows, "clicksPerShare"), engagementsPerShare: bestOf(variantRows, "engagementsPerShare") },
    },
  };
}

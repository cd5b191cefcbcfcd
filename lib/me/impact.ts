import { and, eq, gte, inArray, ne, sql, sum } from "drizzle-orm";
import { z } from "zod";
import { dailyRollups, monthlyRollups, pointsLedger, trackedLinks, type NetworkId } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { addDays, isoWeekStart, utcDay } from "@/lib/time";
import { listMyShares } from "@/lib/shares/my-shares";
import { trackedUrl } from "@/lib/links/tracked-links";
import type { Scope } from "@/lib/tenant";

/**
 * Read from the user rollups and the points ledger only, never raw events (UTC days). Each
 * figure names its source (figureSources) so the page can say whether it was counted, measured
 * or estimated: docs/design-notes.md, "My impact".
 */
export const impactPeriods = [30, 90, 365] as const;
export type ImpactPeriod = (typeof impactPeriods)[number];
export const impactPeriodSchema = z.coerce
  .number()
  .refine((n): n is ImpactPeriod => (impactPeriods as readonly number[]).includes(n))
  .catch(30);

export type FigureSource = "counted" | "redirect" | "network" | "estimate";
export const figureSources = {
  shares: "counted",
  points: "counted",
  clicks: "redirect",
  uniqueVisitors: "redirect",
  engagements: "network",
  impressions: "network",
  estimatedReach: "estimate",
} as const satisfies Record<string, FigureSource>;

export type ImpactFigures = {
  shares: number;
  clicks: number;
  uniqueVisitors: number;
  engagements: number;
  impressions: number;
  estimatedReach: number;
};
export type ImpactTotals = ImpactFigures & { points: number };
export type ImpactWeek = ImpactFigures & { week: string };
export type ImpactByNetwork = ImpactFigures & { network: NetworkId };
export type ImpactShareRow = {
  shareId: string;
  storyTitle: string;
  network: NetworkId;
  publishedAt: Date | null;
  postUrl: string | null;
  trackedUrl: string | null;
  clicks: number;
  uniqueVisitors: number;
  engagements: number;
  impressions: number;
};
export type Impact = {
  days: ImpactPeriod;
  from: string;
  to: string;
  totals: ImpactTotals;
  weeks: ImpactWeek[];
  byNetwork: ImpactByNetwork[];
  shares: ImpactShareRow[];
};


/** The first UTC day of a period of `days` days ending today (inclusive). */
export function periodStart(days: number, now = new Date()): string {
  return addDays(utcDay(now), 1 - days);
}


const sumsOf = (t: typeof dailyRollups | typeof monthlyRollups) => ({
  shares: sql<string>`coalesce(sum(${t.shares}), 0)`,
  clicks: sql<string>`coalesce(sum(${t.clicks}), 0)`,
  uniqueVisitors: sql<string>`coalesce(sum(${t.uniqueVisitors}), 0)`,
  engagements: sql<string>`coalesce(sum(${t.engagements}), 0)`,
  impressions: sql<string>`coalesce(sum(${t.impressions}), 0)`,
  estimatedReach: sql<string>`coalesce(sum(${t.estimatedReach}), 0)`,
});
const figureColumns = sumsOf(dailyRollups);

function toFigures(row: Record<keyof ImpactFigures, string | number>): ImpactFigures {
  return {
    shares: Number(row.shares),
    clicks: Number(row.clicks),
    uniqueVisitors: Number(row.uniqueVisitors),
    engagements: Number(row.engagements),
    impressions: Number(row.impressions),
    estimatedReach: Number(row.estimatedReach),
  };
}

const zero: ImpactFigures = { shares: 0, clicks: 0, uniqueVisitors: 0, engagements: 0, impressions: 0, estimatedReach: 0 };

/** The user's rollup rows for a period: network 'all' for totals, or each network. */
function userRows(scope: Scope, userId: string, from: string, network: "all" | "each") {
  return and(
    eq(dailyRollups.orgId, scope.orgId),
    eq(dailyRollups.dimension, "user"),
    eq(dailyRollups.dimensionId, userId),
    network === "all" ? eq(dailyRollups.network, "all") : ne(dailyRollups.network, "all"),
    gte(dailyRollups.day, from),
  );
}

/** The person's totals since `from` (a UTC day), points included. */
export async function impactTotals(db: DbOrTx, scope: Scope, userId: string, from: string): Promise<ImpactTotals> {
  const [[figures], [points]] = await Promise.all([
    db.select(figureColumns).from(dailyRollups).where(userRows(scope, userId, from, "all")),
    db
      .select({ points: sum(pointsLedger.points) })
      .from(pointsLedger)
      .where(and(eq(pointsLedger.orgId, scope.orgId), eq(pointsLedger.userId, userId), gte(pointsLedger.createdAt, new Date(`${from}T00:00:00Z`)))),
  ]);
  return { ...(figures ? toFigures(figures) : zero), points: Number(points?.points ?? 0) };
}

/** Everything the "my impact" page shows for the last `days` days. */
export async function myImpact(db: DbOrTx, scope: Scope, userId: string, days: ImpactPeriod, now = new Date()): Promise<Impact> {
  const from = periodStart(days, now);
  const to = utcDay(now);
  const week = sql<string>`to_char(date_trunc('week', ${dailyRollups.day}::timestamp), 'YYYY-MM-DD')`;
  const [totals, weekRows, networkRows, shareRows] = await Promise.all([
    impactTotals(db, scope, userId, from),
    db.select({ week, ...figureColumns }).from(dailyRollups).where(userRows(scope, userId, from, "all")).groupBy(week),
    db
      .select({ network: dailyRollups.network, ...figureColumns })
      .from(dailyRollups)
      .where(userRows(scope, userId, from, "each"))
      .groupBy(dailyRollups.network)
      .orderBy(dailyRollups.network),
    myShareFigures(db, scope, userId, from),
  ]);

  // Every week of the period, empty ones too, so the chart's axis is honest about gaps.
  const byWeek = new Map(weekRows.map((r) => [r.week, toFigures(r)]));
  const weeks: ImpactWeek[] = [];
  for (let w = isoWeekStart(from); w <= to; w = addDays(w, 7)) {
    weeks.push({ week: w, ...(byWeek.get(w) ?? zero) });
  }
  return {
    days,
    from,
    to,
    totals,
    weeks,
    byNetwork: networkRows.map((r) => ({ network: r.network as NetworkId, ...toFigures(r) })),
    shares: shareRows,
  };
}

/** The person's published shares since `from`, each with its figures (all months) from the share rollups. */
async function myShareFigures(db: DbOrTx, scope: Scope, userId: string, from: string): Promise<ImpactShareRow[]> {
  const since = new Date(`${from}T00:00:00Z`);
  const mine = (await listMyShares(db, scope, userId, ["published"])).filter((s) => (s.publishedAt ?? s.scheduledAt) >= since);
  if (mine.length === 0) return [];
  const ids = mine.map((s) => s.id);
  const [figures, links] = await Promise.all([
    // Months, not days: a share's days fold into its months a year on (lib/reach/retention.ts).
    db
      .select({ shareId: monthlyRollups.dimensionId, ...sumsOf(monthlyRollups) })
      .from(monthlyRollups)
      .where(and(eq(monthlyRollups.orgId, scope.orgId), eq(monthlyRollups.dimension, "share"), eq(monthlyRollups.network, "all"), inArray(monthlyRollups.dimensionId, ids)))
      .groupBy(monthlyRollups.dimensionId),
    db
      .select({ shareId: trackedLinks.shareId, code: trackedLinks.code })
      .from(trackedLinks)
      .where(and(eq(trackedLinks.orgId, scope.orgId), inArray(trackedLinks.shareId, ids))),
  ]);
  const byShare = new Map(figures.map((f) => [f.shareId, toFigures(f)]));
  const codeOf = new Map(links.map((l) => [l.shareId, l.code]));
  return mine.map((s) => {
    const f = byShare.get(s.id) ?? zero;
    const code = codeOf.get(s.id);
    return {
      shareId: s.id,
      storyTitle: s.storyTitle,
      network: s.network,
      publishedAt: s.publishedAt,
      postUrl: s.externalUrl,
      trackedUrl: code ? trackedUrl(code) : null,
      clicks: f.clicks,
      uniqueVisitors: f.uniqueVisitors,
      engagements: f.engagements,
      impressions: f.impressions,
    };
  });
}

import { stringify } from "csv-stringify/sync";
import type { Locale } from "@/db/schema";
import { translator, type Messages } from "@/lib/i18n/messages";
import { slugify } from "@/lib/slug";
import type { Figures, ReportTable, TeamReport } from "./schemas";

/**
 * Danish spreadsheets read ";" as the separator and "," as the decimal mark, so a Danish file is
 * written that way. A suppressed row has empty figure cells and says so in its last column: its
 * numbers are never written, not even hidden (docs/design-notes.md, "Manager reports").
 */

/** Prepended by whoever serves the file: Excel otherwise guesses a legacy code page. */
export const CSV_BOM = "\uFEFF";

const figureColumns = ["shares", "clicks", "uniqueVisitors", "botClicks", "impressions", "engagements", "estimatedReach"] as const;

type Cell = string | number;

/** A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is made plain text. */
function text(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function reportCsv(report: TeamReport, table: ReportTable, locale: Locale): string {
  const t = translator(locale);
  const decimal = (value: number, digits: number) => {
    const fixed = value.toFixed(digits);
    return locale === "da" ? fixed.replace(".", ",") : fixed;
  };
  const percent = (fraction: number) => decimal(fraction * 100, 1);
  // The last column: a word in a suppressed row (so the line itself says why it is empty), else empty.
  const yes = t("reportCsv.suppressed");
  const no = "";
  // A held group's size, in the page's words ("Hidden"): its exact size is not in the report at all.
  const size = (people: number | null): Cell => (people === null ? t("reports.sizeHidden") : people);

  // The glossary's words, as on the pages and in the mail, with what a spreadsheet needs added.
  const term = (key: keyof Messages["glossary"], qualifier?: string) => (qualifier ? `${t(`glossary.${key}`)} (${qualifier})` : t(`glossary.${key}`));
  const qualifierOf: Partial<Record<(typeof figureColumns)[number], string>> = {
    impressions: t("reportCsv.qualifiers.measured"),
    engagements: t("reportCsv.qualifiers.measured"),
    estimatedReach: t("reportCsv.qualifiers.estimatedReach"),
  };
  const figureHeader = [
    ...figureColumns.map((key) => term(key === "estimatedReach" ? "potentialReach" : key, qualifierOf[key])),
    term("emvShort", t("reportCsv.qualifiers.emv", { currency: report.emv.currency, formula: report.emv.formula, version: report.emv.version })),
  ];
  const sharerHeader = [term("activeSharers"), term("participation", t("reportCsv.qualifiers.participation"))];
  const figureCells = (f: Figures): Cell[] => [...figureColumns.map((key) => f[key]), decimal(f.emv, 2)];
  const blank = (n: number): Cell[] => Array.from({ length: n }, () => "");

  let header: string[];
  let rows: Cell[][];
  switch (table) {
    case "series":
      header = [t(`reportCsv.columns.start.${report.range.period}`), ...figureHeader, ...sharerHeader];
      rows = report.series.map((s) => [s.start, ...figureCells(s), s.activeSharers, percent(s.participation), no]);
      break;
    case "subTeams":
      header = [t("reportCsv.columns.team"), term("members"), ...figureHeader, ...sharerHeader];
      rows = report.subTeams.map((s) =>
        s.figures && !s.suppressed
          ? [text(s.name), size(s.memberCount), ...figureCells(s.figures), s.figures.activeSharers, percent(s.figures.participation), no]
          : [text(s.name), size(s.memberCount), ...blank(figureHeader.length + 2), yes],
      );
      break;
    case "stories":
      header = [t("reportCsv.columns.story"), ...figureHeader];
      rows = report.stories.map((s) => [text(s.title), ...figureCells(s.figures), no]);
      break;
    case "networks":
      header = [t("reportCsv.columns.network"), ...figureHeader];
      rows = report.networks.map((n) => [t(`networks.${n.network}`), ...figureCells(n.figures), no]);
      break;
    case "placements": {
      // The ratios as on the page, each beside the shares it rests on.
      const perShare = (value: number | null): Cell => (value === null ? "" : decimal(value, 2));
      header = [
        t("storyAnalytics.placement"),
        t("storyAnalytics.figures.people"),
        t("storyAnalytics.figures.restsOn"),
        t("storyAnalytics.figures.clicksPerShare"),
        t("storyAnalytics.figures.engagementsPerShare"),
        t("storyAnalytics.figures.impressionsPerShare"),
        t("reportCsv.columns.sharesReportingImpressions"),
      ];
      rows = report.placements.map((p) =>
        p.suppressed || p.shares === null
          ? [t(`storyAnalytics.placements.${p.placement}`), t("reports.sizeHidden"), ...blank(5), yes]
          : [t(`storyAnalytics.placements.${p.placement}`), p.people ?? "", p.shares, perShare(p.clicksPerShare), perShare(p.engagementsPerShare), perShare(p.impressionsPerShare), p.sharesReportingImpressions ?? "", no],
      );
      break;
    }
    case "topAdvocates":
      header = [t("reportCsv.columns.person"), ...figureHeader];
      rows = report.topAdvocates.map((a) => [text(a.name), ...figureCells(a.figures), no]);
      break;
    case "adoption": {
      const months = Array.from({ length: 12 }, (_, i) => t("reportCsv.columns.month", { n: i + 1 }));
      header = [t("reportCsv.columns.cohort"), term("members"), ...months];
      rows = report.adoption.map((c) =>
        c.suppressed ? [c.cohort, size(c.members), ...blank(12), yes] : [c.cohort, size(c.members), ...months.map((_, i) => (i < c.activeShare.length ? percent(c.activeShare[i]!) : "")), no],
      );
      break;
    }
  }
  header.push(t("reportCsv.columns.suppressed"));
  // A suppressed team has no rows at all in its tables but adoption and sub-teams: one row says why.
  if (report.suppressed && table !== "subTeams" && table !== "adoption") rows = [[text(report.team.name), ...blank(header.length - 2), yes]];
  return stringify([header, ...rows], { delimiter: locale === "da" ? ";" : ",", record_delimiter: "windows" });
}

/** "ripple-salg-oest-series-2026-01-01-2026-03-31.csv": ASCII, so every browser keeps it. */
export function csvFileName(report: TeamReport, table: ReportTable): string {
  const team = slugify(report.team.name, 40) || "team";
  return `ripple-${team}-${table}-${report.range.from}-${report.range.to}.csv`;
}

import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { networkIds } from "@/lib/networks";
import { requireMember } from "@/lib/auth/guard";
import { db, withReportsRead } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { FoldedDaysError, managedTeams, reportPeriods, reportQuerySchema, teamReport, type Figures, type ReportTable, type TeamReport } from "@/lib/reports";
import { addDays, utcDay } from "@/lib/time";
import { DataTable, TableDetails, type Column } from "../../_components/data-table";
import { TimeChart } from "../../_components/time-chart";
import { EmvExplained, Figure } from "../../_components/figure";
import { EmptyState, FilterBar, FilterField, Options, PageHeader, Section, buttonClass, inputClass } from "../../_components/ui";
import { FiguresAsOf, figuresAsOf } from "../../_components/figures-as-of";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("reports"))("title") };
}

type Search = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

/** The default window: the last twelve weeks up to today (UTC days, as the rollups). */
function defaults(now = new Date()) {
  const to = utcDay(now);
  const from = addDays(to, -83);
  return { from, to, period: "week" as const };
}

type FigureRow = { key: string; label: string; figures: Figures };

/** The months since joining that the adoption table shows. */
const cohortMonths = [0, 1, 2, 5, 11];

/**
 * A manager's report on one of their teams (sub-teams included): figures, a chart over
 * time, and tables by sub-team, story, network, advocate and join cohort, each with its CSV.
 */
export default async function ReportsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const ctx = await requireMember(["manager"]);
  const t = await getTranslations("reports");
  const tn = await getTranslations("networks");
  const tg = await getTranslations("glossary");
  const ts = await getTranslations("storyAnalytics");
  const format = await getFormatter();
  const locale = await getLocale();
  const teams = await managedTeams(db(), ctx.scope, ctx.userId);
  if (teams.length === 0) {
    return (
      <>
        <PageHeader title={t("title")} description={t("description")} />
        <EmptyState title={t("noTeams")}>{t("noTeamsHint")}</EmptyState>
      </>
    );
  }

  const search = await searchParams;
  const raw = {
    teamId: first(search.teamId) ?? teams[0]!.id,
    from: first(search.from) ?? defaults().from,
    to: first(search.to) ?? defaults().to,
    period: first(search.period) ?? defaults().period,
    network: first(search.network),
  };
  const parsed = reportQuerySchema.safeParse(raw);
  let report: TeamReport | null = null;
  // Set when the range reaches days kept by month only: the page says from when days are kept.
  let foldedBefore: string | null = null;
  if (parsed.success) {
    try {
      report = await withReportsRead((source) => teamReport(db(), ctx.scope, { userId: ctx.userId, roles: ctx.roles }, parsed.data, source));
    } catch (error) {
      if (error instanceof DomainError && error.status === 403) forbidden();
      if (error instanceof DomainError && error.status === 404) notFound();
      if (!(error instanceof FoldedDaysError)) throw error;
      foldedBefore = error.horizon;
    }
  }
  const query = new URLSearchParams(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === "string"));
  const csvHref = (table: ReportTable) => `/reports/export?${new URLSearchParams({ ...Object.fromEntries(query), table }).toString()}`;
  const n = (value: number) => format.number(value);
  const perShare = (value: number | null) => (value === null ? "–" : format.number(value, { maximumFractionDigits: 2 }));
  const pct = (value: number) => format.number(value, { style: "percent", maximumFractionDigits: 0 });
  const money = (value: number) => (report ? format.number(value, { style: "currency", currency: report.emv.currency, maximumFractionDigits: 0 }) : n(value));
  const emvLabel = report ? t("emvVersion", { version: report.emv.version, formula: report.emv.formula }) : "";

  const filters = (
    <FilterBar action="/reports" submitLabel={t("show")}>
      <FilterField label={t("team")} htmlFor="report-team" wide>
        <select id="report-team" name="teamId" defaultValue={raw.teamId} className={inputClass}>
          <Options options={teams} />
        </select>
      </FilterField>
      <FilterField label={t("from")} htmlFor="report-from">
        <input id="report-from" name="from" type="date" defaultValue={raw.from} className={inputClass} required />
      </FilterField>
      <FilterField label={t("to")} htmlFor="report-to">
        <input id="report-to" name="to" type="date" defaultValue={raw.to} className={inputClass} required />
      </FilterField>
      <FilterField label={t("period")} htmlFor="report-period">
        <select id="report-period" name="period" defaultValue={raw.period} className={inputClass}>
          {reportPeriods.map((p) => (
            <option key={p} value={p}>
              {t(`periods.${p}`)}
            </option>
          ))}
        </select>
      </FilterField>
      <FilterField label={t("network")} htmlFor="report-network">
        <select id="report-network" name="network" defaultValue={raw.network ?? ""} className={inputClass}>
          <option value="">{t("allNetworks")}</option>
          {networkIds.map((id) => (
            <option key={id} value={id}>
              {tn(id)}
            </option>
          ))}
        </select>
      </FilterField>
    </FilterBar>
  );

  if (!parsed.success || !report) {
    return (
      <>
        <PageHeader title={t("title")} description={t("description")} />
        {filters}
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 p-4 text-red-900">
          {foldedBefore ? t("foldedDays", { date: format.dateTime(new Date(`${foldedBefore}T00:00:00Z`), { dateStyle: "long", timeZone: "UTC" }) }) : t("badRange")}
        </p>
      </>
    );
  }

  const csvLink = (table: ReportTable) => (
    <a href={csvHref(table)} className={buttonClass("secondary", "min-h-8 px-3 py-1")} download>
      {t("downloadCsv")}
    </a>
  );
  // EMV is a team figure: people's rows (top advocates) show what they did, not a money value.
  const figureColumns = <Row,>(get: (row: Row) => Figures, withEmv = true): Array<Column<Row>> => [
    { key: "shares", header: tg("shares"), numeric: true, cell: (row) => n(get(row).shares) },
    { key: "clicks", header: tg("uniqueVisitors"), numeric: true, cell: (row) => n(get(row).uniqueVisitors) },
    { key: "engagements", header: tg("engagements"), numeric: true, cell: (row) => n(get(row).engagements) },
    { key: "impressions", header: tg("impressions"), numeric: true, cell: (row) => n(get(row).impressions) },
    ...(withEmv ? [{ key: "emv", header: tg("emv"), numeric: true, cell: (row: Row) => money(get(row).emv) }] : []),
  ];
  const suppressed = (from: number) => ({ from, content: t("suppressed") });
  /** A table of figures by one thing (story, network, person), with its CSV. */
  const figuresTable = (table: ReportTable, title: string, rowHeading: string, rows: FigureRow[], withEmv = true) => (
    <Section id={`report-${table}`} title={title} actions={csvLink(table)}>
      <DataTable
        caption={title}
        rows={rows}
        rowKey={(row) => row.key}
        columns={[{ key: "label", header: rowHeading, rowHeader: true, cell: (row) => row.label }, ...figureColumns((row: FigureRow) => row.figures, withEmv)]}
      />
    </Section>
  );

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <FiguresAsOf label={await figuresAsOf(report.asOf)} />
      {filters}
      <h2 className="mb-3 text-xl font-semibold text-slate-900">
        {report.team.name}{" "}
        <span className="text-base font-normal text-slate-700">· {report.team.memberCount === null ? t("memberCountHidden") : t("memberCount", { count: report.team.memberCount })}</span>
      </h2>
      {report.suppressed || !report.totals ? (
        <p role="status" className="rounded-md border border-amber-200 bg-amber-50 p-4 text-amber-900">
          {t("teamSuppressed")}
        </p>
      ) : (
        <>
          <dl className="mb-6 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <Figure label={tg("shares")} value={n(report.totals.shares)} source="counted" />
            <Figure
              label={tg("participation")}
              value={pct(report.totals.participation)}
              source="counted"
              note={t("participationOf", { active: report.totals.activeSharers, members: report.totals.members })}
            />
            <Figure label={tg("uniqueVisitors")} value={n(report.totals.uniqueVisitors)} source="redirect" note={t("clicksDetail", { clicks: report.totals.clicks, bots: report.totals.botClicks })} />
            <Figure label={tg("engagements")} value={n(report.totals.engagements)} source="network" />
            <Figure label={tg("impressions")} value={n(report.totals.impressions)} source="network" />
            <Figure label={tg("potentialReach")} value={n(report.totals.estimatedReach)} source="estimate" note={t("source.estimated")} />
            <Figure label={tg("emv")} value={money(report.totals.emv)} source="estimate" note={<EmvExplained emv={report.emv} />} />
          </dl>

          <Section card id="report-series" title={t("overTime")} description={t("overTimeNote")} actions={csvLink("series")} className="mb-6">
            <TimeChart
              locale={locale}
              label={t("chartLabel", { team: report.team.name })}
              data={report.series.map((s) => ({ start: s.start, shares: s.shares, clicks: s.uniqueVisitors, engagements: s.engagements }))}
              series={[
                { key: "shares", label: tg("shares"), kind: "bar" },
                { key: "clicks", label: tg("uniqueVisitors"), kind: "line" },
                { key: "engagements", label: tg("engagements"), kind: "line" },
              ]}
            />
            <TableDetails summary={t("showTable")}>
              <DataTable
                caption={t("overTime")}
                rows={report.series}
                rowKey={(s) => s.start}
                columns={[
                  { key: "start", header: t("periodStart"), rowHeader: true, cell: (s) => format.dateTime(new Date(`${s.start}T00:00:00Z`), { dateStyle: "medium", timeZone: "UTC" }) },
                  ...figureColumns((s: TeamReport["series"][number]) => s),
                  { key: "participation", header: tg("participation"), numeric: true, cell: (s) => pct(s.participation) },
                ]}
              />
            </TableDetails>
          </Section>
        </>
      )}

      <Section id="report-subTeams" title={t("subTeamsTitle")} description={t("suppressionNote")} actions={csvLink("subTeams")} className="mb-6">
        <DataTable
          caption={t("subTeamsTitle")}
          rows={report.subTeams}
          rowKey={(sub) => sub.id}
          rowProps={(sub) => ({ "data-testid": `subteam-${sub.id}` })}
          rowNote={(sub) => (sub.suppressed || !sub.figures ? suppressed(2) : null)}
          empty={<p className="text-slate-700">{t("noSubTeams")}</p>}
          columns={[
            { key: "team", header: t("team"), rowHeader: true, className: "font-medium", cell: (sub) => sub.name },
            { key: "members", header: tg("members"), numeric: true, cell: (sub) => (sub.memberCount === null ? t("sizeHidden") : n(sub.memberCount)) },
            ...figureColumns((sub: TeamReport["subTeams"][number]) => sub.figures!),
            { key: "participation", header: tg("participation"), numeric: true, cell: (sub) => pct(sub.figures!.participation) },
          ]}
        />
      </Section>

      {report.suppressed ? null : (
        <div className="space-y-6">
          {figuresTable("stories", t("storiesTitle"), t("story"), report.stories.map((row) => ({ key: row.storyId, label: row.title, figures: row.figures })))}
          {figuresTable("networks", t("networksTitle"), t("network"), report.networks.map((row) => ({ key: row.network, label: tn(row.network), figures: row.figures })))}
          <Section id="report-placements" title={t("placementsTitle")} description={t("placementsNote")} actions={csvLink("placements")}>
            <DataTable
              caption={t("placementsTitle")}
              rows={report.placements}
              rowKey={(p) => p.placement}
              rowProps={(p) => ({ "data-testid": `placement-${p.placement}` })}
              rowNote={(p) => (p.suppressed ? suppressed(1) : null)}
              empty={<p className="text-slate-700">{ts("noRows")}</p>}
              columns={[
                { key: "placement", header: ts("placement"), rowHeader: true, className: "font-medium", cell: (p) => ts(`placements.${p.placement}`) },
                { key: "people", header: ts("figures.people"), numeric: true, cell: (p) => (p.people === null ? "" : n(p.people)) },
                { key: "shares", header: ts("figures.restsOn"), numeric: true, cell: (p) => (p.shares === null ? "" : n(p.shares)) },
                { key: "clicksPerShare", header: ts("figures.clicksPerShare"), numeric: true, cell: (p) => perShare(p.clicksPerShare) },
                {
                  key: "impressionsPerShare",
                  header: ts("figures.impressionsPerShare"),
                  numeric: true,
                  cell: (p) => (p.impressionsPerShare === null ? "–" : ts("figures.ratioOf", { value: perShare(p.impressionsPerShare), shares: p.sharesReportingImpressions ?? 0 })),
                },
                { key: "engagementsPerShare", header: ts("figures.engagementsPerShare"), numeric: true, cell: (p) => perShare(p.engagementsPerShare) },
              ]}
            />
          </Section>
          {figuresTable("topAdvocates", t("advocatesTitle"), t("person"), report.topAdvocates.map((row) => ({ key: row.userId, label: row.name, figures: row.figures })), false)}
          <Section id="report-adoption" title={t("adoptionTitle")} description={t("adoptionNote")} actions={csvLink("adoption")}>
            <DataTable
              caption={t("adoptionTitle")}
              rows={report.adoption}
              rowKey={(c) => c.cohort}
              rowNote={(c) => (c.suppressed ? suppressed(2) : null)}
              columns={[
                { key: "cohort", header: t("cohort"), rowHeader: true, cell: (c) => c.cohort },
                { key: "members", header: tg("members"), numeric: true, cell: (c) => (c.members === null ? t("sizeHidden") : n(c.members)) },
                ...cohortMonths.map((m) => ({
                  key: `month-${m}`,
                  header: t("monthN", { month: m + 1 }),
                  numeric: true,
                  cell: (c: TeamReport["adoption"][number]) => (c.activeShare[m] === undefined ? "—" : pct(c.activeShare[m]!)),
                })),
              ]}
            />
          </Section>
        </div>
      )}
      <p className="mt-6 text-sm text-slate-700">{t("footnote", { emv: emvLabel })}</p>
    </>
  );
}

import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { networkIds } from "@/lib/networks";
import { requireMember } from "@/lib/auth/guard";
import { readDb } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { managedTeams, reportQuerySchema, teamReport, type Figures, type TeamReport } from "@/lib/reports";
import { TimeChart } from "../../_components/time-chart";
import { Figure } from "../../_components/figure";
import { Card, EmptyState, PageHeader, buttonClass, inputClass } from "../../_components/ui";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("reports"))("title") };
}

type Search = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

/** The default window: the last twelve weeks up to today (UTC days, as the rollups). */
function defaults(now = new Date()) {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - 83 * 86_400_000).toISOString().slice(0, 10);
  return { from, to, period: "week" as const };
}

type Table = "series" | "subTeams" | "stories" | "networks" | "topAdvocates" | "adoption";

/**
 * A manager's report on one of their teams (sub-teams included): figures, a chart over
 * time, and tables by sub-team, story, network, advocate and join cohort, each with its
 * CSV. Reads rollups only (lib/reports); groups under five people show no figures.
 */
export default async function ReportsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const ctx = await requireMember(["manager"]);
  const t = await getTranslations("reports");
  const tn = await getTranslations("networks");
  const format = await getFormatter();
  const locale = (await getLocale()) as "da" | "en";
  const db = readDb();
  const teams = await managedTeams(db, ctx.scope, ctx.userId);
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
  if (parsed.success) {
    try {
      report = await teamReport(db, ctx.scope, { userId: ctx.userId, roles: ctx.roles }, parsed.data);
    } catch (error) {
      if (error instanceof DomainError && error.status === 403) forbidden();
      if (error instanceof DomainError && error.status === 404) notFound();
      throw error;
    }
  }
  const query = new URLSearchParams(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === "string"));
  const csvHref = (table: Table) => `/reports/export?${new URLSearchParams({ ...Object.fromEntries(query), table }).toString()}`;
  const n = (value: number) => format.number(value);
  const pct = (value: number) => format.number(value, { style: "percent", maximumFractionDigits: 0 });
  const money = (value: number) => (report ? format.number(value, { style: "currency", currency: report.emv.currency, maximumFractionDigits: 0 }) : n(value));
  const emvLabel = report ? t("emvVersion", { version: report.emv.version, formula: report.emv.formula }) : "";

  const filters = (
    <form method="get" action="/reports" className="mb-6 grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-6 lg:items-end">
      <div className="space-y-1 lg:col-span-2">
        <label htmlFor="report-team" className="block text-sm font-medium text-slate-900">
          {t("team")}
        </label>
        <select id="report-team" name="teamId" defaultValue={raw.teamId} className={inputClass}>
          {teams.map((team) => (
            <option key={team.id} value={team.id}>
              {"\u00a0\u00a0".repeat(team.depth)}
              {team.name}
            </option>
          ))}
        </select>
      </div>
      <div className="space-y-1">
        <label htmlFor="report-from" className="block text-sm font-medium text-slate-900">
          {t("from")}
        </label>
        <input id="report-from" name="from" type="date" defaultValue={raw.from} className={inputClass} required />
      </div>
      <div className="space-y-1">
        <label htmlFor="report-to" className="block text-sm font-medium text-slate-900">
          {t("to")}
        </label>
        <input id="report-to" name="to" type="date" defaultValue={raw.to} className={inputClass} required />
      </div>
      <div className="space-y-1">
        <label htmlFor="report-period" className="block text-sm font-medium text-slate-900">
          {t("period")}
        </label>
        <select id="report-period" name="period" defaultValue={raw.period} className={inputClass}>
          {(["day", "week", "month"] as const).map((p) => (
            <option key={p} value={p}>
              {t(`periods.${p}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="space-y-1">
        <label htmlFor="report-network" className="block text-sm font-medium text-slate-900">
          {t("network")}
        </label>
        <select id="report-network" name="network" defaultValue={raw.network ?? ""} className={inputClass}>
          <option value="">{t("allNetworks")}</option>
          {networkIds.map((id) => (
            <option key={id} value={id}>
              {tn(id)}
            </option>
          ))}
        </select>
      </div>
      <div className="lg:col-span-6">
        <button type="submit" className={buttonClass("primary")}>
          {t("show")}
        </button>
      </div>
    </form>
  );

  if (!parsed.success || !report) {
    return (
      <>
        <PageHeader title={t("title")} description={t("description")} />
        {filters}
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 p-4 text-red-900">
          {t("badRange")}
        </p>
      </>
    );
  }

  const csvLink = (table: Table) => (
    <a href={csvHref(table)} className={buttonClass("secondary", "min-h-8 px-3 py-1")} download>
      {t("downloadCsv")}
    </a>
  );
  const tableHeader = (title: string, table: Table, note?: string) => (
    <div className="mb-3 flex flex-wrap items-end justify-between gap-2">
      <div>
        <h2 id={`report-${table}`} className="text-lg font-semibold text-slate-900">
          {title}
        </h2>
        {note ? <p className="text-sm text-slate-700">{note}</p> : null}
      </div>
      {csvLink(table)}
    </div>
  );
  // EMV is a team figure: people's rows (top advocates) show what they did, not a money value.
  const figureHeads = (withEmv = true) => (
    <>
      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.shares")}</th>
      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.clicks")}</th>
      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.engagements")}</th>
      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.impressions")}</th>
      {withEmv ? <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.emv")}</th> : null}
    </>
  );
  const figureCells = (f: Figures, withEmv = true) => (
    <>
      <td className="px-3 py-2 text-right tabular-nums">{n(f.shares)}</td>
      <td className="px-3 py-2 text-right tabular-nums">{n(f.uniqueVisitors)}</td>
      <td className="px-3 py-2 text-right tabular-nums">{n(f.engagements)}</td>
      <td className="px-3 py-2 text-right tabular-nums">{n(f.impressions)}</td>
      {withEmv ? <td className="px-3 py-2 text-right tabular-nums">{money(f.emv)}</td> : null}
    </>
  );
  const suppressedCells = (span: number) => (
    <td colSpan={span} className="px-3 py-2 text-slate-700">
      {t("suppressed")}
    </td>
  );
  const tableClass = "w-full text-left text-sm";
  const wrap = "overflow-x-auto rounded-lg border border-slate-200 bg-white";
  const head = "bg-slate-50 text-slate-800";
  /** A table of figures by one thing (story, network, person), with its CSV. */
  const figuresTable = (table: Table, title: string, rowHeading: string, rows: Array<{ key: string; label: string; figures: Figures }>, withEmv = true) => (
    <section aria-labelledby={`report-${table}`}>
      {tableHeader(title, table)}
      <div className={wrap} tabIndex={0}>
        <table className={tableClass}>
          <caption className="sr-only">{title}</caption>
          <thead className={head}>
            <tr>
              <th scope="col" className="px-3 py-2 font-semibold">{rowHeading}</th>
              {figureHeads(withEmv)}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200">
            {rows.map((row) => (
              <tr key={row.key}>
                <th scope="row" className="px-3 py-2 font-normal">{row.label}</th>
                {figureCells(row.figures, withEmv)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {filters}
      <h2 className="mb-3 text-xl font-semibold text-slate-900">
        {report.team.name} <span className="text-base font-normal text-slate-700">· {t("memberCount", { count: report.team.memberCount })}</span>
      </h2>
      {report.suppressed || !report.totals ? (
        <p role="status" className="rounded-md border border-amber-200 bg-amber-50 p-4 text-amber-900">
          {t("teamSuppressed")}
        </p>
      ) : (
        <>
          <dl className="mb-6 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <Figure label={t("figures.shares")} value={n(report.totals.shares)} source="counted" />
            <Figure
              label={t("figures.participation")}
              value={pct(report.totals.participation)}
              source="counted"
              note={t("participationOf", { active: report.totals.activeSharers, members: report.totals.members })}
            />
            <Figure label={t("figures.clicks")} value={n(report.totals.uniqueVisitors)} source="redirect" note={t("clicksDetail", { clicks: report.totals.clicks, bots: report.totals.botClicks })} />
            <Figure label={t("figures.engagements")} value={n(report.totals.engagements)} source="network" />
            <Figure label={t("figures.impressions")} value={n(report.totals.impressions)} source="network" />
            <Figure label={t("figures.potentialReach")} value={n(report.totals.estimatedReach)} source="estimate" note={t("source.estimated")} />
            <Figure label={t("figures.emv")} value={money(report.totals.emv)} source="estimate" note={emvLabel} />
          </dl>

          <Card className="mb-6" aria-labelledby="report-series">
            {tableHeader(t("overTime"), "series", t("overTimeNote"))}
            <TimeChart
              locale={locale}
              label={t("chartLabel", { team: report.team.name })}
              data={report.series.map((s) => ({ start: s.start, shares: s.shares, clicks: s.uniqueVisitors, engagements: s.engagements }))}
              series={[
                { key: "shares", label: t("figures.shares"), kind: "bar" },
                { key: "clicks", label: t("figures.clicks"), kind: "line" },
                { key: "engagements", label: t("figures.engagements"), kind: "line" },
              ]}
            />
            <details className="mt-4">
              <summary className="cursor-pointer text-brand-700">{t("showTable")}</summary>
              <div className={`${wrap} mt-2`} tabIndex={0}>
                <table className={tableClass}>
                  <caption className="sr-only">{t("overTime")}</caption>
                  <thead className={head}>
                    <tr>
                      <th scope="col" className="px-3 py-2 font-semibold">{t("periodStart")}</th>
                      {figureHeads()}
                      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.participation")}</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-200">
                    {report.series.map((s) => (
                      <tr key={s.start}>
                        <th scope="row" className="px-3 py-2 font-normal">{format.dateTime(new Date(`${s.start}T00:00:00Z`), { dateStyle: "medium", timeZone: "UTC" })}</th>
                        {figureCells(s)}
                        <td className="px-3 py-2 text-right tabular-nums">{pct(s.participation)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </Card>
        </>
      )}

      <section className="mb-6" aria-labelledby="report-subTeams">
        {tableHeader(t("subTeamsTitle"), "subTeams", t("suppressionNote"))}
        {report.subTeams.length === 0 ? (
          <p className="text-slate-700">{t("noSubTeams")}</p>
        ) : (
          <div className={wrap} tabIndex={0}>
            <table className={tableClass}>
              <caption className="sr-only">{t("subTeamsTitle")}</caption>
              <thead className={head}>
                <tr>
                  <th scope="col" className="px-3 py-2 font-semibold">{t("team")}</th>
                  <th scope="col" className="px-3 py-2 text-right font-semibold">{t("members")}</th>
                  {figureHeads()}
                  <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.participation")}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {report.subTeams.map((sub) => (
                  <tr key={sub.id} data-testid={`subteam-${sub.id}`}>
                    <th scope="row" className="px-3 py-2 font-medium">{sub.name}</th>
                    <td className="px-3 py-2 text-right tabular-nums">{sub.suppressed ? t("underFive") : n(sub.memberCount)}</td>
                    {sub.suppressed || !sub.figures ? (
                      suppressedCells(6)
                    ) : (
                      <>
                        {figureCells(sub.figures)}
                        <td className="px-3 py-2 text-right tabular-nums">{pct(sub.figures.participation)}</td>
                      </>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {report.suppressed ? null : (
        <div className="grid gap-6 xl:grid-cols-2">
          {figuresTable("stories", t("storiesTitle"), t("story"), report.stories.map((row) => ({ key: row.storyId, label: row.title, figures: row.figures })))}
          {figuresTable("networks", t("networksTitle"), t("network"), report.networks.map((row) => ({ key: row.network, label: tn(row.network), figures: row.figures })))}
          {figuresTable("topAdvocates", t("advocatesTitle"), t("person"), report.topAdvocates.map((row) => ({ key: row.userId, label: row.name, figures: row.figures })), false)}
          <section aria-labelledby="report-adoption">
            {tableHeader(t("adoptionTitle"), "adoption", t("adoptionNote"))}
            <div className={wrap} tabIndex={0}>
              <table className={tableClass}>
                <caption className="sr-only">{t("adoptionTitle")}</caption>
                <thead className={head}>
                  <tr>
                    <th scope="col" className="px-3 py-2 font-semibold">{t("cohort")}</th>
                    <th scope="col" className="px-3 py-2 text-right font-semibold">{t("members")}</th>
                    {[0, 1, 2, 5, 11].map((m) => (
                      <th key={m} scope="col" className="px-3 py-2 text-right font-semibold">
                        {t("monthN", { month: m + 1 })}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-200">
                  {report.adoption.map((c) => (
                    <tr key={c.cohort}>
                      <th scope="row" className="px-3 py-2 font-normal">{c.cohort}</th>
                      {c.suppressed ? (
                        <>
                          <td className="px-3 py-2 text-right">{t("underFive")}</td>
                          {suppressedCells(5)}
                        </>
                      ) : (
                        <>
                          <td className="px-3 py-2 text-right tabular-nums">{n(c.members)}</td>
                          {[0, 1, 2, 5, 11].map((m) => (
                            <td key={m} className="px-3 py-2 text-right tabular-nums">
                              {c.activeShare[m] === undefined ? "—" : pct(c.activeShare[m]!)}
                            </td>
                          ))}
                        </>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </div>
      )}
      <p className="mt-6 text-sm text-slate-700">{t("footnote", { emv: emvLabel })}</p>
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import type { AssistanceRow, Best, NetworkRow, PlacementRow, TimelinePoint, VariantRow } from "@/lib/reports/story";
import { EmvExplained } from "../../../../_components/figure";
import { DataTable, TableDetails, type Column } from "../../../../_components/data-table";
import { ChoiceNav, PageHeader, Section } from "../../../../_components/ui";
import { FiguresAsOf, figuresAsOf } from "../../../../_components/figures-as-of";
import { loadStoryAnalytics } from "./load";
import { StoryChart } from "./story-chart";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params, searchParams }: Props): Promise<Metadata> {
  const { analytics } = await loadStoryAnalytics((await params).id, await searchParams);
  return { title: (await getTranslations("storyAnalytics"))("title", { title: analytics.story.title }) };
}

/** Per-story analytics for communications staff: totals, the timeline, and which networks and texts worked. */
export default async function StoryAnalyticsPage({ params, searchParams }: Props) {
  const { analytics: a } = await loadStoryAnalytics((await params).id, await searchParams);
  const t = await getTranslations("storyAnalytics");
  const te = await getTranslations("emv");
  const tn = await getTranslations("networks");
  const tg = await getTranslations("glossary");
  const format = await getFormatter();
  const locale = await getLocale();
  const n = (value: number) => format.number(value);
  const ratio = (value: number | null) => (value === null ? "–" : format.number(value, { maximumFractionDigits: 2 }));
  const money = (value: number) => format.number(value, { style: "currency", currency: a.emv.currency, maximumFractionDigits: 0 });
  const emvLabel = te("label", { version: a.emv.version, formula: a.emv.formula });
  const storyPath = `/library/${a.story.id}`;

  const variantName = (v: VariantRow) =>
    v.variantId === null ? t("ownWords") : t("variantLabel", { network: tn(v.network!), position: v.position!, language: t(`languages.${v.language!}`) });

  /** The figure columns of the network and variant tables; a held-back row shows a note instead. */
  const figureColumns = <Row extends NetworkRow | VariantRow>(isBest: (row: Row, which: keyof Best) => boolean): Array<Column<Row>> => {
    const shown = (render: (row: Extract<Row, { suppressed: false }>) => ReactNode) => (row: Row) => (row.suppressed ? null : render(row as Extract<Row, { suppressed: false }>));
    const ratioColumn = (which: keyof Best, header: string): Column<Row> => ({
      key: which,
      header,
      numeric: true,
      cell: shown((row) => (
        <span className={isBest(row, which) ? "font-semibold text-green-900" : undefined}>
          {ratio(row[which])}
          {isBest(row, which) ? <span className="sr-only"> ({t("best")})</span> : null}
        </span>
      )),
    });
    return [
      { key: "people", header: t("figures.people"), numeric: true, cell: shown((row) => n(row.people)) },
      ...(["shares", "clicks", "uniqueVisitors", "engagements", "impressions"] as const).map((key) => ({
        key,
        header: tg(key),
        numeric: true,
        cell: shown((row) => n(row.figures[key])),
      })),
      ratioColumn("clicksPerShare", t("figures.clicksPerShare")),
      ratioColumn("engagementsPerShare", t("figures.engagementsPerShare")),
      { key: "emv", header: tg("emv"), numeric: true, cell: shown((row) => money(row.figures.emv)) },
    ];
  };
  const held = { from: 1, content: t("suppressed") };

  /** Groups of shares compared per share (where the link went, written with help or not); each ratio says how many shares it rests on. */
  const comparedColumns = <R extends PlacementRow | AssistanceRow>(header: string, name: (row: R) => string): Array<Column<R>> => {
    const placed = (render: (row: Extract<R, { suppressed: false }>) => ReactNode) => (row: R) => (row.suppressed ? null : render(row as Extract<R, { suppressed: false }>));
    return [
      { key: "group", header, rowHeader: true, className: "font-medium", cell: name },
      { key: "people", header: t("figures.people"), numeric: true, cell: placed((row) => n(row.people)) },
      { key: "shares", header: t("figures.restsOn"), numeric: true, cell: placed((row) => n(row.figures.shares)) },
      { key: "clicksPerShare", header: t("figures.clicksPerShare"), numeric: true, cell: placed((row) => ratio(row.clicksPerShare)) },
      {
        key: "impressionsPerShare",
        header: t("figures.impressionsPerShare"),
        numeric: true,
        cell: placed((row) => (row.impressionsPerShare === null ? "–" : t("figures.ratioOf", { value: ratio(row.impressionsPerShare), shares: row.sharesReportingImpressions }))),
      },
      { key: "engagementsPerShare", header: t("figures.engagementsPerShare"), numeric: true, cell: placed((row) => ratio(row.engagementsPerShare)) },
    ];
  };
  const placementColumns = comparedColumns<PlacementRow>(t("placement"), (row) => t(`placements.${row.placement}`));
  const assistanceColumns = comparedColumns<AssistanceRow>(t("assistance"), (row) => t(row.assisted ? "assisted" : "unassisted"));

  const asOfLabel = await figuresAsOf(a.asOf);
  const header = (
    <>
      <nav aria-label={t("breadcrumb")} className="mb-2 text-sm">
        <Link href={storyPath} className="text-brand-700 underline">
          {t("backToStory")}
        </Link>
      </nav>
      <PageHeader title={t("title", { title: a.story.title })} description={t("description")} />
      <FiguresAsOf label={asOfLabel} />
    </>
  );
  if (a.suppressed || !a.totals) {
    return (
      <>
        {header}
        <p role="status" className="rounded-md border border-amber-200 bg-amber-50 p-4 text-amber-900">
          {t("underFiveStory")}
        </p>
      </>
    );
  }

  const totals = a.totals;
  const cards = [
    { label: tg("shares"), value: n(totals.shares), source: t("source.counted") },
    { label: tg("clicks"), value: n(totals.clicks), source: t("source.clicks", { bots: totals.botClicks }) },
    { label: tg("uniqueVisitors"), value: n(totals.uniqueVisitors), source: t("source.visitors") },
    { label: tg("engagements"), value: n(totals.engagements), source: t("source.network") },
    { label: tg("impressions"), value: n(totals.impressions), source: t("source.network") },
    { label: tg("potentialReach"), value: n(totals.estimatedReach), source: t("source.estimated") },
    { label: tg("emv"), value: money(totals.emv), source: <EmvExplained emv={a.emv} note={a.emv.isDefault ? t("source.emvDefaults", { label: emvLabel }) : emvLabel} /> },
  ];

  const networkRow = (key: string | null) => a.networks.find((r) => r.key === key);
  const variantRow = (key: string | null) => a.variants.find((r) => r.key === key);
  const shownRatio = (row: NetworkRow | VariantRow | undefined, which: "clicksPerShare" | "engagementsPerShare") => (row && !row.suppressed ? ratio(row[which]) : "");
  const bestLines = [
    a.best.networks.clicksPerShare && t("bestNetworkClicks", { network: tn(networkRow(a.best.networks.clicksPerShare)!.network), value: shownRatio(networkRow(a.best.networks.clicksPerShare), "clicksPerShare") }),
    a.best.networks.engagementsPerShare && t("bestNetworkEngagements", { network: tn(networkRow(a.best.networks.engagementsPerShare)!.network), value: shownRatio(networkRow(a.best.networks.engagementsPerShare), "engagementsPerShare") }),
    a.best.variants.clicksPerShare && t("bestVariantClicks", { variant: variantName(variantRow(a.best.variants.clicksPerShare)!), value: shownRatio(variantRow(a.best.variants.clicksPerShare), "clicksPerShare") }),
    a.best.variants.engagementsPerShare && t("bestVariantEngagements", { variant: variantName(variantRow(a.best.variants.engagementsPerShare)!), value: shownRatio(variantRow(a.best.variants.engagementsPerShare), "engagementsPerShare") }),
  ].filter((line): line is string => !!line);

  return (
    <>
      {header}
      <dl className="mb-6 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        {/* A div per term and its definitions: a dl may hold nothing else (a Card is a section). */}
        {cards.map((item) => (
          <div key={item.label} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
            <dt className="text-sm text-slate-700">{item.label}</dt>
            <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{item.value}</dd>
            <dd className="mt-1 text-xs text-slate-700">{item.source}</dd>
          </div>
        ))}
      </dl>

      <Section card id="best-heading" title={t("bestTitle")} className="mb-6">
        {bestLines.length === 0 ? (
          <p className="text-slate-700">{t("bestNone")}</p>
        ) : (
          <>
            <p className="text-sm text-slate-700">{t("bestNote")}</p>
            <ul className="mt-2 list-disc space-y-1 pl-6 text-slate-900">
              {bestLines.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </>
        )}
      </Section>

      <Section
        card
        id="timeline-heading"
        title={t("overTime")}
        className="mb-6"
        actions={
          <ChoiceNav
            label={t("interval")}
            showLabel
            items={(["day", "week"] as const).map((interval) => ({
              href: `${storyPath}/analytics${interval === "week" ? "?interval=week" : ""}`,
              label: t(`intervals.${interval}`),
              current: a.interval === interval,
            }))}
          />
        }
      >
        {a.timeline.length === 0 ? (
          <p className="text-slate-700">{t("noActivity")}</p>
        ) : (
          <>
            <StoryChart points={a.timeline} interval={a.interval} locale={locale} />
            <TableDetails summary={t("showTable")}>
              <DataTable
                caption={t("overTime")}
                rows={a.timeline}
                rowKey={(p) => p.period}
                columns={[
                  { key: "period", header: t("periodStart"), rowHeader: true, cell: (p) => format.dateTime(new Date(`${p.period}T00:00:00Z`), { dateStyle: "medium", timeZone: "UTC" }) },
                  ...(["shares", "clicks", "uniqueVisitors", "engagements", "impressions"] as const).map((key) => ({
                    key,
                    header: tg(key),
                    numeric: true,
                    cell: (p: TimelinePoint) => n(p[key]),
                  })),
                ]}
              />
            </TableDetails>
          </>
        )}
      </Section>

      <Section id="networks-heading" title={t("networksTitle")} description={t("suppressionNote")} className="mb-6">
        <DataTable
          caption={t("networksTitle")}
          rows={a.networks}
          rowKey={(row) => row.key}
          rowProps={(row) => ({ "data-testid": `network-${row.key}` })}
          rowNote={(row) => (row.suppressed ? held : null)}
          empty={<p className="text-slate-700">{t("noRows")}</p>}
          columns={[
            { key: "network", header: t("network"), rowHeader: true, className: "font-medium", cell: (row) => tn(row.network) },
            ...figureColumns<NetworkRow>((row, which) => a.best.networks[which] === row.key),
          ]}
        />
      </Section>

      <Section id="variants-heading" title={t("variantsTitle")} description={t("variantsNote")} className="mb-6">
        <DataTable
          caption={t("variantsTitle")}
          rows={a.variants}
          rowKey={(row) => row.key}
          rowProps={(row) => ({ "data-testid": `variant-${row.key}` })}
          rowNote={(row) => (row.suppressed ? held : row.variantId !== null && row.people === 0 ? { from: 1, content: t("unused") } : null)}
          empty={<p className="text-slate-700">{t("noRows")}</p>}
          columns={[
            {
              key: "variant",
              header: t("variant"),
              rowHeader: true,
              // The text may hold a long link: it wraps anywhere, so the column gives way to the figures.
              className: "max-w-sm font-normal [overflow-wrap:anywhere]",
              cell: (row) => (
                <>
                  <span className="block font-medium text-slate-900">{variantName(row)}</span>
                  {row.text ? <span className="line-clamp-2 block text-slate-700">{row.text}</span> : null}
                </>
              ),
            },
            ...figureColumns<VariantRow>((row, which) => a.best.variants[which] === row.key),
          ]}
        />
      </Section>

      <Section id="placements-heading" title={t("placementsTitle")} description={t("placementsNote")} className="mb-6">
        <DataTable
          caption={t("placementsTitle")}
          rows={a.placements}
          rowKey={(row) => row.key}
          rowProps={(row) => ({ "data-testid": `placement-${row.key}` })}
          rowNote={(row) => (row.suppressed ? held : null)}
          empty={<p className="text-slate-700">{t("noRows")}</p>}
          columns={placementColumns}
        />
      </Section>

      {a.assistance.length > 0 ? (
        <Section id="assistance-heading" title={t("assistanceTitle")} description={t("assistanceNote")} className="mb-6">
          <DataTable
            caption={t("assistanceTitle")}
            rows={a.assistance}
            rowKey={(row) => row.key}
            rowProps={(row) => ({ "data-testid": `assistance-${row.key}` })}
            rowNote={(row) => (row.suppressed ? held : null)}
            empty={<p className="text-slate-700">{t("noRows")}</p>}
            columns={assistanceColumns}
          />
        </Section>
      ) : null}

      <p className="text-sm text-slate-700">{t("footnote", { emv: emvLabel })}</p>
    </>
  );
}

import clsx from "clsx";
import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import type { NetworkRow, StoryFigures, VariantRow } from "@/lib/reports/story";
import { Card, PageHeader } from "../../../../_components/ui";
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
  const format = await getFormatter();
  const locale = await getLocale();
  const n = (value: number) => format.number(value);
  const ratio = (value: number | null) => (value === null ? "–" : format.number(value, { maximumFractionDigits: 2 }));
  const money = (value: number) => format.number(value, { style: "currency", currency: a.emv.currency, maximumFractionDigits: 0 });
  const emvLabel = te("label", { version: a.emv.version, formula: a.emv.formula });
  const storyPath = `/library/${a.story.id}`;

  const variantName = (v: VariantRow) =>
    v.variantId === null ? t("ownWords") : t("variantLabel", { network: tn(v.network!), position: v.position!, language: t(`languages.${v.language!}`) });

  const wrap = "overflow-x-auto rounded-lg border border-slate-200 bg-white";
  const head = "bg-slate-50 text-slate-800";
  const num = "px-3 py-2 text-right tabular-nums";
  const figureHeads = (
    <>
      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.people")}</th>
      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.shares")}</th>
      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.clicks")}</th>
      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.uniqueVisitors")}</th>
      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.engagements")}</th>
      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.impressions")}</th>
      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.clicksPerShare")}</th>
      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.engagementsPerShare")}</th>
      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.emv")}</th>
    </>
  );
  const figureCells = (row: { people: number; figures: StoryFigures; clicksPerShare: number | null; engagementsPerShare: number | null }, best: { clicks: boolean; engagements: boolean }) => (
    <>
      <td className={num}>{n(row.people)}</td>
      <td className={num}>{n(row.figures.shares)}</td>
      <td className={num}>{n(row.figures.clicks)}</td>
      <td className={num}>{n(row.figures.uniqueVisitors)}</td>
      <td className={num}>{n(row.figures.engagements)}</td>
      <td className={num}>{n(row.figures.impressions)}</td>
      <td className={clsx(num, best.clicks && "font-semibold text-green-900")}>
        {ratio(row.clicksPerShare)}
        {best.clicks ? <span className="sr-only"> ({t("best")})</span> : null}
      </td>
      <td className={clsx(num, best.engagements && "font-semibold text-green-900")}>
        {ratio(row.engagementsPerShare)}
        {best.engagements ? <span className="sr-only"> ({t("best")})</span> : null}
      </td>
      <td className={num}>{money(row.figures.emv)}</td>
    </>
  );
  const heldCells = (
    <td colSpan={9} className="px-3 py-2 text-slate-700">
      {t("suppressed")}
    </td>
  );

  const header = (
    <>
      <nav aria-label={t("breadcrumb")} className="mb-2 text-sm">
        <Link href={storyPath} className="text-brand-700 underline">
          {t("backToStory")}
        </Link>
      </nav>
      <PageHeader title={t("title", { title: a.story.title })} description={t("description")} />
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
    { label: t("figures.shares"), value: n(totals.shares), source: t("source.counted") },
    { label: t("figures.clicks"), value: n(totals.clicks), source: t("source.clicks", { bots: totals.botClicks }) },
    { label: t("figures.uniqueVisitors"), value: n(totals.uniqueVisitors), source: t("source.visitors") },
    { label: t("figures.engagements"), value: n(totals.engagements), source: t("source.network") },
    { label: t("figures.impressions"), value: n(totals.impressions), source: t("source.network") },
    { label: t("figures.potentialReach"), value: n(totals.estimatedReach), source: t("source.estimated") },
    { label: t("figures.emv"), value: money(totals.emv), source: a.emv.isDefault ? t("source.emvDefaults", { label: emvLabel }) : emvLabel, href: "/admin/emv" },
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
        {cards.map((item) => (
          <Card key={item.label} className="!p-4">
            <dt className="text-sm text-slate-700">{item.label}</dt>
            <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{item.value}</dd>
            <dd className="mt-1 text-xs text-slate-700">{item.href ? <Link href={item.href} className="underline">{item.source}</Link> : item.source}</dd>
          </Card>
        ))}
      </dl>

      <Card className="mb-6" aria-labelledby="best-heading">
        <h2 id="best-heading" className="text-lg font-semibold text-slate-900">
          {t("bestTitle")}
        </h2>
        {bestLines.length === 0 ? (
          <p className="mt-1 text-slate-700">{t("bestNone")}</p>
        ) : (
          <>
            <p className="mt-1 text-sm text-slate-700">{t("bestNote")}</p>
            <ul className="mt-2 list-disc space-y-1 pl-6 text-slate-900">
              {bestLines.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </>
        )}
      </Card>

      <Card className="mb-6" aria-labelledby="timeline-heading">
        <div className="mb-3 flex flex-wrap items-end justify-between gap-2">
          <h2 id="timeline-heading" className="text-lg font-semibold text-slate-900">
            {t("overTime")}
          </h2>
          <nav aria-label={t("interval")} className="flex gap-2 text-sm">
            <span className="text-slate-700">{t("interval")}</span>
            {(["day", "week"] as const).map((interval) => (
              <Link
                key={interval}
                href={`${storyPath}/analytics${interval === "week" ? "?interval=week" : ""}`}
                aria-current={a.interval === interval ? "page" : undefined}
                className={clsx("underline", a.interval === interval ? "font-semibold text-slate-900" : "text-brand-700")}
              >
                {t(`intervals.${interval}`)}
              </Link>
            ))}
          </nav>
        </div>
        {a.timeline.length === 0 ? (
          <p className="text-slate-700">{t("noActivity")}</p>
        ) : (
          <>
            <StoryChart points={a.timeline} interval={a.interval} locale={locale} />
            <details className="mt-4">
              <summary className="cursor-pointer text-brand-700">{t("showTable")}</summary>
              <div className={`${wrap} mt-2`}>
                <table className="w-full text-left text-sm">
                  <caption className="sr-only">{t("overTime")}</caption>
                  <thead className={head}>
                    <tr>
                      <th scope="col" className="px-3 py-2 font-semibold">{t("periodStart")}</th>
                      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.shares")}</th>
                      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.clicks")}</th>
                      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.uniqueVisitors")}</th>
                      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.engagements")}</th>
                      <th scope="col" className="px-3 py-2 text-right font-semibold">{t("figures.impressions")}</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-200">
                    {a.timeline.map((p) => (
                      <tr key={p.period}>
                        <th scope="row" className="px-3 py-2 font-normal">
                          {format.dateTime(new Date(`${p.period}T00:00:00Z`), { dateStyle: "medium", timeZone: "UTC" })}
                        </th>
                        <td className={num}>{n(p.shares)}</td>
                        <td className={num}>{n(p.clicks)}</td>
                        <td className={num}>{n(p.uniqueVisitors)}</td>
                        <td className={num}>{n(p.engagements)}</td>
                        <td className={num}>{n(p.impressions)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </>
        )}
      </Card>

      <section className="mb-6" aria-labelledby="networks-heading">
        <h2 id="networks-heading" className="text-lg font-semibold text-slate-900">
          {t("networksTitle")}
        </h2>
        <p className="mb-3 text-sm text-slate-700">{t("suppressionNote")}</p>
        {a.networks.length === 0 ? (
          <p className="text-slate-700">{t("noRows")}</p>
        ) : (
          <div className={wrap}>
            <table className="w-full text-left text-sm">
              <caption className="sr-only">{t("networksTitle")}</caption>
              <thead className={head}>
                <tr>
                  <th scope="col" className="px-3 py-2 font-semibold">{t("network")}</th>
                  {figureHeads}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {a.networks.map((row) => (
                  <tr key={row.key} data-testid={`network-${row.key}`}>
                    <th scope="row" className="px-3 py-2 font-medium">{tn(row.network)}</th>
                    {row.suppressed ? heldCells : figureCells(row, { clicks: a.best.networks.clicksPerShare === row.key, engagements: a.best.networks.engagementsPerShare === row.key })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="mb-6" aria-labelledby="variants-heading">
        <h2 id="variants-heading" className="text-lg font-semibold text-slate-900">
          {t("variantsTitle")}
        </h2>
        <p className="mb-3 text-sm text-slate-700">{t("variantsNote")}</p>
        {a.variants.length === 0 ? (
          <p className="text-slate-700">{t("noRows")}</p>
        ) : (
          <div className={wrap}>
            <table className="w-full text-left text-sm">
              <caption className="sr-only">{t("variantsTitle")}</caption>
              <thead className={head}>
                <tr>
                  <th scope="col" className="px-3 py-2 font-semibold">{t("variant")}</th>
                  {figureHeads}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {a.variants.map((row) => (
                  <tr key={row.key} data-testid={`variant-${row.key}`}>
                    <th scope="row" className="max-w-sm px-3 py-2 align-top font-normal">
                      <span className="block font-medium text-slate-900">{variantName(row)}</span>
                      {row.text ? <span className="line-clamp-2 block text-slate-700">{row.text}</span> : null}
                    </th>
                    {row.suppressed ? (
                      heldCells
                    ) : row.variantId !== null && row.people === 0 ? (
                      <td colSpan={9} className="px-3 py-2 text-slate-700">
                        {t("unused")}
                      </td>
                    ) : (
                      figureCells(row, { clicks: a.best.variants.clicksPerShare === row.key, engagements: a.best.variants.engagementsPerShare === row.key })
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <p className="text-sm text-slate-700">{t("footnote", { emv: emvLabel })}</p>
    </>
  );
}

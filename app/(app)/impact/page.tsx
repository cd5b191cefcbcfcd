import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { myBadges } from "@/lib/me/badges";
import { figureSources, impactPeriods, impactPeriodSchema, myImpact } from "@/lib/me/impact";
import { TimeChart } from "../../_components/time-chart";
import { Card, EmptyState, PageHeader, buttonClass } from "../../_components/ui";
import { Figure, SourceBadge } from "../../_components/figure";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("me.impact"))("title") };
}

const th = "px-3 py-2 font-semibold";
const num = "px-3 py-2 text-right tabular-nums";

/** The person's own reach: figures over a period, by week and network, badges and each share. */
export default async function ImpactPage({ searchParams }: { searchParams: Promise<{ days?: string }> }) {
  const ctx = await requireMember("any-member");
  const days = impactPeriodSchema.parse((await searchParams).days);
  const [t, tn, tb, format, locale] = await Promise.all([getTranslations("me.impact"), getTranslations("networks"), getTranslations("me.badges"), getFormatter(), getLocale()]);
  const [impact, badges] = await Promise.all([myImpact(ctx.db, ctx.scope, ctx.userId, days), myBadges(ctx.db, ctx.scope, ctx.userId)]);
  const n = (value: number) => format.number(value);
  const day = (value: string) => format.dateTime(new Date(`${value}T00:00:00Z`), { dateStyle: "medium", timeZone: "UTC" });
  const { totals } = impact;

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          <>
            <Link href="/leaderboard" className={buttonClass("secondary")}>
              {t("toLeaderboard")}
            </Link>
            <Link href="/impact/manager-view" className={buttonClass("secondary")}>
              {t("toManagerView")}
            </Link>
          </>
        }
      />

      <nav aria-label={t("periodLabel")} className="mb-4 flex flex-wrap items-center gap-2">
        {impactPeriods.map((p) => (
          <Link key={p} href={`/impact?days=${p}`} aria-current={p === days ? "page" : undefined} className={buttonClass(p === days ? "primary" : "secondary")}>
            {t("lastDays", { days: p })}
          </Link>
        ))}
      </nav>
      <p className="mb-6 text-sm text-slate-700">{t("periodNote", { from: day(impact.from), to: day(impact.to) })}</p>

      <section aria-labelledby="impact-figures" className="mb-8">
        <h2 id="impact-figures" className="mb-3 text-lg font-semibold text-slate-900">
          {t("figuresTitle")}
        </h2>
        <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          <Figure label={t("figures.shares")} value={n(totals.shares)} source={figureSources.shares} note={t("notes.shares")} />
          <Figure label={t("figures.uniqueVisitors")} value={n(totals.uniqueVisitors)} source={figureSources.uniqueVisitors} note={t("notes.uniqueVisitors", { clicks: totals.clicks })} />
          <Figure label={t("figures.engagements")} value={n(totals.engagements)} source={figureSources.engagements} note={t("notes.engagements")} />
          <Figure label={t("figures.impressions")} value={n(totals.impressions)} source={figureSources.impressions} note={t("notes.impressions")} />
          <Figure label={t("figures.estimatedReach")} value={n(totals.estimatedReach)} source={figureSources.estimatedReach} note={t("notes.estimatedReach")} />
          <Figure label={t("figures.points")} value={n(totals.points)} source={figureSources.points} note={t("notes.points")} />
        </dl>
      </section>

      <Card aria-labelledby="impact-chart" className="mb-8">
        <h2 id="impact-chart" className="mb-1 text-lg font-semibold text-slate-900">
          {t("chartTitle")}
        </h2>
        <p className="mb-4 text-sm text-slate-700">{t("chartNote")}</p>
        <TimeChart
          locale={locale}
          label={t("chartLabel")}
          data={impact.weeks.map((w) => ({ start: w.week, shares: w.shares, uniqueVisitors: w.uniqueVisitors, engagements: w.engagements }))}
          series={[
            { key: "shares", label: t("figures.shares"), kind: "bar" },
            { key: "uniqueVisitors", label: t("figures.uniqueVisitors"), kind: "line" },
            { key: "engagements", label: t("figures.engagements"), kind: "line" },
          ]}
        />
        <details className="mt-4">
          <summary className="cursor-pointer text-sm font-medium text-brand-700">{t("showTable")}</summary>
          <div className="mt-2 overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">{t("weeksCaption")}</caption>
              <thead className="bg-slate-50 text-slate-800">
                <tr>
                  <th scope="col" className={th}>{t("weekOf")}</th>
                  <th scope="col" className={`${th} text-right`}>{t("figures.shares")}</th>
                  <th scope="col" className={`${th} text-right`}>{t("figures.uniqueVisitors")}</th>
                  <th scope="col" className={`${th} text-right`}>{t("figures.engagements")}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {impact.weeks.map((w) => (
                  <tr key={w.week}>
                    <th scope="row" className="px-3 py-2 font-normal">{day(w.week)}</th>
                    <td className={num}>{n(w.shares)}</td>
                    <td className={num}>{n(w.uniqueVisitors)}</td>
                    <td className={num}>{n(w.engagements)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </Card>

      <section aria-labelledby="impact-badges" className="mb-8">
        <h2 id="impact-badges" className="mb-3 text-lg font-semibold text-slate-900">
          {tb("title")}
        </h2>
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          {badges.map((b) => (
            <li key={b.id} className={`rounded-lg border p-4 ${b.earned ? "border-green-300 bg-green-50" : "border-slate-200 bg-white"}`}>
              <p className="font-semibold text-slate-900">
                <span aria-hidden className="mr-1">
                  {b.earned ? "★" : "☆"}
                </span>
                {tb(`names.${b.id}`)}
              </p>
              <p className="text-sm text-slate-700">{tb(`descriptions.${b.id}`)}</p>
              <p className="mt-2 text-sm font-medium text-slate-900">
                {b.earned
                  ? b.earnedOn
                    ? tb("earnedOn", { date: day(b.earnedOn) })
                    : tb("earned")
                  : tb("progress", { progress: n(b.progress), target: n(b.target) })}
              </p>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="impact-networks" className="mb-8">
        <h2 id="impact-networks" className="mb-3 text-lg font-semibold text-slate-900">
          {t("networksTitle")}
        </h2>
        {impact.byNetwork.length === 0 ? (
          <p className="text-sm text-slate-700">{t("noShares")}</p>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">{t("networksCaption", { days })}</caption>
              <thead className="bg-slate-50 text-slate-800">
                <tr>
                  <th scope="col" className={th}>{t("network")}</th>
                  <th scope="col" className={`${th} text-right`}>{t("figures.shares")}</th>
                  <th scope="col" className={`${th} text-right`}>{t("figures.uniqueVisitors")}</th>
                  <th scope="col" className={`${th} text-right`}>{t("figures.engagements")}</th>
                  <th scope="col" className={`${th} text-right`}>{t("figures.impressions")}</th>
                  <th scope="col" className={`${th} text-right`}>
                    {t("figures.estimatedReach")} <SourceBadge source="estimate" />
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {impact.byNetwork.map((row) => (
                  <tr key={row.network}>
                    <th scope="row" className="px-3 py-2 font-normal">{tn(row.network)}</th>
                    <td className={num}>{n(row.shares)}</td>
                    <td className={num}>{n(row.uniqueVisitors)}</td>
                    <td className={num}>{n(row.engagements)}</td>
                    <td className={num}>{n(row.impressions)}</td>
                    <td className={num}>{n(row.estimatedReach)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="impact-shares">
        <h2 id="impact-shares" className="mb-1 text-lg font-semibold text-slate-900">
          {t("sharesTitle")}
        </h2>
        <p className="mb-3 text-sm text-slate-700">{t("sharesNote")}</p>
        {impact.shares.length === 0 ? (
          <EmptyState title={t("noShares")}>
            <Link href="/feed" className="text-brand-700 underline">
              {t("toFeed")}
            </Link>
          </EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">{t("sharesCaption", { days })}</caption>
              <thead className="bg-slate-50 text-slate-800">
                <tr>
                  <th scope="col" className={th}>{t("story")}</th>
                  <th scope="col" className={th}>{t("network")}</th>
                  <th scope="col" className={th}>{t("published")}</th>
                  <th scope="col" className={`${th} text-right`}>{t("figures.uniqueVisitors")}</th>
                  <th scope="col" className={`${th} text-right`}>{t("figures.clicks")}</th>
                  <th scope="col" className={`${th} text-right`}>{t("figures.engagements")}</th>
                  <th scope="col" className={th}>{t("post")}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {impact.shares.map((s) => (
                  <tr key={s.shareId}>
                    <th scope="row" className="px-3 py-2 font-normal text-slate-900">{s.storyTitle}</th>
                    <td className="px-3 py-2">{tn(s.network)}</td>
                    <td className="whitespace-nowrap px-3 py-2">
                      {s.publishedAt ? <time dateTime={s.publishedAt.toISOString()}>{format.dateTime(s.publishedAt, { dateStyle: "medium" })}</time> : "—"}
                    </td>
                    <td className={num}>{n(s.uniqueVisitors)}</td>
                    <td className={num}>{n(s.clicks)}</td>
                    <td className={num}>{n(s.engagements)}</td>
                    <td className="px-3 py-2">
                      {s.postUrl ? (
                        <a href={s.postUrl} target="_blank" rel="noopener noreferrer" className="text-brand-700 underline">
                          {t("viewPost")}
                          <span className="sr-only"> {t("viewPostOf", { story: s.storyTitle, network: tn(s.network) })}</span>
                        </a>
                      ) : (
                        <span className="text-slate-700">{t("noPostLink")}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

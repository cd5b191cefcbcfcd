import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { myBadges } from "@/lib/me/badges";
import { figureSources, impactPeriods, impactPeriodSchema, myImpact } from "@/lib/me/impact";
import { DataTable, TableDetails } from "../../_components/data-table";
import { Figure, SourceBadge } from "../../_components/figure";
import { TimeChart } from "../../_components/time-chart";
import { ButtonLink, ChoiceNav, EmptyState, PageHeader, Section } from "../../_components/ui";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("me.impact"))("title") };
}

/** The person's own reach: figures over a period, by week and network, badges and each share. */
export default async function ImpactPage({ searchParams }: { searchParams: Promise<{ days?: string }> }) {
  const ctx = await requireMember("any-member");
  const days = impactPeriodSchema.parse((await searchParams).days);
  const [t, tg, tn, tb, format, locale] = await Promise.all([getTranslations("me.impact"), getTranslations("glossary"), getTranslations("networks"), getTranslations("me.badges"), getFormatter(), getLocale()]);
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
            <ButtonLink href="/leaderboard">{t("toLeaderboard")}</ButtonLink>
            <ButtonLink href="/impact/manager-view">{t("toManagerView")}</ButtonLink>
          </>
        }
      />

      <ChoiceNav label={t("periodLabel")} items={impactPeriods.map((p) => ({ href: `/impact?days=${p}`, label: t("lastDays", { days: p }), current: p === days }))} />
      <p className="mb-6 mt-4 text-sm text-slate-700">{t("periodNote", { from: day(impact.from), to: day(impact.to) })}</p>

      <Section id="impact-figures" title={t("figuresTitle")} className="mb-8">
        <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          <Figure label={tg("shares")} value={n(totals.shares)} source={figureSources.shares} note={t("notes.shares")} />
          <Figure label={tg("uniqueVisitors")} value={n(totals.uniqueVisitors)} source={figureSources.uniqueVisitors} note={t("notes.uniqueVisitors", { clicks: totals.clicks })} />
          <Figure label={tg("engagements")} value={n(totals.engagements)} source={figureSources.engagements} note={t("notes.engagements")} />
          <Figure label={tg("impressions")} value={n(totals.impressions)} source={figureSources.impressions} note={t("notes.impressions")} />
          <Figure label={tg("potentialReach")} value={n(totals.estimatedReach)} source={figureSources.estimatedReach} note={t("notes.estimatedReach")} />
          <Figure label={tg("points")} value={n(totals.points)} source={figureSources.points} note={t("notes.points")} />
        </dl>
      </Section>

      <Section card id="impact-chart" title={t("chartTitle")} description={t("chartNote")} className="mb-8">
        <TimeChart
          locale={locale}
          label={t("chartLabel")}
          data={impact.weeks.map((w) => ({ start: w.week, shares: w.shares, uniqueVisitors: w.uniqueVisitors, engagements: w.engagements }))}
          series={[
            { key: "shares", label: tg("shares"), kind: "bar" },
            { key: "uniqueVisitors", label: tg("uniqueVisitors"), kind: "line" },
            { key: "engagements", label: tg("engagements"), kind: "line" },
          ]}
        />
        <TableDetails summary={t("showTable")}>
          <DataTable
            caption={t("weeksCaption")}
            rows={impact.weeks}
            rowKey={(w) => w.week}
            columns={[
              { key: "week", header: t("weekOf"), rowHeader: true, cell: (w) => day(w.week) },
              { key: "shares", header: tg("shares"), numeric: true, cell: (w) => n(w.shares) },
              { key: "uniqueVisitors", header: tg("uniqueVisitors"), numeric: true, cell: (w) => n(w.uniqueVisitors) },
              { key: "engagements", header: tg("engagements"), numeric: true, cell: (w) => n(w.engagements) },
            ]}
          />
        </TableDetails>
      </Section>

      <Section id="impact-badges" title={tb("title")} className="mb-8">
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
      </Section>

      <Section id="impact-networks" title={t("networksTitle")} className="mb-8">
        <DataTable
          caption={t("networksCaption", { days })}
          rows={impact.byNetwork}
          rowKey={(row) => row.network}
          empty={<p className="text-sm text-slate-700">{t("noShares")}</p>}
          columns={[
            { key: "network", header: t("network"), rowHeader: true, cell: (row) => tn(row.network) },
            { key: "shares", header: tg("shares"), numeric: true, cell: (row) => n(row.shares) },
            { key: "uniqueVisitors", header: tg("uniqueVisitors"), numeric: true, cell: (row) => n(row.uniqueVisitors) },
            { key: "engagements", header: tg("engagements"), numeric: true, cell: (row) => n(row.engagements) },
            { key: "impressions", header: tg("impressions"), numeric: true, cell: (row) => n(row.impressions) },
            {
              key: "estimatedReach",
              header: (
                <>
                  {tg("potentialReach")} <SourceBadge source="estimate" />
                </>
              ),
              numeric: true,
              cell: (row) => n(row.estimatedReach),
            },
          ]}
        />
      </Section>

      <Section id="impact-shares" title={t("sharesTitle")} description={t("sharesNote")}>
        <DataTable
          caption={t("sharesCaption", { days })}
          rows={impact.shares}
          rowKey={(s) => s.shareId}
          empty={
            <EmptyState title={t("noShares")}>
              <Link href="/feed" className="text-brand-700 underline">
                {t("toFeed")}
              </Link>
            </EmptyState>
          }
          columns={[
            { key: "story", header: t("story"), rowHeader: true, className: "font-normal text-slate-900", cell: (s) => s.storyTitle },
            { key: "network", header: t("network"), cell: (s) => tn(s.network) },
            {
              key: "published",
              header: t("published"),
              className: "whitespace-nowrap",
              cell: (s) => (s.publishedAt ? <time dateTime={s.publishedAt.toISOString()}>{format.dateTime(s.publishedAt, { dateStyle: "medium" })}</time> : "—"),
            },
            { key: "uniqueVisitors", header: tg("uniqueVisitors"), numeric: true, cell: (s) => n(s.uniqueVisitors) },
            { key: "clicks", header: tg("clicks"), numeric: true, cell: (s) => n(s.clicks) },
            { key: "engagements", header: tg("engagements"), numeric: true, cell: (s) => n(s.engagements) },
            {
              key: "post",
              header: t("post"),
              cell: (s) =>
                s.postUrl ? (
                  <a href={s.postUrl} target="_blank" rel="noopener noreferrer" className="text-brand-700 underline">
                    {t("viewPost")}
                    <span className="sr-only"> {t("viewPostOf", { story: s.storyTitle, network: tn(s.network) })}</span>
                  </a>
                ) : (
                  <span className="text-slate-700">{t("noPostLink")}</span>
                ),
            },
          ]}
        />
      </Section>
    </>
  );
}

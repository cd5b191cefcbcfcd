import clsx from "clsx";
import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { boardScopeSchema, boardScopes, leaderboard, myPoints } from "@/lib/me/leaderboard";
import { getOrganizationSettings } from "@/lib/orgs";
import { Card, EmptyState, PageHeader, buttonClass } from "../../_components/ui";
import { SourceBadge } from "../../_components/figure";
import { OptOutForm } from "./opt-out-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("me.leaderboard"))("title") };
}

/**
 * Points and this month's leaderboard, for the organisation or the person's team. Who
 * opted out is not on the board; they see the board and their own points, without a rank.
 */
export default async function LeaderboardPage({ searchParams }: { searchParams: Promise<{ board?: string }> }) {
  const ctx = await requireMember("any-member");
  const board = boardScopeSchema.parse((await searchParams).board);
  const [t, format] = await Promise.all([getTranslations("me.leaderboard"), getFormatter()]);
  const [points, result, settings] = await Promise.all([
    myPoints(ctx.db, ctx.scope, ctx.userId),
    leaderboard(ctx.db, ctx.scope, ctx.userId, { scope: board }),
    getOrganizationSettings(ctx.db, ctx.orgId),
  ]);
  const n = (value: number) => format.number(value);
  const month = format.dateTime(result.from, { month: "long", year: "numeric", timeZone: settings.timeZone });
  const boardName = board === "team" ? (result.team?.name ?? t("noTeam")) : ctx.orgName;

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />

      <div className="mb-8 grid gap-4 md:grid-cols-3">
        <Card aria-labelledby="points-heading" className="md:col-span-1">
          <h2 id="points-heading" className="mb-3 text-lg font-semibold text-slate-900">
            {t("yourPoints")}
          </h2>
          <dl className="grid grid-cols-2 gap-3">
            <div>
              <dt className="text-sm text-slate-700">{t("thisMonth", { month })}</dt>
              <dd className="text-2xl font-semibold tabular-nums text-slate-900">{n(points.month)}</dd>
            </div>
            <div>
              <dt className="text-sm text-slate-700">{t("allTime")}</dt>
              <dd className="text-2xl font-semibold tabular-nums text-slate-900">{n(points.allTime)}</dd>
            </div>
          </dl>
          <p className="mt-3">
            <SourceBadge source="counted" />
          </p>
          <p className="mt-3 text-sm text-slate-800">
            {result.you.optedOut ? t("youAreHidden") : result.you.rank ? t("yourRank", { rank: result.you.rank }) : t("noRankYet")}
          </p>
        </Card>
        <Card aria-labelledby="how-heading" className="md:col-span-2">
          <h2 id="how-heading" className="mb-2 text-lg font-semibold text-slate-900">
            {t("howTitle")}
          </h2>
          <ul className="list-disc space-y-1 pl-5 text-sm text-slate-800">
            <li>{t("how.share", { points: settings.points.share })}</li>
            <li>{t("how.click", { points: settings.points.click })}</li>
            <li>{t("how.engagement", { points: settings.points.engagement })}</li>
          </ul>
          <p className="mt-2 text-sm text-slate-700">{t("howNote")}</p>
        </Card>
      </div>

      <section aria-labelledby="board-heading" className="mb-8">
        <h2 id="board-heading" className="mb-3 text-lg font-semibold text-slate-900">
          {t("boardTitle", { month })}
        </h2>
        <nav aria-label={t("boardChoice")} className="mb-4 flex flex-wrap gap-2">
          {boardScopes.map((s) => (
            <Link key={s} href={`/leaderboard?board=${s}`} aria-current={s === board ? "page" : undefined} className={buttonClass(s === board ? "primary" : "secondary")}>
              {t(`boards.${s}`)}
            </Link>
          ))}
        </nav>
        {board === "team" && !result.team ? (
          <EmptyState title={t("noTeam")}>{t("noTeamHint")}</EmptyState>
        ) : result.entries.length === 0 ? (
          <EmptyState title={t("empty")}>{t("emptyHint")}</EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">{t("caption", { board: boardName, month })}</caption>
              <thead className="bg-slate-50 text-slate-800">
                <tr>
                  <th scope="col" className="px-3 py-2 font-semibold">{t("rank")}</th>
                  <th scope="col" className="px-3 py-2 font-semibold">{t("person")}</th>
                  <th scope="col" className="px-3 py-2 text-right font-semibold">{t("points")}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {result.entries.map((e) => (
                  <tr key={e.userId} className={clsx(e.isYou && "bg-brand-50")} aria-current={e.isYou ? "true" : undefined}>
                    <td className="px-3 py-2 tabular-nums">{n(e.rank)}</td>
                    <th scope="row" className="px-3 py-2 font-normal text-slate-900">
                      {e.name}
                      {e.isYou ? <span className="ml-2 text-xs font-semibold text-brand-800">{t("you")}</span> : null}
                    </th>
                    <td className="px-3 py-2 text-right tabular-nums">{n(e.points)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <Card aria-labelledby="optout-heading">
        <h2 id="optout-heading" className="mb-2 text-lg font-semibold text-slate-900">
          {t("optOutTitle")}
        </h2>
        <p className="mb-3 max-w-2xl text-sm text-slate-800">{t("optOutExplanation")}</p>
        <OptOutForm optedOut={result.you.optedOut} />
      </Card>
    </>
  );
}

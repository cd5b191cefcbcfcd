import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { boardScopeSchema, boardScopes, leaderboard, myPoints } from "@/lib/me/leaderboard";
import { getOrganizationSettings } from "@/lib/orgs";
import { DataTable } from "../../_components/data-table";
import { SourceBadge } from "../../_components/figure";
import { ChoiceNav, EmptyState, PageHeader, Section } from "../../_components/ui";
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
  const [t, tg, format] = await Promise.all([getTranslations("me.leaderboard"), getTranslations("glossary"), getFormatter()]);
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
        <Section card id="points-heading" title={t("yourPoints")} className="md:col-span-1">
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
        </Section>
        <Section card id="how-heading" title={t("howTitle")} className="md:col-span-2">
          <ul className="list-disc space-y-1 pl-5 text-sm text-slate-800">
            <li>{t("how.share", { points: settings.points.share })}</li>
            <li>{t("how.click", { points: settings.points.click })}</li>
            <li>{t("how.engagement", { points: settings.points.engagement })}</li>
          </ul>
          <p className="mt-2 text-sm text-slate-700">{t("howNote")}</p>
        </Section>
      </div>

      <Section id="board-heading" title={t("boardTitle", { month })} className="mb-8">
        <div className="mb-4">
          <ChoiceNav label={t("boardChoice")} items={boardScopes.map((s) => ({ href: `/leaderboard?board=${s}`, label: t(`boards.${s}`), current: s === board }))} />
        </div>
        {board === "team" && !result.team ? (
          <EmptyState title={t("noTeam")}>{t("noTeamHint")}</EmptyState>
        ) : (
          <DataTable
            caption={t("caption", { board: boardName, month })}
            rows={result.entries}
            rowKey={(e) => e.userId}
            rowProps={(e) => (e.isYou ? { className: "bg-brand-50", "aria-current": "true" } : {})}
            empty={<EmptyState title={t("empty")}>{t("emptyHint")}</EmptyState>}
            columns={[
              { key: "rank", header: t("rank"), className: "tabular-nums", cell: (e) => n(e.rank) },
              {
                key: "person",
                header: t("person"),
                rowHeader: true,
                className: "font-normal text-slate-900",
                cell: (e) => (
                  <>
                    {e.name}
                    {e.isYou ? <span className="ml-2 text-xs font-semibold text-brand-800">{t("you")}</span> : null}
                  </>
                ),
              },
              { key: "points", header: tg("points"), numeric: true, cell: (e) => n(e.points) },
            ]}
          />
        )}
      </Section>

      <Section card id="optout-heading" title={t("optOutTitle")} description={t("optOutExplanation")}>
        <OptOutForm optedOut={result.you.optedOut} />
      </Section>
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { whatMyManagerSees } from "@/lib/me/manager-view";
import { MIN_GROUP_SIZE } from "@/lib/reports/schemas";
import { Card, PageHeader, buttonClass } from "../../../_components/ui";
import { SourceBadge } from "../../../_components/figure";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("me.managerView"))("title") };
}

/** Exactly what a manager's report can show about this person, and the rules that limit it, in plain words. */
export default async function ManagerViewPage() {
  const ctx = await requireMember("any-member");
  const [t, format] = await Promise.all([getTranslations("me.managerView"), getFormatter()]);
  const view = await whatMyManagerSees(ctx.db, ctx.scope, ctx.userId);
  const n = (value: number) => format.number(value);
  const rows = [
    { label: t("figures.shares"), value: view.row.shares, source: "counted" as const },
    { label: t("figures.uniqueVisitors"), value: view.row.uniqueVisitors, source: "redirect" as const },
    { label: t("figures.engagements"), value: view.row.engagements, source: "network" as const },
    { label: t("figures.impressions"), value: view.row.impressions, source: "network" as const },
  ];

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          <Link href="/impact" className={buttonClass("secondary")}>
            {t("back")}
          </Link>
        }
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card aria-labelledby="who-heading">
          <h2 id="who-heading" className="mb-2 text-lg font-semibold text-slate-900">
            {t("whoTitle")}
          </h2>
          {view.team ? (
            <>
              <p className="text-sm text-slate-800">{t("yourTeam", { team: view.team.name, count: view.team.memberCount })}</p>
              {view.managers.length > 0 ? (
                <>
                  <p className="mt-2 text-sm text-slate-800">{t("managersAre")}</p>
                  <ul className="mt-1 list-disc pl-5 text-sm text-slate-900">
                    {view.managers.map((name) => (
                      <li key={name}>{name}</li>
                    ))}
                  </ul>
                </>
              ) : (
                <p className="mt-2 text-sm text-slate-800">{t("noManagers")}</p>
              )}
            </>
          ) : (
            <p className="text-sm text-slate-800">{t("noTeam")}</p>
          )}
        </Card>

        <Card aria-labelledby="row-heading">
          <h2 id="row-heading" className="mb-2 text-lg font-semibold text-slate-900">
            {t("rowTitle")}
          </h2>
          <p className="mb-3 text-sm text-slate-800">{t("rowIntro", { days: view.days })}</p>
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t("rowCaption", { days: view.days })}</caption>
            <thead className="bg-slate-50 text-slate-800">
              <tr>
                <th scope="col" className="px-3 py-2 font-semibold">{t("figure")}</th>
                <th scope="col" className="px-3 py-2 text-right font-semibold">{t("value")}</th>
                <th scope="col" className="px-3 py-2 font-semibold">{t("source")}</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {rows.map((row) => (
                <tr key={row.label}>
                  <th scope="row" className="px-3 py-2 font-normal">{row.label}</th>
                  <td className="px-3 py-2 text-right tabular-nums">{n(row.value)}</td>
                  <td className="px-3 py-2">
                    <SourceBadge source={row.source} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="mt-3 text-sm font-medium text-slate-900">
            {view.canAppear ? t("canAppear") : view.team === null ? t("cannotAppearNoTeam") : view.team.suppressed ? t("cannotAppearSmall", { min: MIN_GROUP_SIZE }) : t("cannotAppearOptOut")}
          </p>
        </Card>
      </div>

      <Card aria-labelledby="rules-heading" className="mt-6">
        <h2 id="rules-heading" className="mb-3 text-lg font-semibold text-slate-900">
          {t("rulesTitle")}
        </h2>
        <ul className="list-disc space-y-2 pl-5 text-sm text-slate-800">
          <li>{t("rules.onlyTopAdvocates")}</li>
          <li>{t("rules.emvTeamOnly")}</li>
          <li>{t("rules.smallGroups", { min: MIN_GROUP_SIZE })}</li>
          <li>{t("rules.noIp", { months: view.clickRetentionMonths })}</li>
          <li>{view.leaderboardOptOut ? t("rules.optedOut") : t("rules.optOut")}</li>
          <li>{t("rules.ownTeamsOnly")}</li>
          <li>{t("rules.noTexts")}</li>
        </ul>
        <p className="mt-4 text-sm">
          <Link href="/leaderboard" className="text-brand-700 underline">
            {t("toLeaderboard")}
          </Link>
        </p>
      </Card>
    </>
  );
}

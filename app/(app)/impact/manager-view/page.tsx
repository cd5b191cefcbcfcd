import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { whatMyManagerSees } from "@/lib/me/manager-view";
import { MIN_GROUP_SIZE } from "@/lib/reports/schemas";
import { DataTable } from "../../../_components/data-table";
import { SourceBadge } from "../../../_components/figure";
import { ButtonLink, PageHeader, Section } from "../../../_components/ui";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("me.managerView"))("title") };
}

/** Exactly what a manager's report can show about this person, and the rules that limit it, in plain words. */
export default async function ManagerViewPage() {
  const ctx = await requireMember("any-member");
  const [t, tg, format] = await Promise.all([getTranslations("me.managerView"), getTranslations("glossary"), getFormatter()]);
  const view = await whatMyManagerSees(ctx.db, ctx.scope, ctx.userId);
  const n = (value: number) => format.number(value);
  const rows = [
    { label: tg("shares"), value: view.row.shares, source: "counted" as const },
    { label: tg("uniqueVisitors"), value: view.row.uniqueVisitors, source: "redirect" as const },
    { label: tg("engagements"), value: view.row.engagements, source: "network" as const },
    { label: tg("impressions"), value: view.row.impressions, source: "network" as const },
  ];

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={<ButtonLink href="/impact">{t("back")}</ButtonLink>}
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Section card id="who-heading" title={t("whoTitle")}>
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
        </Section>

        <Section card id="row-heading" title={t("rowTitle")} description={t("rowIntro", { days: view.days })}>
          <DataTable
            caption={t("rowCaption", { days: view.days })}
            rows={rows}
            rowKey={(row) => row.label}
            columns={[
              { key: "figure", header: t("figure"), rowHeader: true, cell: (row) => row.label },
              { key: "value", header: t("value"), numeric: true, cell: (row) => n(row.value) },
              { key: "source", header: t("source"), cell: (row) => <SourceBadge source={row.source} /> },
            ]}
          />
          <p className="mt-3 text-sm font-medium text-slate-900">
            {view.canAppear ? t("canAppear") : view.team === null ? t("cannotAppearNoTeam") : view.team.suppressed ? t("cannotAppearSmall", { min: MIN_GROUP_SIZE }) : t("cannotAppearOptOut")}
          </p>
        </Section>
      </div>

      <Section card id="rules-heading" title={t("rulesTitle")} className="mt-6">
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
      </Section>
    </>
  );
}

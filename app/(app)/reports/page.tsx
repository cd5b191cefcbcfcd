import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { managedTeamOverview } from "@/lib/teams";
import { Card, EmptyState, PageHeader } from "../../_components/ui";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("reports"))("title") };
}

/** A manager's teams (with their sub-teams) and who is in them; reach figures build on this. */
export default async function ReportsPage() {
  const ctx = await requireMember(["manager"]);
  const t = await getTranslations("reports");
  const format = await getFormatter();
  const teams = await managedTeamOverview(ctx.db, ctx.scope, ctx.userId);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {teams.length === 0 ? (
        <EmptyState title={t("noTeams")}>{t("noTeamsHint")}</EmptyState>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {teams.map((team) => (
            <li key={team.id}>
              <Card>
                <h2 className="text-lg font-semibold text-slate-900">{team.name}</h2>
                <dl className="mt-3 grid grid-cols-2 gap-2 text-sm">
                  <dt className="text-slate-700">{t("members")}</dt>
                  <dd className="text-right font-medium text-slate-900">{format.number(team.memberCount)}</dd>
                  <dt className="text-slate-700">{t("subTeams")}</dt>
                  <dd className="text-right font-medium text-slate-900">{format.number(team.subTeamCount)}</dd>
                </dl>
              </Card>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

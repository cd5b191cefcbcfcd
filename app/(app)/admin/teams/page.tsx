import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { listMembers } from "@/lib/members";
import { buildTeamTree, flattenTeamTree, listTeams } from "@/lib/teams";
import { PageHeader } from "../../../_components/ui";
import { TeamTree } from "./team-tree";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.teams"))("title") };
}

export default async function TeamsPage() {
  const ctx = await requireMember(["admin"]);
  const t = await getTranslations("admin.teams");
  const [teams, members] = await Promise.all([listTeams(ctx.db, ctx.scope), listMembers(ctx.db, ctx.scope, { status: "active" })]);
  const ordered = flattenTeamTree(buildTeamTree(teams));
  const managers = members.filter((m) => m.roles.includes("manager")).map((m) => ({ userId: m.userId, label: m.name ?? m.email }));
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <TeamTree
        teams={ordered.map((team) => ({
          id: team.id,
          name: team.name,
          parentId: team.parentId,
          depth: team.depth,
          memberCount: team.memberCount,
          childCount: team.children.length,
          managerIds: team.managerIds,
        }))}
        managers={managers}
      />
    </>
  );
}

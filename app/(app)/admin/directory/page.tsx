import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireMember, scimBaseUrl } from "@/lib/auth/guard";
import { currentScimToken, listDirectoryGroups } from "@/lib/scim";
import { buildTeamTree, flattenTeamTree, listTeams } from "@/lib/teams";
import { PageHeader } from "../../../_components/ui";
import { withIsoDates } from "../../../_components/wire";
import { DirectoryManager } from "./directory-manager";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.directory"))("title") };
}

/** Provisioning from the company directory: the SCIM address and token, and the directory's groups to map. */
export default async function DirectoryAdminPage() {
  const ctx = await requireMember(["admin"]);
  const t = await getTranslations("admin.directory");
  const [token, groups, teams] = await Promise.all([currentScimToken(ctx.db, ctx.scope), listDirectoryGroups(ctx.db, ctx.scope), listTeams(ctx.db, ctx.scope)]);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <DirectoryManager
        baseUrl={scimBaseUrl()}
        token={token ? withIsoDates(token, ["createdAt", "lastUsedAt"]) : null}
        groups={groups.map((g) => withIsoDates(g, ["updatedAt"]))}
        teams={flattenTeamTree(buildTeamTree(teams)).map((team) => ({ id: team.id, name: team.name, depth: team.depth }))}
      />
    </>
  );
}

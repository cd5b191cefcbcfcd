import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { roleIds } from "@/lib/auth/roles";
import { listMembers } from "@/lib/members";
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS } from "@/lib/members/import";
import { buildTeamTree, flattenTeamTree, listTeams } from "@/lib/teams";
import { PageHeader } from "../../_components/ui";
import { withIsoDates } from "../../_components/wire";
import { MemberImport } from "./member-import";
import { MembersManager } from "./members-manager";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.members"))("title") };
}

export default async function MembersPage() {
  const ctx = await requireMember(["admin"]);
  const t = await getTranslations("admin.members");
  const [members, teams] = await Promise.all([listMembers(ctx.db, ctx.scope), listTeams(ctx.db, ctx.scope)]);
  const teamOptions = flattenTeamTree(buildTeamTree(teams)).map((team) => ({ id: team.id, name: team.name, depth: team.depth }));
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <MembersManager
        currentUserId={ctx.userId}
        roles={roleIds}
        teams={teamOptions}
        members={members.map((m) => withIsoDates(m, ["invitedAt", "joinedAt"]))}
      />
      <div className="mt-8">
        <MemberImport maxRows={IMPORT_MAX_ROWS} maxBytes={IMPORT_MAX_BYTES} />
      </div>
    </>
  );
}

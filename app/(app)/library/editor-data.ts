import type { AuthContext } from "@/lib/auth/guard";
import { networkIds } from "@/lib/networks";
import { getOrganizationSettings } from "@/lib/orgs";
import { buildTeamTree, flattenTeamTree, listTeams } from "@/lib/teams";
import { listTopics } from "@/lib/topics";
import { getUserPreferences } from "@/lib/users";
import { writingHelpState } from "@/lib/writing/budget";

/** What every story editor page needs besides the story: the editor's props, the zone and the rules. */
export async function editorContext(ctx: AuthContext) {
  const [topics, teams, settings, prefs, writing] = await Promise.all([
    listTopics(ctx.db, ctx.scope),
    listTeams(ctx.db, ctx.scope),
    getOrganizationSettings(ctx.db, ctx.orgId),
    getUserPreferences(ctx.db, ctx.userId, ctx.orgId),
    writingHelpState(ctx.db, ctx.orgId),
  ]);
  const timeZone = prefs.timeZone ?? settings.timeZone;
  return {
    timeZone,
    settings,
    editor: {
      topics: topics.map((t) => ({ id: t.id, name: t.name })),
      teams: flattenTeamTree(buildTeamTree(teams)).map((t) => ({ id: t.id, name: t.name, depth: t.depth, parentId: t.parentId })),
      timeZone,
      disclosureHashtag: settings.disclosureHashtag,
      networks: networkIds,
      // No model on the server, or the organisation turned it off: no button at all.
      writingHelp: writing.configured && writing.settings.enabled ? { available: writing.available, reason: writing.reason === "budget" ? ("budget" as const) : null } : null,
    },
  };
}

import { route } from "@/lib/auth/guard";
import { noQuerySchema, toTeamResource } from "@/lib/api/resources";
import { listTeams } from "@/lib/teams";

/** The organisation's teams by name; parentId makes the tree (audiences include sub-teams). */
export const GET = route({ roles: ["editor"], auth: "either", query: noQuerySchema }, async ({ ctx }) => ({
  data: (await listTeams(ctx.db, ctx.scope)).map(toTeamResource),
}));

import { memberListQuerySchema } from "@/lib/api/resources";
import { route } from "@/lib/auth/guard";
import { listMembers } from "@/lib/members";

/** The organisation's members, for admins (for example to reconcile with an HR system). */
export const GET = route(
  {
    roles: ["admin"],
    auth: "either",
    query: memberListQuerySchema,
  },
  async ({ ctx, query }) => {
    const members = await listMembers(ctx.db, ctx.scope, query);
    return {
      data: members.map((m) => ({
        id: m.id,
        userId: m.userId,
        email: m.email,
        name: m.name,
        roles: m.roles,
        status: m.status,
        team: m.teamId ? { id: m.teamId, name: m.teamName } : null,
        invitedAt: m.invitedAt,
        joinedAt: m.joinedAt,
      })),
    };
  },
);

import { route } from "@/lib/auth/guard";
import { getOrganization } from "@/lib/orgs";
import { getUser } from "@/lib/users";

/** Who the caller is: the member a session or API token acts as, and their roles. */
export const GET = route({ roles: "any-member", auth: "either" }, async ({ ctx }) => {
  const [user, org] = await Promise.all([getUser(ctx.db, ctx.userId), getOrganization(ctx.db, ctx.orgId)]);
  return {
    user: { id: ctx.userId, email: user?.email ?? null, name: user?.name ?? null },
    organization: { id: ctx.orgId, name: org?.name ?? null, slug: org?.slug ?? null },
    roles: ctx.roles,
  };
});

import { shareIdParamsSchema, toShareResource } from "@/lib/api/shares";
import { route } from "@/lib/auth/guard";
import { getMyShare } from "@/lib/shares";

/** One of the token user's own shares; anyone else's is 404. */
export const GET = route({ roles: ["employee"], auth: "either", params: shareIdParamsSchema }, async ({ ctx, params }) =>
  toShareResource(await getMyShare(ctx.db, ctx.scope, ctx.userId, params.id)),
);

import { route } from "@/lib/auth/guard";
import { archiveStoryBodySchema, noQuerySchema, storyIdParamsSchema, toStoryResource } from "@/lib/api/resources";
import { archiveStory, getStory } from "@/lib/stories";

/**
 * Withdraws a story: it leaves the feed and every scheduled share of it is cancelled
 * (the employees affected are told). 409 when it is already archived.
 */
export const POST = route({ roles: ["editor"], auth: "either", query: noQuerySchema, params: storyIdParamsSchema, body: archiveStoryBodySchema }, async ({ ctx, params, body }) => {
  const { cancelledShares } = await archiveStory(ctx.db, ctx.scope, params.id, body.reason ?? null);
  return { story: toStoryResource(await getStory(ctx.db, ctx.scope, params.id)), cancelledShares };
});

import { route } from "@/lib/auth/guard";
import { noQuerySchema, storyIdParamsSchema, storyPatchBodySchema, toStoryResource } from "@/lib/api/resources";
import { getStory, updateStory } from "@/lib/stories";

/** One story; 404 for an unknown id and for another organisation's (its existence is not revealed). */
export const GET = route({ roles: ["editor"], auth: "either", query: noQuerySchema, params: storyIdParamsSchema }, async ({ ctx, params }) =>
  toStoryResource(await getStory(ctx.db, ctx.scope, params.id)),
);

/** Changes only the fields sent; archived stories are read-only (422 storyArchived). */
export const PATCH = route({ roles: ["editor"], auth: "either", query: noQuerySchema, params: storyIdParamsSchema, body: storyPatchBodySchema }, async ({ ctx, params, body }) => {
  await updateStory(ctx.db, ctx.scope, params.id, body);
  return toStoryResource(await getStory(ctx.db, ctx.scope, params.id));
});

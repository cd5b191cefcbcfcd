import { route } from "@/lib/auth/guard";
import { encodeCursor, noQuerySchema, storyCreateBodySchema, storyListQuerySchema, toStoryResource } from "@/lib/api/resources";
import { createStory, getStories, getStory, listLibraryStories } from "@/lib/stories";

/**
 * The story library for editors, newest change first, a page at a time: `nextCursor`
 * continues after the last story of the page (keyset on updatedAt, id).
 */
export const GET = route({ roles: ["editor"], auth: "either", query: storyListQuerySchema }, async ({ ctx, query }) => {
  const { limit, cursor, ...filter } = query;
  const rows = await listLibraryStories(ctx.db, ctx.scope, filter, limit + 1, cursor);
  const page = rows.slice(0, limit);
  const stories = await getStories(ctx.db, ctx.scope, page.map((row) => row.id));
  const last = page.at(-1);
  return {
    data: stories.map(toStoryResource),
    nextCursor: rows.length > limit && last ? encodeCursor({ updatedAt: last.updatedAt, id: last.id }) : null,
  };
});

/** Creates a draft story (source "api"); 201 with the story and its Location. */
export const POST = route({ roles: ["editor"], auth: "either", query: noQuerySchema, body: storyCreateBodySchema }, async ({ ctx, body }) => {
  const created = await createStory(ctx.db, ctx.scope, body, { source: "api" });
  const story = toStoryResource(await getStory(ctx.db, ctx.scope, created.id));
  return Response.json(story, { status: 201, headers: { location: `/api/v1/stories/${story.id}` } });
});

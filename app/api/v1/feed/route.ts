import { route } from "@/lib/auth/guard";
import { feedQuerySchema, listFeed } from "@/lib/stories/feed";

/** The token user's feed: pinned first, then newest; `topicId`, `language`, `limit`, `cursor`. */
export const GET = route({ roles: ["employee"], auth: "either", query: feedQuerySchema.strict() }, async ({ ctx, query }) => {
  const { items, nextCursor } = await listFeed(ctx.db, ctx.scope, ctx.userId, query);
  return {
    data: items.map((s) => ({ ...s, liveAt: s.liveAt.toISOString(), expiresAt: s.expiresAt?.toISOString() ?? null })),
    nextCursor,
  };
});

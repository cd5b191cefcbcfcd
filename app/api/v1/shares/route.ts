import { route } from "@/lib/auth/guard";
import { DomainError } from "@/lib/errors";
import { createShares } from "@/lib/shares";
import { shareCreateBodySchema, toShareResource } from "@/lib/api/shares";

/** Shares a story from one of the token user's connected accounts, now or at `scheduledAt`. */
export const POST = route(
  {
    roles: ["employee"],
    auth: "either",
    body: shareCreateBodySchema,
  },
  async ({ ctx, body }) => {
    const [share] = await createShares(ctx.db, ctx.scope, ctx.userId, {
      storyId: body.storyId,
      scheduledAt: body.scheduledAt,
      posts: [{ connectionId: body.connectionId, text: body.text, variantId: body.variantId, assisted: body.assisted }],
    }).catch((error: unknown) => {
      // The domain speaks of posts[0]; this body has one post's fields at the top.
      if (error instanceof DomainError && error.fieldErrors) {
        const fields = Object.fromEntries(Object.entries(error.fieldErrors).map(([key, value]) => [key.replace(/^posts\.0\./, ""), value]));
        throw new DomainError(error.status, error.code, error.message, fields);
      }
      throw error;
    });
    return Response.json(toShareResource(share!), { status: 201, headers: { location: `/api/v1/shares/${share!.id}` } });
  },
);

import { route } from "@/lib/auth/guard";
import { DomainError } from "@/lib/errors";
import { createShares } from "@/lib/shares";
import { shareCreateBodySchema, toShareResource } from "@/lib/api/shares";

/**
 * Shares a story from one of the token user's connected accounts, now or at `scheduledAt`:
 * 201 once its publish job is queued, 202 (`queued: false`) when it is saved but the queue
 * could not take it yet, never a silent gap.
 */
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
    // 201 only when the publish job is queued; 202 when the share is saved but its job is not
    // queued yet (Redis away or failing over): the reconciler queues it within its minute.
    const queued = share!.queued !== false;
    return Response.json({ ...toShareResource(share!), queued }, { status: queued ? 201 : 202, headers: { location: `/api/v1/shares/${share!.id}` } });
  },
);

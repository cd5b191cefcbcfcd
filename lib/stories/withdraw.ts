import { and, eq } from "drizzle-orm";
import { shares, type Story } from "@/db/schema";
import type { Tx } from "@/lib/db";
import { addNotices, type NoticeKind } from "@/lib/notifications";
import type { Scope } from "@/lib/tenant";

/**
 * On archiving, cancels the story's waiting shares (not those being published: the publisher
 * decides those) and returns one notice per employee affected, for the caller to mail after
 * commit.
 */
export async function cancelScheduledShares(tx: Tx, scope: Scope, story: Pick<Story, "id" | "title">, why: "withdrawn" | "expired") {
  const cancelled = await tx
    .update(shares)
    .set({ status: "cancelled", cancelledAt: new Date(), errorCode: `story_${why}` })
    .where(and(eq(shares.storyId, story.id), eq(shares.orgId, scope.orgId), eq(shares.status, "scheduled")))
    .returning({ id: shares.id, userId: shares.userId });
  const perUser = new Map<string, number>();
  for (const share of cancelled) if (share.userId) perUser.set(share.userId, (perUser.get(share.userId) ?? 0) + 1);
  const kind: NoticeKind = why === "withdrawn" ? "story.withdrawn" : "story.expired";
  const notices = await addNotices(
    tx,
    scope,
    [...perUser].map(([userId, count]) => ({ userId, kind, data: { storyId: story.id, title: story.title, count } })),
  );
  return { cancelled: cancelled.length, notices };
}

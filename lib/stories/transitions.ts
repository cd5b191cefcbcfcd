import { and, asc, eq } from "drizzle-orm";
import { storyTransitions, users, type StoryStatus } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { actorUserId, type Scope } from "@/lib/tenant";

/** Records one lifecycle step: who moved the story from where to where (and why). */
export async function recordTransition(tx: DbOrTx, scope: Scope, storyId: string, from: StoryStatus | null, to: StoryStatus, note?: string | null) {
  await tx.insert(storyTransitions).values({ orgId: scope.orgId, storyId, fromStatus: from, toStatus: to, actorUserId: actorUserId(scope), note: note ?? null });
}

/** A story's history, oldest first, with who did each step. */
export async function storyHistory(db: DbOrTx, scope: Scope, storyId: string) {
  return db
    .select({
      id: storyTransitions.id,
      fromStatus: storyTransitions.fromStatus,
      toStatus: storyTransitions.toStatus,
      note: storyTransitions.note,
      createdAt: storyTransitions.createdAt,
      actorName: users.name,
      actorEmail: users.email,
    })
    .from(storyTransitions)
    .leftJoin(users, eq(users.id, storyTransitions.actorUserId))
    .where(and(eq(storyTransitions.storyId, storyId), eq(storyTransitions.orgId, scope.orgId)))
    .orderBy(asc(storyTransitions.createdAt), asc(storyTransitions.id));
}

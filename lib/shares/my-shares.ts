import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { shares, socialConnections, stories, trackedLinks, type Share, type ShareStatus, type Locale } from "@/db/schema";
import { instanceTextLimits } from "@/lib/connections";
import type { DbOrTx } from "@/lib/db";
import { conflict, invalid, notFound } from "@/lib/errors";
import { trackedUrl } from "@/lib/links/tracked-links";
import { getOrganizationSettings } from "@/lib/orgs";
import { dequeuePublish, enqueuePublish } from "@/lib/queue/publish";
import { countPublishedNow } from "@/lib/reach/published";
import type { Scope } from "@/lib/tenant";
import { shareEditSchema } from "./schemas";
import { finalShareText } from "./share-text";
import { spreadFromColleagues } from "./timing";

export type MyShare = Share & { storyTitle: string; storyLanguage: Locale; accountHandle: string | null };

/** The person's own shares by status, the soonest first for waiting ones, newest first for the rest. */
export async function listMyShares(db: DbOrTx, scope: Scope, userId: string, statuses: ShareStatus[]): Promise<MyShare[]> {
  const rows = await db
    .select({ share: shares, storyTitle: stories.title, storyLanguage: stories.language, accountHandle: socialConnections.handle })
    .from(shares)
    .innerJoin(stories, eq(stories.id, shares.storyId))
    .leftJoin(socialConnections, eq(socialConnections.id, shares.connectionId))
    .where(and(eq(shares.orgId, scope.orgId), eq(shares.userId, userId), inArray(shares.status, statuses)))
    .orderBy(desc(shares.scheduledAt))
    .limit(200);
  const list = rows.map((r) => ({ ...r.share, storyTitle: r.storyTitle, storyLanguage: r.storyLanguage, accountHandle: r.accountHandle }));
  return statuses.every((s) => s === "scheduled" || s === "publishing") ? list.reverse() : list;
}

/** One of the person's own shares; anyone else's is not found (404), never forbidden. */
export async function getMyShare(db: DbOrTx, scope: Scope, userId: string, shareId: string): Promise<Share> {
  const [share] = await db
    .select()
    .from(shares)
    .where(and(eq(shares.id, shareId), eq(shares.orgId, scope.orgId), eq(shares.userId, userId)))
    .limit(1);
  if (!share) throw notFound("Share");
  return share;
}

/**
 * Changes the text or time of a share that has not started publishing. The new text is
 * checked like a new one (with the share's own tracked link); the new time must come
 * before the story expires and is spread from colleagues' again.
 */
export async function editShare(db: DbOrTx, scope: Scope, userId: string, shareId: string, raw: unknown, now = new Date()): Promise<Share> {
  const input = shareEditSchema.parse(raw);
  const updated = await db.transaction(async (tx) => {
    const [share] = await tx
      .select()
      .from(shares)
      .where(and(eq(shares.id, shareId), eq(shares.orgId, scope.orgId), eq(shares.userId, userId)))
      .for("update");
    if (!share) throw notFound("Share");
    if (share.status !== "scheduled" || share.mode !== "api") throw conflict("shareNotEditable", "This share can no longer be changed");
    const [story] = await tx.select({ url: stories.canonicalUrl, expiresAt: stories.expiresAt }).from(stories).where(eq(stories.id, share.storyId));
    const settings = await getOrganizationSettings(tx, scope.orgId);
    let text = share.text;
    if (input.text !== undefined) {
      const [link] = await tx.select({ code: trackedLinks.code }).from(trackedLinks).where(eq(trackedLinks.shareId, share.id));
      const [connection] = share.connectionId ? await tx.select({ instanceUrl: socialConnections.instanceUrl }).from(socialConnections).where(eq(socialConnections.id, share.connectionId)) : [];
      const limits = await instanceTextLimits(tx, share.network, connection?.instanceUrl ?? null);
      text = finalShareText({ network: share.network, text: input.text, storyUrl: story?.url ?? null, linkUrl: trackedUrl(link!.code), settings, ...limits }, "text");
    }
    let scheduledAt = share.scheduledAt;
    if (input.scheduledAt) {
      if (input.scheduledAt.getTime() < now.getTime() - 60_000) throw invalid("timeInPast", "Choose a time in the future", { scheduledAt: ["timeInPast"] });
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`share-spacing:${share.storyId}:${share.network}`}, 0))`);
      scheduledAt = await spreadFromColleagues(tx, { storyId: share.storyId, network: share.network, userId, at: input.scheduledAt, spacingMinutes: settings.shareSpacingMinutes, exceptShareId: share.id });
      if (story?.expiresAt && scheduledAt >= story.expiresAt) throw invalid("afterExpiry", "The story is no longer shared by then", { scheduledAt: ["afterExpiry"] });
    }
    const [after] = await tx.update(shares).set({ text, scheduledAt }).where(and(eq(shares.id, shareId), eq(shares.status, "scheduled"))).returning();
    if (!after) throw conflict("shareNotEditable", "This share can no longer be changed");
    return after;
  });
  if (input.scheduledAt) await enqueuePublish(updated, now.getTime());
  return updated;
}

/** Cancels a share that has not started publishing. */
export async function cancelShare(db: DbOrTx, scope: Scope, userId: string, shareId: string): Promise<Share> {
  const [share] = await db
    .update(shares)
    .set({ status: "cancelled", cancelledAt: new Date(), errorCode: "cancelled_by_user" })
    .where(and(eq(shares.id, shareId), eq(shares.orgId, scope.orgId), eq(shares.userId, userId), eq(shares.status, "scheduled")))
    .returning();
  if (!share) {
    await getMyShare(db, scope, userId, shareId);
    throw conflict("shareNotCancellable", "Publishing has already started");
  }
  await dequeuePublish(share);
  return share;
}

/**
 * Tries a failed share again, now (the reason it failed is kept until it succeeds) — or
 * one that needs attention, once the person has checked it is not on the network.
 */
export async function retryShare(db: DbOrTx, scope: Scope, userId: string, shareId: string, now = new Date()): Promise<Share> {
  const [share] = await db
    .update(shares)
    .set({ status: "scheduled", scheduledAt: now, attempts: 0 })
    .where(
      and(eq(shares.id, shareId), eq(shares.orgId, scope.orgId), eq(shares.userId, userId), inArray(shares.status, ["failed", "needs_attention"]), eq(shares.mode, "api")),
    )
    .returning();
  if (!share) {
    await getMyShare(db, scope, userId, shareId);
    throw conflict("shareNotRetryable", "Only a failed share can be tried again");
  }
  await enqueuePublish(share, now.getTime());
  return share;
}

/** The person checked the network and the post is there: the share counts as published. */
export async function markPosted(db: DbOrTx, scope: Scope, userId: string, shareId: string, now = new Date()): Promise<Share> {
  const [share] = await db
    .update(shares)
    .set({ status: "published", publishedAt: now, errorCode: null })
    .where(and(eq(shares.id, shareId), eq(shares.orgId, scope.orgId), eq(shares.userId, userId), eq(shares.status, "needs_attention")))
    .returning();
  if (!share) {
    await getMyShare(db, scope, userId, shareId);
    throw conflict("shareNotInQuestion", "Only a share whose outcome is unknown can be confirmed");
  }
  await countPublishedNow(db, [share.id]);
  return share;
}

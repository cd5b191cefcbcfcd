import { and, eq, lte, sql } from "drizzle-orm";
import { shares, socialConnections, stories, users, type Share, type SocialConnection } from "@/db/schema";
import { accountContext, connectionTokens, markConnectionBroken } from "@/lib/connections";
import type { Database } from "@/lib/db";
import { isDemoConnection, postToDemoNetwork } from "@/lib/demo-network";
import { checkShareText } from "@/lib/governance/check-text";
import { log } from "@/lib/log";
import { adapterFor } from "@/lib/networks/registry";
import { isConnectable, NetworkError, type PublishedPost } from "@/lib/networks/types";
import { getOrganizationSettings } from "@/lib/orgs";


export type PublishOutcome = "published" | "skipped" | "failed" | "retry";

/** A transient failure the queue should retry, with the network's wait when it said one. */
export class RetryLater extends Error {
  constructor(
    readonly delayMs: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = "RetryLater";
  }
}

/**
 * Publishes one share. The share row is the truth: it moves scheduled → publishing by a
 * guarded UPDATE (so two workers, or a job and a retry, cannot both post it), then to
 * published with the network's id in one write, or to failed with a machine reason the
 * person reads in their language. A transient failure goes back to scheduled and throws
 * RetryLater for the queue; on the last attempt it fails for good.
 */
export async function publishShare(db: Database, shareId: string, options: { now?: Date; lastAttempt?: boolean } = {}): Promise<PublishOutcome> {
  const now = options.now ?? new Date();
  const [share] = await db
    .update(shares)
    .set({ status: "publishing", publishingStartedAt: now, attempts: sql`${shares.attempts} + 1` })
    .where(and(eq(shares.id, shareId), eq(shares.status, "scheduled"), eq(shares.mode, "api"), lte(shares.scheduledAt, new Date(now.getTime() + 2_000))))
    .returning();
  if (!share) return "skipped";

  const fail = (code: string, detail: string) => finish(db, share, { status: "failed", errorCode: code, lastError: detail });
  const [connection] = share.connectionId ? await db.select().from(socialConnections).where(eq(socialConnections.id, share.connectionId)) : [];
  if (!connection) return fail("connection_removed", "The account was disconnected");
  if (connection.status === "revoked" || connection.status === "expired") return fail("connection_expired", `The connection is ${connection.status}`);

  const [story] = await db
    .select({ status: stories.status, expiresAt: stories.expiresAt, title: stories.title, summary: stories.summary, imageUrl: stories.imageUrl, language: stories.language, canonicalUrl: stories.canonicalUrl })
    .from(stories)
    .where(eq(stories.id, share.storyId));
  if (!story || story.status !== "published") return fail("story_withdrawn", "The story is no longer published");
  if (story.expiresAt && story.expiresAt <= now) return fail("story_expired", "The story's sharing window ended");

  // The rules may have changed since the share was scheduled.
  const settings = await getOrganizationSettings(db, share.orgId);
  const check = checkShareText(share.network, share.text, { disclosureHashtag: null, blockedWords: settings.blockedWords, limit: undefined });
  if (check.blocked.length > 0) return fail("text_breaks_rules", `Blocked phrase: ${check.blocked.map((b) => b.phrase).join(", ")}`);

  const link = /https?:\/\/\S+\/r\/[0-9A-Za-z]+/.exec(share.text)?.[0] ?? story.canonicalUrl ?? "";
  const post = { shareId: share.id, text: share.text, language: story.language, link: { url: link, title: story.title, description: story.summary, imageUrl: story.imageUrl } };
  let published: PublishedPost;
  try {
    published = await send(db, connection, post);
  } catch (error) {
    if (error instanceof NetworkError) {
      if (error.transient && !options.lastAttempt) {
        await db.update(shares).set({ status: "scheduled", lastError: error.message }).where(and(eq(shares.id, share.id), eq(shares.status, "publishing")));
        throw new RetryLater(error.retryAfterMs, error.message);
      }
      if (error.kind === "unauthorized") await markConnectionBroken(db, connection, "revoked", error.message).catch((e) => log.error({ err: e }, "could not mark the connection"));
      return fail(`network_${error.kind}`, error.message);
    }
    // Not the network's answer (a bug, the database): back to scheduled and let the queue retry.
    await db.update(shares).set({ status: "scheduled", lastError: String((error as Error).message ?? error) }).where(and(eq(shares.id, share.id), eq(shares.status, "publishing")));
    throw error;
  }
  return finish(db, share, { status: "published", publishedAt: new Date(), externalId: published.externalId, externalUrl: published.url, errorCode: null, lastError: null });
}

async function send(db: Database, connection: SocialConnection, post: Parameters<NonNullable<ReturnType<typeof adapterFor>["publish"]>>[2]): Promise<PublishedPost> {
  if (isDemoConnection(connection)) {
    const [author] = await db.select({ name: users.name }).from(users).where(eq(users.id, connection.userId));
    const made = await postToDemoNetwork(db, { orgId: connection.orgId, connectionId: connection.id, shareId: post.shareId, author: author?.name ?? connection.handle, text: post.text });
    return { externalId: made.id, url: made.url };
  }
  if (!isConnectable(connection.network)) throw new NetworkError(connection.network, "invalid", `${connection.network} has no posting API`);
  const adapter = adapterFor(connection.network);
  if (!adapter.publish) throw new NetworkError(connection.network, "invalid", `Posting to ${connection.network} is not available yet`);
  const tokens = await connectionTokens(db, connection);
  if (!tokens) throw new NetworkError(connection.network, "unauthorized", "The account's tokens were erased");
  return adapter.publish(await accountContext(db, connection), tokens, post);
}

async function finish(db: Database, share: Share, values: Partial<typeof shares.$inferInsert>): Promise<PublishOutcome> {
  await db
    .update(shares)
    .set(values)
    .where(and(eq(shares.id, share.id), eq(shares.status, "publishing")));
  log.info({ shareId: share.id, network: share.network, status: values.status, errorCode: values.errorCode }, "share finished");
  return values.status === "published" ? "published" : "failed";
}


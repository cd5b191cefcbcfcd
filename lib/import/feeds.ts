import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { rssFeeds, stories, type RssFeed } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { DomainError, invalid, notFound } from "@/lib/errors";
import { UnsafeFetchError } from "@/lib/net/safe-fetch";
import { actorUserId, type Scope } from "@/lib/tenant";
import { FeedHttpError, fetchFeed } from "./fetch-feed";
import { capText, NotAFeedError } from "./parse";
import { enqueueFeedFetch, shortFeedError } from "./poll";

export const FEED_TITLE_MAX = 200;

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const feedInputSchema = z.object({
  url: z.string({ error: "required" }).trim().min(1, "required").pipe(z.url({ protocol: /^https?$/, error: "invalidUrl" }).max(2_048, "tooLong")),
  title: z.preprocess(blankToUndefined, z.string().trim().max(FEED_TITLE_MAX, "tooLong").optional()),
});
export type FeedInput = z.input<typeof feedInputSchema>;

export type FeedWithCounts = RssFeed & { importedCount: number };

/** The form a feed URL is stored and compared in (unique per organisation): parsed, without a fragment. */
export function normalizeFeedUrl(raw: string): string {
  const url = new URL(raw.trim());
  url.hash = "";
  return url.href;
}

const feedExists = () => new DomainError(409, "feedExists", "This feed is already in the organisation", { url: ["feedExists"] });

function uniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | null;
  return e?.code === "23505" || e?.cause?.code === "23505";
}

/** The organisation's feeds, oldest first, each with how many stories it has brought in. */
export async function listFeeds(db: DbOrTx, scope: Scope): Promise<FeedWithCounts[]> {
  const rows = await db
    .select({
      feed: rssFeeds,
      // Qualified by hand: inside a sub-select drizzle would print the bare column name.
      importedCount: sql<number>`(select count(*)::int from ${stories} s where s.source_feed_id = "rss_feeds"."id" and s.org_id = "rss_feeds"."org_id")`,
    })
    .from(rssFeeds)
    .where(eq(rssFeeds.orgId, scope.orgId))
    .orderBy(asc(rssFeeds.createdAt), asc(rssFeeds.id));
  return rows.map((r) => ({ ...r.feed, importedCount: r.importedCount }));
}

async function getFeedInOrg(db: DbOrTx, scope: Scope, feedId: string, lock = false): Promise<RssFeed> {
  const query = db
    .select()
    .from(rssFeeds)
    .where(and(eq(rssFeeds.id, feedId), eq(rssFeeds.orgId, scope.orgId)));
  const [feed] = lock ? await query.for("update") : await query;
  if (!feed) throw notFound("Feed");
  return feed;
}

/**
 * Whether a failed first fetch may pass later: no answer, no answer in time, a server error
 * or a request to slow down. Anything else (an internal address, a page that is not a feed,
 * a 404) is the address's fault and refused.
 */
function unreachableForNow(error: unknown): boolean {
  if (error instanceof UnsafeFetchError) return error.reason === "unreachable" || error.reason === "timeout";
  if (error instanceof FeedHttpError) return error.status >= 500 || error.status === 429 || error.status === 408;
  return false;
}

/**
 * Adds a feed after fetching it once: it must parse as RSS, Atom or JSON Feed ("notAFeed")
 * and not point inside (SSRF-safe: a refusal is the field error "preview.<reason>"). A feed
 * that cannot be reached right now (unreachableForNow) is saved with that error in lastError,
 * and the scheduled polls try it again. The title is the feed's own unless one is given (the
 * host while the feed has not answered). Its items come in with the first poll.
 */
export async function addFeed(db: DbOrTx, scope: Scope, raw: unknown): Promise<RssFeed> {
  const input = feedInputSchema.parse(raw);
  const url = normalizeFeedUrl(input.url);
  const [existing] = await db
    .select({ id: rssFeeds.id })
    .from(rssFeeds)
    .where(and(eq(rssFeeds.orgId, scope.orgId), eq(rssFeeds.url, url)));
  if (existing) throw feedExists();

  let feedTitle: string | null = null;
  let lastError: string | null = null;
  try {
    const fetched = await fetchFeed(url);
    feedTitle = fetched.status === "ok" ? fetched.feed.title : null;
  } catch (error) {
    if (unreachableForNow(error)) {
      lastError = shortFeedError(error);
    } else if (error instanceof UnsafeFetchError) {
      throw new DomainError(422, `preview.${error.reason}`, error.message, { url: [`preview.${error.reason}`] });
    } else if (error instanceof NotAFeedError || error instanceof FeedHttpError) {
      throw invalid("notAFeed", error.message, { url: ["notAFeed"] });
    } else {
      throw error;
    }
  }
  const title = input.title ?? (feedTitle ? capText(feedTitle, FEED_TITLE_MAX) : new URL(url).hostname);

  try {
    return await db.transaction(async (tx) => {
      const [feed] = await tx
        .insert(rssFeeds)
        .values({ orgId: scope.orgId, url, title, createdBy: actorUserId(scope), ...(lastError ? { lastError, lastPolledAt: new Date() } : {}) })
        .returning();
      await audit(tx, scope, { action: "feed.create", targetType: "rss_feed", targetId: feed!.id, after: feed });
      return feed!;
    });
  } catch (error) {
    if (uniqueViolation(error)) throw feedExists();
    throw error;
  }
}

/** Pauses (no more polling) or resumes a feed. */
export async function setFeedActive(db: DbOrTx, scope: Scope, feedId: string, active: boolean): Promise<RssFeed> {
  return db.transaction(async (tx) => {
    const before = await getFeedInOrg(tx, scope, feedId, true);
    if (before.active === active) return before;
    const [after] = await tx.update(rssFeeds).set({ active }).where(eq(rssFeeds.id, feedId)).returning();
    await audit(tx, scope, { action: "feed.update", targetType: "rss_feed", targetId: feedId, before, after });
    return after!;
  });
}

/** Removes a feed; the stories it imported stay in the library (their source feed becomes empty). */
export async function removeFeed(db: DbOrTx, scope: Scope, feedId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await getFeedInOrg(tx, scope, feedId, true);
    await tx.delete(rssFeeds).where(eq(rssFeeds.id, feedId));
    await audit(tx, scope, { action: "feed.delete", targetType: "rss_feed", targetId: feedId, before });
  });
}

/** Queues a fetch of one of the organisation's feeds now ("Fetch now"); a second click within the minute is the same job. */
export async function requestFeedFetch(db: DbOrTx, scope: Scope, feedId: string): Promise<{ jobId: string }> {
  const feed = await getFeedInOrg(db, scope, feedId);
  return enqueueFeedFetch(feed.id, "manual");
}

import { and, eq, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import { rssFeeds, stories, type Locale, type RssFeed } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { log } from "@/lib/log";
import { getOrganizationSettings } from "@/lib/orgs";
import { fetchLinkPreview, type LinkPreview } from "@/lib/preview/link-preview";
import { enqueue } from "@/lib/queue";
import { createStory, STORY_LIMITS } from "@/lib/stories";
import { trustedScope } from "@/lib/tenant";
import { fetchFeed } from "./fetch-feed";
import { normalizeItemUrl, urlStem } from "./normalize-url";
import { capText, htmlToText, type FeedItem } from "./parse";

/** New items turned into drafts per poll, newest first; the rest come with the next poll. */
export const MAX_NEW_ITEMS_PER_POLL = 20;
/** Link previews fetched at the same time during one poll. */
const PREVIEW_CONCURRENCY = 4;
const ERROR_MAX = 300;
const POLL_INTERVAL_MS = 15 * 60_000;

export type PollResult = {
  /** notModified: the server answered 304; missing: the feed was removed before the job ran. */
  status: "notModified" | "imported" | "missing";
  created: number;
  /** Items not made into drafts: no usable link, already in the library, repeated in the feed, or refused by the rules. */
  skipped: number;
};

/** One line, short, for the feed's lastError column (the editor sees it): no stack, no newlines. */
export function shortFeedError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return capText(message.replace(/\s+/g, " ").trim() || "Unknown error", ERROR_MAX);
}

/**
 * The normalised forms of the URLs among `urls` that are already a story's canonical
 * URL in the organisation. Candidates are found by scheme, host and path in SQL and then
 * compared exactly after normalising, so "…?utm_source=x#top" matches "…".
 */
async function urlsInLibrary(db: DbOrTx, orgId: string, urls: string[]): Promise<Set<string>> {
  if (urls.length === 0) return new Set();
  const stems = [...new Set(urls.map(urlStem))];
  const rows = await db
    .select({ url: stories.canonicalUrl })
    .from(stories)
    .where(
      and(
        eq(stories.orgId, orgId),
        isNotNull(stories.canonicalUrl),
        sql`rtrim(lower(split_part(split_part(${stories.canonicalUrl}, '#', 1), '?', 1)), '/') in ${stems}`,
      ),
    );
  const wanted = new Set(urls);
  const found = new Set<string>();
  for (const row of rows) {
    const normalized = normalizeItemUrl(row.url);
    if (normalized && wanted.has(normalized)) found.add(normalized);
  }
  return found;
}

/** Runs `task` over `items` with at most `limit` at a time, results in input order. */
async function mapLimited<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const validHttpUrl = (value: string | null | undefined): string | null => {
  if (!value || value.length > STORY_LIMITS.url) return null;
  return normalizeItemUrl(value) ? value : null;
};

type Candidate = { item: FeedItem; url: string };

/** The draft for one item: the page's preview first, the item's own fields as the fallback. */
function draftFor(candidate: Candidate, preview: LinkPreview | null, fallbackLanguage: Locale) {
  const { item, url } = candidate;
  const title = preview?.title ?? item.title ?? new URL(url).hostname;
  const summary = item.summary ?? htmlToText(preview?.description) ?? "";
  return {
    title: capText(title, STORY_LIMITS.title),
    summary: capText(summary, STORY_LIMITS.summary),
    canonicalUrl: url,
    imageUrl: validHttpUrl(preview?.imageUrl) ?? validHttpUrl(item.imageUrl),
    language: preview?.language ?? item.language ?? fallbackLanguage,
  };
}

async function recordFailure(db: DbOrTx, feed: RssFeed, error: unknown) {
  await db.update(rssFeeds).set({ lastPolledAt: new Date(), lastError: shortFeedError(error) }).where(eq(rssFeeds.id, feed.id));
}

/**
 * Polls one feed as the system: a conditional GET; each new link becomes a draft (at most 20,
 * newest first) under an advisory lock per (organisation, URL), so concurrent polls cannot
 * create it twice. Failures go to lastError and throw; items the rules refuse are skipped.
 */
export async function pollFeed(db: DbOrTx, feedId: string): Promise<PollResult> {
  const [feed] = await db.select().from(rssFeeds).where(eq(rssFeeds.id, feedId));
  if (!feed) return { status: "missing", created: 0, skipped: 0 };
  const scope = trustedScope(feed.orgId, { kind: "system" });

  try {
    const fetched = await fetchFeed(feed.url, { etag: feed.etag, lastModified: feed.lastModified });
    if (fetched.status === "notModified") {
      await db.update(rssFeeds).set({ lastPolledAt: new Date(), lastError: null }).where(eq(rssFeeds.id, feed.id));
      return { status: "notModified", created: 0, skipped: 0 };
    }

    // Items with a usable link, once each, newest first (undated ones keep the feed's order, after the dated).
    let skipped = 0;
    const seen = new Set<string>();
    const candidates: Candidate[] = [];
    for (const item of fetched.feed.items) {
      const url = normalizeItemUrl(item.link);
      if (!url || url.length > STORY_LIMITS.url || seen.has(url)) {
        skipped++;
        continue;
      }
      seen.add(url);
      candidates.push({ item, url });
    }
    const time = (c: Candidate) => c.item.published?.getTime() ?? Number.NEGATIVE_INFINITY;
    candidates.sort((a, b) => (time(a) === time(b) ? 0 : time(b) > time(a) ? 1 : -1));

    const known = await urlsInLibrary(db, feed.orgId, candidates.map((c) => c.url));
    const fresh = candidates.filter((c) => !known.has(c.url));
    skipped += candidates.length - fresh.length;
    const batch = fresh.slice(0, MAX_NEW_ITEMS_PER_POLL);
    const deferred = fresh.length - batch.length;

    const fallbackLanguage = fetched.feed.language ?? (await getOrganizationSettings(db, feed.orgId)).locale;
    const previews = await mapLimited(batch, PREVIEW_CONCURRENCY, (c) =>
      fetchLinkPreview(c.url).catch((error: unknown) => {
        log.debug({ err: error, feedId: feed.id, url: c.url }, "link preview failed; using the feed item's own fields");
        return null;
      }),
    );

    // Oldest of the batch first, so the newest item is also the newest draft in the library.
    let created = 0;
    for (let i = batch.length - 1; i >= 0; i--) {
      const candidate = batch[i]!;
      const draft = draftFor(candidate, previews[i] ?? null, fallbackLanguage);
      try {
        const made = await db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`story-url:${feed.orgId}:${candidate.url}`}, 0))`);
          if ((await urlsInLibrary(tx, feed.orgId, [candidate.url])).has(candidate.url)) return false;
          await createStory(tx, scope, draft, { source: "rss", sourceFeedId: feed.id });
          return true;
        });
        if (made) created++;
        else skipped++;
      } catch (error) {
        if (!(error instanceof DomainError || error instanceof z.ZodError)) throw error;
        skipped++;
        log.info({ feedId: feed.id, url: candidate.url, code: error instanceof DomainError ? error.code : "invalidInput" }, "feed item refused by the story rules");
      }
    }

    // With items left over, forget the validators: the next poll must get the whole feed, not a 304.
    await db
      .update(rssFeeds)
      .set({
        etag: deferred > 0 ? null : fetched.etag,
        lastModified: deferred > 0 ? null : fetched.lastModified,
        lastPolledAt: new Date(),
        lastError: null,
      })
      .where(eq(rssFeeds.id, feed.id));
    if (created > 0 || deferred > 0) log.info({ feedId: feed.id, orgId: feed.orgId, created, skipped, deferred }, "feed imported");
    return { status: "imported", created, skipped };
  } catch (error) {
    await recordFailure(db, feed, error).catch((recordError: unknown) => log.error({ err: recordError, feedId: feed.id }, "could not record the feed's error"));
    throw error;
  }
}

/** Which 15-minute round a time falls in: one scheduled fetch per feed per round. */
export const pollRound = (now: Date) => Math.floor(now.getTime() / POLL_INTERVAL_MS);

/** Queues "feed.fetch" for one feed; the job id makes a repeat in the same round (or minute, for "manual") a no-op. */
export async function enqueueFeedFetch(feedId: string, kind: "scheduled" | "manual", now = new Date()): Promise<{ jobId: string }> {
  const jobId = kind === "scheduled" ? `feed-${feedId}-${pollRound(now)}` : `feed-${feedId}-now-${Math.floor(now.getTime() / 60_000)}`;
  await enqueue("import", "feed.fetch", { feedId }, { jobId });
  return { jobId };
}

/** The scheduler's round: queues a fetch of every active feed, of every organisation. */
export async function pollDueFeeds(db: DbOrTx, now = new Date()): Promise<{ queued: number }> {
  const feeds = await db.select({ id: rssFeeds.id }).from(rssFeeds).where(eq(rssFeeds.active, true));
  for (let i = 0; i < feeds.length; i += 50) {
    await Promise.all(feeds.slice(i, i + 50).map((feed) => enqueueFeedFetch(feed.id, "scheduled", now)));
  }
  return { queued: feeds.length };
}

import { createHash } from "node:crypto";
import { and, desc, eq, gt, isNotNull, isNull, ne, sql } from "drizzle-orm";
import { media, stories, type Story } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { PermanentFailure } from "@/lib/errors";
import { log } from "@/lib/log";
import { MAX_IMAGE_BYTES, saveImage, sniffImage } from "@/lib/media";
import { safeFetch, UnsafeFetchError } from "@/lib/net/safe-fetch";
import { enqueue, enqueueBulk } from "@/lib/queue";
import { isStorageKey } from "@/lib/storage";
import { trustedScope } from "@/lib/tenant";

/**
 * Story images are stored and served by Ripple, never hot-linked: a story's imageUrl is
 * the image as given, imageKey the stored copy. An upload of our own is known at once;
 * anything else is fetched SSRF-safe by the import queue after the story is saved, so
 * the editor never waits on someone else's server. No copy: the feed shows a placeholder.
 */

const FETCH_TIMEOUT_MS = 10_000;
/** Images queued again by the sweep: stories changed this recently whose copy is missing. */
const SWEEP_WINDOW_MS = 2 * 24 * 3_600_000;
const SWEEP_BATCH = 500;

const urlHash = (url: string) => createHash("sha256").update(url).digest("hex").slice(0, 16);

/** One job per story and image URL: saving the story twice queues one fetch. */
export const storyImageJobId = (storyId: string, url: string) => `story-image-${storyId}-${urlHash(url)}`;

/**
 * The media key when `url` is one of this organisation's own uploads (/media/<key>, on
 * whatever host the editor saw), else null. Another organisation's key is not ours.
 */
export async function ownMediaKey(db: DbOrTx, orgId: string, url: string | null | undefined): Promise<string | null> {
  if (!url) return null;
  let path: string;
  try {
    path = new URL(url, "http://ripple.invalid").pathname;
  } catch {
    return null;
  }
  const match = /^\/media\/(.+)$/.exec(path);
  if (!match) return null;
  const key = decodeURIComponent(match[1]!);
  if (!isStorageKey(key) || !key.startsWith(`${orgId}/`)) return null;
  const [row] = await db.select({ key: media.key }).from(media).where(and(eq(media.key, key), eq(media.orgId, orgId))).limit(1);
  return row ? key : null;
}

const jobOptions = (storyId: string, url: string) => ({
  jobId: storyImageJobId(storyId, url),
  attempts: 3,
  backoff: { type: "exponential" as const, delay: 5_000 },
});

/**
 * After a story is saved: queues the copy of an outside image. A queue outage is logged,
 * not fatal: the sweep queues it again.
 */
export async function queueStoryImage(story: Pick<Story, "id" | "imageUrl" | "imageKey">): Promise<void> {
  if (!story.imageUrl || story.imageKey) return;
  try {
    await enqueue("import", "story.image", { storyId: story.id, urlHash: urlHash(story.imageUrl) }, jobOptions(story.id, story.imageUrl));
  } catch (error) {
    log.warn({ err: error, storyId: story.id }, "story image not queued; the sweep will queue it");
  }
}

export type StoreImageResult = { status: "stored"; key: string } | { status: "stale" };

/**
 * The job: fetches the story's image (no private addresses, at most 5 MB, 10 s, three
 * redirects), checks by its bytes that it is an image, stores it and sets imageKey, unless
 * the story's image changed meanwhile. A slow or failing server is retried; a refusal,
 * an error answer or something that is not an image fails for good (imageKey stays null).
 */
export async function storeStoryImage(db: DbOrTx, storyId: string, expectedHash: string): Promise<StoreImageResult> {
  const [story] = await db.select({ id: stories.id, orgId: stories.orgId, imageUrl: stories.imageUrl, imageKey: stories.imageKey }).from(stories).where(eq(stories.id, storyId));
  // Queued from inside a transaction (a feed import) the story may not be committed yet: retry.
  if (!story) throw new Error(`Story ${storyId} not found (yet)`);
  if (!story.imageUrl || urlHash(story.imageUrl) !== expectedHash) return { status: "stale" };
  if (story.imageKey) return { status: "stored", key: story.imageKey };

  const key = (await ownMediaKey(db, story.orgId, story.imageUrl)) ?? (await fetchAndSave(db, story.orgId, story.imageUrl));
  const [updated] = await db
    .update(stories)
    // The copy is not an edit: updatedAt stays.
    .set({ imageKey: key, updatedAt: sql`${stories.updatedAt}` })
    .where(and(eq(stories.id, story.id), eq(stories.imageUrl, story.imageUrl)))
    .returning({ id: stories.id });
  return updated ? { status: "stored", key } : { status: "stale" };
}

async function fetchAndSave(db: DbOrTx, orgId: string, url: string): Promise<string> {
  let response;
  try {
    response = await safeFetch(url, {
      maxBytes: MAX_IMAGE_BYTES,
      timeoutMs: FETCH_TIMEOUT_MS,
      maxRedirects: 3,
      headers: { accept: "image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1" },
    });
  } catch (error) {
    if (error instanceof UnsafeFetchError && error.reason !== "timeout" && error.reason !== "unreachable") {
      throw new PermanentFailure(`Story image refused: ${error.message}`);
    }
    throw error;
  }
  if (response.status === 429 || response.status >= 500) throw new Error(`The image server answered ${response.status}`);
  if (response.status < 200 || response.status >= 300) throw new PermanentFailure(`The image server answered ${response.status}`);
  if (response.body.length === 0 || !sniffImage(response.body)) throw new PermanentFailure("The image URL did not answer with a PNG, JPEG, WebP or GIF image");
  const saved = await saveImage(db, trustedScope(orgId, { kind: "system" }), response.body);
  return saved.key;
}

/**
 * Queues story.image again for stories changed in the last two days that have an image
 * URL but no copy. Job ids repeat, so a fetch BullMQ still remembers (done or failed) is
 * not made twice; only jobs Redis lost come back.
 */
export async function sweepStoryImages(db: DbOrTx, now = new Date()): Promise<{ queued: number }> {
  const rows = await db
    .select({ id: stories.id, imageUrl: stories.imageUrl })
    .from(stories)
    .where(
      and(
        isNotNull(stories.imageUrl),
        isNull(stories.imageKey),
        ne(stories.status, "archived"),
        gt(stories.updatedAt, new Date(now.getTime() - SWEEP_WINDOW_MS)),
      ),
    )
    .orderBy(desc(stories.updatedAt))
    .limit(SWEEP_BATCH);
  if (rows.length === 0) return { queued: 0 };
  await enqueueBulk(
    "import",
    "story.image",
    rows.map((r) => ({ data: { storyId: r.id, urlHash: urlHash(r.imageUrl!) }, options: jobOptions(r.id, r.imageUrl!) })),
  );
  return { queued: rows.length };
}

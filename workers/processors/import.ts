import { db } from "@/lib/db";
import { pollDueFeeds, pollFeed } from "@/lib/import";
import { log } from "@/lib/log";
import { storeStoryImage, sweepStoryImages } from "@/lib/stories";
import type { Processors } from "../runtime";

/**
 * The import queue: every 15 minutes "feeds.poll" queues one "feed.fetch" per active
 * feed; each fetch turns the feed's new items into draft stories. A failed fetch throws
 * (after pollFeed has written the feed's lastError), so BullMQ records the failure.
 * "story.image" stores a copy of a story's outside image; its sweep re-queues lost ones.
 */
export function importProcessors(): Processors<"import"> {
  return {
    "feeds.poll": async () => {
      const result = await pollDueFeeds(db());
      if (result.queued > 0) log.debug(result, "feed fetches queued");
      return result;
    },
    "feed.fetch": async ({ feedId }) => pollFeed(db(), feedId),
    "story.image": async ({ storyId, urlHash }) => storeStoryImage(db(), storyId, urlHash),
    "story.images.sweep": async () => sweepStoryImages(db()),
  };
}

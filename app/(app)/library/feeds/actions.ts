"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { addFeed, enqueueFeedFetch, feedInputSchema, removeFeed, requestFeedFetch, setFeedActive } from "@/lib/import";
import { log } from "@/lib/log";

const editor = ["editor"] as const;
const PATH = "/library/feeds";
/** A checkbox or hidden field arrives as a string. */
const flag = z.preprocess((v) => (v === "true" || v === "on" ? true : v === "false" ? false : v), z.boolean());

export const addFeedAction = action({ roles: editor, input: feedInputSchema }, async (input, ctx) => {
  const feed = await addFeed(ctx.db, ctx.scope, input);
  // The feed stands even if the queue is down; the scheduled round picks it up then.
  await enqueueFeedFetch(feed.id, "manual").catch((error: unknown) => log.error({ err: error, feedId: feed.id }, "could not queue the first fetch of a new feed"));
  revalidatePath(PATH);
  // Saved although it did not answer: the form says so, with the reason.
  return { id: feed.id, title: feed.title ?? feed.url, unreachable: feed.lastError };
});

export const setFeedActiveAction = action({ roles: editor, input: z.object({ feedId: z.uuid(), active: flag }) }, async ({ feedId, active }, ctx) => {
  const feed = await setFeedActive(ctx.db, ctx.scope, feedId, active);
  revalidatePath(PATH);
  return { active: feed.active };
});

export const removeFeedAction = action({ roles: editor, input: z.object({ feedId: z.uuid() }) }, async ({ feedId }, ctx) => {
  await removeFeed(ctx.db, ctx.scope, feedId);
  revalidatePath(PATH);
  return true;
});

export const fetchFeedNowAction = action({ roles: editor, input: z.object({ feedId: z.uuid() }) }, async ({ feedId }, ctx) => {
  await requestFeedFetch(ctx.db, ctx.scope, feedId);
  return true;
});

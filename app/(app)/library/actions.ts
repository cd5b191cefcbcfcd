"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { networkIds } from "@/lib/networks";
import { action } from "@/lib/auth/guard";
import { checkEmployeeText } from "@/lib/shares";
import { approveStory, archiveStory, createStory, moveDaysSchema, moveStoryWindow, previewForEditor, rejectStory, submitStory, updateStory } from "@/lib/stories";
import { localToInstant, isLocalDateTime } from "@/lib/time";
import { createTopic, deleteTopic, renameTopic, topicNameSchema } from "@/lib/topics";
import { timeZoneOf } from "../time-zone";

const editor = ["editor"] as const;
const id = z.uuid();

/** "2026-11-28T08:00" in the editor's zone → ISO instant; "" → null; anything else is left for zod to refuse. */
function instant(value: unknown, zone: string): unknown {
  if (value === "" || value === null) return null;
  return typeof value === "string" && isLocalDateTime(value) ? localToInstant(value, zone).toISOString() : value;
}

const storyForm = z.object({ storyId: id.optional(), story: z.record(z.string(), z.unknown()) });

/** Creates a story (no id) or saves changes to one; dates arrive as wall-clock times. */
export const saveStoryAction = action({ roles: editor, input: storyForm }, async ({ storyId, story }, ctx) => {
  const zone = await timeZoneOf(ctx);
  const input = { ...story, publishAt: instant(story.publishAt, zone), expiresAt: instant(story.expiresAt, zone) };
  const saved = storyId ? await updateStory(ctx.db, ctx.scope, storyId, input) : await createStory(ctx.db, ctx.scope, input);
  revalidatePath("/library", "layout");
  return { id: saved.id, status: saved.status };
});

/** Moves a story that is not live yet by whole days (the calendar's drag and its buttons). */
export const moveStoryWindowAction = action({ roles: editor, input: z.object({ storyId: id, days: moveDaysSchema }) }, async ({ storyId, days }, ctx) => {
  const story = await moveStoryWindow(ctx.db, ctx.scope, storyId, days, await timeZoneOf(ctx));
  revalidatePath("/library", "layout");
  return { publishAt: story.publishAt?.toISOString() ?? null, expiresAt: story.expiresAt?.toISOString() ?? null };
});

export const previewLinkAction = action({ roles: editor, input: z.object({ url: z.url({ protocol: /^https?$/, error: "invalidUrl" }) }) }, async ({ url }) => previewForEditor(url));

/**
 * Measures a share text the way its network counts, with the organisation's disclosure
 * tag and blocked phrases applied: the editor's live counter (and, later, compose's).
 */
export const checkTextAction = action(
  { roles: ["editor", "employee"], input: z.object({ network: z.enum(networkIds), text: z.string().max(10_000) }) },
  async ({ network, text }, ctx) => checkEmployeeText(ctx.db, ctx.scope, { network, text, userId: ctx.userId }),
);

const lifecycleInput = z.object({ storyId: id });

export const submitStoryAction = action({ roles: editor, input: lifecycleInput }, async ({ storyId }, ctx) => {
  await submitStory(ctx.db, ctx.scope, storyId);
  revalidatePath("/library", "layout");
  return true;
});

export const approveStoryAction = action({ roles: editor, input: lifecycleInput }, async ({ storyId }, ctx) => {
  const story = await approveStory(ctx.db, ctx.scope, storyId);
  revalidatePath("/library", "layout");
  return { status: story.status };
});

export const rejectStoryAction = action({ roles: editor, input: lifecycleInput.extend({ note: z.string().max(1000, "tooLong") }) }, async ({ storyId, note }, ctx) => {
  await rejectStory(ctx.db, ctx.scope, storyId, note);
  revalidatePath("/library", "layout");
  return true;
});

export const archiveStoryAction = action({ roles: editor, input: lifecycleInput.extend({ reason: z.string().max(1000, "tooLong").optional() }) }, async ({ storyId, reason }, ctx) => {
  const { cancelledShares } = await archiveStory(ctx.db, ctx.scope, storyId, reason);
  revalidatePath("/library", "layout");
  return { cancelledShares };
});

export const createTopicAction = action({ roles: editor, input: z.object({ name: topicNameSchema }) }, async ({ name }, ctx) => {
  const topic = await createTopic(ctx.db, ctx.scope, name);
  revalidatePath("/library", "layout");
  return { id: topic.id };
});

export const renameTopicAction = action({ roles: editor, input: z.object({ topicId: id, name: topicNameSchema }) }, async ({ topicId, name }, ctx) => {
  await renameTopic(ctx.db, ctx.scope, topicId, name);
  revalidatePath("/library", "layout");
  return true;
});

export const deleteTopicAction = action({ roles: editor, input: z.object({ topicId: id }) }, async ({ topicId }, ctx) => {
  await deleteTopic(ctx.db, ctx.scope, topicId);
  revalidatePath("/library", "layout");
  return true;
});

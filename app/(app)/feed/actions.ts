"use server";

import { action } from "@/lib/auth/guard";
import { suggestionSchema, suggestStory } from "@/lib/stories";

/** An employee suggests a story: it lands in the editors' review queue. */
export const suggestStoryAction = action({ roles: ["employee"], input: suggestionSchema }, async (input, ctx) => {
  const story = await suggestStory(ctx.db, ctx.scope, input);
  return { title: story.title };
});

import { z } from "zod";
import { localeIds, networkIds, storyStatusIds } from "@/db/schema";

/**
 * The shape of a story at every boundary (editor form, REST API, OpenAPI document), in
 * one place. Limits are generous for people and strict for abuse.
 */

export const STORY_LIMITS = {
  title: 200,
  summary: 600,
  body: 20_000,
  url: 2_048,
  variantText: 5_000,
  variants: 60,
  topics: 20,
  audiences: 50,
} as const;

const httpUrl = z
  .url({ protocol: /^https?$/, error: "invalidUrl" })
  .max(STORY_LIMITS.url, "tooLong");

/** Empty strings from forms mean "not set". */
const blankToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);

const optionalUrl = z.preprocess(blankToNull, httpUrl.nullable().optional());
const optionalDate = z.preprocess(blankToNull, z.coerce.date({ error: "invalidDate" }).nullable().optional());

export const variantInputSchema = z.object({
  network: z.enum(networkIds),
  language: z.enum(localeIds),
  text: z.string().trim().min(1, "required").max(STORY_LIMITS.variantText, "tooLong"),
  /** Written with the organisation's language model (and kept, perhaps edited, by the editor). */
  assisted: z.boolean().default(false),
});
export type VariantInput = z.infer<typeof variantInputSchema>;

export const storyInputSchema = z
  .object({
    title: z.string().trim().min(1, "required").max(STORY_LIMITS.title, "tooLong"),
    summary: z.string().trim().max(STORY_LIMITS.summary, "tooLong").default(""),
    body: z.string().max(STORY_LIMITS.body, "tooLong").default(""),
    canonicalUrl: optionalUrl,
    imageUrl: optionalUrl,
    language: z.enum(localeIds),
    topicIds: z.array(z.uuid()).max(STORY_LIMITS.topics, "tooMany").default([]),
    audienceTeamIds: z.array(z.uuid()).max(STORY_LIMITS.audiences, "tooMany").default([]),
    publishAt: optionalDate,
    expiresAt: optionalDate,
    pinned: z.boolean().default(false),
    variants: z.array(variantInputSchema).max(STORY_LIMITS.variants, "tooMany").default([]),
  })
  .superRefine((story, ctx) => {
    if (story.publishAt && story.expiresAt && story.expiresAt <= story.publishAt) {
      ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "expiresBeforePublish" });
    }
  });
export type StoryInput = z.infer<typeof storyInputSchema>;

/** A partial update: only the fields sent change (API PATCH). */
export const storyPatchSchema = z
  .object({
    title: z.string().trim().min(1, "required").max(STORY_LIMITS.title, "tooLong"),
    summary: z.string().trim().max(STORY_LIMITS.summary, "tooLong"),
    body: z.string().max(STORY_LIMITS.body, "tooLong"),
    canonicalUrl: optionalUrl,
    imageUrl: optionalUrl,
    language: z.enum(localeIds),
    topicIds: z.array(z.uuid()).max(STORY_LIMITS.topics, "tooMany"),
    audienceTeamIds: z.array(z.uuid()).max(STORY_LIMITS.audiences, "tooMany"),
    publishAt: optionalDate,
    expiresAt: optionalDate,
    pinned: z.boolean(),
    variants: z.array(variantInputSchema).max(STORY_LIMITS.variants, "tooMany"),
  })
  .partial();
export type StoryPatch = z.infer<typeof storyPatchSchema>;

export const storyFilterSchema = z.object({
  status: z.enum(storyStatusIds).optional(),
  topicId: z.uuid().optional(),
  teamId: z.uuid().optional(),
  language: z.enum(localeIds).optional(),
  q: z.string().trim().max(200).optional(),
});
export type StoryFilter = z.infer<typeof storyFilterSchema>;

/** An employee's suggestion: a link and a line about why it is worth sharing. */
export const suggestionSchema = z.object({
  url: httpUrl,
  note: z.string().trim().min(1, "required").max(500, "tooLong"),
});

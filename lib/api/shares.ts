import { z } from "zod";
import { networkIds, shareStatusIds, type Share } from "@/db/schema";

/** A share as the API shows it (never another person's). */
export const shareResourceSchema = z.object({
  id: z.uuid(),
  storyId: z.uuid(),
  connectionId: z.uuid().nullable(),
  network: z.enum(networkIds),
  mode: z.enum(["api", "intent"]),
  text: z.string(),
  /** Written with help: from a suggested text the model wrote, or rewritten or translated with writing help. */
  assisted: z.boolean(),
  status: z.enum(shareStatusIds),
  scheduledAt: z.iso.datetime(),
  publishedAt: z.iso.datetime().nullable(),
  externalUrl: z.string().nullable(),
  errorCode: z.string().nullable(),
  /** POST only: whether the publish job is queued (201) or the share is saved and will be queued by the reconciler within a minute (202). */
  queued: z.boolean().optional(),
});
export type ShareResource = z.infer<typeof shareResourceSchema>;

export function toShareResource(share: Share): ShareResource {
  return {
    id: share.id,
    storyId: share.storyId,
    connectionId: share.connectionId,
    network: share.network,
    mode: share.mode,
    text: share.text,
    assisted: share.assisted,
    status: share.status,
    scheduledAt: share.scheduledAt.toISOString(),
    publishedAt: share.publishedAt?.toISOString() ?? null,
    externalUrl: share.externalUrl,
    errorCode: share.errorCode,
  };
}

/** POST /api/v1/shares: one share from one of the caller's connected accounts. */
export const shareCreateBodySchema = z
  .object({
    storyId: z.uuid(),
    connectionId: z.uuid(),
    text: z.string().max(10_000),
    variantId: z.uuid().nullable().optional(),
    /** The text was written with writing help (/api/v1/writing/…): recorded on the share. */
    assisted: z.boolean().optional(),
    /** Absent: now. */
    scheduledAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const shareIdParamsSchema = z.object({ id: z.uuid() });

/** POST /api/v1/compose/check. */
export const composeCheckBodySchema = z
  .object({
    network: z.enum(networkIds),
    text: z.string().max(10_000),
    /** With the story, the text is counted with its tracked link and compared with colleagues' posts. */
    storyId: z.uuid().optional(),
    /** With a Mastodon account, its instance's own limit applies. */
    connectionId: z.uuid().optional(),
  })
  .strict();


export const feedItemSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  summary: z.string(),
  canonicalUrl: z.string().nullable(),
  imageUrl: z.string().nullable(),
  language: z.enum(["da", "en"]),
  pinned: z.boolean(),
  liveAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
});
export const feedListSchema = z.object({ data: z.array(feedItemSchema), nextCursor: z.string().nullable() });

/** GET /api/v1/feed (the cursor is opaque: pass nextCursor back). */
export const feedQueryDocSchema = z
  .object({
    topicId: z.uuid().optional(),
    language: z.enum(["da", "en"]).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

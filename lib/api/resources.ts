import { z } from "zod";
import { localeIds, membershipStatusEnum, networkIds, roleIds, storySourceEnum, storyStatusIds } from "@/db/schema";
import type { TeamWithCounts } from "@/lib/teams";
import type { TopicWithCount } from "@/lib/topics";
import type { StoryDetail } from "@/lib/stories/queries";
import { storyFilterSchema, storyInputSchema, storyPatchSchema } from "@/lib/stories/schemas";

/**
 * REST API v1's zod schemas: the route handlers validate with them and the OpenAPI document
 * is generated from them, so the two cannot drift. Schemas and types only, so the document
 * builds without a database or queue.
 */

const isoDateTime = z.iso.datetime();
const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

// ── Requests ────────────────────────────────────────────────────────────────────────

/**
 * Request bodies are strict: an unknown field (a typo, or a read-only one such as
 * `status`) is a 422 naming it rather than a change silently not made.
 */
export const storyCreateBodySchema = storyInputSchema.strict();
export const storyPatchBodySchema = storyPatchSchema.strict();

export const archiveStoryBodySchema = z
  .object({ reason: z.string().trim().max(1000, "tooLong").optional().describe("Why the story is withdrawn; kept in its history.") })
  .strict();

/** Endpoints without query parameters refuse any (400), as the list endpoints refuse unknown ones. */
export const noQuerySchema = z.object({}).strict();

export const storyIdParamsSchema = z.object({ id: z.uuid() });

/** A keyset position in the story list: the last story's updatedAt and id. */
export type StoryCursor = { updatedAt: Date; id: string };

const cursorPayload = z.tuple([isoDateTime, z.uuid()]);

/** Opaque to clients: base64url of the JSON pair [updatedAt ISO, id]. */
export function encodeCursor(position: StoryCursor): string {
  return Buffer.from(JSON.stringify([position.updatedAt.toISOString(), position.id])).toString("base64url");
}

export function decodeCursor(cursor: string): StoryCursor | null {
  try {
    const parsed = cursorPayload.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return parsed.success ? { updatedAt: new Date(parsed.data[0]), id: parsed.data[1] } : null;
  } catch {
    return null;
  }
}

/**
 * GET /api/v1/stories: the library filters, a page size and the cursor from the previous
 * page. Strict like every v1 query: an unknown parameter is a 400, not ignored.
 */
export const storyListQuerySchema = storyFilterSchema
  .extend({
    limit: z.coerce.number().int().min(1).max(100).default(50).describe("Stories per page, 1–100."),
    cursor: z
      .string()
      .max(200)
      .transform((value, ctx) => {
        const position = decodeCursor(value);
        if (!position) {
          ctx.addIssue({ code: "custom", message: "invalidCursor" });
          return z.NEVER;
        }
        return position;
      })
      .optional()
      .describe("`nextCursor` of the previous page; omit for the first page."),
  })
  .strict();

/** GET /api/v1/members (documented here; the route declares the same filter). */
export const memberListQuerySchema = z
  .object({ status: z.enum(membershipStatusEnum.enumValues).optional(), q: z.string().max(200).optional() })
  .strict();

// ── Responses ───────────────────────────────────────────────────────────────────────

export const storyResourceSchema = z
  .object({
    id: z.uuid(),
    slug: z.string().describe("Unique in the organisation; used as utm_campaign."),
    title: z.string(),
    summary: z.string(),
    body: z.string().describe("Markdown."),
    canonicalUrl: z.string().nullable(),
    imageUrl: z.string().nullable(),
    language: z.enum(localeIds),
    status: z.enum(storyStatusIds),
    source: z.enum(storySourceEnum.enumValues),
    pinned: z.boolean(),
    publishAt: isoDateTime.nullable(),
    expiresAt: isoDateTime.nullable(),
    publishedAt: isoDateTime.nullable(),
    archivedAt: isoDateTime.nullable(),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
    topicIds: z.array(z.uuid()),
    audienceTeamIds: z.array(z.uuid()).describe("Empty: the whole organisation. A team includes its sub-teams."),
    variants: z
      .array(z.object({ network: z.enum(networkIds), language: z.enum(localeIds), text: z.string() }))
      .describe("Suggested share text per network and language, in order."),
  })
  .strict();
export type StoryResource = z.infer<typeof storyResourceSchema>;

/** The one story shape every v1 response uses. */
export function toStoryResource(story: StoryDetail): StoryResource {
  return {
    id: story.id,
    slug: story.slug,
    title: story.title,
    summary: story.summary,
    body: story.body,
    canonicalUrl: story.canonicalUrl,
    imageUrl: story.imageUrl,
    language: story.language,
    status: story.status,
    source: story.source,
    pinned: story.pinned,
    publishAt: isoOrNull(story.publishAt),
    expiresAt: isoOrNull(story.expiresAt),
    publishedAt: isoOrNull(story.publishedAt),
    archivedAt: isoOrNull(story.archivedAt),
    createdAt: iso(story.createdAt),
    updatedAt: iso(story.updatedAt),
    topicIds: story.topicIds,
    audienceTeamIds: story.audienceTeamIds,
    variants: story.variants.map((v) => ({ network: v.network, language: v.language, text: v.text })),
  };
}

export const storyListSchema = z.object({
  data: z.array(storyResourceSchema),
  nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page."),
});

export const archiveResultSchema = z.object({
  story: storyResourceSchema,
  cancelledShares: z.int().min(0).describe("Scheduled shares of the story that were cancelled."),
});

export const topicResourceSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  storyCount: z.int().min(0),
});
export type TopicResource = z.infer<typeof topicResourceSchema>;

export function toTopicResource(topic: TopicWithCount): TopicResource {
  return { id: topic.id, name: topic.name, slug: topic.slug, storyCount: topic.storyCount };
}

export const teamResourceSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  parentId: z.uuid().nullable().describe("The team above; null for a top-level team."),
});
export type TeamResource = z.infer<typeof teamResourceSchema>;

export function toTeamResource(team: TeamWithCounts): TeamResource {
  return { id: team.id, name: team.name, parentId: team.parentId };
}

export const topicListSchema = z.object({ data: z.array(topicResourceSchema) });
export const teamListSchema = z.object({ data: z.array(teamResourceSchema) });

/** GET /api/v1/me, as app/api/v1/me/route.ts answers it. */
export const meResourceSchema = z.object({
  user: z.object({ id: z.string(), email: z.string().nullable(), name: z.string().nullable() }),
  organization: z.object({ id: z.uuid(), name: z.string().nullable(), slug: z.string().nullable() }),
  roles: z.array(z.enum(roleIds)),
});

/** GET /api/v1/members, as app/api/v1/members/route.ts answers it. */
export const memberListSchema = z.object({
  data: z.array(
    z.object({
      id: z.uuid(),
      userId: z.string(),
      email: z.string(),
      name: z.string().nullable(),
      roles: z.array(z.enum(roleIds)),
      status: z.enum(membershipStatusEnum.enumValues),
      team: z.object({ id: z.uuid(), name: z.string().nullable() }).nullable(),
      invitedAt: isoDateTime.nullable(),
      joinedAt: isoDateTime.nullable(),
    }),
  ),
});

/** RFC 9457 problem details, as lib/problem.ts writes them. */
export const problemSchema = z.looseObject({
  type: z.string().describe('Always "about:blank": the status and title say what happened.'),
  title: z.string().describe("The HTTP reason phrase, or a message key (e.g. unknownTopic) for a domain refusal."),
  status: z.int().min(400).max(599),
  detail: z.string(),
  instance: z.string().optional().describe("The request path."),
  errors: z
    .record(z.string(), z.array(z.string()))
    .optional()
    .describe('Field errors: the field path ("topicIds", "variants.0.text", "_" for the whole body) → message keys.'),
});

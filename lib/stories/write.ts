import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { stories, storyAudiences, storyTopics, storyVariants, type Story } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx, Tx } from "@/lib/db";
import { invalid, notFound } from "@/lib/errors";
import { getOrganizationSettings } from "@/lib/orgs";
import { slugify } from "@/lib/slug";
import { assertTeamInOrg } from "@/lib/teams";
import { actorUserId, type Scope } from "@/lib/tenant";
import { assertTopicsInOrg } from "@/lib/topics";
import { storyRuleViolations } from "./governance";
import { recordTransition } from "./transitions";
import { scheduleLifecycleJobs } from "./lifecycle-jobs";
import { ownMediaKey, queueStoryImage } from "./story-image";
import { storyInputSchema, storyPatchSchema, type StoryInput, type StoryPatch, type VariantInput } from "./schemas";

type Source = Story["source"];

async function assertRefs(tx: Tx, scope: Scope, input: { topicIds?: string[]; audienceTeamIds?: string[] }) {
  if (input.topicIds) await assertTopicsInOrg(tx, scope, input.topicIds);
  for (const teamId of new Set(input.audienceTeamIds ?? [])) await assertTeamInOrg(tx, scope, teamId, "audienceTeamIds");
}

async function assertRules(tx: Tx, scope: Scope, input: Parameters<typeof storyRuleViolations>[0]) {
  const settings = await getOrganizationSettings(tx, scope.orgId);
  const errors = storyRuleViolations(input, settings);
  if (Object.keys(errors).length > 0) throw invalid("storyBreaksRules", "The story breaks the organisation's rules", errors);
}

/**
 * A slug unique in the organisation: the title's, with -2, -3 … when taken. Stories with
 * the same title created at the same moment (imports, the API) take turns through a
 * transaction lock, so the second sees the first's slug.
 */
async function uniqueSlug(tx: Tx, scope: Scope, title: string, exceptId?: string): Promise<string> {
  const base = slugify(title) || "story";
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`story-slug:${scope.orgId}:${base}`}, 0))`);
  const taken = await tx
    .select({ slug: stories.slug })
    .from(stories)
    .where(and(eq(stories.orgId, scope.orgId), sql`${stories.slug} ~ ${`^${base}(-[0-9]+)?$`}`, exceptId ? ne(stories.id, exceptId) : undefined));
  const used = new Set(taken.map((t) => t.slug));
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

async function replaceChildren(tx: Tx, scope: Scope, storyId: string, input: { topicIds?: string[]; audienceTeamIds?: string[]; variants?: VariantInput[] }) {
  if (input.topicIds) {
    await tx.delete(storyTopics).where(eq(storyTopics.storyId, storyId));
    const ids = [...new Set(input.topicIds)];
    if (ids.length) await tx.insert(storyTopics).values(ids.map((topicId) => ({ storyId, topicId })));
  }
  if (input.audienceTeamIds) {
    await tx.delete(storyAudiences).where(eq(storyAudiences.storyId, storyId));
    const ids = [...new Set(input.audienceTeamIds)];
    if (ids.length) await tx.insert(storyAudiences).values(ids.map((teamId) => ({ storyId, teamId })));
  }
  if (input.variants) {
    // A suggested text that stays the same keeps its row (only its position may move), so
    // the shares that started from it stay linked to it in the story's analytics.
    const existing = await tx.select().from(storyVariants).where(eq(storyVariants.storyId, storyId));
    const unclaimed = new Map<string, string[]>();
    for (const row of existing) {
      const key = `${row.network}/${row.language}/${row.text}`;
      unclaimed.set(key, [...(unclaimed.get(key) ?? []), row.id]);
    }
    const position = new Map<string, number>();
    const inserts: Array<typeof storyVariants.$inferInsert> = [];
    const kept = new Set<string>();
    for (const v of input.variants) {
      const slot = `${v.network}/${v.language}`;
      const p = position.get(slot) ?? 0;
      position.set(slot, p + 1);
      const same = unclaimed.get(`${slot}/${v.text}`)?.shift();
      if (same) {
        kept.add(same);
        await tx.update(storyVariants).set({ position: p, assisted: v.assisted }).where(eq(storyVariants.id, same));
      } else {
        inserts.push({ orgId: scope.orgId, storyId, network: v.network, language: v.language, text: v.text, position: p, assisted: v.assisted });
      }
    }
    const removed = existing.filter((row) => !kept.has(row.id)).map((row) => row.id);
    if (removed.length) await tx.delete(storyVariants).where(inArray(storyVariants.id, removed));
    if (inserts.length) await tx.insert(storyVariants).values(inserts);
  }
}

/** The story with its topics, audiences and variants, for the audit trail. */
async function snapshot(tx: Tx, storyId: string) {
  const [story] = await tx.select().from(stories).where(eq(stories.id, storyId));
  if (!story) return null;
  const { search: _search, ...rest } = story;
  const [topicRows, audienceRows, variantRows] = await Promise.all([
    tx.select({ id: storyTopics.topicId }).from(storyTopics).where(eq(storyTopics.storyId, storyId)),
    tx.select({ id: storyAudiences.teamId }).from(storyAudiences).where(eq(storyAudiences.storyId, storyId)),
    tx
      .select({ network: storyVariants.network, language: storyVariants.language, text: storyVariants.text })
      .from(storyVariants)
      .where(eq(storyVariants.storyId, storyId))
      .orderBy(storyVariants.network, storyVariants.language, storyVariants.position),
  ]);
  return { ...rest, topicIds: topicRows.map((r) => r.id), audienceTeamIds: audienceRows.map((r) => r.id), variants: variantRows };
}

/** Creates a draft story (or, for an employee's suggestion, one waiting for review). */
export async function createStory(
  db: DbOrTx,
  scope: Scope,
  raw: unknown,
  options: { source?: Source; status?: "draft" | "in_review"; sourceFeedId?: string; note?: string } = {},
): Promise<Story> {
  const input: StoryInput = storyInputSchema.parse(raw);
  const created = await db.transaction(async (tx) => {
    await assertRefs(tx, scope, input);
    await assertRules(tx, scope, input);
    const [story] = await tx
      .insert(stories)
      .values({
        orgId: scope.orgId,
        slug: await uniqueSlug(tx, scope, input.title),
        title: input.title,
        summary: input.summary,
        body: input.body,
        canonicalUrl: input.canonicalUrl ?? null,
        imageUrl: input.imageUrl ?? null,
        imageKey: await ownMediaKey(tx, scope.orgId, input.imageUrl),
        language: input.language,
        pinned: input.pinned,
        publishAt: input.publishAt ?? null,
        expiresAt: input.expiresAt ?? null,
        status: options.status ?? "draft",
        source: options.source ?? "manual",
        sourceFeedId: options.sourceFeedId ?? null,
        createdBy: actorUserId(scope),
      })
      .returning();
    await replaceChildren(tx, scope, story!.id, input);
    await recordTransition(tx, scope, story!.id, null, "draft", options.status === "in_review" ? null : options.note);
    if (options.status === "in_review") await recordTransition(tx, scope, story!.id, "draft", "in_review", options.note);
    await audit(tx, scope, { action: "story.create", targetType: "story", targetId: story!.id, after: await snapshot(tx, story!.id) });
    return story!;
  });
  await queueStoryImage(created);
  return created;
}

const CONTENT_FIELDS = ["title", "summary", "body", "canonicalUrl", "imageUrl", "language", "variants"] as const;

/**
 * Changes a story. Archived stories are read-only. When approval is required, a content
 * change to an approved story that is not published yet sends it back to review.
 */
export async function updateStory(db: DbOrTx, scope: Scope, storyId: string, raw: unknown): Promise<Story> {
  const patch: StoryPatch = storyPatchSchema.parse(raw);
  const result = await db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(stories)
      .where(and(eq(stories.id, storyId), eq(stories.orgId, scope.orgId)))
      .for("update");
    if (!current) throw notFound("Story");
    if (current.status === "archived") throw invalid("storyArchived", "An archived story cannot be changed");
    if (Object.keys(patch).length === 0) return current;
    const publishAt = patch.publishAt !== undefined ? patch.publishAt : current.publishAt;
    const expiresAt = patch.expiresAt !== undefined ? patch.expiresAt : current.expiresAt;
    if (publishAt && expiresAt && expiresAt <= publishAt) throw invalid("expiresBeforePublish", "The story must expire after it is published", { expiresAt: ["expiresBeforePublish"] });
    await assertRefs(tx, scope, patch);
    await assertRules(tx, scope, patch);

    const before = await snapshot(tx, storyId);
    const settings = await getOrganizationSettings(tx, scope.orgId);
    const contentChanged = CONTENT_FIELDS.some((f) => patch[f] !== undefined);
    const backToReview = settings.approvalRequired && current.status === "approved" && contentChanged;
    // A new image URL drops the old copy; our own upload's copy is known at once.
    const imageChanged = patch.imageUrl !== undefined && (patch.imageUrl ?? null) !== current.imageUrl;
    const [story] = await tx
      .update(stories)
      .set({
        // Always: a change to variants, topics or audiences alone is a change to the story.
        updatedAt: new Date(),
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.summary !== undefined ? { summary: patch.summary } : {}),
        ...(patch.body !== undefined ? { body: patch.body } : {}),
        ...(patch.canonicalUrl !== undefined ? { canonicalUrl: patch.canonicalUrl } : {}),
        ...(imageChanged ? { imageUrl: patch.imageUrl ?? null, imageKey: await ownMediaKey(tx, scope.orgId, patch.imageUrl) } : {}),
        ...(patch.language !== undefined ? { language: patch.language } : {}),
        ...(patch.pinned !== undefined ? { pinned: patch.pinned } : {}),
        ...(patch.publishAt !== undefined ? { publishAt } : {}),
        ...(patch.expiresAt !== undefined ? { expiresAt } : {}),
        ...(backToReview ? { status: "in_review" as const, approvedBy: null, approvedAt: null } : {}),
      })
      .where(eq(stories.id, storyId))
      .returning();
    await replaceChildren(tx, scope, storyId, patch);
    if (backToReview) await recordTransition(tx, scope, storyId, "approved", "in_review", "editedAfterApproval");
    await audit(tx, scope, { action: "story.update", targetType: "story", targetId: storyId, before, after: await snapshot(tx, storyId) });
    return story!;
  });
  await Promise.all([scheduleLifecycleJobs(result), queueStoryImage(result)]);
  return result;
}


import { and, asc, count, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { storyTopics, topics, type Topic } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { conflict, invalid, notFound } from "@/lib/errors";
import { slugify } from "@/lib/slug";
import type { Scope } from "@/lib/tenant";

export const topicNameSchema = z.string().trim().min(1, "required").max(60, "tooLong");

export type TopicWithCount = Topic & { storyCount: number };

/** The organisation's topics with how many stories carry each, by name. */
export async function listTopics(db: DbOrTx, scope: Scope): Promise<TopicWithCount[]> {
  const rows = await db
    .select({ topic: topics, storyCount: count(storyTopics.storyId) })
    .from(topics)
    .leftJoin(storyTopics, eq(storyTopics.topicId, topics.id))
    .where(eq(topics.orgId, scope.orgId))
    .groupBy(topics.id)
    .orderBy(asc(topics.name));
  return rows.map((r) => ({ ...r.topic, storyCount: r.storyCount }));
}

/** The organisation's topics, id and name, by name: for filters and chips, without counting stories. */
export async function listTopicNames(db: DbOrTx, scope: Scope): Promise<Array<{ id: string; name: string }>> {
  return db.select({ id: topics.id, name: topics.name }).from(topics).where(eq(topics.orgId, scope.orgId)).orderBy(asc(topics.name));
}

/** Throws a field error naming the first id that is not a topic of this organisation. */
export async function assertTopicsInOrg(db: DbOrTx, scope: Scope, topicIds: readonly string[], field = "topicIds") {
  const wanted = [...new Set(topicIds)];
  if (wanted.length === 0) return;
  const found = await db
    .select({ id: topics.id })
    .from(topics)
    .where(and(eq(topics.orgId, scope.orgId), inArray(topics.id, wanted)));
  if (found.length !== wanted.length) throw invalid("unknownTopic", "No such topic in this organisation", { [field]: ["unknownTopic"] });
}

export async function createTopic(db: DbOrTx, scope: Scope, name: string): Promise<Topic> {
  const clean = topicNameSchema.parse(name);
  return db.transaction(async (tx) => {
    const [topic] = await tx
      .insert(topics)
      .values({ orgId: scope.orgId, name: clean, slug: slugify(clean) || "topic" })
      .onConflictDoNothing()
      .returning();
    if (!topic) throw conflict("topicExists", "A topic with this name already exists");
    await audit(tx, scope, { action: "topic.create", targetType: "topic", targetId: topic.id, after: topic });
    return topic;
  });
}

export async function renameTopic(db: DbOrTx, scope: Scope, topicId: string, name: string): Promise<Topic> {
  const clean = topicNameSchema.parse(name);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(topics).where(and(eq(topics.id, topicId), eq(topics.orgId, scope.orgId)));
    if (!before) throw notFound("Topic");
    const [after] = await tx
      .update(topics)
      .set({ name: clean, slug: slugify(clean) || before.slug })
      .where(eq(topics.id, topicId))
      .returning()
      .catch((error: { cause?: { code?: string }; code?: string }) => {
        if ((error.cause?.code ?? error.code) === "23505") throw conflict("topicExists", "A topic with this name already exists");
        throw error;
      });
    await audit(tx, scope, { action: "topic.rename", targetType: "topic", targetId: topicId, before, after });
    return after!;
  });
}

/** Deletes a topic; stories keep everything else (they just lose the tag). */
export async function deleteTopic(db: DbOrTx, scope: Scope, topicId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [before] = await tx.delete(topics).where(and(eq(topics.id, topicId), eq(topics.orgId, scope.orgId))).returning();
    if (!before) throw notFound("Topic");
    await audit(tx, scope, { action: "topic.delete", targetType: "topic", targetId: topicId, before });
  });
}

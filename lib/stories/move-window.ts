import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { stories, type Story } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { conflict, invalid, notFound } from "@/lib/errors";
import type { Scope } from "@/lib/tenant";
import { addDays, instantToLocal, localToInstant } from "@/lib/time";
import { updateStory } from "./write";

export const moveDaysSchema = z.number().int().min(-366).max(366).refine((n) => n !== 0, "required");

/** The same wall-clock time `days` later in the zone: 08:00 stays 08:00 across a change of clocks. */
function shiftLocal(at: Date, days: number, timeZone: string): Date {
  const local = instantToLocal(at, timeZone);
  const seconds = at.getTime() % 60_000; // instantToLocal keeps minutes; keep the rest as it was
  return new Date(localToInstant(`${addDays(local.slice(0, 10), days)}${local.slice(10)}`, timeZone).getTime() + seconds);
}

/**
 * Moves a story that is not live yet (in review, or approved for a future time) `days`
 * days later (earlier when negative) in the editor's time zone: publish and expiry time
 * both, each keeping its time of day. Saved through updateStory, so the audit trail and the
 * lifecycle jobs follow as when the editor saves the dates by hand.
 */
export async function moveStoryWindow(db: DbOrTx, scope: Scope, storyId: string, days: number, timeZone: string, now = new Date()): Promise<Story> {
  const n = moveDaysSchema.parse(days);
  const [story] = await db
    .select({ status: stories.status, publishAt: stories.publishAt, expiresAt: stories.expiresAt })
    .from(stories)
    .where(and(eq(stories.id, storyId), eq(stories.orgId, scope.orgId)));
  if (!story) throw notFound("Story");
  const movable = (story.status === "in_review" || story.status === "approved") && story.publishAt !== null && story.publishAt > now;
  if (!movable) throw conflict("storyNotMovable", "Only a story that is not live yet can be moved");
  const publishAt = shiftLocal(story.publishAt!, n, timeZone);
  if (publishAt <= now) throw invalid("moveIntoPast", "A story cannot be moved into the past", { publishAt: ["moveIntoPast"] });
  const expiresAt = story.expiresAt ? shiftLocal(story.expiresAt, n, timeZone) : null;
  return updateStory(db, scope, storyId, { publishAt, expiresAt });
}

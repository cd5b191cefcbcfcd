import { notFound } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { requireMember } from "@/lib/auth/guard";
import { db, withReportsRead } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { storyAnalytics, storyAnalyticsQuerySchema } from "@/lib/reports/story";

/** Once per request: the page and its metadata both ask. */
const analyticsFor = cache(async (id: string, interval: string | undefined) => {
  const ctx = await requireMember(["editor", "admin"]);
  if (!z.uuid().safeParse(id).success) notFound();
  const query = storyAnalyticsQuerySchema.parse({ interval });
  try {
    return { ctx, analytics: await withReportsRead((source) => storyAnalytics(db(), ctx.scope, id, query, source.db)) };
  } catch (error) {
    if (error instanceof DomainError && error.status === 404) notFound();
    throw error;
  }
});

/**
 * Apart from the page so the role check can be tested alone. Editors and admins only: managers
 * read team reports and employees their own impact (a 403). Another organisation's story, or
 * none, is a 404.
 */
export async function loadStoryAnalytics(id: string, search: Record<string, string | string[] | undefined> = {}) {
  const interval = Array.isArray(search.interval) ? search.interval[0] : search.interval;
  return analyticsFor(id, interval);
}

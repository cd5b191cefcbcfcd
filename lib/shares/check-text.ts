import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { networkIds, shares, socialConnections, stories, type NetworkId } from "@/db/schema";
import { instanceTextLimits } from "@/lib/connections";
import type { DbOrTx } from "@/lib/db";
import { checkShareText } from "@/lib/governance/check-text";
import { CODE_LENGTH, trackedUrl } from "@/lib/links/tracked-links";
import { getOrganizationSettings, type OrganizationSettings } from "@/lib/orgs";
import type { Scope } from "@/lib/tenant";
import { colleaguesSharesOf } from "./colleagues";
import { withTrackedLink } from "./post-text";
import { duplicateWarning } from "./similarity";

/** What a text check answers, in the compose/check API and the live counters of compose and the story editor alike. */
export const textCheckResultSchema = z.object({
  network: z.enum(networkIds),
  length: z.number().int(),
  limit: z.number().int(),
  unit: z.enum(["weighted", "graphemes", "characters"]),
  bytes: z.number().int().optional(),
  byteLimit: z.number().int().optional(),
  ok: z.boolean(),
  /** The text as it would be posted (disclosure tag added). */
  text: z.string(),
  problems: z.array(z.object({ code: z.string(), detail: z.string().optional() })),
  duplicate: z.object({ kind: z.enum(["identical", "nearlyIdentical"]), similarity: z.number() }).nullable(),
});
export type TextCheckResult = z.infer<typeof textCheckResultSchema>;

/** What a share's tracked link will look like (same length), for counting before it exists. */
export const sampleTrackedUrl = () => trackedUrl("x".repeat(CODE_LENGTH));

/**
 * The one check of a share text: the network's counting (an instance's own limit with the
 * account), the disclosure tag, blocked phrases, and, with the story, the tracked link
 * counted and whether it reads as a copy of what colleagues already posted.
 */
export async function checkEmployeeText(
  db: DbOrTx,
  scope: Scope,
  input: { network: NetworkId; text: string; userId: string; storyId?: string; connectionId?: string; settings?: OrganizationSettings },
): Promise<TextCheckResult> {
  const settings = input.settings ?? (await getOrganizationSettings(db, scope.orgId));
  let limits: { limit?: number; urlLength?: number } = {};
  if (input.connectionId) {
    const [connection] = await db
      .select({ instanceUrl: socialConnections.instanceUrl })
      .from(socialConnections)
      .where(and(eq(socialConnections.id, input.connectionId), eq(socialConnections.orgId, scope.orgId), eq(socialConnections.userId, input.userId)));
    limits = await instanceTextLimits(db, input.network, connection?.instanceUrl ?? null);
  }
  const [story] = input.storyId ? await db.select({ url: stories.canonicalUrl }).from(stories).where(and(eq(stories.id, input.storyId), eq(stories.orgId, scope.orgId))) : [];
  const text = story?.url ? withTrackedLink(input.text, story.url, sampleTrackedUrl()) : input.text;
  const result = checkShareText(input.network, text, { disclosureHashtag: settings.disclosureHashtag, blockedWords: settings.blockedWords, ...limits });
  let duplicate: TextCheckResult["duplicate"] = null;
  if (input.storyId) {
    const colleagues = await db
      .select({ text: shares.text })
      .from(shares)
      .where(
        and(colleaguesSharesOf(scope.orgId, input.storyId, input.userId), inArray(shares.status, ["scheduled", "publishing", "published"])),
      )
      .limit(500);
    // Both sides as posted (tags in; links are ignored by the comparison).
    duplicate = duplicateWarning(result.text, colleagues.map((c) => c.text));
  }
  const { measure } = result;
  return {
    network: input.network,
    length: measure.length,
    limit: measure.limit,
    unit: measure.unit,
    ...(measure.byteLimit ? { bytes: measure.bytes, byteLimit: measure.byteLimit } : {}),
    ok: result.ok,
    text: result.text,
    problems: result.problems,
    duplicate,
  };
}

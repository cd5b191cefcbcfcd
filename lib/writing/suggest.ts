import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { localeIds, networkIds, stories, type NetworkId } from "@/db/schema";
import { AiError, complete } from "@/lib/ai/client";
import { inMyWordsMessages, splitTexts, suggestedTextsMessages } from "@/lib/ai/prompts";
import type { DbOrTx } from "@/lib/db";
import { translator } from "@/lib/i18n/messages";
import { notFound } from "@/lib/errors";
import { checkShareText, type ShareTextProblemCode } from "@/lib/governance/check-text";
import { measureText } from "@/lib/networks/measure";
import { getOrganizationSettings } from "@/lib/orgs";
import { sampleTrackedUrl } from "@/lib/shares/check-text";
import { withTrackedLink } from "@/lib/shares/post-text";
import type { Scope } from "@/lib/tenant";

export const generateSuggestedTextsSchema = z.object({
  storyId: z.uuid(),
  network: z.enum(networkIds),
  language: z.enum(localeIds),
  count: z.number().int().min(1).max(5).default(3),
});
export type GenerateSuggestedTextsInput = z.input<typeof generateSuggestedTextsSchema>;

/** A text the model wrote that passed the check compose uses; `length` and `limit` as the network counts the posted text. */
export type DraftText = { text: string; length: number; limit: number; shortened: boolean };
/** Why an answer's text was not offered. */
export type DroppedText = { reason: Extract<ShareTextProblemCode, "tooLong" | "tooManyBytes" | "blockedPhrase" | "invalidCharacters" | "empty">; detail?: string };

/**
 * For editors: `count` different suggested texts for one network and language, from the
 * story (title, summary, body, link) through the organisation's model. Each text is
 * checked as compose checks a share (the tracked link and the disclosure tag in, the
 * network's limit, blocked phrases); one over the limit is sent back once to be shortened,
 * and one still over, or holding a blocked phrase, is dropped with its reason: nothing
 * offered here is over the limit. Nothing is saved: the editor keeps what they want.
 */
export async function generateSuggestedTexts(db: DbOrTx, scope: Scope, raw: GenerateSuggestedTextsInput, options: { signal?: AbortSignal } = {}): Promise<{ texts: DraftText[]; dropped: DroppedText[] }> {
  const input = generateSuggestedTextsSchema.parse(raw);
  const [story] = await db
    .select({ title: stories.title, summary: stories.summary, body: stories.body, url: stories.canonicalUrl })
    .from(stories)
    .where(and(eq(stories.id, input.storyId), eq(stories.orgId, scope.orgId)));
  if (!story) throw notFound("Story");
  const settings = await getOrganizationSettings(db, scope.orgId);
  const rules = { disclosureHashtag: settings.disclosureHashtag, blockedWords: settings.blockedWords };
  const check = (text: string) => checkShareText(input.network, withTrackedLink(text, story.url, sampleTrackedUrl()), rules);
  const limit = wordsLimit(input.network, story.url, settings.disclosureHashtag);
  const networkName = translator(input.language)(`networks.${input.network}`);

  const answer = await complete(
    {
      messages: suggestedTextsMessages({ story, networkName, language: input.language, count: input.count, limit, disclosureHashtag: settings.disclosureHashtag, blockedPhrases: settings.blockedWords }),
      temperature: 0.9,
    },
    options,
  );
  const written = splitTexts(answer.text).slice(0, input.count);
  if (written.length === 0) throw new AiError("empty", "The language model answered without texts");

  const texts: DraftText[] = [];
  const dropped: DroppedText[] = [];
  for (const first of written) {
    let text = first;
    let result = check(text);
    let shortened = false;
    if (!result.ok && result.problems.every((p) => p.code === "tooLong" || p.code === "tooManyBytes")) {
      // Over the limit: once more, asked to be brief within it.
      const again = await complete({ messages: inMyWordsMessages({ text, networkName, language: input.language, tone: "brief", limit, examples: [] }) }, options).catch((error: unknown) => {
        if (error instanceof AiError && !error.transient) return null;
        throw error;
      });
      if (again) {
        text = again.text.trim();
        result = check(text);
        shortened = true;
      }
    }
    if (result.ok) {
      texts.push({ text, length: result.measure.length, limit: result.measure.limit, shortened });
    } else {
      const problem = result.problems[0]!;
      dropped.push({ reason: problem.code as DroppedText["reason"], ...(problem.detail && { detail: problem.detail }) });
    }
  }
  return { texts, dropped };
}

/**
 * How long the words themselves may be: the network's limit less what posting adds (the
 * tracked link, the disclosure tag, the spaces before them), as the network counts it.
 */
export function wordsLimit(network: NetworkId, storyUrl: string | null, disclosureHashtag: string | null): number {
  const added = measureText(network, [storyUrl ? sampleTrackedUrl() : "", disclosureHashtag ?? ""].filter(Boolean).map((part) => ` ${part}`).join("")).length;
  return Math.max(40, measureText(network, "").limit - added);
}


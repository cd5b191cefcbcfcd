import { z } from "zod";
import { localeIds, networkIds } from "@/db/schema";
import { AiError } from "@/lib/ai/client";
import { inMyWordsMessages, splitTexts, suggestedTextsMessages } from "@/lib/ai/prompts";
import type { DbOrTx } from "@/lib/db";
import { translator } from "@/lib/i18n/messages";
import type { Scope } from "@/lib/tenant";
import { ask, checked, draftContext, type DraftText, type DroppedReason, type WriteOptions } from "./ask";

export { wordsLimit, type DraftText } from "./ask";

export const generateSuggestedTextsSchema = z.object({
  storyId: z.uuid(),
  network: z.enum(networkIds),
  language: z.enum(localeIds),
  count: z.number().int().min(1).max(5).default(3),
});
export type GenerateSuggestedTextsInput = z.input<typeof generateSuggestedTextsSchema>;

/** Why an answer's text was not offered. */
export type DroppedText = { reason: DroppedReason; detail?: string };

/**
 * For editors: `count` different suggested texts for one network and language, from the
 * story (title, summary, body, link) through the organisation's model. Each text is
 * checked as compose checks a share (the tracked link and the disclosure tag in, the
 * network's limit, blocked phrases); one over the limit is sent back once to be shortened,
 * and one still over, or holding a blocked phrase, is dropped with its reason: nothing
 * offered here is over the limit. Nothing is saved: the editor keeps what they want.
 */
export async function generateSuggestedTexts(db: DbOrTx, scope: Scope, raw: GenerateSuggestedTextsInput, options: WriteOptions = {}): Promise<{ texts: DraftText[]; dropped: DroppedText[] }> {
  const input = generateSuggestedTextsSchema.parse(raw);
  const { story, settings, check, limit } = await draftContext(db, scope, input.storyId, input.network);
  const networkName = translator(input.language)(`networks.${input.network}`);

  const answer = await ask(
    db,
    scope,
    suggestedTextsMessages({ story, networkName, language: input.language, count: input.count, limit, disclosureHashtag: settings.disclosureHashtag, blockedPhrases: settings.blockedWords }),
    { ...options, temperature: 0.9 },
  );
  const written = splitTexts(answer.text).slice(0, input.count);
  if (written.length === 0) throw new AiError("empty", "The language model answered without texts");

  const texts: DraftText[] = [];
  const dropped: DroppedText[] = [];
  for (const first of written) {
    // Over the limit: once more, asked to be brief within it (not streamed: the list follows).
    const result = await checked(first, check, (text) => ask(db, scope, inMyWordsMessages({ text, networkName, language: input.language, tone: "brief", limit, examples: [] }), { signal: options.signal }));
    if (result.ok) texts.push(result.draft);
    else dropped.push({ reason: result.reason, ...(result.detail && { detail: result.detail }) });
  }
  return { texts, dropped };
}

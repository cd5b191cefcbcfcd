import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { localeIds, networkIds, shares } from "@/db/schema";
import { inMyWordsMessages, tones, translateMessages } from "@/lib/ai/prompts";
import type { DbOrTx } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { translator } from "@/lib/i18n/messages";
import type { Scope } from "@/lib/tenant";
import { ask, checked, draftContext, type DraftText, type WriteOptions } from "./ask";
import { writingExamplesOptIn } from "./budget";

/** How many of the person's earlier posts go along as style examples, when they opted in. */
export const STYLE_EXAMPLES = 3;

const text = z.string().trim().min(1, "required").max(5_000, "tooLong");

export const inMyWordsSchema = z.object({
  storyId: z.uuid(),
  network: z.enum(networkIds),
  /** The text to rewrite, as it stands in the composer. */
  text,
  /** The language the text is in, and stays in. */
  language: z.enum(localeIds),
  tone: z.enum(tones),
});
export type InMyWordsInput = z.input<typeof inMyWordsSchema>;

export const translateSchema = z.object({
  storyId: z.uuid(),
  network: z.enum(networkIds),
  text,
  /** The language to translate into (from the other one). */
  to: z.enum(localeIds),
});
export type TranslateInput = z.input<typeof translateSchema>;

/** A rewrite the model made, or why it cannot be used: the person keeps their own text. */
function usable(result: Awaited<ReturnType<typeof checked>>): DraftText {
  if (result.ok) return result.draft;
  const code = result.reason === "blockedPhrase" ? "writingBlockedPhrase" : result.reason === "empty" ? "writingEmpty" : "writingTooLong";
  throw new DomainError(422, code, code === "writingBlockedPhrase" ? `The rewrite holds a blocked phrase${result.detail ? `: ${result.detail}` : ""}` : code === "writingEmpty" ? "The rewrite is empty" : "The rewrite is still over the limit after two tries", {
    text: [code],
  });
}

/**
 * For employees: the text in their own voice and the tone they chose. Their earlier posts
 * through Ripple go along as style examples only when they opted in. The result is checked as
 * compose checks it (over the limit: asked once more, briefly); nothing is saved or posted.
 */
export async function rewriteInMyWords(db: DbOrTx, scope: Scope, userId: string, raw: InMyWordsInput, options: WriteOptions = {}): Promise<DraftText> {
  const input = inMyWordsSchema.parse(raw);
  const { check, limit } = await draftContext(db, scope, input.storyId, input.network);
  const networkName = translator(input.language)(`networks.${input.network}`);
  const examples = (await writingExamplesOptIn(db, scope, userId)) ? await earlierPosts(db, scope, userId) : [];
  const messages = (tone: typeof input.tone, words: string) => inMyWordsMessages({ text: words, networkName, language: input.language, tone, limit, examples });
  const answer = await ask(db, scope, messages(input.tone, input.text), options);
  return usable(await checked(answer.text, check, (words) => ask(db, scope, messages("brief", words), { signal: options.signal })));
}

/** Danish ⇄ English, checked as compose checks it; over the limit: asked once more, briefly, in the new language. */
export async function translateText(db: DbOrTx, scope: Scope, raw: TranslateInput, options: WriteOptions = {}): Promise<DraftText> {
  const input = translateSchema.parse(raw);
  const { check, limit } = await draftContext(db, scope, input.storyId, input.network);
  const networkName = translator(input.to)(`networks.${input.network}`);
  const answer = await ask(db, scope, translateMessages({ text: input.text, networkName, to: input.to, limit }), options);
  return usable(
    await checked(answer.text, check, (words) => ask(db, scope, inMyWordsMessages({ text: words, networkName, language: input.to, tone: "brief", limit, examples: [] }), { signal: options.signal })),
  );
}

/** The person's own latest published texts in this organisation, newest first. */
async function earlierPosts(db: DbOrTx, scope: Scope, userId: string): Promise<string[]> {
  const rows = await db
    .select({ text: shares.text })
    .from(shares)
    .where(and(eq(shares.orgId, scope.orgId), eq(shares.userId, userId), eq(shares.status, "published")))
    .orderBy(desc(shares.publishedAt))
    .limit(STYLE_EXAMPLES);
  return rows.map((row) => row.text);
}

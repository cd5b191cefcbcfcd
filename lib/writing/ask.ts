import { and, eq } from "drizzle-orm";
import { stories, type NetworkId } from "@/db/schema";
import { AiError, complete, stream, type ChatAnswer, type ChatMessage } from "@/lib/ai/client";
import type { DbOrTx } from "@/lib/db";
import { DomainError, notFound } from "@/lib/errors";
import { checkShareText, type ShareTextCheck, type ShareTextProblemCode } from "@/lib/governance/check-text";
import { measureText } from "@/lib/networks/measure";
import { getOrganizationSettings } from "@/lib/orgs";
import { sampleTrackedUrl } from "@/lib/shares/check-text";
import { withTrackedLink } from "@/lib/shares/post-text";
import type { Scope } from "@/lib/tenant";
import { reserveWritingRequest } from "./budget";

/** How a writing-help call may follow the answer as it is written, and stop it. */
export type WriteOptions = { signal?: AbortSignal; onText?: (piece: string) => void };

/** Why a text the model wrote was not offered. */
export type DroppedReason = Extract<ShareTextProblemCode, "tooLong" | "tooManyBytes" | "blockedPhrase" | "invalidCharacters" | "empty">;

/** A text the model wrote that passed the check compose uses; `length` and `limit` as the network counts the posted text. */
export type DraftText = { text: string; length: number; limit: number; shortened: boolean };

/**
 * One request to the model, reserved against the organisation's monthly budget first: the
 * whole answer at once, or (with onText) each piece as it is written.
 */
export async function ask(db: DbOrTx, scope: Scope, messages: ChatMessage[], options: WriteOptions & { temperature?: number } = {}): Promise<ChatAnswer> {
  await reserveWritingRequest(db, scope.orgId);
  const request = { messages, ...(options.temperature !== undefined && { temperature: options.temperature }) };
  if (!options.onText) return complete(request, { signal: options.signal });
  const pieces = stream(request, { signal: options.signal });
  for (;;) {
    const next = await pieces.next();
    if (next.done) return next.value;
    options.onText(next.value);
  }
}

/**
 * What writing help needs of a story to write for one network: its material, and the check
 * a text must pass (as compose checks a share: the tracked link and the disclosure tag in,
 * the network's limit, blocked phrases).
 */
export async function draftContext(db: DbOrTx, scope: Scope, storyId: string, network: NetworkId) {
  const [story] = await db
    .select({ title: stories.title, summary: stories.summary, body: stories.body, url: stories.canonicalUrl })
    .from(stories)
    .where(and(eq(stories.id, storyId), eq(stories.orgId, scope.orgId)));
  if (!story) throw notFound("Story");
  const settings = await getOrganizationSettings(db, scope.orgId);
  const rules = { disclosureHashtag: settings.disclosureHashtag, blockedWords: settings.blockedWords };
  const check = (text: string) => checkShareText(network, withTrackedLink(text, story.url, sampleTrackedUrl()), rules);
  return { story, settings, check, limit: wordsLimit(network, story.url, settings.disclosureHashtag) };
}

/**
 * A text through the check, sent back once with `shorten` when only its length fails:
 * passed on as a DraftText, or dropped with the first problem's reason.
 */
export async function checked(
  first: string,
  check: (text: string) => ShareTextCheck,
  shorten: (text: string) => Promise<ChatAnswer | null>,
): Promise<{ ok: true; draft: DraftText } | { ok: false; reason: DroppedReason; detail?: string }> {
  let text = first.trim();
  let result = check(text);
  let shortened = false;
  if (!result.ok && result.problems.every((p) => p.code === "tooLong" || p.code === "tooManyBytes")) {
    const again = await shorten(text).catch((error: unknown) => {
      // A model that cannot shorten it now (a lasting failure, or the budget spent) leaves it over the limit: dropped.
      if (error instanceof AiError && !error.transient) return null;
      if (error instanceof DomainError && error.code === "writingHelpBudgetSpent") return null;
      throw error;
    });
    if (again) {
      text = again.text.trim();
      result = check(text);
      shortened = true;
    }
  }
  if (result.ok) return { ok: true, draft: { text, length: result.measure.length, limit: result.measure.limit, shortened } };
  const problem = result.problems[0]!;
  return { ok: false, reason: problem.code as DroppedReason, ...(problem.detail && { detail: problem.detail }) };
}

/**
 * How long the words themselves may be: the network's limit less what posting adds (the
 * tracked link, the disclosure tag, the spaces before them), as the network counts it.
 */
export function wordsLimit(network: NetworkId, storyUrl: string | null, disclosureHashtag: string | null): number {
  const added = measureText(network, [storyUrl ? sampleTrackedUrl() : "", disclosureHashtag ?? ""].filter(Boolean).map((part) => ` ${part}`).join("")).length;
  return Math.max(40, measureText(network, "").limit - added);
}

import type { NetworkId } from "@/db/schema";
import { checkShareText, problemCodes } from "@/lib/governance/check-text";
import { findBlockedPhrases } from "@/lib/governance/blocked-words";
import type { OrganizationSettings } from "@/lib/orgs";
import type { VariantInput } from "./schemas";

/**
 * The organisation's rules on a story before saving: no blocked phrase anywhere, every share
 * text within its network's limit with the disclosure tag counted. Field errors as "code" or
 * "code:detail", which the form shows in the reader's language.
 */
export function storyRuleViolations(
  story: { title?: string; summary?: string; body?: string; variants?: VariantInput[] },
  settings: Pick<OrganizationSettings, "blockedWords" | "disclosureHashtag">,
): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const field of ["title", "summary", "body"] as const) {
    const text = story[field];
    if (!text) continue;
    const hits = findBlockedPhrases(text, settings.blockedWords);
    if (hits.length > 0) errors[field] = [...new Set(hits.map((h) => `blockedPhrase:${h.phrase}`))];
  }
  story.variants?.forEach((variant, i) => {
    const result = checkShareText(variant.network as NetworkId, variant.text, {
      disclosureHashtag: settings.disclosureHashtag,
      blockedWords: settings.blockedWords,
    });
    if (!result.ok) errors[`variants.${i}.text`] = problemCodes(result);
  });
  return errors;
}

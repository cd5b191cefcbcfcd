import type { NetworkId } from "@/db/schema";
import { invalid } from "@/lib/errors";
import { checkShareText, problemCodes } from "@/lib/governance/check-text";
import type { OrganizationSettings } from "@/lib/orgs";

/**
 * The text as posted: the story's link replaced by the share's tracked link, or the
 * tracked link added when the person left the link out (the link is what is shared).
 */
export function withTrackedLink(text: string, storyUrl: string | null, tracked: string): string {
  const trimmed = text.trim();
  if (storyUrl) {
    // The story's address as a whole link only: not the start of a longer address.
    const whole = new RegExp(`${storyUrl.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}(?=$|[\\s)\\]}>"'»,;]|[.:!?](?:\\s|$))`, "g");
    if (whole.test(trimmed)) return trimmed.replace(whole, tracked);
  }
  if (trimmed.includes(tracked)) return trimmed;
  return trimmed ? `${trimmed} ${tracked}` : tracked;
}

/**
 * The text exactly as it will be posted (the story's link as the share's tracked link,
 * the disclosure tag added), checked the way the network counts; a refusal names `field`.
 */
export function finalShareText(
  input: { network: NetworkId; text: string; storyUrl: string | null; linkUrl: string; settings: OrganizationSettings; limit?: number; urlLength?: number },
  field: string,
): string {
  const text = withTrackedLink(input.text, input.storyUrl, input.linkUrl);
  const check = checkShareText(input.network, text, {
    disclosureHashtag: input.settings.disclosureHashtag,
    blockedWords: input.settings.blockedWords,
    ...(input.limit ? { limit: input.limit } : {}),
    ...(input.urlLength ? { urlLength: input.urlLength } : {}),
  });
  if (!check.ok) throw invalid("shareBreaksRules", "The text breaks a rule", { [field]: problemCodes(check) });
  return check.text;
}

import type { NetworkId } from "@/db/schema";
import { invalid } from "@/lib/errors";
import { checkShareText, problemCodes } from "@/lib/governance/check-text";
import type { OrganizationSettings } from "@/lib/orgs";
import { withTrackedLink } from "./post-text";

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

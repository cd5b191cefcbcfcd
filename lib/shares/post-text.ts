import { applyDisclosure } from "@/lib/governance/disclosure";

/**
 * The text as it will be posted, from pure functions only, so the composer's preview
 * (in the browser, on every keystroke) and the server's final text are built alike.
 */

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

/** The tracked link in and the disclosure tag appended: what finalShareText posts when the text passes its check. */
export function textAsPosted(text: string, input: { storyUrl: string | null; trackedUrl: string; disclosureHashtag: string | null }): string {
  return applyDisclosure(withTrackedLink(text, input.storyUrl, input.trackedUrl), input.disclosureHashtag);
}

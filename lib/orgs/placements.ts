/**
 * The link placements an admin may choose today, per network: first_comment only where
 * publishing posts the link's comment exactly once (an adapter with comment and findComment;
 * Mastodon so far). A module of its own, without zod: the settings form imports it in the
 * browser, where zod's schemas would try eval and break the page's CSP.
 */
export const offeredPlacements = {
  linkedin: ["card", "text"],
  x: ["card", "text"],
  mastodon: ["card", "text", "first_comment"],
  bluesky: ["card", "text"],
} as const;

/**
 * What an admin may choose per network: one of its placements, or "compare": a story's
 * shares on the network alternate between a card and the URL in the text (card, text,
 * card…), so the organisation's own figures decide.
 */
export const placementChoices = {
  linkedin: [...offeredPlacements.linkedin, "compare"],
  x: [...offeredPlacements.x, "compare"],
  mastodon: [...offeredPlacements.mastodon, "compare"],
  bluesky: [...offeredPlacements.bluesky, "compare"],
} as const;

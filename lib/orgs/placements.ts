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

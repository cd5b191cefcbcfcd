/**
 * The link placements an admin may choose, per network. first_comment is offered where
 * publishing posts the link's comment exactly once (an adapter with comment and findComment:
 * docs/networks/README.md, "first_comment"); today that is every network with a posting API.
 * A module of its own, without zod: the settings form imports it in the browser, where zod's
 * schemas would try eval and break the page's CSP.
 */
export const offeredPlacements = {
  linkedin: ["card", "text", "first_comment"],
  x: ["card", "text", "first_comment"],
  mastodon: ["card", "text", "first_comment"],
  bluesky: ["card", "text", "first_comment"],
} as const;

export const placementChoices = {
  linkedin: [...offeredPlacements.linkedin, "compare"],
  x: [...offeredPlacements.x, "compare"],
  mastodon: [...offeredPlacements.mastodon, "compare"],
  bluesky: [...offeredPlacements.bluesky, "compare"],
} as const;

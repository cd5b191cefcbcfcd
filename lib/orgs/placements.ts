/**
 * The link placements an admin may choose today (first_comment is in the schema, not offered
 * until it posts exactly once). A module of its own, without zod: the settings form imports it
 * in the browser, where zod's schemas would try eval and break the page's CSP.
 */
export const offeredPlacements = ["card", "text"] as const;

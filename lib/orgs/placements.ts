/**
 * The link placements an admin may choose today (first_comment is in the schema, not offered
 * until it posts exactly once). A module of its own, without zod: the settings form imports it
 * in the browser, where zod's schemas would try eval and break the page's CSP.
 */
export const offeredPlacements = ["card", "text"] as const;

/**
 * What an admin may choose per network: one placement, or "compare" — each person's shares
 * of a story go out half as a card, half with the URL in the text (chosen by person and
 * story, so one person's shares of a story look alike), until the figures decide.
 */
export const placementChoices = [...offeredPlacements, "compare"] as const;

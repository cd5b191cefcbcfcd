/**
 * The id lists the database's enums are made from, with no drizzle import, so browser
 * code can import them (through lib) without the schema.
 */

/** Network ids, the same everywhere: API, database, environment prefixes. */
export const networkIds = ["linkedin", "x", "mastodon", "bluesky", "facebook", "xing", "threads"] as const;
export type NetworkId = (typeof networkIds)[number];
/**
 * A network's code in a member's shared months (memberships.shared_months, lib/reach/activity.ts;
 * 0 is any network, and codes stay under 16). Stored: never renumber one.
 */
export const networkCodes = { linkedin: 1, x: 2, mastodon: 3, bluesky: 4, facebook: 5, xing: 6, threads: 7 } as const satisfies Record<NetworkId, number>;

export const roleIds = ["admin", "editor", "manager", "employee"] as const;
export type Role = (typeof roleIds)[number];

export const localeIds = ["da", "en"] as const;
export type Locale = (typeof localeIds)[number];

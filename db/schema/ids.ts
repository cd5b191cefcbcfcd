/**
 * The id lists the database's enums are made from, with no drizzle import, so browser
 * code can import them (through lib) without the schema.
 */

/** Network ids, the same everywhere: API, database, environment prefixes. */
export const networkIds = ["linkedin", "x", "mastodon", "bluesky", "facebook", "xing", "threads"] as const;
export type NetworkId = (typeof networkIds)[number];

export const roleIds = ["admin", "editor", "manager", "employee"] as const;
export type Role = (typeof roleIds)[number];

export const localeIds = ["da", "en"] as const;
export type Locale = (typeof localeIds)[number];

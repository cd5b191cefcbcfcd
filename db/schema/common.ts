import { pgEnum, timestamp } from "drizzle-orm/pg-core";

/** Network ids, the same everywhere: API, database, environment prefixes. */
export const networkIds = ["linkedin", "x", "mastodon", "bluesky", "facebook", "xing", "threads"] as const;
export type NetworkId = (typeof networkIds)[number];
export const networkEnum = pgEnum("network", networkIds);

export const roleIds = ["admin", "editor", "manager", "employee"] as const;
export type Role = (typeof roleIds)[number];
export const roleEnum = pgEnum("role", roleIds);

export const localeIds = ["da", "en"] as const;
export type Locale = (typeof localeIds)[number];
export const localeEnum = pgEnum("locale", localeIds);

export const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();
export const updatedAt = () =>
  timestamp({ withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

import { pgEnum, timestamp } from "drizzle-orm/pg-core";
import { localeIds, networkIds, roleIds } from "./ids";

export { localeIds, networkCodes, networkIds, roleIds, type Locale, type NetworkId, type Role } from "./ids";

export const networkEnum = pgEnum("network", networkIds);
export const roleEnum = pgEnum("role", roleIds);
export const localeEnum = pgEnum("locale", localeIds);

export const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();
export const updatedAt = () =>
  timestamp({ withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

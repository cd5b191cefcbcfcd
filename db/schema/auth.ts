import { index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt, localeEnum } from "./common";

/** The tables of the Auth.js drizzle adapter, plus Ripple's per-person preferences. */

export const users = pgTable("users", {
  id: text()
    .primaryKey()
    .$defaultFn(() => crypto.randomUUID()),
  name: text(),
  /** Always stored lower-case. */
  email: text().notNull().unique(),
  emailVerified: timestamp({ mode: "date", withTimezone: true }),
  image: text(),
  /** The language the person chose; null = follow the browser, then the organisation. */
  locale: localeEnum(),
  /** IANA time zone for scheduling, e.g. Europe/Copenhagen; null = the organisation's. */
  timeZone: text(),
  /**
   * Raised by "sign out everywhere": a session carries the number it was signed in under
   * and ends when it no longer matches (lib/auth/sessions).
   */
  sessionVersion: integer().notNull().default(0),
  createdAt: createdAt(),
});

export const accounts = pgTable(
  "accounts",
  {
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text().$type<"email" | "oauth" | "oidc" | "webauthn">().notNull(),
    provider: text().notNull(),
    providerAccountId: text().notNull(),
    refresh_token: text(),
    access_token: text(),
    expires_at: integer(),
    token_type: text(),
    scope: text(),
    id_token: text(),
    session_state: text(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] })],
);

export const sessions = pgTable("sessions", {
  sessionToken: text().primaryKey(),
  userId: text()
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  expires: timestamp({ mode: "date", withTimezone: true }).notNull(),
});

/**
 * Sessions ended by signing out, by their id (the JWT's `sid`), until the longest a copy of
 * the cookie could still live; the hourly maintenance removes rows past `expiresAt`. Kept in
 * PostgreSQL, not Redis: a Redis flush must not bring an ended session back.
 */
export const endedSessions = pgTable(
  "ended_sessions",
  {
    sid: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp({ mode: "date", withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.expiresAt)],
);

export const verificationTokens = pgTable(
  "verification_tokens",
  {
    identifier: text().notNull(),
    token: text().notNull(),
    expires: timestamp({ mode: "date", withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;

import { index, integer, pgEnum, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { createdAt, networkEnum, updatedAt } from "./common";
import { idColumn, orgColumn, userColumn } from "./columns";

export const connectionStatusEnum = pgEnum("connection_status", ["active", "expiring", "expired", "revoked"]);

/** An employee's own account on a network. Tokens are AES-256-GCM ciphertext (lib/crypto). */
export const socialConnections = pgTable(
  "social_connections",
  {
    id: idColumn(),
    orgId: orgColumn(),
    userId: userColumn(),
    network: networkEnum().notNull(),
    externalId: text().notNull(),
    handle: text().notNull(),
    displayName: text(),
    /** Mastodon instance or Bluesky PDS base URL. */
    instanceUrl: text(),
    profileUrl: text(),
    followerCount: integer(),
    followersFetchedAt: timestamp({ withTimezone: true }),
    accessTokenEnc: text(),
    refreshTokenEnc: text(),
    tokenExpiresAt: timestamp({ withTimezone: true }),
    refreshExpiresAt: timestamp({ withTimezone: true }),
    scopes: text().array().notNull().default([]),
    status: connectionStatusEnum().notNull().default("active"),
    lastError: text(),
    /** When the person was last told to re-connect (seven days before expiry), so it is said once. */
    nudgedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique("social_connections_account").on(t.orgId, t.userId, t.network, t.externalId),
    index().on(t.status, t.tokenExpiresAt),
  ],
);

export type SocialConnection = typeof socialConnections.$inferSelect;

/**
 * A pending OAuth authorisation: the state sent to the network, the PKCE verifier
 * (encrypted) and where the person started. Used once: the callback deletes it, so a
 * replayed callback finds nothing.
 */
export const oauthStates = pgTable(
  "oauth_states",
  {
    id: idColumn(),
    state: text().notNull().unique(),
    orgId: orgColumn(),
    userId: userColumn(),
    network: networkEnum().notNull(),
    instanceUrl: text(),
    codeVerifierEnc: text(),
    returnTo: text(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.expiresAt)],
);

/**
 * Ripple's own client registration on a network that needs one per server (a Mastodon
 * instance): registered once, reused by every employee on that instance.
 */
export const networkApps = pgTable(
  "network_apps",
  {
    id: idColumn(),
    network: networkEnum().notNull(),
    instanceUrl: text().notNull(),
    redirectUri: text().notNull(),
    clientId: text().notNull(),
    clientSecretEnc: text().notNull(),
    scopes: text().notNull(),
    /** The instance's own text limit and URL length, read from its configuration. */
    maxCharacters: integer(),
    charactersPerUrl: integer(),
    createdAt: createdAt(),
  },
  (t) => [unique("network_apps_instance").on(t.network, t.instanceUrl, t.redirectUri)],
);

/**
 * An organisation's own app at a network whose apps belong to whoever runs them (a Meta
 * app with the Threads use case, docs/networks/threads.md): entered by the organisation's
 * admin; the secret AES-256-GCM ciphertext for this row, never shown back.
 */
export const orgNetworkApps = pgTable(
  "org_network_apps",
  {
    id: idColumn(),
    orgId: orgColumn(),
    network: networkEnum().notNull(),
    clientId: text().notNull(),
    clientSecretEnc: text().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique("org_network_apps_network").on(t.orgId, t.network)],
);

export type OrgNetworkApp = typeof orgNetworkApps.$inferSelect;
export type OauthState = typeof oauthStates.$inferSelect;
export type NetworkApp = typeof networkApps.$inferSelect;

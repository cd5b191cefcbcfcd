import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { networkApps } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import type { DbOrTx } from "@/lib/db";
import { env } from "@/lib/env";
import { normalizeServerUrl } from "@/lib/networks/http";
import { MASTODON_DEFAULT_LIMITS } from "@/lib/networks/mastodon";
import type { ConnectableNetwork, OAuthAdapter, OAuthClient } from "@/lib/networks/types";
import { secretContext } from "./secrets";

/** Where a network sends the person back: registered with every network as is. */
export function redirectUriFor(network: ConnectableNetwork): string {
  return new URL(`/connections/callback/${network}`, env().APP_URL).toString();
}

/**
 * Ripple's OAuth client at a network. A configured network reads it from the
 * environment (null when not configured). A per-instance network (Mastodon) reads the
 * registration cached in network_apps and, when `register` is set and there is none (or it
 * was made with other scopes), registers Ripple on the instance once and caches it, its
 * secret encrypted: every employee on that instance then shares it.
 */
export async function oauthClientFor(
  db: DbOrTx,
  adapter: OAuthAdapter,
  instanceUrl: string | null,
  options: { register: boolean },
): Promise<OAuthClient | null> {
  const redirectUri = redirectUriFor(adapter.id);
  const source = adapter.clientSource;
  if (source.kind === "configured") {
    const credentials = source.load();
    return credentials ? { ...credentials, redirectUri } : null;
  }
  if (!instanceUrl) return null;
  const scopes = adapter.scopes.join(" ");
  const cached = await findApp(db, adapter.id, instanceUrl, redirectUri);
  if (cached && (cached.scopes === scopes || !options.register)) return clientOf(cached, redirectUri);
  if (!options.register) return null;

  const registered = await source.register(instanceUrl, redirectUri);
  // Registered with other scopes (an older Ripple): the new registration replaces it.
  if (cached) await db.delete(networkApps).where(eq(networkApps.id, cached.id));
  const id = randomUUID();
  const [inserted] = await db
    .insert(networkApps)
    .values({
      id,
      network: adapter.id,
      instanceUrl,
      redirectUri,
      clientId: registered.clientId,
      clientSecretEnc: encryptSecret(registered.clientSecret, secretContext.clientSecret(id)),
      scopes: registered.scopes,
      maxCharacters: registered.limits.maxCharacters,
      charactersPerUrl: registered.limits.charactersPerUrl,
    })
    .onConflictDoNothing({ target: [networkApps.network, networkApps.instanceUrl, networkApps.redirectUri] })
    .returning();
  if (inserted) return clientOf(inserted, redirectUri);
  // Someone registered at the same moment: theirs is in the cache, ours is left unused.
  const winner = await findApp(db, adapter.id, instanceUrl, redirectUri);
  if (!winner) throw new Error("network app registration vanished");
  return clientOf(winner, redirectUri);
}

async function findApp(db: DbOrTx, network: ConnectableNetwork, instanceUrl: string, redirectUri: string) {
  const [row] = await db
    .select()
    .from(networkApps)
    .where(and(eq(networkApps.network, network), eq(networkApps.instanceUrl, instanceUrl), eq(networkApps.redirectUri, redirectUri)))
    .limit(1);
  return row;
}

function clientOf(row: typeof networkApps.$inferSelect, redirectUri: string): OAuthClient {
  return { clientId: row.clientId, clientSecret: decryptSecret(row.clientSecretEnc, secretContext.clientSecret(row.id)), redirectUri };
}

export type MastodonLimit = {
  /** configuration.statuses.max_characters of the instance (500 when unknown). */
  maxCharacters: number;
  /** configuration.statuses.characters_reserved_per_url (23 when unknown). */
  charactersPerUrl: number;
  /** False when the instance is not known to Ripple yet and these are Mastodon's defaults. */
  known: boolean;
};

/**
 * The text limit of a Mastodon instance for the composer's counter, as read from the
 * instance when Ripple registered there. Accepts the instance as stored on a connection
 * or as a person typed it.
 */
export async function mastodonLimit(db: DbOrTx, instanceUrl: string | null): Promise<MastodonLimit> {
  const fallback = { ...MASTODON_DEFAULT_LIMITS, known: false };
  if (!instanceUrl) return fallback;
  let origin: string;
  try {
    origin = normalizeServerUrl(instanceUrl, "mastodon");
  } catch {
    return fallback;
  }
  const [row] = await db
    .select({ maxCharacters: networkApps.maxCharacters, charactersPerUrl: networkApps.charactersPerUrl })
    .from(networkApps)
    .where(and(eq(networkApps.network, "mastodon"), eq(networkApps.instanceUrl, origin)))
    .limit(1);
  if (!row) return fallback;
  return {
    maxCharacters: row.maxCharacters ?? MASTODON_DEFAULT_LIMITS.maxCharacters,
    charactersPerUrl: row.charactersPerUrl ?? MASTODON_DEFAULT_LIMITS.charactersPerUrl,
    known: row.maxCharacters !== null,
  };
}

import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { networkApps, type NetworkId } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import type { DbOrTx } from "@/lib/db";
import { appUrl } from "@/lib/env/app-url";
import { adapterFor, isAvailable } from "@/lib/networks/registry";
import { isConnectable, type ConnectableNetwork, type OAuthAdapter, type OAuthClient } from "@/lib/networks/types";
import { orgNetworkApp } from "./org-apps";
import { secretContext } from "./secrets";

/** Where a network sends the person back: registered with every network as is. */
export function redirectUriFor(network: ConnectableNetwork): string {
  return appUrl(`/connections/callback/${network}`);
}

/**
 * Registered clients found, per process, for KNOWN_CLIENT_MS: publishing asks for its share's
 * instance's client every post, and reading it each time was a statement and a decryption a
 * post (npm run bench -- publish). A registration another process replaced (Ripple's scopes
 * changed) is seen here within that time; until then the old client serves only where a
 * client is used at all, a token refresh or a revoke, which Mastodon's tokens (they do not
 * expire) seldom need.
 */
const KNOWN_CLIENT_MS = 60_000;
const knownClients = new Map<string, { client: OAuthClient; until: number }>();

function remembered(key: string, client: OAuthClient): OAuthClient {
  knownClients.set(key, { client, until: Date.now() + KNOWN_CLIENT_MS });
  return client;
}

/**
 * Null when a configured network has no client in the environment, or the organisation
 * entered no app of its own where the network wants one (Threads). A per-instance network
 * registers once per instance (only with `register`, again when the scopes changed), shared by
 * every employee there (docs/networks/README.md, "OAuth clients").
 */
export async function oauthClientFor(
  db: DbOrTx,
  adapter: OAuthAdapter,
  where: { orgId: string; instanceUrl: string | null },
  options: { register: boolean },
): Promise<OAuthClient | null> {
  const { instanceUrl } = where;
  const redirectUri = redirectUriFor(adapter.id);
  const source = adapter.clientSource;
  if (source.kind === "configured") {
    const credentials = source.load();
    return credentials ? { ...credentials, redirectUri } : null;
  }
  if (source.kind === "perOrganisation") {
    const app = await orgNetworkApp(db, where.orgId, adapter.id);
    return app ? { ...app, redirectUri } : null;
  }
  if (!instanceUrl) return null;
  const key = `${adapter.id} ${instanceUrl} ${redirectUri}`;
  if (!options.register) {
    const known = knownClients.get(key);
    if (known && known.until > Date.now()) return known.client;
  }
  const scopes = adapter.scopes.join(" ");
  const cached = await findApp(db, adapter.id, instanceUrl, redirectUri);
  if (cached && (cached.scopes === scopes || !options.register)) return remembered(key, clientOf(cached, redirectUri));
  if (!options.register) return null;
  knownClients.delete(key);

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
  if (inserted) return remembered(key, clientOf(inserted, redirectUri));
  // Someone registered at the same moment: theirs is in the cache, ours is left unused.
  const winner = await findApp(db, adapter.id, instanceUrl, redirectUri);
  if (!winner) throw new Error("network app registration vanished");
  return remembered(key, clientOf(winner, redirectUri));
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

/**
 * A per-instance network's own text rules (a Mastodon instance's limit and link length),
 * as read from the instance when Ripple registered there; {} where Ripple knows none.
 */
export async function instanceTextLimits(db: DbOrTx, network: NetworkId, instanceUrl: string | null): Promise<{ limit?: number; urlLength?: number }> {
  if (!instanceUrl || !isConnectable(network)) return {};
  const adapter = adapterFor(network);
  if (adapter.kind !== "oauth" || adapter.clientSource.kind !== "perInstance") return {};
  const [app] = await db
    .select({ maxCharacters: networkApps.maxCharacters, charactersPerUrl: networkApps.charactersPerUrl })
    .from(networkApps)
    .where(and(eq(networkApps.network, network), eq(networkApps.instanceUrl, instanceUrl)))
    .limit(1);
  return { ...(app?.maxCharacters ? { limit: app.maxCharacters } : {}), ...(app?.charactersPerUrl ? { urlLength: app.charactersPerUrl } : {}) };
}

/**
 * Whether people of the organisation can connect accounts of the network: the server's
 * configuration (lib/networks/registry.ts isAvailable), or the organisation's own app where
 * the network wants one.
 */
export async function isAvailableTo(db: DbOrTx, orgId: string, network: ConnectableNetwork): Promise<boolean> {
  const adapter = adapterFor(network);
  if (adapter.kind === "oauth" && adapter.clientSource.kind === "perOrganisation") return (await orgNetworkApp(db, orgId, network)) !== null;
  return isAvailable(network);
}

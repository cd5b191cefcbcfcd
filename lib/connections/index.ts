/**
 * An employee's own accounts on the networks with a posting API: connecting (OAuth or a
 * Bluesky app password), listing, disconnecting, the tokens for the publisher, and the
 * periodic check that nudges people to re-connect before a connection expires.
 */
export { checkConnections, type ConnectionCheckResult } from "./check";
export { instanceTextLimits, isAvailableTo, oauthClientFor, redirectUriFor } from "./clients";
export { listOrgNetworkApps, orgAppNetworks, orgNetworkAppSchema, removeOrgNetworkApp, saveOrgNetworkApp, type OrgNetworkAppView } from "./org-apps";
export {
  completeConnect,
  connectBluesky,
  connectErrorCodes,
  OAUTH_STATE_TTL_MS,
  startConnect,
  type CallbackInput,
  type ConnectErrorCode,
  type ConnectionSummary,
} from "./connect";
export { currentStatus, disconnect, effectiveExpiry, EXPIRY_WARNING_MS, listConnections, refreshFollowers, type ConnectionStatus, type ConnectionView } from "./manage";
export * from "./schemas";
export { decryptTokens, secretContext } from "./secrets";
export { accountContext, actingContext, connectionTokens, markConnectionBroken, refreshConnection } from "./tokens";

import type { DbOrTx } from "@/lib/db";
import { adapters } from "@/lib/networks/registry";
import { isAvailableTo } from "./clients";
import { connectableNetworks, type ConnectableNetwork } from "@/lib/networks/types";

/**
 * What the connections page offers per network: available or not on this server, and
 * how one connects: "oauth" (straight to the network, with the organisation's own app for Threads), "instance" (name your server, then
 * OAuth there), "password" (handle and app password).
 */
export type NetworkOffer = {
  network: ConnectableNetwork;
  available: boolean;
  method: "oauth" | "instance" | "password";
  /** Offered once the organisation's admin entered its own app (Threads); unavailable until then. */
  orgApp: boolean;
};

export async function networkOffers(db: DbOrTx, orgId: string): Promise<NetworkOffer[]> {
  return Promise.all(
    connectableNetworks.map(async (network) => {
      const adapter = adapters[network];
      const method = adapter.kind === "password" ? "password" : adapter.clientSource.kind === "perInstance" ? "instance" : "oauth";
      const orgApp = adapter.kind === "oauth" && adapter.clientSource.kind === "perOrganisation";
      return { network, available: await isAvailableTo(db, orgId, network), method, orgApp };
    }),
  );
}
export { refreshExpiringTokens, REFRESH_AHEAD_MS } from "./refresh-ahead";

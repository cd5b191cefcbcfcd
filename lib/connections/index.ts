/**
 * An employee's own accounts on the networks with a posting API: connecting (OAuth or a
 * Bluesky app password), listing, disconnecting, the tokens for the publisher, and the
 * periodic check that nudges people to re-connect before a connection expires.
 */
export { checkConnections, type ConnectionCheckResult } from "./check";
export { instanceTextLimits, oauthClientFor, redirectUriFor } from "./clients";
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

import { adapters, isAvailable } from "@/lib/networks/registry";
import { connectableNetworks, type ConnectableNetwork } from "@/lib/networks/types";

/**
 * What the connections page offers per network: available or not on this server, and
 * how one connects: "oauth" (straight to the network), "instance" (name your server, then
 * OAuth there), "password" (handle and app password).
 */
export type NetworkOffer = { network: ConnectableNetwork; available: boolean; method: "oauth" | "instance" | "password" };

export function networkOffers(): NetworkOffer[] {
  return connectableNetworks.map((network) => {
    const adapter = adapters[network];
    const method = adapter.kind === "password" ? "password" : adapter.clientSource.kind === "perInstance" ? "instance" : "oauth";
    return { network, available: isAvailable(network), method };
  });
}
export { refreshExpiringTokens, REFRESH_AHEAD_MS } from "./refresh-ahead";

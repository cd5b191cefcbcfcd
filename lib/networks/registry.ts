import type { NetworkId } from "@/db/schema";
import { bluesky } from "./bluesky";
import { linkedin } from "./linkedin";
import { mastodon } from "./mastodon";
import { threads } from "./threads";
import { shareOnlyNetworks } from "./share-window";
import { isConnectable, type ConnectableNetwork, type NetworkAdapter, type ShareWindow } from "./types";
import { x } from "./x";

/** The adapter of each network with a posting API. */
export const adapters: Record<ConnectableNetwork, NetworkAdapter> = { linkedin, x, mastodon, bluesky, threads };

export function adapterFor(network: ConnectableNetwork): NetworkAdapter {
  return adapters[network];
}

/** Every network's own share window, with a posting API or without. */
export function shareWindowFor(network: NetworkId): ShareWindow {
  return isConnectable(network) ? adapters[network].shareWindow : shareOnlyNetworks[network];
}

/**
 * Whether this server can connect accounts of the network: an OAuth network with a fixed
 * client needs its client id and secret configured; per-instance and password networks
 * need nothing. A network whose app each organisation brings (Threads) depends on the
 * organisation: lib/connections/clients.ts isAvailableTo; here it counts as available.
 */
export function isAvailable(network: ConnectableNetwork): boolean {
  const adapter = adapters[network];
  if (adapter.kind === "password" || adapter.clientSource.kind !== "configured") return true;
  return adapter.clientSource.load() !== null;
}

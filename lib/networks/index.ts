export { networkIds, type NetworkId } from "@/db/schema";
export { connectableNetworks, isConnectable, type ConnectableNetwork } from "./types";

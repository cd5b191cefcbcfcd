export { networkIds, type NetworkId } from "@/db/schema/ids";
export { connectableNetworks, isConnectable, type ConnectableNetwork } from "./types";

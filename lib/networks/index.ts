export { networkIds, type NetworkId } from "@/db/schema";

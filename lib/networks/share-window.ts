import type { NetworkId } from "@/db/schema";
import type { ConnectableNetwork, ShareWindow } from "./types";

/** A share window's query string, encoded as the networks' own share buttons do. */
export function shareQuery(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/**
 * The networks without a posting API that Ripple offers, through their share windows only
 * (networks.md §3, §7, §8). Where the document marks an address UNVERIFIED it is the
 * widely used one.
 */
export const shareOnlyNetworks: Record<Exclude<NetworkId, ConnectableNetwork>, ShareWindow> = {
  facebook: {
    takesText: false,
    url: ({ url, hashtag, facebookAppId }) =>
      facebookAppId
        ? `https://www.facebook.com/dialog/share?${shareQuery({ app_id: facebookAppId, display: "popup", href: url, ...(hashtag ? { hashtag } : {}) })}`
        : `https://www.facebook.com/sharer/sharer.php?${shareQuery({ u: url })}`,
  },
  xing: { takesText: false, url: ({ url }) => `https://www.xing.com/spi/shares/new?${shareQuery({ url })}` },
};

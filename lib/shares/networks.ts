import type { NetworkId } from "@/db/schema";

/** Networks Ripple can post to for the employee, through their connected account. */
export const postingNetworks = ["linkedin", "x", "mastodon", "bluesky"] as const satisfies readonly NetworkId[];
export type PostingNetwork = (typeof postingNetworks)[number];

export function hasPostingApi(network: NetworkId): network is PostingNetwork {
  return (postingNetworks as readonly string[]).includes(network);
}

/** Whether the network's share window takes the text too; if not, it goes to the clipboard. */
export function shareUrlTakesText(network: NetworkId): boolean {
  return network === "x" || network === "bluesky" || network === "mastodon" || network === "threads";
}

/**
 * The network's own share window for a link (and the text where it takes one), from
 * networks.md §8. Where the document marks an address UNVERIFIED it is the widely used one.
 */
export function shareIntentUrl(network: NetworkId, input: { url: string; text: string; hashtag?: string | null; facebookAppId?: string | null; mastodonInstance?: string | null }): string {
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
  switch (network) {
    case "linkedin":
      return `https://www.linkedin.com/sharing/share-offsite/?${q({ url: input.url })}`;
    case "x":
      return `https://x.com/intent/tweet?${q({ text: input.text })}`;
    case "facebook":
      return input.facebookAppId
        ? `https://www.facebook.com/dialog/share?${q({ app_id: input.facebookAppId, display: "popup", href: input.url, ...(input.hashtag ? { hashtag: input.hashtag } : {}) })}`
        : `https://www.facebook.com/sharer/sharer.php?${q({ u: input.url })}`;
    case "bluesky":
      return `https://bsky.app/intent/compose?${q({ text: input.text })}`;
    case "mastodon":
      return `${(input.mastodonInstance ?? "https://mastodon.social").replace(/\/+$/, "")}/share?${q({ text: input.text })}`;
    case "xing":
      return `https://www.xing.com/spi/shares/new?${q({ url: input.url })}`;
    case "threads":
      return `https://www.threads.net/intent/post?${q({ text: input.text })}`;
  }
}

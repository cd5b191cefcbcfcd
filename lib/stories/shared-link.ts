import { linkRefusal } from "@/lib/net/public-address";
import type { UnsafeFetchReason } from "@/lib/net/safe-fetch";

/** What a phone's share sheet hands the Web Share Target (manifest share_target): any of the three may be empty. */
export type SharedPage = { title?: string; text?: string; url?: string };

const LINK_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s<>"]+/i;

/**
 * The link a shared page carries: the url field, else the first address in the text or the
 * title (Android apps often put the link in text). Refused as a suggestion is: not http(s),
 * or inside a private network.
 */
export async function sharedLink(shared: SharedPage): Promise<{ url: string } | { refused: UnsafeFetchReason | "noLink"; url?: string }> {
  const candidate = shared.url?.trim() || LINK_IN_TEXT.exec(shared.text ?? "")?.[0] || LINK_IN_TEXT.exec(shared.title ?? "")?.[0];
  if (!candidate) return { refused: "noLink" };
  const url = candidate.slice(0, 2048);
  const refused = await linkRefusal(url);
  return refused ? { refused, url } : { url };
}

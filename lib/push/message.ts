import { networkIds, type NetworkId } from "@/db/schema";
import type { Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/messages";

/** What the service worker shows: the JSON inside the encrypted push message. */
export type PushMessage = { title: string; body: string; url: string; tag: string };

export type PushSubject =
  | { kind: "story"; storyId: string; title: string }
  | { kind: "share"; shareId: string; status: "published" | "failed" | "needs_attention"; title: string; network: string; postUrl: string | null };

const isWebUrl = (value: string | null): value is string => {
  try {
    return value !== null && ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

const isNetworkId = (id: string): id is NetworkId => (networkIds as readonly string[]).includes(id);

/**
 * The notification in the reader's language (messages push.*). A new story opens the
 * composer with it chosen; a post that went out opens the post; a failed one the person's
 * shares, where the reason is.
 */
export function pushMessage(subject: PushSubject, locale: Locale): PushMessage {
  const t = translator(locale);
  if (subject.kind === "story") {
    return { title: t("push.story.title"), body: subject.title.slice(0, 200), url: `/compose?story=${subject.storyId}`, tag: `story-${subject.storyId}` };
  }
  const network = isNetworkId(subject.network) ? t(`networks.${subject.network}`) : subject.network;
  const params = { title: subject.title.slice(0, 200), network };
  return {
    title: t(`push.share.${subject.status}.title`, params),
    body: t(`push.share.${subject.status}.body`, params),
    url: subject.status === "published" && isWebUrl(subject.postUrl) ? subject.postUrl : "/queue",
    tag: `share-${subject.shareId}`,
  };
}

import { isbot } from "isbot";
import { LRUCache } from "lru-cache";

/**
 * Named here although isbot lists them today: a preview must never count as a visit, whatever
 * isbot's next release does. Mastodon's fetcher says "http.rb/… (Mastodon/4.x;
 * +https://instance/)"; Bluesky's card service is cardyb ("Bskybot").
 */
const PREVIEWERS = /facebookexternalhit|facebookcatalog|linkedinbot|twitterbot|slackbot|slack-imgproxy|discordbot|telegrambot|whatsapp|mastodon\/|bskybot|cardyb|skypeuripreview|microsoftpreview|redditbot|pinterestbot|embedly|iframely|vkshare|xing-contenttabreceiver/i;

/**
 * A HEAD request (no browser follows a shared link with HEAD), no user agent at all, or a
 * crawler or link previewer. Such clicks are stored and counted as botClicks, never as
 * clicks or reach.
 */
export function isBotRequest(method: string, userAgent: string | null | undefined): boolean {
  if (method === "HEAD") return true;
  if (!userAgent) return true;
  // The same few hundred user agents make nearly all clicks: each is judged once.
  let verdict = botVerdicts.get(userAgent);
  if (verdict === undefined) {
    verdict = PREVIEWERS.test(userAgent) || isbot(userAgent);
    botVerdicts.set(userAgent, verdict);
  }
  return verdict;
}

const botVerdicts = new LRUCache<string, boolean>({ max: 5_000 });

import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";
import { composeUrl } from "@/lib/notifications/digest";
import type { ChatWebhookKind } from "./manage";

/**
 * What a story going live says in a channel, with a "Share on Ripple" button to compose.
 * Slack: `{ text, blocks }`, `text` the notification fallback. Teams: one Adaptive Card
 * (1.4), which both the classic connector and its Workflows replacement accept.
 */

export type AnnouncedStory = { id: string; title: string; summary: string; canonicalUrl: string | null };

/** Slack mrkdwn: &, < and > are control characters. */
function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A URL inside <url|label>: a | or > would end it early. */
function slackUrl(url: string): string {
  return url.replace(/\|/g, "%7C").replace(/>/g, "%3E").replace(/</g, "%3C");
}

function clip(text: string, max: number): string {
  const trimmed = text.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max - 1).trimEnd()}…` : trimmed;
}

export function slackStoryMessage(story: AnnouncedStory, locale: Locale) {
  const t = translator(locale);
  const title = slackEscape(clip(story.title, 300));
  const heading = story.canonicalUrl ? `*<${slackUrl(story.canonicalUrl)}|${title}>*` : `*${title}*`;
  const summary = story.summary.trim() ? `\n${slackEscape(clip(story.summary, 2000))}` : "";
  return {
    text: slackEscape(`${t("webhooks.message.newStory")}: ${clip(story.title, 300)}`),
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `${heading}${summary}` } },
      {
        type: "actions",
        elements: [{ type: "button", action_id: "ripple-share", style: "primary", text: { type: "plain_text", text: t("webhooks.message.share") }, url: composeUrl(story.id) }],
      },
    ],
  };
}

function adaptiveCard(body: unknown[], actions: unknown[]) {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: { $schema: "http://adaptivecards.io/schemas/adaptive-card.json", type: "AdaptiveCard", version: "1.4", body, ...(actions.length ? { actions } : {}) },
      },
    ],
  };
}

export function teamsStoryMessage(story: AnnouncedStory, locale: Locale) {
  const t = translator(locale);
  return adaptiveCard(
    [
      { type: "TextBlock", text: t("webhooks.message.newStory"), isSubtle: true, size: "Small", wrap: true },
      { type: "TextBlock", text: clip(story.title, 300), weight: "Bolder", size: "Medium", wrap: true },
      ...(story.summary.trim() ? [{ type: "TextBlock", text: clip(story.summary, 2000), wrap: true }] : []),
    ],
    [
      { type: "Action.OpenUrl", title: t("webhooks.message.share"), url: composeUrl(story.id) },
      ...(story.canonicalUrl ? [{ type: "Action.OpenUrl", title: t("webhooks.message.read"), url: story.canonicalUrl }] : []),
    ],
  );
}

export function testMessage(kind: ChatWebhookKind, locale: Locale, orgName: string) {
  const t = translator(locale);
  const title = t("webhooks.message.testTitle");
  const text = t("webhooks.message.testText", { org: orgName });
  if (kind === "slack") return { text: slackEscape(`${title} ${text}`), blocks: [{ type: "section", text: { type: "mrkdwn", text: `*${slackEscape(title)}*\n${slackEscape(text)}` } }] };
  return adaptiveCard(
    [
      { type: "TextBlock", text: title, weight: "Bolder", size: "Medium", wrap: true },
      { type: "TextBlock", text, wrap: true },
    ],
    [],
  );
}

import net from "node:net";
import { and, count, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { organizations, stories, webhooks, type Webhook } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { conflict, notFound, PermanentFailure } from "@/lib/errors";
import { translator } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/i18n/locales";
import { blockedAddressKind, safeFetch, UnsafeFetchError, type SafeFetchOptions } from "@/lib/net/safe-fetch";
import { composeUrl } from "@/lib/notifications/digest";
import { parseSettings } from "@/lib/orgs";
import type { Scope } from "@/lib/tenant";

/**
 * Slack and Microsoft Teams incoming webhooks: when a story goes live, one message per
 * active webhook of its organisation, with the story and a "Share on Ripple" button that
 * opens compose with the story chosen.
 *
 * The URL is the whole credential (whoever has it can post to the channel): it is shown
 * masked, never audited or logged in full, and only posted to through safeFetch, whose
 * SSRF rules refuse private, loopback and link-local addresses (admins type these URLs).
 *
 * Message formats:
 *  - Slack: `{ text, blocks }`: `text` is the notification fallback; a section block
 *    with the title (linked to the story's canonical URL when it has one) and the summary,
 *    then an actions block with a link button to compose.
 *  - Teams: a message with one Adaptive Card attachment (version 1.4): title, summary and
 *    Action.OpenUrl buttons. Chosen over the legacy MessageCard because it is what both
 *    the classic "Incoming Webhook" connector and its replacement, the Workflows
 *    "when a Teams webhook request is received" trigger, accept.
 */

export const chatWebhookKinds = ["slack", "teams"] as const;
export type ChatWebhookKind = (typeof chatWebhookKinds)[number];
const MAX_WEBHOOKS = 20;
const TIMEOUT_MS = 5_000;
const LOCAL_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

/** An incoming-webhook URL: https, no user or password, not an address inside a private network. */
export const chatWebhookUrlSchema = z
  .string()
  .trim()
  .min(1, "required")
  .max(2048, "tooLong")
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "webhookUrlInvalid" });
      return;
    }
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const problem =
      url.protocol !== "https:"
        ? "webhookHttpsOnly"
        : url.username || url.password || !host
          ? "webhookUrlInvalid"
          : LOCAL_NAMES.test(host) || (net.isIP(host) && blockedAddressKind(host))
            ? "webhookPrivateAddress"
            : null;
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const newChatWebhookSchema = z.object({ kind: z.enum(chatWebhookKinds), url: chatWebhookUrlSchema });
export type NewChatWebhook = z.input<typeof newChatWebhookSchema>;

export type ChatWebhook = {
  id: string;
  kind: ChatWebhookKind;
  /** The URL with its secret part hidden: host and the last four characters. */
  urlHint: string;
  active: boolean;
  lastDeliveryAt: Date | null;
  lastError: string | null;
  createdAt: Date;
};

export function maskWebhookUrl(value: string): string {
  try {
    const url = new URL(value);
    const rest = `${url.pathname}${url.search}`;
    return rest.length > 1 ? `${url.host}/…${rest.slice(-4)}` : url.host;
  } catch {
    return "…";
  }
}

function toChatWebhook(row: Webhook): ChatWebhook {
  return { id: row.id, kind: row.kind as ChatWebhookKind, urlHint: maskWebhookUrl(row.url), active: row.active, lastDeliveryAt: row.lastDeliveryAt, lastError: row.lastError, createdAt: row.createdAt };
}

const chatKind = inArray(webhooks.kind, [...chatWebhookKinds]);

export async function listChatWebhooks(db: DbOrTx, scope: Scope): Promise<ChatWebhook[]> {
  const rows = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.orgId, scope.orgId), chatKind))
    .orderBy(desc(webhooks.createdAt));
  return rows.map(toChatWebhook);
}

async function getChatWebhook(db: DbOrTx, scope: Scope, id: string): Promise<Webhook> {
  const [row] = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.id, id), eq(webhooks.orgId, scope.orgId), chatKind))
    .limit(1);
  if (!row) throw notFound("Webhook");
  return row;
}

/** Adds a Slack or Teams incoming webhook (admins), active at once; audited without its URL. */
export async function createChatWebhook(db: DbOrTx, scope: Scope, input: NewChatWebhook): Promise<ChatWebhook> {
  const parsed = newChatWebhookSchema.parse(input);
  return db.transaction(async (tx) => {
    await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, scope.orgId)).for("update");
    const [existing] = await tx
      .select({ n: count() })
      .from(webhooks)
      .where(and(eq(webhooks.orgId, scope.orgId), chatKind));
    if ((existing?.n ?? 0) >= MAX_WEBHOOKS) throw conflict("tooMany", `At most ${MAX_WEBHOOKS} Slack and Teams webhooks`);
    const [row] = await tx
      .insert(webhooks)
      .values({ orgId: scope.orgId, kind: parsed.kind, url: parsed.url, events: ["story.published"], active: true })
      .returning();
    const created = toChatWebhook(row!);
    await audit(tx, scope, { action: "webhook.create", targetType: "webhook", targetId: created.id, after: { kind: created.kind, url: created.urlHint, active: true } });
    return created;
  });
}

/** Turns a webhook on or off; turning it on clears the last error. */
export async function setChatWebhookActive(db: DbOrTx, scope: Scope, id: string, active: boolean): Promise<ChatWebhook> {
  return db.transaction(async (tx) => {
    const before = await getChatWebhook(tx, scope, id);
    if (before.active === active) return toChatWebhook(before);
    const [row] = await tx
      .update(webhooks)
      .set({ active, ...(active ? { lastError: null } : {}) })
      .where(eq(webhooks.id, id))
      .returning();
    await audit(tx, scope, { action: "webhook.update", targetType: "webhook", targetId: id, before: { active: before.active }, after: { active } });
    return toChatWebhook(row!);
  });
}

export async function deleteChatWebhook(db: DbOrTx, scope: Scope, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await getChatWebhook(tx, scope, id);
    await tx.delete(webhooks).where(eq(webhooks.id, id));
    await audit(tx, scope, { action: "webhook.delete", targetType: "webhook", targetId: id, before: { kind: before.kind, url: maskWebhookUrl(before.url), active: before.active } });
  });
}

// ---------------------------------------------------------------- messages

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

function testMessage(kind: ChatWebhookKind, locale: Locale, orgName: string) {
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

// ---------------------------------------------------------------- delivery

/** A delivery that failed for now (a 5xx, a timeout); what another attempt cannot fix is a PermanentFailure. */
export class WebhookDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WebhookDeliveryError";
  }
}

function deliveryFailure(message: string, retryable: boolean, options?: { cause?: unknown }) {
  return retryable ? new WebhookDeliveryError(message, options) : new PermanentFailure(message, options);
}

export type DeliveryOptions = Pick<SafeFetchOptions, "allowList" | "allowPrivate" | "lookup">;

/** POSTs the JSON, records the outcome on the webhook (lastDeliveryAt or lastError) and throws the failure. */
async function post(db: DbOrTx, hook: Webhook, payload: unknown, options: DeliveryOptions): Promise<void> {
  let failure: WebhookDeliveryError | PermanentFailure | null = null;
  try {
    const response = await safeFetch(hook.url, {
      ...options,
      method: "POST",
      body: JSON.stringify(payload),
      headers: { "content-type": "application/json; charset=utf-8", accept: "*/*" },
      timeoutMs: TIMEOUT_MS,
      // An incoming webhook answers, it does not redirect; a redirect would turn the POST into a GET.
      maxRedirects: 0,
      maxBytes: 16 * 1024,
      truncate: true,
    });
    if (response.status < 200 || response.status > 299) {
      const said = response.body.toString("utf8").replace(/\s+/g, " ").trim().slice(0, 200);
      failure = deliveryFailure(`HTTP ${response.status}${said ? `: ${said}` : ""}`, response.status >= 500 || response.status === 429 || response.status === 408);
    }
  } catch (error) {
    if (!(error instanceof UnsafeFetchError)) throw error;
    failure = deliveryFailure(`${error.reason}: ${error.message}`, error.reason === "timeout" || error.reason === "unreachable", { cause: error });
  }
  if (failure) {
    await db.update(webhooks).set({ lastError: failure.message.slice(0, 500) }).where(eq(webhooks.id, hook.id));
    throw failure;
  }
  await db.update(webhooks).set({ lastDeliveryAt: new Date(), lastError: null }).where(eq(webhooks.id, hook.id));
}

async function organizationOf(db: DbOrTx, orgId: string) {
  const [org] = await db.select({ name: organizations.name, settings: organizations.settings }).from(organizations).where(eq(organizations.id, orgId)).limit(1);
  return { name: org?.name ?? "", locale: parseSettings(org?.settings).locale };
}

/**
 * The "webhook.story" job: tells one Slack or Teams channel that a story went live, in the
 * organisation's language. "skipped" when the webhook was removed or turned off, or the
 * story is gone or no longer live (withdrawn before the message went out).
 */
export async function deliverStoryWebhook(db: DbOrTx, webhookId: string, storyId: string, options: DeliveryOptions = {}): Promise<"delivered" | "skipped"> {
  const [hook] = await db.select().from(webhooks).where(eq(webhooks.id, webhookId)).limit(1);
  if (!hook || !hook.active || !(chatWebhookKinds as readonly string[]).includes(hook.kind)) return "skipped";
  const [story] = await db
    .select({ id: stories.id, title: stories.title, summary: stories.summary, canonicalUrl: stories.canonicalUrl, status: stories.status })
    .from(stories)
    .where(and(eq(stories.id, storyId), eq(stories.orgId, hook.orgId)))
    .limit(1);
  if (!story || story.status !== "published") return "skipped";
  const { locale } = await organizationOf(db, hook.orgId);
  const payload = hook.kind === "slack" ? slackStoryMessage(story, locale) : teamsStoryMessage(story, locale);
  await post(db, hook, payload, options);
  return "delivered";
}

/** "Send test message" (admins): posts a short hello now and says whether it arrived. */
export async function sendTestMessage(db: DbOrTx, scope: Scope, id: string, options: DeliveryOptions = {}): Promise<{ ok: true } | { ok: false; error: string }> {
  const hook = await getChatWebhook(db, scope, id);
  const org = await organizationOf(db, scope.orgId);
  try {
    await post(db, hook, testMessage(hook.kind as ChatWebhookKind, org.locale, org.name), options);
    return { ok: true };
  } catch (error) {
    if (error instanceof WebhookDeliveryError || error instanceof PermanentFailure) return { ok: false, error: error.message };
    throw error;
  }
}

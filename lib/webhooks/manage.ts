import { randomUUID } from "node:crypto";
import net from "node:net";
import { and, count, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { organizations, webhooks, type Webhook } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { conflict, notFound } from "@/lib/errors";
import { blockedAddressKind } from "@/lib/net/safe-fetch";
import type { Scope } from "@/lib/tenant";
import { sealWebhookUrl, webhookUrlHint } from "./secrets";

export { maskWebhookUrl } from "./secrets";

/**
 * An organisation's Slack and Teams incoming webhooks. The URL is the whole credential
 * (whoever has it can post to the channel): stored encrypted (./secrets.ts), shown masked,
 * never audited or logged in full.
 */

export const chatWebhookKinds = ["slack", "teams"] as const;
export type ChatWebhookKind = (typeof chatWebhookKinds)[number];
const MAX_WEBHOOKS = 20;
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

function toChatWebhook(row: Webhook): ChatWebhook {
  return { id: row.id, kind: row.kind as ChatWebhookKind, urlHint: webhookUrlHint(row), active: row.active, lastDeliveryAt: row.lastDeliveryAt, lastError: row.lastError, createdAt: row.createdAt };
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

export async function getChatWebhook(db: DbOrTx, scope: Scope, id: string): Promise<Webhook> {
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
    const id = randomUUID();
    const [row] = await tx
      .insert(webhooks)
      .values({ id, orgId: scope.orgId, kind: parsed.kind, ...sealWebhookUrl(id, parsed.url), events: ["story.published"], active: true })
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
    await audit(tx, scope, { action: "webhook.delete", targetType: "webhook", targetId: id, before: { kind: before.kind, url: webhookUrlHint(before), active: before.active } });
  });
}

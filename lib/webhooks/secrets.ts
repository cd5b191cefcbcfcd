import { and, eq, not, like } from "drizzle-orm";
import { webhooks, type Webhook } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import type { DbOrTx } from "@/lib/db";

/**
 * A Slack or Teams incoming-webhook URL is the whole credential (whoever has it posts to the
 * channel), so it is stored like an OAuth token: AES-256-GCM with TOKEN_ENCRYPTION_KEY, bound
 * to its row. The UI, the audit log and the logs only ever see maskWebhookUrl's hint.
 */

/** The associated data: a ciphertext copied to another row does not decrypt. */
const urlContext = (webhookId: string) => `webhooks:${webhookId}:url`;

/** Every ciphertext of lib/crypto starts so; a URL cannot (it starts with its scheme). */
const isCiphertext = (stored: string) => stored.startsWith("v1.");

/** Host and the last four characters: enough to tell two webhooks apart, not to post to one. */
export function maskWebhookUrl(value: string): string {
  try {
    const url = new URL(value);
    const rest = `${url.pathname}${url.search}`;
    return rest.length > 1 ? `${url.host}/…${rest.slice(-4)}` : url.host;
  } catch {
    return "…";
  }
}

/** The URL's columns for the row `webhookId`. */
export function sealWebhookUrl(webhookId: string, url: string): { urlEnc: string; urlHint: string } {
  return { urlEnc: encryptSecret(url, urlContext(webhookId)), urlHint: maskWebhookUrl(url) };
}

/**
 * The URL to post to. A row from before encryption still holds the plain URL until
 * encryptPlainWebhookUrls rewrites it: read as it is, so no message is lost meanwhile.
 */
export function webhookUrlOf(row: Pick<Webhook, "id" | "urlEnc">): string {
  return isCiphertext(row.urlEnc) ? decryptSecret(row.urlEnc, urlContext(row.id)) : row.urlEnc;
}

/** What the UI shows of a row's URL. */
export function webhookUrlHint(row: Pick<Webhook, "urlEnc" | "urlHint">): string {
  return row.urlHint ?? (isCiphertext(row.urlEnc) ? "…" : maskWebhookUrl(row.urlEnc));
}

/**
 * Encrypts the URLs migration 0014 found in plain text (a migration cannot know the key): run
 * by `npm run ripple -- migrate` when the key is set and by the workers as they start. Each row
 * is rewritten only if it still holds what was read, so two processes at once do no harm.
 * Returns how many rows it encrypted.
 */
export async function encryptPlainWebhookUrls(db: DbOrTx): Promise<number> {
  const plain = await db.select({ id: webhooks.id, urlEnc: webhooks.urlEnc }).from(webhooks).where(not(like(webhooks.urlEnc, "v1.%")));
  let encrypted = 0;
  for (const row of plain) {
    const done = await db
      .update(webhooks)
      .set(sealWebhookUrl(row.id, row.urlEnc))
      .where(and(eq(webhooks.id, row.id), eq(webhooks.urlEnc, row.urlEnc)))
      .returning({ id: webhooks.id });
    encrypted += done.length;
  }
  return encrypted;
}

import { envFor } from "@/lib/env";

export type VapidConfig = { publicKey: string; privateKey: string; subject: string };

/**
 * The VAPID key pair and contact (RFC 8292), or null when push is not configured: then the
 * settings page hides the opt-in and nothing is queued. The subject defaults to MAIL_FROM's address.
 */
export function vapidConfig(): VapidConfig | null {
  const env = envFor(["VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT", "MAIL_FROM"]);
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY) return null;
  const address = /<([^>]+)>/.exec(env.MAIL_FROM)?.[1] ?? env.MAIL_FROM.trim();
  return { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT ?? `mailto:${address}` };
}

/** The key the browser subscribes with (applicationServerKey); null when push is off. */
export function vapidPublicKey(): string | null {
  return vapidConfig()?.publicKey ?? null;
}

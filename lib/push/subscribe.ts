import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { pushSubscriptions, type PushSubscription } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { envFor } from "@/lib/env";
import type { Scope } from "@/lib/tenant";

const base64url = (bytes: number) =>
  z.string().refine((v) => /^[A-Za-z0-9_-]+={0,2}$/.test(v) && Buffer.from(v, "base64url").length === bytes, "invalidKey");

/**
 * A push service's endpoint is https (every browser's is). Plain http only to a loopback
 * host the test settings already let the server reach (ALLOW_PRIVATE_FETCH or
 * FETCH_ALLOW_HOSTS), so a local fake push service can stand in; sending still goes
 * through the SSRF-safe fetcher, so no endpoint reaches a private network in production.
 */
export function pushEndpointAllowed(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === "https:") return true;
  if (url.protocol !== "http:" || !["localhost", "127.0.0.1", "[::1]"].includes(url.hostname)) return false;
  const { ALLOW_PRIVATE_FETCH, FETCH_ALLOW_HOSTS } = envFor(["ALLOW_PRIVATE_FETCH", "FETCH_ALLOW_HOSTS"]);
  return ALLOW_PRIVATE_FETCH || FETCH_ALLOW_HOSTS.includes(`${url.hostname}:${url.port || "80"}`);
}

/** PushSubscription.toJSON() as the browser gives it; expirationTime is accepted and not kept. */
export const pushSubscriptionSchema = z.object({
  endpoint: z.string().max(2048, "tooLong").refine(pushEndpointAllowed, "invalidEndpoint"),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({ p256dh: base64url(65), auth: base64url(16) }),
});
export type PushSubscriptionInput = z.infer<typeof pushSubscriptionSchema>;

/**
 * Keeps this browser's subscription for the person in this organisation. An endpoint is one
 * browser profile: when someone else signs in there and opts in, it moves to them.
 */
export async function savePushSubscription(db: DbOrTx, scope: Scope, userId: string, raw: unknown): Promise<PushSubscription> {
  const { endpoint, keys } = pushSubscriptionSchema.parse(raw);
  const values = { orgId: scope.orgId, userId, p256dh: keys.p256dh, auth: keys.auth };
  const [row] = await db
    .insert(pushSubscriptions)
    .values({ endpoint, ...values })
    .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: values })
    .returning();
  return row!;
}

/** Opting out on this browser: only the person's own subscription goes. */
export async function deletePushSubscription(db: DbOrTx, scope: Scope, userId: string, endpoint: string): Promise<boolean> {
  const removed = await db
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.orgId, scope.orgId), eq(pushSubscriptions.userId, userId), eq(pushSubscriptions.endpoint, endpoint)))
    .returning({ id: pushSubscriptions.id });
  return removed.length > 0;
}

export async function countPushSubscriptions(db: DbOrTx, scope: Scope, userId: string): Promise<number> {
  const rows = await db
    .select({ id: pushSubscriptions.id })
    .from(pushSubscriptions)
    .where(and(eq(pushSubscriptions.orgId, scope.orgId), eq(pushSubscriptions.userId, userId)));
  return rows.length;
}

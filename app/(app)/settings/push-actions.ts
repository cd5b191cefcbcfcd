"use server";

import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { DomainError } from "@/lib/errors";
import { deletePushSubscription, pushSubscriptionSchema, savePushSubscription } from "@/lib/push/subscribe";
import { vapidPublicKey } from "@/lib/push/vapid";

/** This browser's push subscription, for the signed-in person in this organisation. */
export const subscribePushAction = action({ roles: "any-member", input: pushSubscriptionSchema }, async (input, ctx) => {
  if (!vapidPublicKey()) throw new DomainError(409, "pushOff", "Push notifications are not configured");
  await savePushSubscription(ctx.db, ctx.scope, ctx.userId, input);
  return { subscribed: true };
});

/** Opting out on this browser deletes its subscription (only the person's own). */
export const unsubscribePushAction = action({ roles: "any-member", input: z.object({ endpoint: z.string().min(1).max(2048) }) }, async (input, ctx) => {
  await deletePushSubscription(ctx.db, ctx.scope, ctx.userId, input.endpoint);
  return { subscribed: false };
});

"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { sendTestMessage } from "@/lib/webhooks/deliver";
import { createChatWebhook, deleteChatWebhook, newChatWebhookSchema, setChatWebhookActive } from "@/lib/webhooks/manage";

const admin = ["admin"] as const;
const id = z.object({ webhookId: z.uuid() });

export const createWebhookAction = action({ roles: admin, input: newChatWebhookSchema }, async (input, ctx) => {
  const created = await createChatWebhook(ctx.db, ctx.scope, input);
  revalidatePath("/admin/webhooks");
  return { id: created.id };
});

export const setWebhookActiveAction = action({ roles: admin, input: id.extend({ active: z.boolean() }) }, async ({ webhookId, active }, ctx) => {
  await setChatWebhookActive(ctx.db, ctx.scope, webhookId, active);
  revalidatePath("/admin/webhooks");
  return { active };
});

export const deleteWebhookAction = action({ roles: admin, input: id }, async ({ webhookId }, ctx) => {
  await deleteChatWebhook(ctx.db, ctx.scope, webhookId);
  revalidatePath("/admin/webhooks");
  return true;
});

/** Posts a hello to the channel now; the answer says whether it arrived and, if not, why. */
export const testWebhookAction = action({ roles: admin, input: id }, async ({ webhookId }, ctx) => {
  const outcome = await sendTestMessage(ctx.db, ctx.scope, webhookId);
  revalidatePath("/admin/webhooks");
  return outcome;
});

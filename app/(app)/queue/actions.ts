"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { cancelShare, confirmIntentShare, editShare, markPosted, retryShare } from "@/lib/shares";
import { isLocalDateTime, localToInstant } from "@/lib/time";
import { timeZoneOf } from "../time-zone";

const employee = ["employee"] as const;
const id = z.uuid();

export const editShareAction = action(
  { roles: employee, input: z.object({ shareId: id, text: z.string().max(10_000).optional(), scheduledAt: z.string().optional() }) },
  async ({ shareId, text, scheduledAt }, ctx) => {
    const zone = await timeZoneOf(ctx);
    const at = scheduledAt && isLocalDateTime(scheduledAt) ? localToInstant(scheduledAt, zone) : scheduledAt || undefined;
    const share = await editShare(ctx.db, ctx.scope, ctx.userId, shareId, { text, scheduledAt: at });
    revalidatePath("/queue");
    return { scheduledAt: share.scheduledAt.toISOString() };
  },
);

export const cancelShareAction = action({ roles: employee, input: z.object({ shareId: id }) }, async ({ shareId }, ctx) => {
  await cancelShare(ctx.db, ctx.scope, ctx.userId, shareId);
  revalidatePath("/queue");
  return true;
});

export const retryShareAction = action({ roles: employee, input: z.object({ shareId: id }) }, async ({ shareId }, ctx) => {
  await retryShare(ctx.db, ctx.scope, ctx.userId, shareId);
  revalidatePath("/queue");
  return true;
});

export const answerIntentAction = action({ roles: employee, input: z.object({ shareId: id, posted: z.boolean() }) }, async ({ shareId, posted }, ctx) => {
  await confirmIntentShare(ctx.db, ctx.scope, ctx.userId, shareId, posted);
  revalidatePath("/queue");
  return true;
});

export const markPostedAction = action({ roles: employee, input: z.object({ shareId: id }) }, async ({ shareId }, ctx) => {
  await markPosted(ctx.db, ctx.scope, ctx.userId, shareId);
  revalidatePath("/queue");
  return true;
});

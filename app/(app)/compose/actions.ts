"use server";

import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { networkIds } from "@/lib/networks";
import { checkEmployeeText, composeSchema, confirmIntentShare, createIntentShare, createShares, intentSchema, outcomeSettled, shareOutcomes } from "@/lib/shares";
import { localToInstant, isLocalDateTime } from "@/lib/time";
import { setWritingExamplesOptIn } from "@/lib/writing/budget";
import { timeZoneOf } from "../time-zone";

const employee = ["employee"] as const;

/** The live counter: the network's counting, the disclosure tag, blocked phrases, colleagues' copies. */
export const checkComposeAction = action(
  { roles: employee, input: z.object({ network: z.enum(networkIds), text: z.string().max(10_000), storyId: z.uuid().optional(), connectionId: z.uuid().optional() }) },
  async (input, ctx) => checkEmployeeText(ctx.db, ctx.scope, { ...input, userId: ctx.userId }),
);

/** Shares now or at the picker's wall-clock time in the person's zone. */
export const shareAction = action(
  { roles: employee, input: composeSchema.omit({ scheduledAt: true }).extend({ scheduledAt: z.string().optional() }) },
  async ({ scheduledAt, ...rest }, ctx) => {
    const zone = await timeZoneOf(ctx);
    const at = scheduledAt && isLocalDateTime(scheduledAt) ? localToInstant(scheduledAt, zone) : scheduledAt;
    const created = await createShares(ctx.db, ctx.scope, ctx.userId, { ...rest, scheduledAt: at });
    return created.map((s) => ({ id: s.id, network: s.network, connectionId: s.connectionId, scheduledAt: s.scheduledAt.toISOString(), queued: s.queued }));
  },
);

export const intentShareAction = action({ roles: employee, input: intentSchema }, async (input, ctx) => {
  const { share, url, copyText } = await createIntentShare(ctx.db, ctx.scope, ctx.userId, input);
  return { shareId: share.id, url, copyText };
});

export const confirmIntentAction = action({ roles: employee, input: z.object({ shareId: z.uuid(), posted: z.boolean() }) }, async ({ shareId, posted }, ctx) => {
  const share = await confirmIntentShare(ctx.db, ctx.scope, ctx.userId, shareId, posted);
  return { status: share.status };
});

/** What became of the shares just made (the person's own only): the composer asks until each has settled. */
export const shareOutcomesAction = action({ roles: employee, input: z.object({ ids: z.array(z.uuid()).min(1).max(20) }) }, async ({ ids }, ctx) => {
  const now = new Date();
  const outcomes = await shareOutcomes(ctx.db, ctx.scope, ctx.userId, ids);
  return outcomes.map((o) => ({ ...o, scheduledAt: o.scheduledAt.toISOString(), settled: outcomeSettled(o, now) }));
});

/** The person's opt-in: a few of their earlier posts go to the model as style examples for "in my words" (audited). */
export const writingExamplesAction = action({ roles: employee, input: z.object({ on: z.boolean() }) }, async (input, ctx) => ({
  on: await setWritingExamplesOptIn(ctx.db, ctx.scope, ctx.userId, input.on),
}));

"use server";

import { revalidatePath } from "next/cache";
import { action } from "@/lib/auth/guard";
import { blueskyConnectSchema, connectBluesky, connectionIdSchema, disconnect, startConnectSchema, startConnect } from "@/lib/connections";

/** Starts an OAuth connection; the browser then goes to the returned consent page. */
export const startConnectAction = action({ roles: ["employee"], input: startConnectSchema }, async (input, ctx) =>
  startConnect(ctx.db, ctx.scope, ctx.userId, input),
);

/** Connects a Bluesky account with an app password (no redirect). */
export const connectBlueskyAction = action({ roles: ["employee"], input: blueskyConnectSchema }, async (input, ctx) => {
  const connection = await connectBluesky(ctx.db, ctx.scope, ctx.userId, input);
  revalidatePath("/connections");
  return { handle: connection.handle };
});

/** Disconnects one of the person's own accounts (revoked at the network where possible, tokens erased). */
export const disconnectAction = action({ roles: ["employee"], input: connectionIdSchema }, async ({ connectionId }, ctx) => {
  const result = await disconnect(ctx.db, ctx.scope, ctx.userId, connectionId);
  revalidatePath("/connections");
  return result;
});

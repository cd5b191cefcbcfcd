"use server";

import { z } from "zod";
import { signOut, updateSession } from "@/lib/auth/config";
import { action, getSession } from "@/lib/auth/guard";

export const signOutAction = action({ roles: "any-member", input: z.unknown() }, async () => {
  await signOut({ redirectTo: "/signin" });
});

export const switchOrganizationAction = action({ roles: "any-member", input: z.object({ orgId: z.uuid() }) }, async ({ orgId }) => {
  const session = await getSession();
  if (!session?.organizations.some((o) => o.id === orgId)) return false;
  await updateSession({ orgId });
  return true;
});

"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { action } from "@/lib/auth/guard";
import { acceptGuidelines } from "@/lib/guidelines";
import { continueTo } from "./next-path";

/** "I have read the guidelines and will follow them": records the version the page showed. */
export const acceptGuidelinesAction = action(
  { roles: "any-member", input: z.object({ version: z.coerce.number().int().min(1), next: z.string().max(2048).optional() }) },
  async ({ version, next }, ctx) => {
    await acceptGuidelines(ctx.db, ctx.scope, ctx.userId, version);
    revalidatePath("/guidelines");
    // Straight on to where the person was going (the page would re-render without the form first).
    const target = continueTo(next);
    if (target) redirect(target);
    return { next: null };
  },
);

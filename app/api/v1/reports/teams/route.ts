import { noQuerySchema } from "@/lib/api/resources";
import { route } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { managedTeams } from "@/lib/reports";

/** The teams the caller may ask a report on, as an indented tree (admins: every team). */
export const GET = route({ roles: ["manager", "admin"], auth: "either", query: noQuerySchema }, async ({ ctx }) => ({
  data: await managedTeams(db(), ctx.scope, ctx.userId),
}));

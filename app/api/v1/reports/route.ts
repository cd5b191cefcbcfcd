import { route } from "@/lib/auth/guard";
import { readDb } from "@/lib/db";
import { reportApiQuerySchema, teamReport } from "@/lib/reports";

/**
 * A team's report (its sub-teams included) for a range of days: the same figures as the
 * reports page, suppression included. Managers see the teams they manage, admins any team.
 */
export const GET = route({ roles: ["manager", "admin"], auth: "either", query: reportApiQuerySchema }, async ({ ctx, query }) =>
  teamReport(readDb(), ctx.scope, { userId: ctx.userId, roles: ctx.roles }, query),
);

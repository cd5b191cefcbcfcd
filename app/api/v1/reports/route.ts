import { route } from "@/lib/auth/guard";
import { db, withReportsRead } from "@/lib/db";
import { reportApiQuerySchema, teamReport } from "@/lib/reports";

/**
 * A team's report (its sub-teams included) for a range of days: the same figures as the
 * reports page, suppression included. `asOf`: when the figures come from a read replica or a
 * stored report (lib/reports/stored.ts), how current they are; null when current. Managers see
 * the teams they manage, admins any team.
 */
export const GET = route({ roles: ["manager", "admin"], auth: "either", query: reportApiQuerySchema }, async ({ ctx, query }) =>
  withReportsRead((source) => teamReport(db(), ctx.scope, { userId: ctx.userId, roles: ctx.roles }, query, source)),
);

import { and, count, eq, inArray, sql } from "drizzle-orm";
import { memberships, teamManagers, teams, users } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { getOrganizationSettings } from "@/lib/orgs";
import { mayShow } from "@/lib/reports/privacy";
import { teamAndAncestorIds, teamAndDescendantIds } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import { impactTotals, periodStart } from "./impact";

/**
 * "What my manager sees about me": what a team report (lib/reports/team.ts) can show of this
 * person, computed the same way and under its rules: named only among top advocates, no
 * figures under five members (lib/reports/privacy.ts), opted-out people never named (still in the totals).
 */
export const MANAGER_VIEW_DAYS = 30;

export type ManagerView = {
  days: number;
  /** The person's row among top advocates, as a report for the same period shows it. */
  row: { shares: number; uniqueVisitors: number; engagements: number; impressions: number };
  /** Whether the row can appear at all: a team, large enough, and not opted out (it then shows if among the top ten). */
  canAppear: boolean;
  team: { name: string; memberCount: number; suppressed: boolean } | null;
  /** The managers whose reports cover the person's team (its own and those of the teams above it). */
  managers: string[];
  clickRetentionMonths: number;
  leaderboardOptOut: boolean;
};

export async function whatMyManagerSees(db: DbOrTx, scope: Scope, userId: string, now = new Date()): Promise<ManagerView> {
  const [member] = await db
    .select({ teamId: memberships.teamId, teamName: teams.name, optOut: memberships.leaderboardOptOut })
    .from(memberships)
    .leftJoin(teams, eq(teams.id, memberships.teamId))
    .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId)));
  if (!member) throw notFound("Member");
  const [settings, totals] = await Promise.all([getOrganizationSettings(db, scope.orgId), impactTotals(db, scope, userId, periodStart(MANAGER_VIEW_DAYS, now))]);

  let team: ManagerView["team"] = null;
  let managers: string[] = [];
  if (member.teamId) {
    const [inTeam, above] = await Promise.all([teamAndDescendantIds(db, scope, [member.teamId]), teamAndAncestorIds(db, scope, member.teamId)]);
    const [size] = await db
      .select({ n: count() })
      .from(memberships)
      .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.status, "active"), inArray(memberships.teamId, inTeam)));
    const memberCount = size?.n ?? 0;
    team = { name: member.teamName ?? "", memberCount, suppressed: !mayShow(memberCount) };
    const rows = await db
      .selectDistinct({ name: sql<string>`coalesce(nullif(${users.name}, ''), ${users.email})` })
      .from(teamManagers)
      .innerJoin(users, eq(users.id, teamManagers.userId))
      .where(and(eq(teamManagers.orgId, scope.orgId), inArray(teamManagers.teamId, above)));
    managers = rows.map((r) => r.name).sort((a, b) => a.localeCompare(b));
  }
  return {
    days: MANAGER_VIEW_DAYS,
    row: { shares: totals.shares, uniqueVisitors: totals.uniqueVisitors, engagements: totals.engagements, impressions: totals.impressions },
    canAppear: team !== null && !team.suppressed && !member.optOut,
    team,
    managers,
    clickRetentionMonths: settings.clickRetentionMonths,
    leaderboardOptOut: member.optOut,
  };
}


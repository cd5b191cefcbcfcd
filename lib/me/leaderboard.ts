import { TZDate } from "@date-fns/tz";
import { and, eq, gte, lt, sql, sum } from "drizzle-orm";
import { z } from "zod";
import { memberships, pointsLedger, teams, users } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { getOrganizationSettings } from "@/lib/orgs";
import type { Scope } from "@/lib/tenant";
import { monthRange } from "@/lib/time";

/**
 * Points are sums over the ledger; "this month" is the calendar month in the organisation's
 * time zone. Opting out hides a person from others' board; they still see it and their points
 * but get no rank, since a rank among people who cannot see them would be one-sided.
 */
export const boardScopes = ["org", "team"] as const;
export type BoardScope = (typeof boardScopes)[number];
export const boardScopeSchema = z.enum(boardScopes).catch("org");

export type PointsSummary = { month: number; allTime: number };
export type BoardEntry = { rank: number; userId: string; name: string; points: number; isYou: boolean };
export type Leaderboard = {
  scope: BoardScope;
  /** The month's bounds (instants) in the organisation's time zone. */
  from: Date;
  to: Date;
  /** The viewer's team; null when they have none (the team board is then empty). */
  team: { id: string; name: string } | null;
  entries: BoardEntry[];
  you: { optedOut: boolean; points: number; rank: number | null };
};

/** This month's bounds in the organisation's time zone. */
export async function currentMonth(db: DbOrTx, scope: Scope, now = new Date()): Promise<{ from: Date; to: Date }> {
  const { timeZone } = await getOrganizationSettings(db, scope.orgId);
  const local = new TZDate(now.getTime(), timeZone);
  return monthRange(local.getFullYear(), local.getMonth() + 1, timeZone);
}

/** The person's points this month and all time, in this organisation. */
export async function myPoints(db: DbOrTx, scope: Scope, userId: string, now = new Date()): Promise<PointsSummary> {
  const { from, to } = await currentMonth(db, scope, now);
  const [row] = await db
    .select({
      allTime: sum(pointsLedger.points),
      month: sql<string | null>`sum(${pointsLedger.points}) filter (where ${pointsLedger.createdAt} >= ${from.toISOString()} and ${pointsLedger.createdAt} < ${to.toISOString()})`,
    })
    .from(pointsLedger)
    .where(and(eq(pointsLedger.orgId, scope.orgId), eq(pointsLedger.userId, userId)));
  return { month: Number(row?.month ?? 0), allTime: Number(row?.allTime ?? 0) };
}

/**
 * This month's board: active members who have not opted out, with points this month,
 * highest first (equal points share a rank). "team" limits it to the viewer's own team.
 */
export async function leaderboard(
  db: DbOrTx,
  scope: Scope,
  viewerId: string,
  options: { scope: BoardScope; limit?: number; now?: Date },
): Promise<Leaderboard> {
  const now = options.now ?? new Date();
  const [{ from, to }, [viewer]] = await Promise.all([
    currentMonth(db, scope, now),
    db
      .select({ optedOut: memberships.leaderboardOptOut, teamId: memberships.teamId, teamName: teams.name })
      .from(memberships)
      .leftJoin(teams, eq(teams.id, memberships.teamId))
      .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, viewerId))),
  ]);
  if (!viewer) throw notFound("Member");
  const team = viewer.teamId ? { id: viewer.teamId, name: viewer.teamName ?? "" } : null;
  const { month } = await myPoints(db, scope, viewerId, now);
  const you = { optedOut: viewer.optedOut, points: month, rank: null as number | null };
  if (options.scope === "team" && !team) return { scope: options.scope, from, to, team, entries: [], you };

  const total = sum(pointsLedger.points).mapWith(Number);
  const ranked = db
    .select({
      userId: pointsLedger.userId,
      name: sql<string>`coalesce(nullif(${users.name}, ''), ${users.email})`.as("name"),
      points: total.as("points"),
      rank: sql<number>`rank() over (order by ${total} desc)`.mapWith(Number).as("rank"),
    })
    .from(pointsLedger)
    .innerJoin(memberships, and(eq(memberships.orgId, pointsLedger.orgId), eq(memberships.userId, pointsLedger.userId)))
    .innerJoin(users, eq(users.id, pointsLedger.userId))
    .where(
      and(
        eq(pointsLedger.orgId, scope.orgId),
        gte(pointsLedger.createdAt, from),
        lt(pointsLedger.createdAt, to),
        eq(memberships.status, "active"),
        eq(memberships.leaderboardOptOut, false),
        options.scope === "team" && team ? eq(memberships.teamId, team.id) : undefined,
      ),
    )
    .groupBy(pointsLedger.userId, users.name, users.email)
    .having(sql`sum(${pointsLedger.points}) > 0`)
    .as("ranked");
  const rows = await db
    .select()
    .from(ranked)
    .orderBy(ranked.rank, ranked.name)
    .limit(options.limit ?? 50);
  const entries = rows.map((r) => ({ rank: r.rank, userId: r.userId, name: r.name, points: r.points, isYou: r.userId === viewerId }));
  if (!viewer.optedOut) {
    const mine = entries.find((e) => e.isYou);
    if (mine) you.rank = mine.rank;
    else if (month > 0) {
      // Beyond the first page: the rank is one more than the number of people ahead.
      const [ahead] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(ranked).where(sql`${ranked.points} > ${month}`);
      you.rank = (ahead?.n ?? 0) + 1;
    }
  }
  return { scope: options.scope, from, to, team, entries, you };
}

/** Takes the person off the board (true) or back on it (false); audited. */
export async function setLeaderboardOptOut(db: DbOrTx, scope: Scope, userId: string, optOut: boolean): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(memberships)
      .set({ leaderboardOptOut: optOut })
      .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId)))
      .returning({ id: memberships.id });
    if (!row) throw notFound("Member");
    await audit(tx, scope, { action: optOut ? "leaderboard.opt_out" : "leaderboard.opt_in", targetType: "membership", targetId: row.id });
    return optOut;
  });
}

import { randomBytes } from "node:crypto";
import { and, eq, lt, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { dailyRollups, monthlyRollups, organizations, shares } from "@/db/schema";
import { db } from "@/lib/db";
import { myImpact } from "@/lib/me/impact";
import { myBadges } from "@/lib/me/badges";
import { addToRollups, shareFacts } from "@/lib/reach/rollups";
import { dailyHorizon, FOLDED_DIMENSIONS, foldOldDays } from "@/lib/reach/retention";
import { FoldedDaysError, teamReport } from "@/lib/reports";
import { storyAnalytics } from "@/lib/reports/story";
import { createTeam } from "@/lib/teams";
import { addDays, monthStart, utcDay } from "@/lib/time";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";

/**
 * Daily rollups past the organisation's click retention fold into their months (hourly
 * maintenance, lib/reach/retention.ts): the busiest dimensions' days go, a person's and a
 * story's stay, and every figure a person, editor or manager reads is the same before and after.
 */

const NOW = new Date();

/** An organisation keeping clicks `months` months, with a team of five who each shared on `days`. */
async function scene(months: number | null, days: string[]) {
  const { org, cli } = await makeOrganization("Fold ApS");
  if (months !== null) await db().update(organizations).set({ settings: { clickRetentionMonths: months } }).where(eq(organizations.id, org.id));
  const admin = await makeMember(cli, ["admin"]);
  const team = await createTeam(db(), admin.scope, { name: "Salg" });
  const story = await makePublishedStory(cli);
  const people = await Promise.all([1, 2, 3, 4, 5].map((i) => makeMember(cli, ["employee"], { teamId: team.id, name: `Sælger ${i}` })));
  for (const [i, person] of people.entries()) {
    const [share] = await db()
      .insert(shares)
      .values({ orgId: org.id, storyId: story.id, userId: person.user.id, network: i % 2 ? "x" : "linkedin", mode: "api", text: "Se her", status: "published", scheduledAt: new Date(`${days[0]}T09:00:00Z`), publishedAt: new Date(`${days[0]}T09:00:00Z`) })
      .returning();
    const facts = (await shareFacts(db(), [share!.id])).get(share!.id)!;
    await addToRollups(db(), [
      { facts, day: days[0]!, delta: { shares: 1, estimatedReach: 100 + i, clicks: 3 + i, uniqueVisitors: 2 + i } },
      ...days.slice(1).map((day) => ({ facts, day, delta: { clicks: 1 + i, uniqueVisitors: 1, engagements: i, impressions: 50 } })),
    ]);
  }
  return { org, admin, team, story, people };
}

async function dailyRows(orgId: string) {
  return db()
    .select({ dimension: dailyRollups.dimension, day: dailyRollups.day })
    .from(dailyRollups)
    .where(eq(dailyRollups.orgId, orgId));
}

async function monthlyTotals(orgId: string) {
  return db().execute<{ key: string; clicks: number; shares: number }>(sql`
    select dimension || ':' || dimension_id || ':' || network || ':' || month as key, clicks::int, shares::int
    from monthly_rollups where org_id = ${orgId} order by 1`);
}

describe("daily rollups past retention", () => {
  it("fold into their months: the busiest dimensions' days go, people's and stories' stay, and every figure read stays the same", async () => {
    const horizon = dailyHorizon(2, NOW);
    const old = addDays(horizon, -40); // a month wholly before the horizon
    const kept = addDays(horizon, 3);
    // More organisations than a run's budget of deletes, each with nothing to fold, first in line.
    const tag = randomBytes(4).toString("hex");
    await db().insert(organizations).values(Array.from({ length: 250 }, (_, i) => ({ name: `Tom ${i}`, slug: `fold-${tag}-${i}` })));
    const s = await scene(2, [old, addDays(old, 2), kept]);
    // Another organisation keeping clicks 13 months: the same days are inside its retention.
    const other = await scene(null, [old, kept]);

    const wholeMonths = { teamId: s.team.id, from: monthStart(old), to: addDays(monthStart(utcDay(NOW)), -1), period: "month" } as const;
    const viewer = { userId: s.admin.user.id, roles: ["admin"] as const };
    const read = async () => ({
      months: await monthlyTotals(s.org.id),
      story: await storyAnalytics(db(), s.admin.scope, s.story.id),
      impact: await myImpact(db(), s.people[1]!.scope, s.people[1]!.user.id, 365, NOW),
      badges: await myBadges(db(), s.people[1]!.scope, s.people[1]!.user.id),
      report: await teamReport(db(), s.admin.scope, viewer, wholeMonths),
    });
    const before = await read();
    expect(before.report.totals).toMatchObject({ shares: 5, clicks: 3 * 5 + 10 + 2 * 15 });
    expect(before.impact.shares[0]).toMatchObject({ clicks: 4 + 2 + 2 });

    const folded = await foldOldDays(db(), NOW);
    const left = await dailyRows(s.org.id);
    const oldLeft = left.filter((r) => r.day < horizon);
    // Every dimension had rows on the old days; only the person's and the story's are left.
    expect(folded).toBeGreaterThanOrEqual(FOLDED_DIMENSIONS.length * 2);
    expect(new Set(oldLeft.map((r) => r.dimension))).toEqual(new Set(["user", "story"]));
    expect(new Set(left.filter((r) => r.day >= horizon).map((r) => r.dimension))).toEqual(new Set(["org", "network", "share", "team", "team_story", "user_placement", "team_placement", "user", "story"]));
    // The other organisation's days are within its retention: all there.
    expect(new Set((await dailyRows(other.org.id)).filter((r) => r.day < horizon).map((r) => r.dimension)).size).toBe(9);

    // What everyone reads is unchanged: the months, story analytics, my impact, badges, a report of whole months.
    expect(await read()).toEqual(before);
    // Nothing left to fold.
    const again = await db().select({ n: sql<number>`count(*)::int` }).from(dailyRollups).where(and(eq(dailyRollups.orgId, s.org.id), lt(dailyRollups.day, horizon)));
    await foldOldDays(db(), NOW);
    expect((await db().select({ n: sql<number>`count(*)::int` }).from(dailyRollups).where(and(eq(dailyRollups.orgId, s.org.id), lt(dailyRollups.day, horizon))))[0]!.n).toBe(again[0]!.n);
    expect(await db().select().from(monthlyRollups).where(eq(monthlyRollups.orgId, other.org.id))).not.toHaveLength(0);
  });

  it("refuse a report that needs days before the horizon, with the horizon, and answer from the horizon on", async () => {
    const horizon = dailyHorizon(2, NOW);
    const s = await scene(2, [addDays(horizon, -40), addDays(horizon, 3)]);
    const viewer = { userId: s.admin.user.id, roles: ["admin"] as const };
    const refused = async (query: Record<string, string>) => {
      const error = await teamReport(db(), s.admin.scope, viewer, { teamId: s.team.id, ...query }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FoldedDaysError);
      expect(error).toMatchObject({ status: 400, horizon });
    };
    // By week from before the horizon, and by month from the middle of a month before it.
    await refused({ from: addDays(horizon, -40), to: addDays(horizon, 10), period: "week" });
    await refused({ from: addDays(horizon, -45), to: addDays(horizon, 27), period: "month" });
    // From the horizon by week, and by whole months from before it: answered.
    expect((await teamReport(db(), s.admin.scope, viewer, { teamId: s.team.id, from: horizon, to: addDays(horizon, 10), period: "week" })).totals).toMatchObject({ shares: 0 });
    expect((await teamReport(db(), s.admin.scope, viewer, { teamId: s.team.id, from: monthStart(addDays(horizon, -40)), to: addDays(horizon, -1), period: "month" })).totals).toMatchObject({ shares: 5 });
  });
});

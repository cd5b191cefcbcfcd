import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { organizations, pointsLedger, shares, trackedLinks, type NetworkId } from "@/db/schema";
import { db } from "@/lib/db";
import { myBadges } from "@/lib/me/badges";
import { myImpact, periodStart } from "@/lib/me/impact";
import { leaderboard, myPoints, setLeaderboardOptOut } from "@/lib/me/leaderboard";
import { whatMyManagerSees } from "@/lib/me/manager-view";
import { updatePointsSettings } from "@/lib/orgs/points";
import { awardPoints } from "@/lib/reach/points";
import { addToRollups, shareFacts, type RollupFigures } from "@/lib/reach/rollups";
import { utcDay } from "@/lib/time";
import { createTeam, setTeamManagers } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";

vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const DAY = 86_400_000;
const NOW = new Date("2026-03-18T12:00:00Z"); // a Wednesday
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);

/** A published share with its events written the way the workers write them: rollups and points in one transaction. */
async function share(scope: Scope, userId: string, options: { network?: NetworkId; at?: Date; storyTitle?: string } = {}) {
  const at = options.at ?? daysAgo(1);
  const story = await makePublishedStory(scope, { title: options.storyTitle ?? "Vindmøller i Esbjerg" });
  const network = options.network ?? "linkedin";
  const [row] = await db()
    .insert(shares)
    .values({
      orgId: scope.orgId,
      storyId: story.id,
      userId,
      network,
      mode: "api",
      text: "Se vores nye vindmøller",
      status: "published",
      scheduledAt: at,
      publishedAt: at,
      externalId: `post-${crypto.randomUUID()}`,
      externalUrl: `https://${network}.example/posts/${crypto.randomUUID()}`,
    })
    .returning();
  await event(row!.id, at, { shares: 1, estimatedReach: 500 });
  return row!;
}

async function event(shareId: string, at: Date, delta: Partial<RollupFigures>) {
  await db().transaction(async (tx) => {
    const facts = (await shareFacts(tx, [shareId])).get(shareId)!;
    await addToRollups(tx, [{ facts, day: utcDay(at), delta }]);
    await awardPoints(tx, [
      { orgId: facts.orgId, userId: facts.userId, action: "share", count: delta.shares ?? 0, shareId },
      { orgId: facts.orgId, userId: facts.userId, action: "click", count: delta.uniqueVisitors ?? 0, shareId },
      { orgId: facts.orgId, userId: facts.userId, action: "engagement", count: delta.engagements ?? 0, shareId },
    ]);
    // The ledger row's time is the event's, so "this month" and badge dates follow the test clock.
    await tx.update(pointsLedger).set({ createdAt: at }).where(and(eq(pointsLedger.shareId, shareId), sql`${pointsLedger.createdAt} = now()`));
  });
}

describe("my impact", () => {
  it("reads the person's figures from the rollups, by week and network, with each share's own figures and post link", async () => {
    const { cli } = await makeOrganization();
    const anna = await makeMember(cli, ["employee"], { name: "Anna" });
    const bo = await makeMember(cli, ["employee"], { name: "Bo" });
    const first = await share(cli, anna.user.id, { network: "linkedin", at: daysAgo(10), storyTitle: "Ny fabrik" });
    const second = await share(cli, anna.user.id, { network: "bluesky", at: daysAgo(2) });
    const old = await share(cli, anna.user.id, { network: "x", at: daysAgo(60) });
    await event(first.id, daysAgo(9), { clicks: 7, uniqueVisitors: 5, botClicks: 4, engagements: 3, impressions: 900 });
    await event(second.id, daysAgo(1), { clicks: 2, uniqueVisitors: 2, engagements: 1 });
    await event(old.id, daysAgo(59), { clicks: 40, uniqueVisitors: 30 });
    // Someone else's figures never count as Anna's.
    const other = await share(cli, bo.user.id, { at: daysAgo(3) });
    await event(other.id, daysAgo(3), { clicks: 100, uniqueVisitors: 100 });
    await db().insert(trackedLinks).values({ orgId: cli.orgId, code: `code${crypto.randomUUID().slice(0, 8)}`, shareId: first.id, storyId: first.storyId, destination: "https://nordlys.example" });

    const impact = await myImpact(db(), anna.scope, anna.user.id, 30, NOW);

    expect(impact.from).toBe(periodStart(30, NOW));
    expect(impact.totals).toEqual({
      shares: 2,
      clicks: 9,
      uniqueVisitors: 7,
      engagements: 4,
      impressions: 900,
      estimatedReach: 1000,
      // Points under the default table: 10 a share, 1 a unique visitor, 1 an engagement.
      points: 2 * 10 + 7 + 4,
    });
    // Bot clicks are counted apart and are not in the figures.
    expect(impact.totals.clicks).not.toBe(13);
    expect(impact.weeks.reduce((n, w) => n + w.clicks, 0)).toBe(9);
    expect(impact.weeks.every((w) => new Date(`${w.week}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
    expect(impact.weeks.length).toBeGreaterThanOrEqual(5);
    expect(impact.byNetwork.map((n) => [n.network, n.shares, n.clicks])).toEqual([
      ["bluesky", 1, 2],
      ["linkedin", 1, 7],
    ]);
    expect(impact.shares.map((s) => [s.storyTitle, s.network, s.clicks, s.engagements])).toEqual([
      ["Vindmøller i Esbjerg", "bluesky", 2, 1],
      ["Ny fabrik", "linkedin", 7, 3],
    ]);
    expect(impact.shares[1]!.postUrl).toBe(first.externalUrl);
    expect(impact.shares[1]!.trackedUrl).toMatch(/\/r\/code/);

    const year = await myImpact(db(), anna.scope, anna.user.id, 365, NOW);
    expect(year.totals).toMatchObject({ shares: 3, clicks: 49, uniqueVisitors: 37 });
  });

  it("never shows another organisation's figures, even for the same person", async () => {
    const a = await makeOrganization();
    const b = await makeOrganization();
    const anna = await makeMember(a.cli, ["employee"]);
    const inB = await makeMember(b.cli, ["employee"], { email: anna.user.email });
    const s = await share(b.cli, anna.user.id, { at: daysAgo(1) });
    await event(s.id, daysAgo(1), { clicks: 5, uniqueVisitors: 5 });
    const inA = await myImpact(db(), anna.scope, anna.user.id, 30, NOW);
    expect(inA.totals).toMatchObject({ shares: 0, clicks: 0, points: 0 });
    expect(inA.shares).toEqual([]);
    expect((await myImpact(db(), inB.scope, anna.user.id, 30, NOW)).totals).toMatchObject({ shares: 1, clicks: 5 });
  });
});

describe("points and the leaderboard", () => {
  it("orders colleagues by this month's points, leaves out who opted out, and offers the team's board", async () => {
    const { cli } = await makeOrganization();
    const sales = await createTeam(db(), cli, { name: "Salg" });
    const anna = await makeMember(cli, ["employee"], { name: "Anna", teamId: sales.id });
    const bo = await makeMember(cli, ["employee"], { name: "Bo", teamId: sales.id });
    const carl = await makeMember(cli, ["employee"], { name: "Carl" });
    const dorte = await makeMember(cli, ["employee"], { name: "Dorte", teamId: sales.id });
    // This month (March 2026, Copenhagen): Carl 30, Bo 20, Anna 10 (+ 40 from February), Dorte 25.
    for (let i = 0; i < 3; i++) await share(cli, carl.user.id, { at: daysAgo(1 + i) });
    for (let i = 0; i < 2; i++) await share(cli, bo.user.id, { at: daysAgo(2) });
    await share(cli, anna.user.id, { at: daysAgo(3) });
    for (let i = 0; i < 4; i++) await share(cli, anna.user.id, { at: daysAgo(30) });
    const d = await share(cli, dorte.user.id, { at: daysAgo(4) });
    await event(d.id, daysAgo(4), { uniqueVisitors: 15 });

    expect(await myPoints(db(), anna.scope, anna.user.id, NOW)).toEqual({ month: 10, allTime: 50 });

    let board = await leaderboard(db(), anna.scope, anna.user.id, { scope: "org", now: NOW });
    expect(board.entries.map((e) => [e.rank, e.name, e.points])).toEqual([
      [1, "Carl", 30],
      [2, "Dorte", 25],
      [3, "Bo", 20],
      [4, "Anna", 10],
    ]);
    expect(board.you).toEqual({ optedOut: false, points: 10, rank: 4 });
    expect(board.entries.find((e) => e.isYou)?.name).toBe("Anna");

    await setLeaderboardOptOut(db(), dorte.scope, dorte.user.id, true);
    board = await leaderboard(db(), anna.scope, anna.user.id, { scope: "org", now: NOW });
    expect(board.entries.map((e) => e.name)).toEqual(["Carl", "Bo", "Anna"]);
    expect(board.you.rank).toBe(3);

    // Dorte, opted out, still sees the board and her own points, without a rank of her own.
    const hers = await leaderboard(db(), dorte.scope, dorte.user.id, { scope: "org", now: NOW });
    expect(hers.entries.map((e) => e.name)).toEqual(["Carl", "Bo", "Anna"]);
    expect(hers.you).toEqual({ optedOut: true, points: 25, rank: null });

    const team = await leaderboard(db(), anna.scope, anna.user.id, { scope: "team", now: NOW });
    expect(team.team?.name).toBe("Salg");
    expect(team.entries.map((e) => e.name)).toEqual(["Bo", "Anna"]);
    // Carl has no team: the team board is empty for him, not the organisation's.
    expect((await leaderboard(db(), carl.scope, carl.user.id, { scope: "team", now: NOW })).entries).toEqual([]);

    // Opting back in puts her back.
    await setLeaderboardOptOut(db(), dorte.scope, dorte.user.id, false);
    expect((await leaderboard(db(), anna.scope, anna.user.id, { scope: "org", now: NOW })).entries.map((e) => e.name)).toContain("Dorte");
  });

  it("ranks someone beyond the first page and never lists another organisation's people", async () => {
    const { cli } = await makeOrganization();
    const other = await makeOrganization();
    const outsider = await makeMember(other.cli, ["employee"], { name: "Udefra" });
    await share(other.cli, outsider.user.id, { at: daysAgo(1) });
    const people = [];
    for (const name of ["A", "B", "C"]) people.push(await makeMember(cli, ["employee"], { name }));
    await share(cli, people[0]!.user.id, { at: daysAgo(1) });
    await share(cli, people[0]!.user.id, { at: daysAgo(1) });
    await share(cli, people[1]!.user.id, { at: daysAgo(1) });
    await share(cli, people[1]!.user.id, { at: daysAgo(1) });
    await share(cli, people[2]!.user.id, { at: daysAgo(1) });
    const board = await leaderboard(db(), people[2]!.scope, people[2]!.user.id, { scope: "org", now: NOW, limit: 1 });
    // Equal points share a rank.
    expect(board.entries.map((e) => [e.rank, e.points])).toEqual([[1, 20]]);
    expect(board.you.rank).toBe(3);
    const full = await leaderboard(db(), people[2]!.scope, people[2]!.user.id, { scope: "org", now: NOW });
    expect(full.entries.map((e) => e.rank)).toEqual([1, 1, 3]);
    expect(full.entries.map((e) => e.name)).not.toContain("Udefra");
  });

  it("the admin's points table applies to points earned afterwards", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const anna = await makeMember(cli, ["employee"]);
    await share(cli, anna.user.id, { at: daysAgo(1) });
    await updatePointsSettings(db(), admin.scope, { share: 25, click: 2, engagement: 0 });
    const [org] = await db().select().from(organizations).where(eq(organizations.id, cli.orgId));
    expect(org!.settings.points).toEqual({ share: 25, click: 2, engagement: 0 });
    const s = await share(cli, anna.user.id, { at: daysAgo(1) });
    await event(s.id, daysAgo(1), { uniqueVisitors: 3, engagements: 9 });
    expect((await myPoints(db(), anna.scope, anna.user.id, NOW)).allTime).toBe(10 + 25 + 3 * 2);
    await expect(updatePointsSettings(db(), admin.scope, { share: -1, click: 1, engagement: 1 })).rejects.toThrow();
  });
});

describe("badges", () => {
  it("are earned at their thresholds, with the day they were earned", async () => {
    const { cli } = await makeOrganization();
    const anna = await makeMember(cli, ["employee"]);
    const badges = async () => Object.fromEntries((await myBadges(db(), anna.scope, anna.user.id)).map((b) => [b.id, b]));

    expect(Object.values(await badges()).every((b) => !b.earned && b.earnedOn === null)).toBe(true);

    // Four weeks in a row on Tuesdays (2026-02-17 … 2026-03-10), on two networks.
    const tuesdays = [28, 21, 14, 7].map((n) => daysAgo(n + 1));
    const firstShare = await share(cli, anna.user.id, { network: "linkedin", at: tuesdays[0] });
    let b = await badges();
    expect(b.firstShare).toMatchObject({ earned: true, earnedOn: "2026-02-17" });
    expect(b.shares10).toMatchObject({ earned: false, progress: 1, target: 10 });
    await share(cli, anna.user.id, { network: "x", at: tuesdays[1] });
    await share(cli, anna.user.id, { network: "x", at: tuesdays[2] });
    b = await badges();
    expect(b.networks3).toMatchObject({ earned: false, progress: 2 });
    expect(b.streak4).toMatchObject({ earned: false, progress: 3 });
    await share(cli, anna.user.id, { network: "bluesky", at: tuesdays[3] });
    b = await badges();
    expect(b.networks3).toMatchObject({ earned: true, earnedOn: "2026-03-10" });
    expect(b.streak4).toMatchObject({ earned: true, earnedOn: "2026-03-10" });

    // 99 clicks: not yet; the 100th on a later day earns it that day (bots never count).
    await event(firstShare.id, daysAgo(20), { clicks: 99, uniqueVisitors: 50, botClicks: 500 });
    expect((await badges()).clicks100).toMatchObject({ earned: false, progress: 99 });
    await event(firstShare.id, daysAgo(5), { clicks: 1, uniqueVisitors: 1 });
    expect((await badges()).clicks100).toMatchObject({ earned: true, earnedOn: "2026-03-13" });

    // Shares 5 … 10: the tenth on its day.
    for (let i = 0; i < 5; i++) await share(cli, anna.user.id, { at: daysAgo(4) });
    expect((await badges()).shares10).toMatchObject({ earned: false, progress: 9 });
    await share(cli, anna.user.id, { at: daysAgo(2) });
    b = await badges();
    expect(b.shares10).toMatchObject({ earned: true, earnedOn: "2026-03-16" });
    expect(b.shares50).toMatchObject({ earned: false, progress: 10, target: 50 });
    // 10 shares × 10 + 51 visitors = 151 points.
    expect(b.points1000).toMatchObject({ earned: false, progress: 151 });
  });

  it("a gap breaks the streak", async () => {
    const { cli } = await makeOrganization();
    const anna = await makeMember(cli, ["employee"]);
    for (const n of [36, 29, 15, 8]) await share(cli, anna.user.id, { at: daysAgo(n) });
    const streak = (await myBadges(db(), anna.scope, anna.user.id)).find((x) => x.id === "streak4")!;
    expect(streak).toMatchObject({ earned: false, progress: 2 });
  });
});

describe("what my manager sees", () => {
  it("shows the person's own row, their team's managers and size, and the rules that apply", async () => {
    const { cli } = await makeOrganization();
    const division = await createTeam(db(), cli, { name: "Division" });
    const small = await createTeam(db(), cli, { name: "Lille team", parentId: division.id });
    const boss = await makeMember(cli, ["manager"], { name: "Birgit Chef" });
    const topBoss = await makeMember(cli, ["manager"], { name: "Aksel Direktør" });
    const elsewhere = await makeMember(cli, ["manager"], { name: "Ikke Hendes" });
    const other = await createTeam(db(), cli, { name: "Andet" });
    await setTeamManagers(db(), cli, small.id, [boss.user.id]);
    await setTeamManagers(db(), cli, division.id, [topBoss.user.id]);
    await setTeamManagers(db(), cli, other.id, [elsewhere.user.id]);
    const anna = await makeMember(cli, ["employee"], { teamId: small.id });
    await makeMember(cli, ["employee"], { teamId: small.id });
    const s = await share(cli, anna.user.id, { at: daysAgo(3) });
    await event(s.id, daysAgo(3), { clicks: 4, uniqueVisitors: 3, engagements: 2 });
    await share(cli, anna.user.id, { at: daysAgo(45) });

    const view = await whatMyManagerSees(db(), anna.scope, anna.user.id, NOW);
    expect(view).toEqual({
      days: 30,
      row: { shares: 1, uniqueVisitors: 3, engagements: 2, impressions: 0 },
      canAppear: false,
      team: { name: "Lille team", memberCount: 2, suppressed: true },
      managers: ["Aksel Direktør", "Birgit Chef"],
      clickRetentionMonths: 13,
      leaderboardOptOut: false,
    });

    // With five in the team her row can appear, unless she opts out of the leaderboard.
    for (let i = 0; i < 3; i++) await makeMember(cli, ["employee"], { teamId: small.id });
    expect(await whatMyManagerSees(db(), anna.scope, anna.user.id, NOW)).toMatchObject({ team: { memberCount: 5, suppressed: false }, canAppear: true });
    await setLeaderboardOptOut(db(), anna.scope, anna.user.id, true);
    expect(await whatMyManagerSees(db(), anna.scope, anna.user.id, NOW)).toMatchObject({ canAppear: false, leaderboardOptOut: true });
  });
});

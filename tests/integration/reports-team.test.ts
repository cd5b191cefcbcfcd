import { randomBytes } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as exportRoute from "@/app/(app)/reports/export/route";
import * as reportsRoute from "@/app/api/v1/reports/route";
import * as reportTeamsRoute from "@/app/api/v1/reports/teams/route";
import { memberships, shares, type NetworkId } from "@/db/schema";
import { createApiToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { saveEmvRates } from "@/lib/reach/emv";
import { addToRollups, shareFacts, type RollupFigures } from "@/lib/reach/rollups";
import { managedTeams, reportCsv, teamReport, teamReportSchema, type Figures, type TeamReport } from "@/lib/reports";
import { rangeParts } from "@/lib/reports/periods";
import { createTeam, deleteTeam, setTeamManagers } from "@/lib/teams";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";

/**
 * Manager reports from the daily rollups: the figures of a team with its sub-teams, the
 * period buckets, participation, EMV per network, suppression of small groups in the
 * report and its CSV, the access rules, and the CSV and API routes.
 */

const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));

const JAN = { from: "2030-01-01", to: "2030-01-31" };

type Scene = Awaited<ReturnType<typeof buildScene>>;

/**
 * Nordlys: Salg (3 members) > Salg Øst (6) and Salg Vest (3); Drift (5) elsewhere, with its
 * own manager. Salg's two other direct members joined in November, so the people no shown row
 * accounts for (Vest and Salg's own three) are five together and Øst may show. Anna and Bent (Øst) and Carl (Vest) share in January 2030; a Drift member
 * shares too, with many clicks that must not reach Salg's report.
 */
async function buildScene() {
  const { org, cli } = await makeOrganization("Nordlys A/S");
  const admin = await makeMember(cli, ["admin"]);
  const salg = await createTeam(db(), admin.scope, { name: "Salg" });
  const ost = await createTeam(db(), admin.scope, { name: "Salg Øst", parentId: salg.id });
  const vest = await createTeam(db(), admin.scope, { name: "Salg Vest", parentId: salg.id });
  const drift = await createTeam(db(), admin.scope, { name: "Drift" });
  const manager = await makeMember(cli, ["manager"], { name: "Mette Leder" });
  const driftManager = await makeMember(cli, ["manager"], { name: "Dan Drift" });
  const employee = await makeMember(cli, ["employee"], { teamId: salg.id, name: "Ebbe Salg" });
  await setTeamManagers(db(), admin.scope, salg.id, [manager.user.id]);
  await setTeamManagers(db(), admin.scope, drift.id, [driftManager.user.id]);

  const anna = await makeMember(cli, ["employee"], { teamId: ost.id, name: "Anna Andersen" });
  const bent = await makeMember(cli, ["employee"], { teamId: ost.id, name: "Bent Berg" });
  const ostOthers = await Promise.all([1, 2, 3, 4].map((i) => makeMember(cli, ["employee"], { teamId: ost.id, name: `Øst ${i}` })));
  const carl = await makeMember(cli, ["employee"], { teamId: vest.id, name: "Carl Carlsen" });
  const vestOthers = await Promise.all([1, 2].map((i) => makeMember(cli, ["employee"], { teamId: vest.id, name: `Vest ${i}` })));
  const salgOthers = await Promise.all([1, 2].map((i) => makeMember(cli, ["employee"], { teamId: salg.id, name: `Salg ${i}` })));
  const driftMembers = await Promise.all([1, 2, 3, 4, 5].map((i) => makeMember(cli, ["employee"], { teamId: drift.id, name: `Drift ${i}` })));

  // Join cohorts: two of Salg's in November 2029, Ebbe and Øst in December (7 people), Vest in
  // January 2030 (3 people): November and January are held together (5 people).
  const december = [employee, anna, bent, ...ostOthers].map((m) => m.membership.id);
  const january = [carl, ...vestOthers].map((m) => m.membership.id);
  await db().update(memberships).set({ joinedAt: new Date("2029-12-10T09:00:00Z") }).where(inArray(memberships.id, december));
  await db().update(memberships).set({ joinedAt: new Date("2030-01-05T09:00:00Z") }).where(inArray(memberships.id, january));
  await db().update(memberships).set({ joinedAt: new Date("2029-11-20T09:00:00Z") }).where(inArray(memberships.id, salgOthers.map((m) => m.membership.id)));

  // An EMV table of the organisation's own, so the figures name version 1 and euros.
  await saveEmvRates(db(), admin.scope, {
    currency: "EUR",
    rates: {
      linkedin: { cpm: 10, cpc: 2, perEngagement: 1 },
      x: { cpm: 5, cpc: 1, perEngagement: 0.5 },
      mastodon: { cpm: 1, cpc: 0.5, perEngagement: 0.25 },
    },
  });

  const vind = await makePublishedStory(cli, { title: "Ny vindmøllepark" });
  const havn = await makePublishedStory(cli, { title: "=Havnen udvides" });
  const share = async (userId: string, storyId: string, network: NetworkId, at: string) => {
    const [row] = await db()
      .insert(shares)
      .values({ orgId: org.id, storyId, userId, network, mode: "api", text: "Se her", status: "published", scheduledAt: new Date(at), publishedAt: new Date(at) })
      .returning();
    return row!;
  };
  /** What the click writer and the metric poller do: the event's delta, in one transaction. */
  const record = async (shareId: string, day: string, delta: Partial<RollupFigures>) =>
    db().transaction(async (tx) => {
      const facts = (await shareFacts(tx, [shareId])).get(shareId)!;
      await addToRollups(tx, [{ facts, day, delta }]);
    });

  const annaShare = await share(anna.user.id, vind.id, "linkedin", "2030-01-07T09:00:00Z");
  await record(annaShare.id, "2030-01-07", { shares: 1, estimatedReach: 500 });
  await record(annaShare.id, "2030-01-08", { clicks: 10, uniqueVisitors: 8, botClicks: 2 });
  await record(annaShare.id, "2030-01-09", { impressions: 2000, engagements: 20 });
  const bentShare = await share(bent.user.id, havn.id, "x", "2030-01-15T09:00:00Z");
  await record(bentShare.id, "2030-01-15", { shares: 1, clicks: 4, uniqueVisitors: 4, impressions: 1000, engagements: 3 });
  const carlShare = await share(carl.user.id, vind.id, "mastodon", "2030-01-08T12:00:00Z");
  await record(carlShare.id, "2030-01-08", { shares: 1, clicks: 7, uniqueVisitors: 7 });
  // Outside Salg, and outside the range.
  const driftShare = await share(driftMembers[0]!.user.id, havn.id, "linkedin", "2030-01-10T09:00:00Z");
  await record(driftShare.id, "2030-01-10", { shares: 1, clicks: 100, uniqueVisitors: 90, impressions: 50_000, engagements: 400 });
  await record(annaShare.id, "2030-02-03", { clicks: 55, uniqueVisitors: 55 });
  await record(annaShare.id, "2030-03-20", { clicks: 9, uniqueVisitors: 9 });

  return { org, cli, admin, manager, driftManager, employee, salg, ost, vest, drift, anna, bent, carl, stories: { vind, havn } };
}

let scene: Scene;
beforeAll(async () => {
  scene = await buildScene();
}, 60_000);

const viewerOf = (m: { user: { id: string } }, roles: Array<"manager" | "admin" | "employee">) => ({ userId: m.user.id, roles });
const report = (query: Record<string, unknown>, who: "manager" | "admin" | "driftManager" = "manager") =>
  teamReport(db(), scene.cli, viewerOf(scene[who], who === "admin" ? ["admin"] : ["manager"]), query);

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("a team report", () => {
  it("sums the team and its sub-teams from the rollups, with participation and EMV per network", async () => {
    const r = await report({ teamId: scene.salg.id, ...JAN });
    expect(teamReportSchema.parse(r)).toEqual(r);
    expect(r.team).toEqual({ id: scene.salg.id, name: "Salg", memberCount: 12 });
    expect(r.suppressed).toBe(false);
    expect(r.emv).toEqual({ version: 1, formula: "emv-1", currency: "EUR" });
    // Drift's share and February's clicks are not Salg's January.
    expect(r.totals).toEqual({
      shares: 3,
      clicks: 21,
      uniqueVisitors: 19,
      botClicks: 2,
      impressions: 3000,
      engagements: 23,
      estimatedReach: 500,
      // LinkedIn 2000/1000×10 + 8×2 + 20×1 = 56; X 1000/1000×5 + 4×1 + 3×0.5 = 10.5; Mastodon 7×0.5 = 3.5.
      emv: 70,
      activeSharers: 3,
      members: 12,
      participation: 0.25,
    });
    expect(r.networks.map((n) => [n.network, n.figures.clicks, n.figures.emv])).toEqual([
      ["linkedin", 10, 56],
      ["mastodon", 7, 3.5],
      ["x", 4, 10.5],
    ]);
  });

  it("shows each direct sub-team with its own participation, and suppresses one of 3 people", async () => {
    const r = await report({ teamId: scene.salg.id, ...JAN });
    expect(r.subTeams).toEqual([
      {
        id: scene.vest.id,
        name: "Salg Vest",
        // Not its size either: "Hidden" is all any output can say.
        memberCount: null,
        suppressed: true,
        figures: null,
      },
      {
        id: scene.ost.id,
        name: "Salg Øst",
        memberCount: 6,
        suppressed: false,
        figures: { shares: 2, clicks: 14, uniqueVisitors: 12, botClicks: 2, impressions: 3000, engagements: 23, estimatedReach: 500, emv: 66.5, activeSharers: 2, participation: 0.3333 },
      },
    ]);
  });

  it("buckets the series by ISO week (from Monday), month and day, zero-filled", async () => {
    const weeks = await report({ teamId: scene.salg.id, ...JAN, period: "week" });
    expect(weeks.series.map((s) => [s.start, s.shares, s.clicks, s.activeSharers])).toEqual([
      ["2029-12-31", 0, 0, 0],
      ["2030-01-07", 2, 17, 2],
      ["2030-01-14", 1, 4, 1],
      ["2030-01-21", 0, 0, 0],
      ["2030-01-28", 0, 0, 0],
    ]);
    expect(weeks.series[1]!.participation).toBe(0.1667);

    const months = await report({ teamId: scene.salg.id, from: "2029-12-15", to: "2030-02-28", period: "month" });
    expect(months.series.map((s) => [s.start, s.shares, s.clicks])).toEqual([
      ["2029-12-01", 0, 0],
      ["2030-01-01", 3, 21],
      ["2030-02-01", 0, 55],
    ]);

    const days = await report({ teamId: scene.salg.id, ...JAN, period: "day" });
    expect(days.series).toHaveLength(31);
    const busy = days.series.filter((s) => s.shares + s.clicks + s.impressions > 0).map((s) => [s.start, s.shares, s.clicks, s.impressions]);
    expect(busy).toEqual([
      ["2030-01-07", 1, 0, 0],
      ["2030-01-08", 1, 17, 0],
      ["2030-01-09", 0, 0, 2000],
      ["2030-01-15", 1, 4, 1000],
    ]);
    // Only a network's own figures when one is asked for.
    const onX = await report({ teamId: scene.salg.id, ...JAN, network: "x" });
    expect([onX.totals!.shares, onX.totals!.clicks, onX.totals!.emv, onX.totals!.activeSharers]).toEqual([1, 4, 10.5, 1]);
  });

  it("ranks stories by clicks and advocates by engagements, clicks and shares, leaving out who opted out of the leaderboard", async () => {
    const r = await report({ teamId: scene.salg.id, ...JAN });
    // Drift's 100 clicks on the harbour story are not Salg's.
    expect(r.stories.map((s) => [s.title, s.figures.shares, s.figures.clicks])).toEqual([
      ["Ny vindmøllepark", 2, 17],
      ["=Havnen udvides", 1, 4],
    ]);
    expect(r.topAdvocates.map((a) => [a.name, a.figures.engagements + a.figures.clicks + a.figures.shares])).toEqual([
      ["Anna Andersen", 31],
      ["Carl Carlsen", 8],
      ["Bent Berg", 8],
    ]);
    await db().update(memberships).set({ leaderboardOptOut: true }).where(eq(memberships.id, scene.bent.membership.id));
    try {
      const after = await report({ teamId: scene.salg.id, ...JAN });
      expect(after.topAdvocates.map((a) => a.name)).toEqual(["Anna Andersen", "Carl Carlsen"]);
      // Still counted in the team.
      expect(after.totals!.activeSharers).toBe(3);
    } finally {
      await db().update(memberships).set({ leaderboardOptOut: false }).where(eq(memberships.id, scene.bent.membership.id));
    }
  });

  it("draws adoption by join cohort and suppresses cohorts of 2 and 3", async () => {
    const r = await report({ teamId: scene.salg.id, ...JAN });
    expect(r.adoption).toEqual([
      { cohort: "2029-11", members: null, suppressed: true, activeShare: [] },
      // December's 7: nobody had shared by the end of December; Anna and Bent by the end of January.
      { cohort: "2029-12", members: 7, suppressed: false, activeShare: [0, 0.2857] },
      { cohort: "2030-01", members: null, suppressed: true, activeShare: [] },
    ]);
  });

  it("counts a member in the UTC month they joined (or were added, when no join is recorded) and of their first share", async () => {
    const { cli } = await makeOrganization("Månedsskifte A/S");
    const member = await makeMember(cli, ["employee"]);
    const months = async () => {
      const [row] = await db().select({ joined: memberships.joinedMonth, firstShared: memberships.firstSharedMonth }).from(memberships).where(eq(memberships.id, member.membership.id));
      return row;
    };
    // Half past midnight in Copenhagen on 1 February is still January in UTC.
    await db().update(memberships).set({ joinedAt: new Date("2030-01-31T23:30:00Z"), createdAt: new Date("2029-06-15T12:00:00Z"), firstSharedOn: "2030-03-31" }).where(eq(memberships.id, member.membership.id));
    expect(await months()).toEqual({ joined: "2030-01-01", firstShared: "2030-03-01" });
    await db().update(memberships).set({ joinedAt: null, firstSharedOn: null }).where(eq(memberships.id, member.membership.id));
    expect(await months()).toEqual({ joined: "2029-06-01", firstShared: null });
  });

  it("counts a range that starts and ends inside months by its days there, and whole months in between", async () => {
    // 8 January to 10 March: Anna's share on the 7th and her clicks on 20 March are outside.
    const range = { teamId: scene.salg.id, from: "2030-01-08", to: "2030-03-10" };
    const months = await report({ ...range, period: "month" });
    expect(months.series.map((s) => [s.start, s.shares, s.clicks, s.activeSharers])).toEqual([
      ["2030-01-01", 2, 21, 2],
      ["2030-02-01", 0, 55, 0],
      ["2030-03-01", 0, 0, 0],
    ]);
    // LinkedIn 2000/1000×10 + (8 + 55)×2 + 20×1 = 166; X 10.5; Mastodon 3.5.
    expect(months.totals).toMatchObject({ shares: 2, clicks: 76, uniqueVisitors: 74, impressions: 3000, engagements: 23, estimatedReach: 0, emv: 180, activeSharers: 2 });
    expect(months.topAdvocates.map((a) => [a.name, a.figures.shares, a.figures.clicks, a.figures.engagements, a.figures.emv])).toEqual([
      ["Anna Andersen", 0, 65, 20, 166],
      ["Carl Carlsen", 1, 7, 0, 3.5],
      ["Bent Berg", 1, 4, 3, 10.5],
    ]);
    expect(months.stories.map((s) => [s.title, s.figures.shares, s.figures.clicks, s.figures.emv])).toEqual([
      ["Ny vindmøllepark", 1, 72, 169.5],
      ["=Havnen udvides", 1, 4, 10.5],
    ]);
    expect(months.subTeams.find((t) => t.name === "Salg Øst")!.figures).toMatchObject({ shares: 1, clicks: 69, activeSharers: 1 });

    // The same range by day and by week (daily rows throughout) has the same figures.
    for (const period of ["day", "week"] as const) {
      const other = await report({ ...range, period });
      expect(other.totals).toEqual(months.totals);
      expect([other.subTeams, other.stories, other.networks, other.topAdvocates]).toEqual([months.subTeams, months.stories, months.networks, months.topAdvocates]);
    }
    // One network within a partial month: Anna's LinkedIn clicks of 8 January only.
    const linkedin = await report({ teamId: scene.salg.id, from: "2030-01-08", to: "2030-01-20", period: "month", network: "linkedin" });
    expect(linkedin.totals).toMatchObject({ shares: 0, clicks: 10, impressions: 2000, activeSharers: 0 });
    expect(linkedin.stories.map((s) => [s.title, s.figures.clicks, s.figures.emv])).toEqual([["Ny vindmøllepark", 10, 56]]);
  });

  it("splits a range into whole months and the days of partial months at either end", () => {
    expect(rangeParts("2030-01-01", "2030-12-31")).toEqual({ months: ["2030-01-01", "2030-12-01"], days: [] });
    expect(rangeParts("2029-12-15", "2030-02-28")).toEqual({ months: ["2030-01-01", "2030-02-01"], days: [["2029-12-15", "2029-12-31"]] });
    expect(rangeParts("2030-01-08", "2030-03-10")).toEqual({
      months: ["2030-02-01", "2030-02-01"],
      days: [
        ["2030-01-08", "2030-01-31"],
        ["2030-03-01", "2030-03-10"],
      ],
    });
    // February of a leap year ends on the 29th.
    expect(rangeParts("2028-02-01", "2028-02-29")).toEqual({ months: ["2028-02-01", "2028-02-01"], days: [] });
    expect(rangeParts("2028-02-01", "2028-02-28")).toEqual({ months: null, days: [["2028-02-01", "2028-02-28"]] });
    expect(rangeParts("2030-01-15", "2030-02-10")).toEqual({ months: null, days: [["2030-01-15", "2030-02-10"]] });
    expect(rangeParts("2030-01-31", "2030-01-31")).toEqual({ months: null, days: [["2030-01-31", "2030-01-31"]] });
  });

  it("suppresses a team of 3 entirely", async () => {
    const r = await report({ teamId: scene.vest.id, ...JAN });
    expect(r).toMatchObject({ suppressed: true, totals: null, series: [], stories: [], networks: [], topAdvocates: [], subTeams: [] });
    expect(r.team.memberCount).toBeNull();
    expect(r.adoption).toEqual([{ cohort: "2030-01", members: null, suppressed: true, activeShare: [] }]);
  });
});

/**
 * An organisation named after `name` with one root team over Nord and Syd (5 people each) and
 * Gammel (Gert, who the test moves out before deleting it), and Tove in no team.
 */
async function rootOverTwoTeams(name: string) {
  const { org, cli } = await makeOrganization(`${name} A/S`);
  const admin = await makeMember(cli, ["admin"]);
  const root = await createTeam(db(), admin.scope, { name: `Hele ${name}` });
  const nord = await createTeam(db(), admin.scope, { name: "Nord", parentId: root.id });
  const syd = await createTeam(db(), admin.scope, { name: "Syd", parentId: root.id });
  const gammel = await createTeam(db(), admin.scope, { name: "Gammel", parentId: root.id });
  const inNord = await Promise.all([1, 2, 3, 4, 5].map((i) => makeMember(cli, ["employee"], { teamId: nord.id, name: `Nord ${i}` })));
  const inSyd = await Promise.all([1, 2, 3, 4, 5].map((i) => makeMember(cli, ["employee"], { teamId: syd.id, name: `Syd ${i}` })));
  const tove = await makeMember(cli, ["employee"], { name: "Tove Uden Team" });
  const gert = await makeMember(cli, ["employee"], { teamId: gammel.id, name: "Gert Gammel" });
  return { org, cli, admin, root, nord, syd, gammel, inNord, inSyd, tove, gert };
}

describe("the whole organisation's report", () => {
  /**
   * Havbrise: one root (Hele Havbrise, which the report reads from each story's own rows less
   * those of no team) over Nord and Syd, 5 people each; Tove in no team; Gammel, a team whose
   * member shared and then moved to Nord before Gammel was deleted. Its stories must equal
   * what Nord's and Syd's reports (each team's own rows) add up to: neither Tove's shares nor
   * Gammel's count, as neither counts in the root's totals.
   */
  it("ranks the stories from each story's rows less those of no team, equal to what its teams add up to", async () => {
    const { org, cli, admin, root, nord, syd, gammel, inNord, inSyd, tove, gert } = await rootOverTwoTeams("Havbrise");
    const vind = await makePublishedStory(cli, { title: "Vindmøller" });
    const havn = await makePublishedStory(cli, { title: "Havnen" });
    const bro = await makePublishedStory(cli, { title: "Broen" });
    const shareAndCount = async (userId: string, storyId: string, network: NetworkId, day: string, delta: Partial<RollupFigures>) => {
      const [row] = await db()
        .insert(shares)
        .values({ orgId: org.id, storyId, userId, network, mode: "api", text: "Se her", status: "published", scheduledAt: new Date(`${day}T09:00:00Z`), publishedAt: new Date(`${day}T09:00:00Z`) })
        .returning();
      await db().transaction(async (tx) => {
        const facts = (await shareFacts(tx, [row!.id])).get(row!.id)!;
        await addToRollups(tx, [{ facts, day, delta: { shares: 1, ...delta } }]);
      });
    };
    await shareAndCount(inNord[0]!.user.id, vind.id, "linkedin", "2031-01-10", { clicks: 12, impressions: 900, engagements: 4 });
    await shareAndCount(inNord[1]!.user.id, havn.id, "x", "2031-01-20", { clicks: 3 });
    await shareAndCount(inSyd[0]!.user.id, havn.id, "linkedin", "2031-02-03", { clicks: 8, engagements: 1 });
    await shareAndCount(inSyd[1]!.user.id, bro.id, "mastodon", "2031-02-15", { clicks: 2 });
    // Not the teams': Tove's (no team) and Gert's while in Gammel, which is then deleted.
    await shareAndCount(tove.user.id, bro.id, "linkedin", "2031-01-12", { clicks: 500 });
    await shareAndCount(gert.user.id, bro.id, "x", "2031-01-25", { clicks: 300 });
    await db().update(memberships).set({ teamId: nord.id }).where(eq(memberships.id, gert.membership.id));
    await deleteTeam(db(), admin.scope, gammel.id);
    await shareAndCount(gert.user.id, bro.id, "x", "2031-02-20", { clicks: 1 });

    const viewer = viewerOf(admin, ["admin"]);
    const read = (teamId: string, query: Record<string, unknown> = {}) => teamReport(db(), cli, viewer, { teamId, from: "2031-01-01", to: "2031-02-28", period: "month", ...query });
    const whole = await read(root.id);
    expect(whole.stories.map((st) => [st.title, st.figures.shares, st.figures.clicks, st.figures.engagements])).toEqual([
      ["Vindmøller", 1, 12, 4],
      ["Havnen", 2, 11, 1],
      ["Broen", 2, 3, 0],
    ]);
    // As the teams' own rows have it, for every range shape: whole months, days inside months, one network.
    for (const query of [{}, { from: "2031-01-15", to: "2031-02-18" }, { network: "x" }, { from: "2031-01-11", to: "2031-02-27", period: "week", network: "linkedin" }]) {
      const [all, ...teams] = await Promise.all([read(root.id, query), read(nord.id, query), read(syd.id, query)]);
      const byStory = new Map<string, Figures>();
      for (const story of teams.flatMap((t) => t.stories)) {
        const sum = byStory.get(story.storyId);
        byStory.set(story.storyId, sum ? (Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, Math.round((v + story.figures[k as keyof Figures]) * 100) / 100])) as Figures) : story.figures);
      }
      expect(Object.fromEntries(all.stories.map((st) => [st.storyId, st.figures]))).toEqual(Object.fromEntries(byStory));
      expect(all.stories.reduce((n, st) => n + st.figures.clicks, 0)).toBe(all.totals!.clicks);
    }
  });
});

describe("the whole organisation's placements", () => {
  /**
   * Kyst: a root over Nord and Syd, 5 people each, every one sharing a card and Syd's also a
   * link in the text; Tove in no team and Gert in Gammel (deleted after) share too. Read from
   * the organisation's rows by placement less those of no team, the root's placements must
   * equal what its teams' rows add up to, which is how the same report reads them once a team
   * outside the root (an empty one) means the root no longer holds every team.
   */
  it("are the organisation's rows by placement less those of no team, equal to what its teams add up to", async () => {
    const { org, cli, admin, root, nord, gammel, inNord, inSyd, tove, gert } = await rootOverTwoTeams("Kyst");
    const story = await makePublishedStory(cli, { title: "Kysten" });
    const share = async (userId: string, network: NetworkId, placement: "card" | "text", day: string, clicks: number) => {
      const at = new Date(`${day}T09:00:00Z`);
      const [row] = await db()
        .insert(shares)
        .values({ orgId: org.id, storyId: story.id, userId, network, placement, mode: "api", text: "Se her", status: "published", scheduledAt: at, publishedAt: at })
        .returning();
      const facts = (await shareFacts(db(), [row!.id])).get(row!.id)!;
      await addToRollups(db(), [{ facts, day, delta: { shares: 1, clicks } }]);
    };
    for (const [i, m] of inNord.entries()) await share(m.user.id, "linkedin", "card", `2031-01-${10 + i}`, 11 + i);
    for (const [i, m] of inSyd.entries()) {
      await share(m.user.id, "x", "card", `2031-02-0${3 + i}`, 21 + i);
      await share(m.user.id, "linkedin", "text", `2031-01-2${i}`, 1 + i);
    }
    // Not the teams': Tove's (no team) and Gert's while in Gammel, which is then deleted.
    await share(tove.user.id, "linkedin", "card", "2031-01-12", 500);
    await share(gert.user.id, "linkedin", "text", "2031-01-25", 300);
    await db().update(memberships).set({ teamId: nord.id }).where(eq(memberships.id, gert.membership.id));
    await deleteTeam(db(), admin.scope, gammel.id);

    const viewer = viewerOf(admin, ["admin"]);
    const queries = [{}, { from: "2031-01-15", to: "2031-02-18" }, { network: "linkedin" }, { from: "2031-01-11", to: "2031-02-27", period: "week", network: "x" }];
    const read = (query: Record<string, unknown>) => teamReport(db(), cli, viewer, { teamId: root.id, from: "2031-01-01", to: "2031-02-28", period: "month", ...query });
    const whole = await Promise.all(queries.map(read));
    expect(whole[0]!.placements.filter((p) => !p.suppressed).map((p) => [p.placement, p.people, p.shares, p.clicksPerShare])).toEqual([
      ["card", 10, 10, 18],
      // People are the members who shared with it (Gert, now in Nord, among them); figures the teams' rows.
      ["text", 6, 5, 3],
    ]);
    // A team beside the root: the same reports, now from the teams' rows.
    await createTeam(db(), admin.scope, { name: "Tom" });
    const byTeams = await Promise.all(queries.map(read));
    expect(whole.map((r) => r.placements)).toEqual(byTeams.map((r) => r.placements));
  });
});

describe("the whole organisation's top advocates", () => {
  /**
   * Skovly: one root over two teams. The report of a team holding every team looks for its ten
   * among the organisation's best, everyone ranked; those who may not be shown (in no team,
   * deactivated, off the leaderboard) must never be among them, also when they fill the top.
   */
  it("are the ten best who may be shown, also when more than a hundred who may not are better", async () => {
    const { org, cli } = await makeOrganization("Skovly A/S");
    const admin = await makeMember(cli, ["admin"]);
    const root = await createTeam(db(), admin.scope, { name: "Hele Skovly" });
    const teamsUnder = await Promise.all(["Øst", "Vest"].map((name) => createTeam(db(), admin.scope, { name, parentId: root.id })));
    const story = await makePublishedStory(cli, { title: "Skoven" });
    const shareWith = async (userId: string, clicks: number) => {
      const at = new Date("2031-03-10T09:00:00Z");
      const [row] = await db()
        .insert(shares)
        .values({ orgId: org.id, storyId: story.id, userId, network: "linkedin", mode: "api", text: "Se her", status: "published", scheduledAt: at, publishedAt: at })
        .returning();
      await db().transaction(async (tx) => {
        const facts = (await shareFacts(tx, [row!.id])).get(row!.id)!;
        await addToRollups(tx, [{ facts, day: "2031-03-10", delta: { shares: 1, clicks } }]);
      });
    };
    // Twelve who may be shown, 10 to 120 clicks; the two with the fewest must fall off.
    const shown = [];
    for (let i = 1; i <= 12; i++) {
      const person = await makeMember(cli, ["employee"], { teamId: teamsUnder[i % 2]!.id, name: `Skov ${String(i).padStart(2, "0")}` });
      await shareWith(person.user.id, i * 10);
      shown.push(person);
    }
    const read = () => teamReport(db(), cli, viewerOf(admin, ["admin"]), { teamId: root.id, from: "2031-03-01", to: "2031-03-31", period: "month" });
    const bestTen = shown.slice(2).reverse().map((p) => p.user.id);
    const topIds = async () => (await read()).topAdvocates.map((a) => a.userId);

    // Better than all of them: one off the leaderboard, one deactivated, one in no team.
    const optedOut = await makeMember(cli, ["employee"], { teamId: teamsUnder[0]!.id, name: "Ikke Med" });
    await db().update(memberships).set({ leaderboardOptOut: true }).where(eq(memberships.id, optedOut.membership.id));
    const gone = await makeMember(cli, ["employee"], { teamId: teamsUnder[1]!.id, name: "Holdt Op" });
    const loner = await makeMember(cli, ["employee"], { name: "Uden Team" });
    for (const person of [optedOut, gone, loner]) await shareWith(person.user.id, 1_000);
    await db().update(memberships).set({ status: "deactivated" }).where(eq(memberships.id, gone.membership.id));
    expect(await topIds()).toEqual(bestTen);

    // More than a hundred in no team above everyone: the organisation's best hundred hold nobody
    // who may be shown, and the ten are still the ten.
    for (let i = 0; i < 101; i++) {
      const person = await makeMember(cli, ["employee"], { name: `Løs ${i}` });
      await shareWith(person.user.id, 500 + i);
    }
    const report = await read();
    expect(report.topAdvocates.map((a) => a.userId)).toEqual(bestTen);
    expect(report.topAdvocates[0]).toMatchObject({ name: "Skov 12", figures: expect.objectContaining({ shares: 1, clicks: 120 }) });
  }, 60_000);
});

describe("who shared, from each member's months", () => {
  /**
   * Fjordlys: one team of 6. A report of every network counts who shared in recent months from
   * each membership's recent columns (a shift and a mask; 63 months up to the latest they
   * shared in), and from their shared months when the range starts further back than that; a
   * report of one network always from their shared months. Both must give what the shares say.
   */
  it("counts each month's sharers and the range's, over recent months and ranges further back than the recent columns hold", async () => {
    const { org, cli } = await makeOrganization("Fjordlys A/S");
    const admin = await makeMember(cli, ["admin"]);
    const team = await createTeam(db(), admin.scope, { name: "Alle" });
    const people = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => makeMember(cli, ["employee"], { teamId: team.id, name: `Fjord ${i}` })));
    const story = await makePublishedStory(cli, { title: "Fjorden" });
    const made: Array<{ person: number; network: NetworkId; day: string }> = [
      { person: 0, network: "linkedin", day: "2030-01-10" },
      { person: 0, network: "x", day: "2030-03-05" },
      // Latest 76 months after the first: a range in 2024 starts before the recent columns.
      { person: 1, network: "linkedin", day: "2024-02-10" },
      { person: 1, network: "x", day: "2030-06-10" },
      // Latest after the 2030 range ends.
      { person: 2, network: "mastodon", day: "2029-12-10" },
      { person: 2, network: "linkedin", day: "2030-12-10" },
      // 63 and 62 months before the latest: the first is past the recent columns, the second their oldest.
      { person: 3, network: "linkedin", day: "2025-01-10" },
      { person: 3, network: "x", day: "2025-02-10" },
      { person: 3, network: "linkedin", day: "2030-04-10" },
    ];
    for (const { person, network, day } of made) {
      const at = new Date(`${day}T09:00:00Z`);
      const [row] = await db()
        .insert(shares)
        .values({ orgId: org.id, storyId: story.id, userId: people[person]!.user.id, network, mode: "api", text: "Se her", status: "published", scheduledAt: at, publishedAt: at })
        .returning();
      await db().transaction(async (tx) => {
        const facts = (await shareFacts(tx, [row!.id])).get(row!.id)!;
        await addToRollups(tx, [{ facts, day, delta: { shares: 1 } }]);
      });
    }
    const [fourth] = await db().execute<{ last: number; months: string }>(
      sql`select last_shared_month as last, months_shared::text as months from memberships where id = ${people[3]!.membership.id}`,
    );
    // April 2030 (bit 62) and February 2025 (bit 0); January 2025 is one month too far back.
    expect(fourth).toEqual({ last: (2030 - 2000) * 12 + 3, months: String(2n ** 62n + 1n) });

    const viewer = viewerOf(admin, ["admin"]);
    for (const range of [
      { from: "2030-01-01", to: "2030-11-30" },
      { from: "2024-01-01", to: "2024-12-31" },
      { from: "2025-01-01", to: "2025-12-31" },
      { from: "2025-02-01", to: "2026-01-31" },
    ]) {
      for (const network of [undefined, "linkedin", "x"] as const) {
        const report = await teamReport(db(), cli, viewer, { teamId: team.id, ...range, period: "month", ...(network ? { network } : {}) });
        const counted = made.filter((m) => (!network || m.network === network) && m.day >= range.from && m.day <= range.to);
        const sharersIn = (month: string) => new Set(counted.filter((m) => m.day.startsWith(month.slice(0, 7))).map((m) => m.person)).size;
        const what = `${range.from} – ${range.to} ${network ?? "every network"}`;
        expect(report.series.map((s) => [s.start, s.activeSharers]), what).toEqual(report.series.map((s) => [s.start, sharersIn(s.start)]));
        expect(report.totals!.activeSharers, what).toBe(new Set(counted.map((m) => m.person)).size);
      }
    }
  });
});

describe("the CSV of a report", () => {
  /** RFC 4180 records: quoted cells may hold the delimiter, and "" is a quote. */
  const cells = (csv: string, delimiter: string) =>
    csv
      .trim()
      .split("\r\n")
      .map((line) => [...line.matchAll(new RegExp(`(?:^|${delimiter})("(?:[^"]|"")*"|[^${delimiter}]*)`, "g"))].map((m) => m[1]!.replace(/^"([\s\S]*)"$/, "$1").replaceAll('""', '"')));

  it("writes every table with a header, the EMV's version and currency, and Danish separators", async () => {
    const r = await report({ teamId: scene.salg.id, ...JAN });
    const series = cells(reportCsv(r, "series", "da"), ";");
    expect(series[0]).toContain("EMV (EUR, emv-1-satser v1)");
    expect(series[0]![0]).toBe("Uge fra");
    expect(series).toHaveLength(1 + 5);
    expect(series[2]).toEqual(["2030-01-07", "2", "17", "15", "2", "2000", "20", "500", "59,50", "2", "16,7", ""]);
    const en = cells(reportCsv(r, "networks", "en"), ",");
    expect(en[0]).toEqual([
      "Network",
      "Shares",
      "Clicks",
      "Unique visitors",
      "Bot clicks (not counted)",
      "Impressions (measured)",
      "Engagements (measured)",
      "Potential reach (followers, estimated)",
      "EMV (EUR, emv-1 rates v1)",
      "Hidden (protects groups of fewer than 5 people)",
    ]);
    expect(en[1]).toEqual(["LinkedIn", "1", "10", "8", "2", "2000", "20", "500", "56.00", ""]);
    // A title a spreadsheet would run as a formula is written as text.
    expect(cells(reportCsv(r, "stories", "en"), ",")[2]![0]).toBe("'=Havnen udvides");
    for (const table of ["subTeams", "topAdvocates", "adoption"] as const) expect(cells(reportCsv(r, table, "da"), ";").length).toBeGreaterThan(1);
  });

  it("never writes a suppressed group's numbers", async () => {
    const r = await report({ teamId: scene.salg.id, ...JAN });
    const vest = cells(reportCsv(r, "subTeams", "en"), ",").find((row) => row[0] === "Salg Vest")!;
    // The page's words for its size, never the size (3).
    expect(vest[1]).toBe("Hidden");
    expect(vest.slice(2, -1).every((cell) => cell === "")).toBe(true);
    expect(vest.at(-1)).toBe("hidden: protects a group of fewer than 5 people");
    const cohort = cells(reportCsv(r, "adoption", "en"), ",").find((row) => row[0] === "2030-01")!;
    expect(cohort[1]).toBe("Hidden");
    expect(cohort.slice(2, -1).every((cell) => cell === "")).toBe(true);
    expect(cells(reportCsv(r, "adoption", "da"), ";").find((row) => row[0] === "2030-01")![1]).toBe("Skjult");

    const small = await report({ teamId: scene.vest.id, ...JAN });
    for (const table of ["series", "stories", "networks", "topAdvocates"] as const) {
      const rows = cells(reportCsv(small, table, "da"), ";");
      expect(rows).toHaveLength(2);
      expect(rows[1]![0]).toBe("Salg Vest");
      expect(rows[1]!.at(-1)).toBe("skjult: beskytter en gruppe på færre end 5 personer");
      // Carl's share and clicks (1, 7) appear nowhere.
      expect(rows[1]!.slice(1, -1).every((cell) => cell === "")).toBe(true);
    }
  });
});

describe("who may see which report", () => {
  it("lists the managed teams with their sub-teams, and every team for an admin", async () => {
    expect(await managedTeams(db(), scene.cli, scene.manager.user.id)).toEqual([
      { id: scene.salg.id, name: "Salg", depth: 0 },
      { id: scene.vest.id, name: "Salg Vest", depth: 1 },
      { id: scene.ost.id, name: "Salg Øst", depth: 1 },
    ]);
    expect((await managedTeams(db(), scene.cli, scene.admin.user.id)).map((t) => [t.name, t.depth])).toEqual([
      ["Drift", 0],
      ["Salg", 0],
      ["Salg Vest", 1],
      ["Salg Øst", 1],
    ]);
    expect(await managedTeams(db(), scene.cli, scene.employee.user.id)).toEqual([]);
  });

  it("defaults to the first managed team, allows sub-teams, and refuses other teams", async () => {
    expect((await report(JAN)).team.id).toBe(scene.salg.id);
    expect((await report({ teamId: scene.ost.id, ...JAN })).team.name).toBe("Salg Øst");
    expect((await refusal(report({ teamId: scene.drift.id, ...JAN }))).status).toBe(403);
    expect((await report({ teamId: scene.drift.id, ...JAN }, "admin")).team.memberCount).toBe(5);
    expect((await refusal(teamReport(db(), scene.cli, viewerOf(scene.employee, ["employee"]), { teamId: scene.salg.id, ...JAN }))).status).toBe(403);

    const other = await makeOrganization("Andet A/S");
    const otherAdmin = await makeMember(other.cli, ["admin"]);
    const foreign = await createTeam(db(), otherAdmin.scope, { name: "Fremmed" });
    expect((await refusal(report({ teamId: foreign.id, ...JAN }, "admin"))).status).toBe(404);
    expect((await refusal(report({ teamId: foreign.id, ...JAN }))).status).toBe(404);
  });

  it("refuses a reversed range and one over two years with 400", async () => {
    const reversed = await refusal(report({ teamId: scene.salg.id, from: "2030-02-01", to: "2030-01-01" }));
    expect([reversed.status, reversed.fieldErrors]).toEqual([400, { to: ["rangeReversed"] }]);
    const long = await refusal(report({ teamId: scene.salg.id, from: "2028-01-01", to: "2030-01-02" }));
    expect([long.status, long.fieldErrors]).toEqual([400, { to: ["rangeTooLong"] }]);
    // Exactly 731 days is allowed.
    expect((await report({ teamId: scene.salg.id, from: "2028-01-01", to: "2029-12-31", period: "month" })).series).toHaveLength(24);
    expect((await refusal(report({ teamId: scene.salg.id, from: "2030-02-30", to: "2030-03-01" }))).status).toBe(400);
  });
});

describe("the routes", () => {
  const signIn = (m: { user: { id: string } }, roles: string[]) => {
    session.current = { userId: m.user.id, orgId: scene.org.id, orgName: scene.org.name, roles };
  };
  const ctx = { params: Promise.resolve({}) };

  it("GET /reports/export downloads one table as UTF-8 CSV with a BOM, in the reader's language", async () => {
    signIn(scene.manager, ["manager"]);
    try {
      const url = `http://localhost/reports/export?table=subTeams&teamId=${scene.salg.id}&from=2030-01-01&to=2030-01-31&period=week`;
      const response = await exportRoute.GET(new Request(url, { headers: { cookie: "NEXT_LOCALE=da" } }), ctx);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(response.headers.get("content-disposition")).toBe('attachment; filename="ripple-salg-subTeams-2030-01-01-2030-01-31.csv"');
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const body = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
      const lines = body.slice(1).trim().split("\r\n");
      expect(lines[0]!.startsWith("Team;Aktive medlemmer;Delinger;Klik;")).toBe(true);
      expect(lines).toContain("Salg Vest;Skjult;;;;;;;;;;;skjult: beskytter en gruppe på færre end 5 personer");
      expect(lines.find((l) => l.startsWith("Salg Øst;6;2;14;"))).toBeDefined();

      const english = await exportRoute.GET(new Request(url.replace("subTeams", "series"), { headers: { "accept-language": "en-GB,en;q=0.9" } }), ctx);
      expect((await english.text()).split("\r\n")[0]).toMatch(/^\uFEFF?Week starting,Shares,/);

      const reversed = await exportRoute.GET(new Request(url.replace("from=2030-01-01", "from=2030-03-01")), ctx);
      expect(reversed.status).toBe(400);
      const otherTeam = await exportRoute.GET(new Request(url.replace(scene.salg.id, scene.drift.id)), ctx);
      expect(otherTeam.status).toBe(403);
      const badTable = await exportRoute.GET(new Request(url.replace("subTeams", "everything")), ctx);
      expect(badTable.status).toBe(400);

      signIn(scene.employee, ["employee"]);
      expect((await exportRoute.GET(new Request(url), ctx)).status).toBe(403);
      session.current = null;
      const signedOut = await exportRoute.GET(new Request(url, { headers: { accept: "text/html" } }), ctx);
      expect(signedOut.status).toBe(307);
      expect(signedOut.headers.get("location")).toMatch(/^\/signin\?callbackUrl=%2Freports%2Fexport/);
    } finally {
      session.current = null;
    }
  });

  it("GET /api/v1/reports answers the report with a token, and problems for bad input", async () => {
    const { token } = await createApiToken(db(), scene.cli, { userId: scene.manager.user.id, name: "reports" });
    const get = async (path: string, handler = reportsRoute.GET) => {
      const response = await handler(new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${token}` } }), ctx);
      return { status: response.status, type: response.headers.get("content-type"), json: (await response.json()) as Record<string, unknown> };
    };
    const ok = await get(`/api/v1/reports?teamId=${scene.salg.id}&from=2030-01-01&to=2030-01-31`);
    expect(ok.status).toBe(200);
    const body = teamReportSchema.parse(ok.json) as TeamReport;
    expect([body.totals!.clicks, body.range.period, body.emv.version]).toEqual([21, "week", 1]);
    // Read from the primary: current, so no "as of" (read-replica.test.ts for a replica's).
    expect(body.asOf).toBeNull();

    for (const [query, status] of [
      [`teamId=${scene.salg.id}&from=2030-02-01&to=2030-01-01`, 400],
      [`teamId=${scene.salg.id}&from=2027-01-01&to=2030-01-01`, 400],
      [`teamId=${scene.salg.id}&from=2030-01-01&to=2030-01-31&colour=red`, 400],
      [`teamId=${scene.drift.id}&from=2030-01-01&to=2030-01-31`, 403],
      [`teamId=${randomUUIDLike()}&from=2030-01-01&to=2030-01-31`, 404],
    ] as const) {
      const refused = await get(`/api/v1/reports?${query}`);
      expect(refused.status, query).toBe(status);
      expect(refused.type).toBe("application/problem+json");
    }
    const teams = await get("/api/v1/reports/teams", reportTeamsRoute.GET);
    expect((teams.json.data as Array<{ name: string }>).map((t) => t.name)).toEqual(["Salg", "Salg Vest", "Salg Øst"]);
  });
});

function randomUUIDLike(): string {
  const hex = randomBytes(16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

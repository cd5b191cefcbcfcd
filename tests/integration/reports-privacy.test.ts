import { createElement } from "react";
import { renderToReadableStream } from "react-dom/server";
import { NextIntlClientProvider } from "next-intl";
import { parse } from "csv-parse/sync";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import * as exportRoute from "@/app/(app)/reports/export/route";
import * as reportsRoute from "@/app/api/v1/reports/route";
import { memberships, shares } from "@/db/schema";
import { createApiToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db";
import { messages } from "@/lib/i18n/messages";
import { addToRollups, shareFacts, type RollupFigures } from "@/lib/reach/rollups";
import { teamReport, teamReportSchema, type ReportTable, type TeamReport } from "@/lib/reports";
import { sendReportMail } from "@/lib/reports/report-mail";
import { createTeam, setTeamManagers } from "@/lib/teams";
import { setUserLocale } from "@/lib/users";
import { catchMail } from "../support/catch-mail";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";

/**
 * Issue 14, item 9: one suppression rule (lib/reports/privacy.ts) behind every way a report
 * leaves the server. The same week of the same two teams is read four ways — the reports
 * page as HTML, its CSV downloads, GET /api/v1/reports and the weekly mail — and they must
 * agree: the team of 3 and the join cohorts of 2 and 3 show neither figures nor their size
 * anywhere, and the team of 10 shows the same figures in all four. A second scene checks that
 * no total minus the shown rows gives a small group away.
 */

const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));
vi.mock("next-intl/server", async () => {
  const intl = await import("next-intl");
  const { messages: all } = await import("@/lib/i18n/messages");
  return {
    getTranslations: async (namespace?: string) => intl.createTranslator({ locale: "en", messages: all.en, namespace: namespace as never }),
    getFormatter: async () => intl.createFormatter({ locale: "en", timeZone: "Europe/Copenhagen" }),
    getLocale: async () => "en",
  };
});

/** Monday 14 January 2030 in Copenhagen: the mail reports 7–13 January. */
const MONDAY = new Date("2030-01-14T07:15:00Z");
const WEEK = { from: "2030-01-07", to: "2030-01-13", period: "week" } as const;

/** Each of the small team's three shares: numbers found nowhere else in the scene. */
const SMALL_SHARE: Partial<RollupFigures> = { shares: 1, clicks: 313, uniqueVisitors: 311, impressions: 7771, engagements: 433, estimatedReach: 6661 };
const LARGE_SHARE: Partial<RollupFigures> = { shares: 1, clicks: 27, uniqueVisitors: 25, impressions: 1500, engagements: 12, estimatedReach: 800 };

const mailbox = catchMail();

/**
 * Nordlys: "Lille" (3 people, all of whom shared last week) and "Stor" (10: two joined in
 * November, five in December, three in January; four of December's shared). Mette manages
 * both and reads English.
 */
async function scene() {
  const { org, cli } = await makeOrganization("Nordlys A/S");
  const admin = await makeMember(cli, ["admin"]);
  const small = await createTeam(db(), admin.scope, { name: "Lille" });
  const large = await createTeam(db(), admin.scope, { name: "Stor" });
  const mette = await makeMember(cli, ["manager"], { name: "Mette" });
  await setUserLocale(db(), mette.user.id, "en");
  await setTeamManagers(db(), admin.scope, small.id, [mette.user.id]);
  await setTeamManagers(db(), admin.scope, large.id, [mette.user.id]);
  const smallMembers = await Promise.all([1, 2, 3].map((i) => makeMember(cli, ["employee"], { teamId: small.id, name: `Lille ${i}` })));
  const december = await Promise.all([1, 2, 3, 4, 5].map((i) => makeMember(cli, ["employee"], { teamId: large.id, name: `December ${i}` })));
  const january = await Promise.all([1, 2, 3].map((i) => makeMember(cli, ["employee"], { teamId: large.id, name: `Januar ${i}` })));
  const november = await Promise.all([1, 2].map((i) => makeMember(cli, ["employee"], { teamId: large.id, name: `November ${i}` })));
  await db().update(memberships).set({ joinedAt: new Date("2029-11-05T09:00:00Z") }).where(inArray(memberships.id, november.map((m) => m.membership.id)));
  await db()
    .update(memberships)
    .set({ joinedAt: new Date("2029-12-02T09:00:00Z") })
    .where(inArray(memberships.id, [...smallMembers, ...december].map((m) => m.membership.id)));
  await db().update(memberships).set({ joinedAt: new Date("2030-01-03T09:00:00Z") }).where(inArray(memberships.id, january.map((m) => m.membership.id)));

  const story = await makePublishedStory(cli, { title: "Havvind" });
  const shareAs = async (userId: string, delta: Partial<RollupFigures>) => {
    const [share] = await db()
      .insert(shares)
      .values({ orgId: org.id, storyId: story.id, userId, network: "linkedin", mode: "api", text: "Se her", status: "published", scheduledAt: new Date("2030-01-08T09:00:00Z"), publishedAt: new Date("2030-01-08T09:00:00Z") })
      .returning();
    await db().transaction(async (tx) => addToRollups(tx, [{ facts: (await shareFacts(tx, [share!.id])).get(share!.id)!, day: "2030-01-08", delta }]));
  };
  for (const m of smallMembers) await shareAs(m.user.id, SMALL_SHARE);
  for (const m of december.slice(0, 4)) await shareAs(m.user.id, LARGE_SHARE);
  return { org, cli, mette, small, large };
}

type Scene = Awaited<ReturnType<typeof scene>>;
const ctx = { params: Promise.resolve({}) };

async function pageHtml(s: Scene, teamId: string): Promise<string> {
  const { default: Page } = await import("@/app/(app)/reports/page");
  const children = await Page({ searchParams: Promise.resolve({ teamId, ...WEEK }) });
  const stream = await renderToReadableStream(createElement(NextIntlClientProvider, { locale: "en", messages: messages.en, timeZone: "Europe/Copenhagen", children }));
  await stream.allReady;
  return new Response(stream).text();
}

async function csvOf(teamId: string, table: ReportTable): Promise<string[][]> {
  const query = new URLSearchParams({ table, teamId, ...WEEK });
  const response = await exportRoute.GET(new Request(`http://localhost/reports/export?${query}`, { headers: { cookie: "NEXT_LOCALE=en" } }), ctx);
  expect(response.status).toBe(200);
  return parse((await response.text()).replace(/^\uFEFF/, ""), { delimiter: "," });
}

async function apiOf(token: string, teamId: string): Promise<TeamReport> {
  const response = await reportsRoute.GET(new Request(`http://localhost/api/v1/reports?${new URLSearchParams({ teamId, ...WEEK })}`, { headers: { authorization: `Bearer ${token}` } }), ctx);
  expect(response.status).toBe(200);
  return teamReportSchema.parse(await response.json());
}

/** Every number in a text, thousands separators read as such ("23,313" is 23313). */
/** The numbers an output shows; ids first removed (a random UUID's "…-0939-…" is no figure). */
const numbersIn = (text: string) =>
  new Set([...text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "").matchAll(/\d[\d,]*/g)].map((m) => Number(m[0].replace(/,/g, ""))));
/** The small team's figures, per share and summed over its three people. */
const smallFigures = (["clicks", "uniqueVisitors", "impressions", "engagements", "estimatedReach"] as const).flatMap((k) => [SMALL_SHARE[k]!, 3 * SMALL_SHARE[k]!]);

describe("a report's privacy rule, in the page, the CSV, the API and the mail alike", () => {
  it("shows no figure and no size of a group under five anywhere, and the same figures of the larger team everywhere", async () => {
    const s = await scene();
    session.current = { userId: s.mette.user.id, orgId: s.org.id, orgName: s.org.name, roles: ["manager"] };
    const { token } = await createApiToken(db(), s.cli, { userId: s.mette.user.id, name: "reports" });
    let outputs: Record<"page" | "csv" | "api" | "mail", { small: string; large: string }>;
    let api: { small: TeamReport; large: TeamReport };
    let csv: { small: Record<ReportTable, string[][]>; large: Record<ReportTable, string[][]> };
    let mail: string;
    try {
      const tables: ReportTable[] = ["series", "subTeams", "stories", "networks", "topAdvocates", "adoption"];
      const csvTables = async (teamId: string) => Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await csvOf(teamId, t)] as const))) as Record<ReportTable, string[][]>;
      api = { small: await apiOf(token, s.small.id), large: await apiOf(token, s.large.id) };
      csv = { small: await csvTables(s.small.id), large: await csvTables(s.large.id) };
      const page = { small: await pageHtml(s, s.small.id), large: await pageHtml(s, s.large.id) };
      expect(await sendReportMail(db(), s.mette.membership.id, MONDAY)).toBe("sent");
      const mails = mailbox.current.mails.filter((m) => m.to.includes(s.mette.user.email));
      expect(mails).toHaveLength(1);
      mail = mails[0]!.text;
      // The mail lists the teams by name: Lille, then Stor.
      const mailSmall = mail.slice(mail.indexOf("Lille"), mail.indexOf("Stor"));
      const mailLarge = mail.slice(mail.indexOf("Stor"));
      const joinCsv = (c: Record<ReportTable, string[][]>) => Object.values(c).map((rows) => rows.map((r) => r.join(",")).join("\n")).join("\n");
      outputs = {
        page,
        csv: { small: joinCsv(csv.small), large: joinCsv(csv.large) },
        api: { small: JSON.stringify(api.small), large: JSON.stringify(api.large) },
        mail: { small: mailSmall, large: mailLarge },
      };
    } finally {
      session.current = null;
    }

    // The team of 3: not one of its figures, in any output; each says why in the page's words.
    for (const [name, out] of Object.entries(outputs)) {
      const found = numbersIn(out.small);
      expect(smallFigures.filter((n) => found.has(n)), name).toEqual([]);
    }
    expect(api.small).toMatchObject({ suppressed: true, totals: null, team: { memberCount: null } });
    expect(outputs.page.small).toContain("fewer than 5 members");
    expect(outputs.page.small).not.toMatch(/3 members/);
    expect(outputs.page.small).toContain("This team has fewer than 5 members, so its figures are not shown");
    expect(csv.small.series).toEqual([expect.any(Array), ["Lille", ...Array(csv.small.series[0]!.length - 2).fill(""), "hidden: protects a group of fewer than 5 people"]]);
    expect(outputs.mail.small).toContain("Fewer than 5 active members: no figures are shown");

    // The team of 10: the API's figures, and the very same ones on the page, in the CSV and in the mail.
    const totals = api.large.totals!;
    expect([totals.shares, totals.clicks, totals.uniqueVisitors, totals.impressions, totals.engagements, totals.estimatedReach, totals.members, totals.activeSharers]).toEqual([4, 108, 100, 6000, 48, 3200, 10, 4]);
    const en = new Intl.NumberFormat("en-GB");
    const card = (label: string) => new RegExp(`<dt[^>]*>${label}</dt><dd[^>]*><span[^>]*>([^<]*)</span>`).exec(outputs.page.large)?.[1];
    expect(card("Unique visitors")).toBe(en.format(totals.uniqueVisitors));
    expect(card("Impressions")).toBe(en.format(totals.impressions));
    expect(card("Engagements")).toBe(en.format(totals.engagements));
    expect(card("Potential reach")).toBe(en.format(totals.estimatedReach));
    expect(card("Participation")).toBe(`${Math.round(totals.participation * 100)}%`);
    const [header, week] = csv.large.series;
    const cell = (column: string) => week![header!.indexOf(column)];
    expect([cell("Shares"), cell("Clicks"), cell("Unique visitors"), cell("Impressions (measured)"), cell("Engagements (measured)"), cell("Potential reach (followers, estimated)")]).toEqual(
      [totals.shares, totals.clicks, totals.uniqueVisitors, totals.impressions, totals.engagements, totals.estimatedReach].map(String),
    );
    expect(outputs.mail.large).toContain(`Impressions: ${en.format(totals.impressions)}`);
    expect(outputs.mail.large).toContain(`Unique visitors: ${en.format(totals.uniqueVisitors)}`);
    expect(outputs.mail.large).toContain(`Engagements: ${en.format(totals.engagements)}`);
    expect(outputs.mail.large).toContain(`Potential reach (followers): ${en.format(totals.estimatedReach)}`);

    // Its join cohorts: December's 5 shown with the same size everywhere, November's 2 and
    // January's 3 as "Hidden" everywhere (together 5, so 10 − 5 gives no small group away).
    expect(api.large.adoption).toEqual([
      { cohort: "2029-11", members: null, suppressed: true, activeShare: [] },
      { cohort: "2029-12", members: 5, suppressed: false, activeShare: [0, 0.8] },
      { cohort: "2030-01", members: null, suppressed: true, activeShare: [] },
    ]);
    const adoptionCsv = (cohort: string) => csv.large.adoption.find((row) => row[0] === cohort)!;
    expect(adoptionCsv("2029-12").slice(0, 4)).toEqual(["2029-12", "5", "0.0", "80.0"]);
    expect(adoptionCsv("2030-01").slice(0, 3)).toEqual(["2030-01", "Hidden", ""]);
    expect(adoptionCsv("2030-01").at(-1)).toBe("hidden: protects a group of fewer than 5 people");
    const pageCohort = (cohort: string) =>
      new RegExp(`<th[^>]*>${cohort}</th>(.*?)</tr>`)
        .exec(outputs.page.large)?.[1]
        ?.replace(/<[^>]*>/g, "|")
        .split("|")
        .filter(Boolean);
    expect(pageCohort("2029-12")?.slice(0, 3)).toEqual(["5", "0%", "80%"]);
    expect(pageCohort("2030-01")?.slice(0, 2)).toEqual(["Hidden", "Hidden to protect a small group"]);
  });

  it("hides the next smallest row where the team's total minus the shown rows would give a small group away", async () => {
    const { cli } = await makeOrganization("Fjord ApS");
    const admin = await makeMember(cli, ["admin"]);
    const parent = await createTeam(db(), admin.scope, { name: "Drift" });
    const nord = await createTeam(db(), admin.scope, { name: "Nord", parentId: parent.id });
    const syd = await createTeam(db(), admin.scope, { name: "Syd", parentId: parent.id });
    const vest = await createTeam(db(), admin.scope, { name: "Vest", parentId: parent.id });
    const mette = await makeMember(cli, ["manager"], { name: "Mette" });
    await setTeamManagers(db(), admin.scope, parent.id, [mette.user.id]);
    // Two people directly in Drift, 6 in Nord, 8 in Syd, 9 in Vest: all sub-teams are five or
    // more, but Drift's 25 minus the three sub-teams would be its two direct members.
    const direct = await Promise.all([1, 2].map((i) => makeMember(cli, ["employee"], { teamId: parent.id, name: `Drift ${i}` })));
    const people = async (teamId: string, n: number, name: string) => Promise.all(Array.from({ length: n }, (_, i) => makeMember(cli, ["employee"], { teamId, name: `${name} ${i + 1}` })));
    const [inNord, inSyd, inVest] = [await people(nord.id, 6, "Nord"), await people(syd.id, 8, "Syd"), await people(vest.id, 9, "Vest")];
    // Join cohorts: 8 in November (Nord and the two direct), 17 in December, none after.
    const all = [...direct, ...inNord, ...inSyd, ...inVest];
    await db().update(memberships).set({ joinedAt: new Date("2029-12-02T09:00:00Z") }).where(inArray(memberships.id, all.map((m) => m.membership.id)));
    await db().update(memberships).set({ joinedAt: new Date("2029-11-02T09:00:00Z") }).where(inArray(memberships.id, [...direct, ...inNord].map((m) => m.membership.id)));
    const late = await makeMember(cli, ["employee"], { teamId: syd.id, name: "Sen" });
    await db().update(memberships).set({ joinedAt: new Date("2030-02-02T09:00:00Z") }).where(eq(memberships.id, late.membership.id));

    const report = await teamReport(db(), cli, { userId: mette.user.id, roles: ["manager"] }, { teamId: parent.id, ...WEEK });
    // Nord (6, the smallest) is held with the two direct members, so the held people are 8.
    expect(report.team.memberCount).toBe(26);
    expect(report.subTeams.map((t) => [t.name, t.memberCount, t.suppressed])).toEqual([
      ["Nord", null, true],
      ["Syd", 9, false],
      ["Vest", 9, false],
    ]);
    expect(report.subTeams[0]!.figures).toBeNull();
    // The one who joined after the range is in the team's size but in no cohort: November's 8
    // and December's 17 are shown (26 − 25 = 1 is the late joiner alone), so the smallest
    // cohort, November's, is held to cover them.
    expect(report.adoption.map((c) => [c.cohort, c.members, c.suppressed])).toEqual([
      ["2029-11", null, true],
      ["2029-12", 17, false],
    ]);
  });
});

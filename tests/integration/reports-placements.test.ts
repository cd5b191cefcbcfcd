import { beforeAll, describe, expect, it } from "vitest";
import { shares, type LinkPlacement, type NetworkId } from "@/db/schema";
import { db } from "@/lib/db";
import { addToRollups, shareFacts, type RollupFigures } from "@/lib/reach/rollups";
import { reportCsv, teamReport, teamReportSchema } from "@/lib/reports";
import { renderReportMail } from "@/lib/reports/report-mail";
import { createTeam, setTeamManagers } from "@/lib/teams";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";

/**
 * The team report compares where the link went, with the story analytics' rows
 * (lib/reports/placements.ts): per placement the people, the shares each ratio rests on,
 * clicks and engagements per share, impressions per share over LinkedIn and X only; and a
 * placement fewer than five people used is held back, with the next smallest where the rest
 * would give it away, on the page's data and in the CSV alike.
 */

type Scene = Awaited<ReturnType<typeof buildScene>>;

/**
 * Fjordkraft: one team of 13. January: six post with a card on LinkedIn, five with the URL in
 * the text (two on LinkedIn, three on Mastodon). February: the same, and two with the link in a
 * first comment, so that row (2 people) is held and, for the rest not to give it away, text
 * (5) too.
 */
async function buildScene() {
  const { org, cli } = await makeOrganization("Fjordkraft A/S");
  const admin = await makeMember(cli, ["admin"]);
  const team = await createTeam(db(), admin.scope, { name: "Marked" });
  const manager = await makeMember(cli, ["manager"], { name: "Mia Leder" });
  await setTeamManagers(db(), admin.scope, team.id, [manager.user.id]);
  const people = await Promise.all(Array.from({ length: 13 }, (_, i) => makeMember(cli, ["employee"], { teamId: team.id, name: `Person ${i}` })));
  const story = await makePublishedStory(cli, { title: "Nyt kraftværk" });

  const share = async (userId: string, network: NetworkId, placement: LinkPlacement, day: string, delta: Partial<RollupFigures>) => {
    const at = new Date(`${day}T09:00:00Z`);
    const [row] = await db()
      .insert(shares)
      .values({ orgId: org.id, storyId: story.id, userId, network, placement, mode: "api", text: "Se her", status: "published", scheduledAt: at, publishedAt: at })
      .returning();
    await db().transaction(async (tx) => {
      const facts = (await shareFacts(tx, [row!.id])).get(row!.id)!;
      await addToRollups(tx, [{ facts, day, delta: { shares: 1, ...delta } }]);
    });
  };
  for (const day of ["2031-01-10", "2031-02-10"]) {
    for (const p of people.slice(0, 6)) await share(p.user.id, "linkedin", "card", day, { clicks: 3, uniqueVisitors: 3, impressions: 100, engagements: 2 });
    for (const p of people.slice(6, 8)) await share(p.user.id, "linkedin", "text", day, { clicks: 5, uniqueVisitors: 5, impressions: 300, engagements: 4 });
    for (const p of people.slice(8, 11)) await share(p.user.id, "mastodon", "text", day, { clicks: 5, uniqueVisitors: 5, engagements: 1 });
  }
  for (const p of people.slice(11, 13)) await share(p.user.id, "linkedin", "first_comment", "2031-02-11", { clicks: 40, uniqueVisitors: 40, impressions: 900, engagements: 30 });
  return { cli, team, manager };
}

let scene: Scene;
beforeAll(async () => {
  scene = await buildScene();
}, 60_000);

const report = (from: string, to: string) => teamReport(db(), scene.cli, { userId: scene.manager.user.id, roles: ["manager"] }, { teamId: scene.team.id, from, to });

describe("the team report's placement comparison", () => {
  it("compares card and URL in the text per share, each with the shares it rests on", async () => {
    const r = await report("2031-01-01", "2031-01-31");
    expect(teamReportSchema.parse(r)).toEqual(r);
    expect(r.placements).toEqual([
      { placement: "card", people: 6, suppressed: false, shares: 6, clicksPerShare: 3, engagementsPerShare: 2, impressionsPerShare: 100, sharesReportingImpressions: 6 },
      // Impressions per share over the two LinkedIn shares only (Mastodon reports none).
      { placement: "text", people: 5, suppressed: false, shares: 5, clicksPerShare: 5, engagementsPerShare: 2.2, impressionsPerShare: 300, sharesReportingImpressions: 2 },
    ]);
  });

  it("holds a placement of two people back, and the next smallest so the total gives neither away", async () => {
    const r = await report("2031-02-01", "2031-02-28");
    expect(r.placements).toEqual([
      { placement: "card", people: 6, suppressed: false, shares: 6, clicksPerShare: 3, engagementsPerShare: 2, impressionsPerShare: 100, sharesReportingImpressions: 6 },
      { placement: "text", people: null, suppressed: true, shares: null, clicksPerShare: null, engagementsPerShare: null, impressionsPerShare: null, sharesReportingImpressions: null },
      { placement: "first_comment", people: null, suppressed: true, shares: null, clicksPerShare: null, engagementsPerShare: null, impressionsPerShare: null, sharesReportingImpressions: null },
    ]);
  });

  it("writes the same rows to the CSV, a held one with no number at all", async () => {
    const jan = reportCsv(await report("2031-01-01", "2031-01-31"), "placements", "da").trim().split("\r\n");
    expect(jan[0]).toBe("Placering;Personer;Antal delinger bag tallet;Klik pr. deling;Interaktioner pr. deling;Visninger pr. deling;Delinger på LinkedIn og X (bag visninger pr. deling);Skjult (beskytter grupper på færre end 5 personer)");
    expect(jan.slice(1)).toEqual(["Linkkort;6;6;3,00;2,00;100,00;6;", "URL i teksten;5;5;5,00;2,20;300,00;2;"]);
    const feb = reportCsv(await report("2031-02-01", "2031-02-28"), "placements", "en").trim().split("\r\n");
    expect(feb.slice(1)).toEqual([
      "Link card,6,6,3.00,2.00,100.00,6,",
      "URL in the text,Hidden,,,,,,hidden: protects a group of fewer than 5 people",
      "Link in the first comment,Hidden,,,,,,hidden: protects a group of fewer than 5 people",
    ]);
  });

  it("puts the comparison in the weekly mail when two placements or more are shown, and never a held one", async () => {
    const jan = renderReportMail("en", "Fjordkraft A/S", [await report("2031-01-01", "2031-01-31")]);
    expect(jan.text).toContain("Where the link went: Link card: 3 clicks per share (6 shares)");
    expect(jan.text).toContain("Where the link went: URL in the text: 5 clicks per share (5 shares)");
    expect(jan.html).toContain("Where the link went: URL in the text");
    const da = renderReportMail("da", "Fjordkraft A/S", [await report("2031-01-01", "2031-01-31")]);
    expect(da.text).toContain("Linkkort: 3 klik pr. deling (6 delinger)");
    // February: text and first comment are held, so there is nothing to compare and no row of them.
    const feb = renderReportMail("en", "Fjordkraft A/S", [await report("2031-02-01", "2031-02-28")]);
    expect(feb.text).not.toContain("Where the link went");
    expect(feb.text).not.toContain("first comment");
    expect(feb.html).not.toContain("Where the link went");
  });
});

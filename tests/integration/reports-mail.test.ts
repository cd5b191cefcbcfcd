import { describe, expect, it } from "vitest";
import { shares } from "@/db/schema";
import { db } from "@/lib/db";
import { addToRollups, shareFacts, type RollupFigures } from "@/lib/reach/rollups";
import { dueReportMails, enqueueDueReportMails, lastWeek, sendReportMail } from "@/lib/reports/report-mail";
import { setPreferences } from "@/lib/notifications/preferences";
import { getQueue } from "@/lib/queue";
import { createTeam, setTeamManagers } from "@/lib/teams";
import { setUserLocale } from "@/lib/users";
import { catchMail } from "../support/catch-mail";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";

/** Monday 14 January 2030, 08:15 in Copenhagen (CET, UTC+1): last week is 7–13 January. */
const MONDAY = new Date("2030-01-14T07:15:00Z");

const mailbox = catchMail();

const mailsTo = (email: string) => mailbox.current.mails.filter((m) => m.to.includes(email));

/**
 * Havvind: Kundeservice (5 people, one of whom shared last week) and Lager (3 people).
 * Mette (Danish) manages both; John (English) manages Lager; Ole manages Kundeservice but
 * turned the mail off; Kim is a manager without a team.
 */
async function scene() {
  const { org, cli } = await makeOrganization("Havvind ApS");
  const admin = await makeMember(cli, ["admin"]);
  const kundeservice = await createTeam(db(), admin.scope, { name: "Kundeservice" });
  const lager = await createTeam(db(), admin.scope, { name: "Lager" });
  const mette = await makeMember(cli, ["manager"], { name: "Mette" });
  const john = await makeMember(cli, ["manager", "employee"], { name: "John" });
  const ole = await makeMember(cli, ["manager"], { name: "Ole" });
  const kim = await makeMember(cli, ["manager"], { name: "Kim" });
  await setUserLocale(db(), mette.user.id, "da");
  await setUserLocale(db(), john.user.id, "en");
  // Ole turned the mail off in his settings.
  await setPreferences(db(), ole.scope, ole.user.id, { weeklyReport: false });
  await setTeamManagers(db(), admin.scope, kundeservice.id, [mette.user.id, ole.user.id]);
  await setTeamManagers(db(), admin.scope, lager.id, [mette.user.id, john.user.id]);
  const service = await Promise.all([1, 2, 3, 4, 5].map((i) => makeMember(cli, ["employee"], { teamId: kundeservice.id, name: `Service ${i}` })));
  await Promise.all([1, 2, 3].map((i) => makeMember(cli, ["employee"], { teamId: lager.id, name: `Lager ${i}` })));

  const story = await makePublishedStory(cli);
  const [share] = await db()
    .insert(shares)
    .values({ orgId: org.id, storyId: story.id, userId: service[0]!.user.id, network: "linkedin", mode: "api", text: "Se her", status: "published", scheduledAt: new Date("2030-01-08T08:00:00Z") })
    .returning();
  const record = (day: string, delta: Partial<RollupFigures>) =>
    db().transaction(async (tx) => addToRollups(tx, [{ facts: (await shareFacts(tx, [share!.id])).get(share!.id)!, day, delta }]));
  await record("2030-01-08", { shares: 1, clicks: 12, uniqueVisitors: 10, impressions: 3000, engagements: 7, estimatedReach: 800 });
  // This week's clicks are not last week's.
  await record("2030-01-14", { clicks: 99, uniqueVisitors: 99 });
  return { org, mette, john, ole, kim };
}

describe("the weekly report mail", () => {
  it("covers Monday to Sunday just gone in the organisation's zone", () => {
    expect(lastWeek(MONDAY, "Europe/Copenhagen")).toEqual({ from: "2030-01-07", to: "2030-01-13" });
    // Late Sunday evening UTC is already Monday in Copenhagen.
    expect(lastWeek(new Date("2030-01-13T23:30:00Z"), "Europe/Copenhagen")).toEqual({ from: "2030-01-07", to: "2030-01-13" });
  });

  it("mails each manager once a week, in their language, with each team's figures or why there are none", async () => {
    const { org, mette, john, ole, kim } = await scene();

    const due = (await dueReportMails(db(), MONDAY)).filter((d) => d.orgId === org.id);
    expect(due.map((d) => d.membershipId).sort()).toEqual([mette.membership.id, john.membership.id].sort());
    expect(due.every((d) => d.week === "2030-W03")).toBe(true);
    // Not on Sunday, nor on Monday afternoon.
    expect((await dueReportMails(db(), new Date("2030-01-13T07:15:00Z"))).filter((d) => d.orgId === org.id)).toEqual([]);
    expect((await dueReportMails(db(), new Date("2030-01-14T13:15:00Z"))).filter((d) => d.orgId === org.id)).toEqual([]);

    // The hourly job queues one send per manager and week.
    await enqueueDueReportMails(db(), MONDAY);
    await enqueueDueReportMails(db(), new Date(MONDAY.getTime() + 60_000));
    for (const d of due) {
      const job = await getQueue("notify").getJob(`report-${d.membershipId}-2030-W03`);
      expect(job).toMatchObject({ name: "report.send", data: { membershipId: d.membershipId } });
    }

    expect(await sendReportMail(db(), mette.membership.id, MONDAY)).toBe("sent");
    expect(await sendReportMail(db(), john.membership.id, MONDAY)).toBe("sent");
    expect(await sendReportMail(db(), ole.membership.id, MONDAY)).toBe("optedOut");
    expect(await sendReportMail(db(), kim.membership.id, MONDAY)).toBe("ineligible");
    // A retry or a restart the same week sends nothing more.
    expect(await sendReportMail(db(), mette.membership.id, new Date(MONDAY.getTime() + 3_600_000))).toBe("notDue");
    expect((await dueReportMails(db(), new Date(MONDAY.getTime() + 30 * 60_000))).filter((d) => d.orgId === org.id)).toEqual([]);

    expect(mailsTo(mette.user.email)).toHaveLength(1);
    const [toMette] = mailsTo(mette.user.email);
    expect(toMette!.subject).toBe("Dine teams rækkevidde i sidste uge");
    const text = toMette!.text;
    expect(text).toContain("fra 7. januar til 13. januar");
    const kundeservice = text.slice(text.indexOf("Kundeservice"), text.indexOf("Lager"));
    expect(kundeservice).toContain("Visninger: 3.000");
    expect(kundeservice).toContain("Potentiel rækkevidde (følgere): 800");
    // The page's headline figure (and what EMV prices): unique visitors, not raw clicks (12).
    expect(kundeservice).toContain("Unikke besøgende: 10");
    expect(kundeservice).toContain("Interaktioner: 7");
    // Default rates (version 0, DKK): 3000/1000 × 200 + 10 × 20 + 7 × 5 = 835.
    expect(kundeservice).toMatch(/Earned media value \(EMV\): 835\s?kr\./);
    expect(kundeservice).toMatch(/Deltagelse: 20\s%\s\(1 af 5 har delt\)/);
    const lager = text.slice(text.indexOf("Lager"));
    expect(lager).toContain("Færre end 5 aktive medlemmer");
    // No figure for the small team: nothing but the sentence about why.
    expect(lager.slice(0, lager.indexOf("Åbn rapporterne")).replace("Færre end 5", "")).not.toMatch(/\d/);
    expect(text).toContain("Åbn rapporterne: http://localhost:3999/reports");
    expect(text).toContain("EMV efter formel emv-1, satstabel version 0, i DKK.");

    const [toJohn] = mailsTo(john.user.email);
    expect(mailsTo(john.user.email)).toHaveLength(1);
    expect(toJohn!.subject).toBe("Your teams' reach last week");
    expect(toJohn!.text).toMatch(/Lager\r?\nFewer than 5 active members: no figures are shown/);
    expect(toJohn!.text).not.toContain("Kundeservice");
    expect(mailsTo(ole.user.email)).toHaveLength(0);

    // A week later it is due again.
    const nextMonday = new Date(MONDAY.getTime() + 7 * 24 * 3_600_000);
    expect((await dueReportMails(db(), nextMonday)).filter((d) => d.orgId === org.id)).toHaveLength(2);
  });
});

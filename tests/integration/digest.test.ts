import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { memberships, notifications, organizations } from "@/db/schema";
import { db } from "@/lib/db";
import { deactivateMember } from "@/lib/members";
import { dueDigests, enqueueDueDigests, sendDigest } from "@/lib/notifications/digest";
import { weeklyMailWeek } from "@/lib/notifications/weekly";
import { isoWeekOf } from "@/lib/time";
import { sendNoticeMail } from "@/lib/notifications/mail";
import { getPreferences, setPreferences } from "@/lib/notifications/preferences";
import { getQueue } from "@/lib/queue";
import { personalStartingVariant } from "@/lib/shares";
import { trustedScope } from "@/lib/tenant";
import { approveStory, archiveStory, createStory, submitStory } from "@/lib/stories";
import { createTeam } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import { setUserLocale } from "@/lib/users";
import { catchMail } from "../support/catch-mail";
import { makeMember, makeOrganization } from "../support/factories";

/** The mail server can be made to refuse, to see a failed digest handed back for the retry. */
const smtp = vi.hoisted(() => ({ down: false }));
vi.mock("@/lib/mail", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/mail")>();
  return {
    ...actual,
    sendMail: async (mail: Parameters<typeof actual.sendMail>[0]) => {
      if (smtp.down) throw new Error("connect ECONNREFUSED 127.0.0.1:25");
      return actual.sendMail(mail);
    },
  };
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 7 January 2030, 08:15 in Copenhagen (CET, UTC+1). */
const MONDAY = new Date("2030-01-07T07:15:00Z");

const mailbox = catchMail();

const mailsTo = (email: string) => mailbox.current.mails.filter((m) => m.to.includes(email));
const composeLink = (storyId: string) => `http://localhost:3999/compose?story=${storyId}`;
/** The mail catcher keeps folding whitespace between encoded words of a long subject. */
const squash = (text: string) => text.replace(/\s+/g, " ");

async function digestSentAt(membershipId: string) {
  const [row] = await db().select({ at: memberships.digestSentAt }).from(memberships).where(eq(memberships.id, membershipId));
  return row!.at;
}

/**
 * An organisation in Copenhagen with teams Salg > Salg Øst and Drift; employees in each;
 * stories for everyone, for Salg, for Drift, and some that must not be in the digest.
 */
async function scene() {
  const { org, cli } = await makeOrganization("Havvind ApS");
  const admin = await makeMember(cli, ["admin"]);
  const salg = await createTeam(db(), admin.scope, { name: "Salg" });
  const salgOst = await createTeam(db(), admin.scope, { name: "Salg Øst", parentId: salg.id });
  const drift = await createTeam(db(), admin.scope, { name: "Drift" });
  const author = await makeMember(cli, ["editor"]);
  const reviewer = await makeMember(cli, ["editor"]);
  const mette = await makeMember(cli, ["employee"], { name: "Mette Jensen", teamId: salgOst.id });
  const john = await makeMember(cli, ["employee", "manager"], { name: "John Smith", teamId: drift.id });
  const ole = await makeMember(cli, ["employee"], { name: "Ole Fravalgt" });
  const gone = await makeMember(cli, ["employee"], { name: "Gitte Gået" });
  await setUserLocale(db(), mette.user.id, "da");
  await setUserLocale(db(), john.user.id, "en");
  await setPreferences(db(), ole.scope, ole.user.id, { weeklyDigest: false });
  await deactivateMember(db(), admin.scope, gone.membership.id);

  const publish = async (title: string, at: Date, extra: Record<string, unknown> = {}) => {
    const story = await createStory(db(), author.scope, { title, summary: `Om ${title.toLowerCase()}.`, language: "da", ...extra });
    await submitStory(db(), author.scope, story.id);
    return approveStory(db(), reviewer.scope, story.id, at);
  };
  const forAll = await publish("Ny vindmøllepark", new Date(MONDAY.getTime() - 2 * DAY));
  const forSalg = await publish("Rekordsalg i Jylland", new Date(MONDAY.getTime() - DAY), { audienceTeamIds: [salg.id], pinned: true });
  const forDrift = await publish("Servicebåd søsat", new Date(MONDAY.getTime() - 3 * DAY), { audienceTeamIds: [drift.id] });
  const tooOld = await publish("Sidste måneds nyhed", new Date(MONDAY.getTime() - 10 * DAY));
  const expired = await publish("Kortvarigt tilbud", new Date(MONDAY.getTime() - DAY), { expiresAt: new Date(MONDAY.getTime() - HOUR) });
  const withdrawn = await publish("Trukket tilbage", new Date(MONDAY.getTime() - DAY));
  await archiveStory(db(), author.scope, withdrawn.id);
  for (const s of [forAll, forSalg, forDrift, tooOld, expired]) expect(s.status).toBe("published");

  return { org, cli, admin, mette, john, ole, gone, stories: { forAll, forSalg, forDrift, tooOld, expired, withdrawn } };
}

const ours = (orgId: string, due: Awaited<ReturnType<typeof dueDigests>>) => due.filter((d) => d.orgId === orgId);

describe("when a digest is due", () => {
  it("is Monday 08:00–08:59 in the organisation's time zone", () => {
    expect(weeklyMailWeek(MONDAY, "Europe/Copenhagen")).toBe("2030-W02");
    expect(weeklyMailWeek(new Date("2030-01-07T07:00:00Z"), "Europe/Copenhagen")).toBe("2030-W02");
    expect(weeklyMailWeek(new Date("2030-01-07T06:59:59Z"), "Europe/Copenhagen")).toBeNull();
    expect(weeklyMailWeek(new Date("2030-01-07T08:00:00Z"), "Europe/Copenhagen")).toBeNull();
    expect(weeklyMailWeek(new Date(MONDAY.getTime() - DAY), "Europe/Copenhagen")).toBeNull(); // Sunday
    expect(weeklyMailWeek(MONDAY, "America/New_York")).toBeNull(); // 02:15 there
    // Summer time: 08:30 CEST is 06:30 UTC.
    expect(weeklyMailWeek(new Date("2030-06-03T06:30:00Z"), "Europe/Copenhagen")).toBe("2030-W23");
    expect([isoWeekOf("2026-01-01"), isoWeekOf("2027-01-04"), isoWeekOf("2026-12-28"), isoWeekOf("2021-01-03")]).toEqual(["2026-W01", "2027-W01", "2026-W53", "2020-W53"]);
  });
});

describe("the weekly digest", () => {
  it("mails each due employee once, with the new stories for their audience and a compose link", async () => {
    const { org, mette, john, ole, gone, stories } = await scene();

    const due = ours(org.id, await dueDigests(db(), MONDAY));
    expect(due.map((d) => d.membershipId).sort()).toEqual([mette.membership.id, john.membership.id].sort());
    expect(due.every((d) => d.week === "2030-W02")).toBe(true);
    expect(due.map((d) => d.membershipId)).not.toContain(ole.membership.id);
    expect(due.map((d) => d.membershipId)).not.toContain(gone.membership.id);

    // The hourly job queues one send per member and week.
    await enqueueDueDigests(db(), MONDAY);
    await enqueueDueDigests(db(), new Date(MONDAY.getTime() + 60_000));
    for (const d of due) {
      const job = await getQueue("notify").getJob(`digest-${d.membershipId}-2030-W02`);
      expect(job).toMatchObject({ name: "digest.send", data: { membershipId: d.membershipId } });
    }

    expect(await sendDigest(db(), mette.membership.id, MONDAY)).toBe("sent");
    expect(await sendDigest(db(), john.membership.id, MONDAY)).toBe("sent");
    expect(await sendDigest(db(), ole.membership.id, MONDAY)).toBe("optedOut");
    expect(await sendDigest(db(), gone.membership.id, MONDAY)).toBe("ineligible");

    const [toMette] = mailsTo(mette.user.email);
    expect(mailsTo(mette.user.email)).toHaveLength(1);
    expect(squash(toMette!.subject)).toBe("2 nye historier at dele");
    expect(toMette!.text).toContain("Her er, hvad Havvind ApS har udgivet til dig");
    // Pinned first, then newest; each with its share link.
    expect(toMette!.text.indexOf("Rekordsalg i Jylland")).toBeLessThan(toMette!.text.indexOf("Ny vindmøllepark"));
    expect(toMette!.text).toContain(`Del: ${composeLink(stories.forSalg.id)}`);
    expect(toMette!.text).toContain(`Del: ${composeLink(stories.forAll.id)}`);
    expect(toMette!.text).toContain("Om ny vindmøllepark.");
    for (const s of [stories.forDrift, stories.tooOld, stories.expired, stories.withdrawn]) expect(toMette!.text).not.toContain(s.id);

    const [toJohn] = mailsTo(john.user.email);
    expect(mailsTo(john.user.email)).toHaveLength(1);
    expect(squash(toJohn!.subject)).toBe("2 new stories to share");
    expect(toJohn!.text).toContain(`Share: ${composeLink(stories.forAll.id)}`);
    expect(toJohn!.text).toContain(`Share: ${composeLink(stories.forDrift.id)}`);
    expect(toJohn!.text).not.toContain(stories.forSalg.id);
    expect(toJohn!.text).toContain("http://localhost:3999/settings");

    expect(mailsTo(ole.user.email)).toEqual([]);
    expect(mailsTo(gone.user.email)).toEqual([]);
    expect(await digestSentAt(mette.membership.id)).toEqual(MONDAY);
    expect(await digestSentAt(ole.membership.id)).toBeNull();

    // Again (a retry, a second worker, the next hour): nothing new.
    expect(await sendDigest(db(), mette.membership.id, MONDAY)).toBe("notDue");
    expect(await sendDigest(db(), john.membership.id, new Date(MONDAY.getTime() + HOUR))).toBe("notDue");
    expect(ours(org.id, await dueDigests(db(), new Date(MONDAY.getTime() + 30 * 60_000)))).toEqual([]);
    expect(mailsTo(mette.user.email)).toHaveLength(1);
    expect(mailsTo(john.user.email)).toHaveLength(1);

    // The next Monday: only what went live since this digest.
    const nextMonday = new Date(MONDAY.getTime() + 7 * DAY);
    expect(ours(org.id, await dueDigests(db(), nextMonday)).map((d) => [d.membershipId, d.week]).sort()).toEqual(
      [
        [mette.membership.id, "2030-W03"],
        [john.membership.id, "2030-W03"],
      ].sort(),
    );
    expect(await sendDigest(db(), mette.membership.id, nextMonday)).toBe("empty");
    expect(await digestSentAt(mette.membership.id)).toEqual(nextMonday);
    expect(mailsTo(mette.user.email)).toHaveLength(1);
  });

  it("finds nobody due on a Sunday or outside the hour", async () => {
    const { org } = await scene();
    expect(ours(org.id, await dueDigests(db(), new Date(MONDAY.getTime() - DAY)))).toEqual([]);
    expect(ours(org.id, await dueDigests(db(), new Date(MONDAY.getTime() + HOUR)))).toEqual([]);
    expect(ours(org.id, await dueDigests(db(), new Date(MONDAY.getTime() - HOUR)))).toEqual([]);
  });

  it("follows the organisation's time zone", async () => {
    const { org, mette } = await scene();
    await db()
      .update(organizations)
      .set({ settings: { timeZone: "America/New_York" } })
      .where(eq(organizations.id, org.id));
    expect(ours(org.id, await dueDigests(db(), MONDAY))).toEqual([]);
    // 08:15 in New York on the same Monday is 13:15 UTC.
    const due = ours(org.id, await dueDigests(db(), new Date("2030-01-07T13:15:00Z")));
    expect(due.map((d) => d.membershipId)).toContain(mette.membership.id);
  });

  it("hands the week back when the mail server refuses, so the retry sends it", async () => {
    const { mette } = await scene();
    smtp.down = true;
    try {
      await expect(sendDigest(db(), mette.membership.id, MONDAY)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      smtp.down = false;
    }
    expect(await digestSentAt(mette.membership.id)).toBeNull();
    expect(await sendDigest(db(), mette.membership.id, MONDAY)).toBe("sent");
    expect(mailsTo(mette.user.email)).toHaveLength(1);
  });

  it("sends one mail per member even when two workers race", async () => {
    const { mette } = await scene();
    const outcomes = await Promise.all([sendDigest(db(), mette.membership.id, MONDAY), sendDigest(db(), mette.membership.id, MONDAY)]);
    expect(outcomes.sort()).toEqual(["notDue", "sent"]);
    expect(mailsTo(mette.user.email)).toHaveLength(1);
  });
});

describe("notification preferences", () => {
  it("default to on, save only what is given, and stay within the organisation", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);
    expect(await getPreferences(db(), member.scope, member.user.id)).toEqual({ weeklyDigest: true, withdrawnMail: true, weeklyReport: true });
    expect(await setPreferences(db(), member.scope, member.user.id, { withdrawnMail: false })).toEqual({ weeklyDigest: true, withdrawnMail: false, weeklyReport: true });
    expect(await setPreferences(db(), member.scope, member.user.id, { weeklyDigest: false })).toEqual({ weeklyDigest: false, withdrawnMail: false, weeklyReport: true });
    const other = await makeOrganization();
    await expect(getPreferences(db(), other.cli, member.user.id)).rejects.toMatchObject({ status: 404 });
    await expect(setPreferences(db(), other.cli, member.user.id, { weeklyDigest: true })).rejects.toMatchObject({ status: 404 });
    expect(await getPreferences(db(), member.scope, member.user.id)).toEqual({ weeklyDigest: false, withdrawnMail: false, weeklyReport: true });
  });

  it("turn off the withdrawn-story mail but keep the notice in the app", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);
    const notice = async (scope: Scope) => {
      const [row] = await db()
        .insert(notifications)
        .values({ orgId: scope.orgId, userId: member.user.id, kind: "story.withdrawn", data: { title: "Laks", count: 1 } })
        .returning();
      return row!;
    };
    expect(await sendNoticeMail(db(), (await notice(cli)).id)).toBe("sent");
    await setPreferences(db(), member.scope, member.user.id, { withdrawnMail: false });
    const quiet = await notice(cli);
    expect(await sendNoticeMail(db(), quiet.id)).toBe("optedOut");
    expect(mailsTo(member.user.email)).toHaveLength(1);
    const [kept] = await db().select().from(notifications).where(eq(notifications.id, quiet.id));
    expect(kept).toMatchObject({ readAt: null });
  });
});

describe("the digest's share link", () => {
  it("opens compose with the story and the suggested text the rotation picks for that reader", async () => {
    const { org, cli } = await makeOrganization("Variant ApS");
    const author = await makeMember(cli, ["editor"]);
    const reviewer = await makeMember(cli, ["editor"]);
    const reader = await makeMember(cli, ["employee"], { name: "Lone Læser" });
    await setUserLocale(db(), reader.user.id, "da");
    const story = await createStory(db(), author.scope, {
      title: "To forslag",
      summary: "Om to forslag.",
      language: "da",
      variants: [
        { network: "linkedin", language: "da", text: "Første forslag" },
        { network: "linkedin", language: "da", text: "Andet forslag" },
      ],
    });
    await submitStory(db(), author.scope, story.id);
    await approveStory(db(), reviewer.scope, story.id, new Date(MONDAY.getTime() - DAY));

    const scope = trustedScope(org.id, { kind: "system" });
    const pick = async (r: { orgId: string; userId: string; locale: "da" | "en" }, storyId: string) =>
      (await personalStartingVariant(db(), trustedScope(r.orgId, { kind: "system" }), { userId: r.userId, storyId, languages: [r.locale] }))?.variantId ?? null;
    const expected = await personalStartingVariant(db(), scope, { userId: reader.user.id, storyId: story.id, languages: ["da"] });
    expect(expected?.variantId).toBeTruthy();

    expect(await sendDigest(db(), reader.membership.id, MONDAY, pick)).toBe("sent");
    const [mail] = mailsTo(reader.user.email);
    const link = `http://localhost:3999/compose?story=${story.id}&variant=${expected!.variantId}`;
    expect(mail!.text).toContain(`Del: ${link}`);
  });
});

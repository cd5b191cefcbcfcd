import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { shares, storedReports } from "@/db/schema";
import { db, withReportsRead } from "@/lib/db";
import type { DomainError } from "@/lib/errors";
import { resetEnvForTests } from "@/lib/env";
import { deleteMyAccount } from "@/lib/me/delete-account";
import { setLeaderboardOptOut } from "@/lib/me/leaderboard";
import { deactivateMember, updateMember } from "@/lib/members";
import { addToRollups, shareFacts } from "@/lib/reach/rollups";
import { teamReport } from "@/lib/reports";
import { createTeam, deleteTeam, moveTeam, renameTeam, setTeamManagers } from "@/lib/teams";
import { lifecycleProcessors } from "@/workers/processors/lifecycle";
import type { Job } from "bullmq";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";

/**
 * Reports kept made (lib/reports/stored.ts): a report slower to make than REPORT_STORE_AFTER_MS
 * is stored; its next readers get it, with the moment it is current as of, after their own
 * authorisation; the workers' minute makes it again; who is in a team or may be shown changes
 * it at once; a report kept too long or unread is not served.
 */

const RANGE = { from: "2030-01-01", to: "2030-01-31", period: "month" as const };

type Scene = Awaited<ReturnType<typeof buildScene>>;

/** Lager: six members, one of whom shares in January 2030, with a manager; and another team with its own. */
async function buildScene() {
  const { org, cli } = await makeOrganization("Lagerhuset A/S");
  const admin = await makeMember(cli, ["admin"]);
  const lager = await createTeam(db(), admin.scope, { name: "Lager" });
  const kontor = await createTeam(db(), admin.scope, { name: "Kontor" });
  const manager = await makeMember(cli, ["manager"], { name: "Mads Leder" });
  const otherManager = await makeMember(cli, ["manager"], { name: "Olga Kontor" });
  await setTeamManagers(db(), admin.scope, lager.id, [manager.user.id]);
  await setTeamManagers(db(), admin.scope, kontor.id, [otherManager.user.id]);
  const members = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => makeMember(cli, ["employee"], { teamId: lager.id, name: `Lager ${i}` })));
  const story = await makePublishedStory(cli, { title: "Nyt lager i Vejle" });
  /** One share published on `day`, counted into the rollups as the workers count it. */
  const shareOn = async (who: (typeof members)[number], day: string) => {
    const [row] = await db()
      .insert(shares)
      .values({ orgId: org.id, storyId: story.id, userId: who.user.id, network: "linkedin", mode: "api", text: "Se her", status: "published", scheduledAt: new Date(`${day}T09:00:00Z`), publishedAt: new Date(`${day}T09:00:00Z`) })
      .returning();
    await db().transaction(async (tx) => {
      const facts = (await shareFacts(tx, [row!.id])).get(row!.id)!;
      await addToRollups(tx, [{ facts, day, delta: { shares: 1, clicks: 3, uniqueVisitors: 3 } }]);
    });
  };
  await shareOn(members[0]!, "2030-01-07");
  return { org, cli, admin, lager, kontor, manager, otherManager, members, shareOn };
}

let scene: Scene;
const previous = process.env.REPORT_STORE_AFTER_MS;
const storeAfter = (ms: number) => {
  process.env.REPORT_STORE_AFTER_MS = String(ms);
  resetEnvForTests();
};
beforeAll(async () => {
  scene = await buildScene();
}, 60_000);
afterAll(() => {
  process.env.REPORT_STORE_AFTER_MS = previous;
  resetEnvForTests();
});
beforeEach(async () => {
  storeAfter(0);
  await db().delete(storedReports).where(eq(storedReports.orgId, scene.org.id));
});

const asManager = (teamId = scene.lager.id) =>
  withReportsRead((source) => teamReport(db(), scene.cli, { userId: scene.manager.user.id, roles: ["manager"] }, { teamId, ...RANGE }, source));
const kept = () => db().select().from(storedReports).where(eq(storedReports.orgId, scene.org.id));
/** The stored reports made `seconds` earlier than they were. */
const age = (seconds: number) =>
  db().update(storedReports).set({ asOf: sql`as_of - make_interval(secs => ${seconds})` }).where(eq(storedReports.orgId, scene.org.id));
const workersMinute = () => lifecycleProcessors(null as never)["reports.remake"]({}, {} as Job) as Promise<{ remade: number; dropped: number; failed: number }>;

describe("a report slower to make than REPORT_STORE_AFTER_MS", () => {
  it("is stored, served to the next reader as of when it was made, and made again by the workers' minute", async () => {
    const first = await asManager();
    expect(first.asOf).toBeNull();
    const shared = first.totals!.shares;
    const [row] = await kept();
    expect(row).toMatchObject({ teamId: scene.lager.id, question: "2030-01-01 2030-01-31 month all" });

    // A new share: the stored report is what readers get until it is made again, and it says as of when.
    await scene.shareOn(scene.members[1]!, "2030-01-20");
    const served = await asManager();
    expect({ ...served, asOf: null }).toEqual(first);
    expect(served.totals!.shares).toBe(shared);
    expect(served.asOf).toBe(row!.asOf.toISOString());

    // Not yet 45 s old: the workers leave it; older, they make it again, and readers get the new
    // figures. (The minute covers every organisation's stored reports, other test files' too,
    // and a workers process another file runs may take its turn: the effects are checked.)
    await workersMinute();
    expect((await kept())[0]!.asOf).toEqual(row!.asOf);
    await age(60);
    await workersMinute();
    expect((await kept())[0]!.asOf.getTime()).toBeGreaterThan(row!.asOf.getTime());
    const remade = await asManager();
    expect(remade.totals!.shares).toBe(shared + 1);
    expect(Date.parse(remade.asOf!)).toBeGreaterThan(row!.asOf.getTime());
  });

  it("is served only to whoever may see the team, asked each time", async () => {
    await asManager();
    expect(await kept()).toHaveLength(1);
    const refused = (viewer: { user: { id: string } }) =>
      teamReport(db(), scene.cli, { userId: viewer.user.id, roles: ["manager"] }, { teamId: scene.lager.id, ...RANGE }).then(
        () => null,
        (error: DomainError) => error.status,
      );
    expect(await refused(scene.otherManager)).toBe(403);
    await setTeamManagers(db(), scene.admin.scope, scene.lager.id, []);
    try {
      expect(await refused(scene.manager)).toBe(403);
    } finally {
      await setTeamManagers(db(), scene.admin.scope, scene.lager.id, [scene.manager.user.id]);
    }
  });

  it("is made afresh by its reader once it is five minutes old, and dropped by the workers when nobody read it for a day", async () => {
    await asManager();
    await scene.shareOn(scene.members[2]!, "2030-01-21");
    await age(5 * 60 + 1);
    const fresh = await asManager();
    expect(fresh.asOf).toBeNull();
    const [row] = await kept();
    expect(Date.now() - row!.asOf.getTime()).toBeLessThan(60_000);
    const served = await asManager();
    expect(served.totals!.shares).toBe(fresh.totals!.shares);

    await db().update(storedReports).set({ readAt: sql`now() - interval '25 hours'` }).where(eq(storedReports.orgId, scene.org.id));
    await workersMinute();
    expect(await kept()).toHaveLength(0);
  });

  it("is not stored when made faster than REPORT_STORE_AFTER_MS: every read is made afresh", async () => {
    storeAfter(3_600_000);
    const first = await asManager();
    expect(await kept()).toHaveLength(0);
    await scene.shareOn(scene.members[3]!, "2030-01-22");
    const second = await asManager();
    expect(second.totals!.shares).toBe(first.totals!.shares + 1);
    expect(second.asOf).toBeNull();
  });

  it("is forgotten at once when who is in a team, who may be shown or the team tree changes, whoever makes the change", async () => {
    const [first, second, third, fourth] = scene.members;
    const empty = await createTeam(db(), scene.admin.scope, { name: "Tom" });
    const change: Array<[string, () => Promise<unknown>]> = [
      ["off the top advocates", () => setLeaderboardOptOut(db(), scene.admin.scope, first!.user.id, true)],
      ["back on them", () => setLeaderboardOptOut(db(), scene.admin.scope, first!.user.id, false)],
      ["moved to another team", () => updateMember(db(), scene.admin.scope, second!.membership.id, { teamId: scene.kontor.id })],
      ["deactivated", () => deactivateMember(db(), scene.admin.scope, third!.membership.id)],
      ["erased", () => deleteMyAccount(db(), fourth!.scope, fourth!.user.id, { confirm: "DELETE", locale: "en" })],
      ["the team renamed", () => renameTeam(db(), scene.admin.scope, scene.lager.id, "Lager og logistik")],
      ["a team moved under it", () => moveTeam(db(), scene.admin.scope, scene.kontor.id, scene.lager.id)],
      ["a team deleted", () => deleteTeam(db(), scene.admin.scope, empty.id)],
    ];
    for (const [what, act] of change) {
      await asManager();
      expect(await kept(), what).toHaveLength(1);
      await act();
      expect(await kept(), what).toHaveLength(0);
    }
    // Another organisation's stored reports stay.
    const { cli: otherCli } = await makeOrganization("Andet A/S");
    const otherAdmin = await makeMember(otherCli, ["admin"]);
    const otherTeam = await createTeam(db(), otherAdmin.scope, { name: "Alle" });
    await teamReport(db(), otherAdmin.scope, { userId: otherAdmin.user.id, roles: ["admin"] }, { teamId: otherTeam.id, ...RANGE });
    await setLeaderboardOptOut(db(), scene.admin.scope, first!.user.id, true);
    expect(await db().select().from(storedReports).where(and(eq(storedReports.orgId, otherAdmin.scope.orgId), eq(storedReports.teamId, otherTeam.id)))).toHaveLength(1);
  });
});

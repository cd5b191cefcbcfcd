import { and, eq, inArray, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { runBackfills } from "@/db/backfills";
import { createDatabase } from "@/db/client";
import { dailyRollups, dataBackfills, memberships, monthlyRollups, organizations, pointsLedger, shares, teams, type NetworkId } from "@/db/schema";
import { db } from "@/lib/db";
import { activityMonth, MONTH_UNIT, shareBits } from "@/db/share-activity";
import { addToRollups, shareFacts } from "@/lib/reach/rollups";
import { awardPoints } from "@/lib/reach/points";
import { createTeam, deleteTeam } from "@/lib/teams";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";

async function makeShare(orgId: string, storyId: string, userId: string, network: "x" | "mastodon") {
  const [share] = await db()
    .insert(shares)
    .values({ orgId, storyId, userId, network, mode: "api", text: "Se her", scheduledAt: new Date(), status: "published", publishedAt: new Date() })
    .returning();
  return share!;
}

describe("daily rollups", () => {
  it("adds one event to its share, user, team, story, network and organisation rows, per network and in total", async () => {
    const { org, cli } = await makeOrganization();
    const team = await createTeam(db(), cli, { name: "Salg" });
    const { user } = await makeMember(cli, ["employee"], { teamId: team.id });
    const story = await makePublishedStory(cli);
    const onX = await makeShare(org.id, story.id, user.id, "x");
    const onMastodon = await makeShare(org.id, story.id, user.id, "mastodon");

    const facts = await shareFacts(db(), [onX.id, onMastodon.id]);
    expect(facts.get(onX.id)).toEqual({ orgId: org.id, shareId: onX.id, userId: user.id, teamId: team.id, storyId: story.id, network: "x", placement: "card" });

    await db().transaction(async (tx) => {
      await addToRollups(tx, [
        { facts: facts.get(onX.id)!, day: "2026-11-02", delta: { shares: 1, estimatedReach: 120 } },
        { facts: facts.get(onX.id)!, day: "2026-11-02", delta: { clicks: 3, uniqueVisitors: 2, botClicks: 1 } },
        { facts: facts.get(onMastodon.id)!, day: "2026-11-02", delta: { shares: 1, engagements: 4 } },
        { facts: facts.get(onMastodon.id)!, day: "2026-11-03", delta: {} },
      ]);
    });
    // Applied again: rows add up, they are not replaced.
    await addToRollups(db(), [{ facts: facts.get(onX.id)!, day: "2026-11-02", delta: { clicks: 1, uniqueVisitors: 1 } }]);

    const rows = await db().select().from(dailyRollups).where(eq(dailyRollups.orgId, org.id));
    const find = (dimension: string, id: string, network: string) => rows.find((r) => r.dimension === dimension && r.dimensionId === id && r.network === network);
    expect(find("share", onX.id, "x")).toMatchObject({ shares: 1, clicks: 4, uniqueVisitors: 3, botClicks: 1, estimatedReach: 120, engagements: 0 });
    expect(find("user", user.id, "all")).toMatchObject({ shares: 2, clicks: 4, uniqueVisitors: 3, engagements: 4 });
    expect(find("user", user.id, "mastodon")).toMatchObject({ shares: 1, clicks: 0, engagements: 4 });
    expect(find("team", team.id, "all")).toMatchObject({ shares: 2, clicks: 4 });
    expect(find("story", story.id, "x")).toMatchObject({ shares: 1, clicks: 4 });
    expect(find("network", "mastodon", "mastodon")).toMatchObject({ shares: 1, engagements: 4 });
    expect(find("org", org.id, "all")).toMatchObject({ shares: 2, clicks: 4, uniqueVisitors: 3, botClicks: 1, engagements: 4, estimatedReach: 120 });
    // An empty delta writes no row; every row is on the day of its event.
    expect(rows.every((r) => r.day === "2026-11-02")).toBe(true);
    expect(find("team_story", `${team.id}:${story.id}`, "all")).toMatchObject({ shares: 2, clicks: 4, engagements: 4 });
    // The person's figures by network and where the link went (a team report's placements): no 'all' row.
    expect(find("user_placement", user.id, "x:card")).toMatchObject({ shares: 1, clicks: 4, uniqueVisitors: 3 });
    expect(find("user_placement", user.id, "mastodon:card")).toMatchObject({ shares: 1, engagements: 4 });
    // Per dimension: the two shares' network rows and one shared 'all' row (the share rows: two each); plus two network rows and two placement rows.
    // The team's figures by where the link went, too.
    expect(find("team_placement", team.id, "x:card")).toMatchObject({ shares: 1, clicks: 4, uniqueVisitors: 3 });
    // And the organisation's (a whole organisation's placements).
    expect(find("org", org.id, "x:card")).toMatchObject({ shares: 1, clicks: 4, uniqueVisitors: 3 });
    expect(find("org", org.id, "mastodon:card")).toMatchObject({ shares: 1, engagements: 4 });
    expect(rows).toHaveLength(2 * 2 + 5 * 3 + 2 + 2 + 2 + 2);

    // The month's rows hold the same sums, the days of November in one row.
    await addToRollups(db(), [{ facts: facts.get(onX.id)!, day: "2026-11-20", delta: { clicks: 5 } }]);
    const months = await db().select().from(monthlyRollups).where(eq(monthlyRollups.orgId, org.id));
    const month = (dimension: string, id: string, network: string) => months.find((r) => r.dimension === dimension && r.dimensionId === id && r.network === network);
    expect(month("org", org.id, "all")).toMatchObject({ month: "2026-11-01", shares: 2, clicks: 9, uniqueVisitors: 3, engagements: 4, estimatedReach: 120 });
    expect(month("user", user.id, "x")).toMatchObject({ month: "2026-11-01", shares: 1, clicks: 9 });
    expect(months).toHaveLength(rows.length);
  });

  it("leaves out the user and team rows of a share without them, counting its story under no team, and never mixes organisations", async () => {
    const a = await makeOrganization();
    const b = await makeOrganization();
    const story = await makePublishedStory(a.cli);
    const { user } = await makeMember(a.cli, ["employee"]);
    const share = await makeShare(a.org.id, story.id, user.id, "x");
    const facts = { ...(await shareFacts(db(), [share.id])).get(share.id)!, userId: null };
    await addToRollups(db(), [{ facts, day: "2026-11-05", delta: { clicks: 2 } }]);
    const rows = await db().select().from(dailyRollups).where(eq(dailyRollups.orgId, a.org.id));
    expect(rows.map((r) => r.dimension).sort()).toEqual(["network", "org", "org", "org", "share", "share", "story", "story", "team_placement", "team_story", "team_story"]);
    // A person in no team: their story's figures are "none:<story>", so a story's team rows add up to its story rows,
    // and their placements' "none", so the organisation's rows by placement less those are every team's.
    expect(rows.filter((r) => r.dimension === "team_story" || r.dimension === "team_placement").map((r) => [r.dimensionId, r.network, r.clicks])).toEqual(
      expect.arrayContaining([
        [`none:${story.id}`, "x", 2],
        [`none:${story.id}`, "all", 2],
        ["none", "x:card", 2],
      ]),
    );
    expect(rows.find((r) => r.dimension === "org" && r.network === "x:card")).toMatchObject({ dimensionId: a.org.id, clicks: 2 });
    expect(await db().select().from(monthlyRollups).where(eq(monthlyRollups.orgId, a.org.id))).toHaveLength(11);
    expect(await db().select().from(dailyRollups).where(eq(dailyRollups.orgId, b.org.id))).toHaveLength(0);
  });
});

describe("the backfill of rows by link placement (migration 0023)", () => {
  it("makes each person's rows by placement from their shares' rows, daily and monthly, replacing what was there, once", async () => {
    const { org, cli } = await makeOrganization();
    const { user } = await makeMember(cli, ["employee"]);
    const story = await makePublishedStory(cli);
    const onX = await makeShare(org.id, story.id, user.id, "x");
    const inText = await makeShare(org.id, story.id, user.id, "x");
    await db().update(shares).set({ placement: "text" }).where(eq(shares.id, inText.id));
    const facts = await shareFacts(db(), [onX.id, inText.id]);
    await addToRollups(db(), [
      { facts: facts.get(onX.id)!, day: "2026-10-30", delta: { shares: 1, clicks: 2 } },
      { facts: facts.get(onX.id)!, day: "2026-11-02", delta: { clicks: 3 } },
      { facts: facts.get(inText.id)!, day: "2026-11-02", delta: { shares: 1, clicks: 7 } },
    ]);
    const placementRows = async (table: typeof dailyRollups | typeof monthlyRollups) =>
      (await db().select().from(table).where(and(eq(table.orgId, org.id), eq(table.dimension, "user_placement")))).map((r) => JSON.stringify(r)).sort();
    const written = { daily: await placementRows(dailyRollups), monthly: await placementRows(monthlyRollups) };
    expect(written.daily).toHaveLength(3);

    // As before the migration: no rows by placement, one wrong row, and the backfill not yet run.
    for (const table of [dailyRollups, monthlyRollups]) await db().delete(table).where(and(eq(table.orgId, org.id), eq(table.dimension, "user_placement")));
    await db().insert(dailyRollups).values({ orgId: org.id, dimension: "user_placement", dimensionId: user.id, network: "x:card", day: "2026-11-02", clicks: 99 });
    await db().delete(dataBackfills).where(eq(dataBackfills.name, "0023_user_placement_rollups"));

    const handle = createDatabase(process.env.DATABASE_URL!, { max: 1, applicationName: "ripple-test-backfill" });
    try {
      expect(await runBackfills(handle.client)).toEqual(["0023_user_placement_rollups"]);
      expect({ daily: await placementRows(dailyRollups), monthly: await placementRows(monthlyRollups) }).toEqual(written);
      // Recorded: a second start does not run it again.
      expect(await runBackfills(handle.client)).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});

describe("each member's share activity (lib/reach/activity.ts)", () => {
  const activityOf = async (orgId: string, userId: string) => {
    const [row] = await db().select({ firstSharedOn: memberships.firstSharedOn, sharedMonths: memberships.sharedMonths }).from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
    return row!;
  };
  const nov = activityMonth("2026-11-01");
  const oct = activityMonth("2026-10-01");
  /** What shares with a link card add: one number a month, the month and what was shared with (db/share-activity.ts). */
  const entries = (...shared: Array<[number, NetworkId]>) => shared.map(([month, network]) => month * MONTH_UNIT + shareBits(network, "card")).sort((a, b) => a - b);

  it("keeps the first day shared and the months shared in, in total and per network, with the rollups; clicks add nothing", async () => {
    const { org, cli } = await makeOrganization();
    const { user } = await makeMember(cli, ["employee"]);
    const { user: quiet } = await makeMember(cli, ["employee"]);
    const story = await makePublishedStory(cli);
    const onX = await makeShare(org.id, story.id, user.id, "x");
    const onMastodon = await makeShare(org.id, story.id, user.id, "mastodon");
    const quietShare = await makeShare(org.id, story.id, quiet.id, "x");
    const facts = await shareFacts(db(), [onX.id, onMastodon.id, quietShare.id]);

    await addToRollups(db(), [{ facts: facts.get(onX.id)!, day: "2026-11-12", delta: { shares: 1 } }]);
    expect(await activityOf(org.id, user.id)).toEqual({ firstSharedOn: "2026-11-12", sharedMonths: entries([nov, "x"]) });
    // An earlier share on another network: the first day moves back, October joins in order.
    await addToRollups(db(), [
      { facts: facts.get(onMastodon.id)!, day: "2026-10-30", delta: { shares: 1 } },
      { facts: facts.get(onX.id)!, day: "2026-11-13", delta: { clicks: 4, engagements: 2 } },
    ]);
    expect(await activityOf(org.id, user.id)).toEqual({ firstSharedOn: "2026-10-30", sharedMonths: entries([oct, "mastodon"], [nov, "x"]) });
    // The same again changes nothing; clicks alone on someone's share make them no sharer.
    await addToRollups(db(), [{ facts: facts.get(onX.id)!, day: "2026-11-20", delta: { shares: 1 } }]);
    await addToRollups(db(), [{ facts: facts.get(quietShare.id)!, day: "2026-11-20", delta: { clicks: 9 } }]);
    expect(await activityOf(org.id, user.id)).toEqual({ firstSharedOn: "2026-10-30", sharedMonths: entries([oct, "mastodon"], [nov, "x"]) });
    expect(await activityOf(org.id, quiet.id)).toEqual({ firstSharedOn: null, sharedMonths: [] });
  });

  it("takes two batches of the same people at once without losing either's networks in a month", async () => {
    const { org, cli } = await makeOrganization();
    const people = await Promise.all([1, 2, 3].map(() => makeMember(cli, ["employee"])));
    const story = await makePublishedStory(cli);
    const made = await Promise.all(people.flatMap(({ user }) => [makeShare(org.id, story.id, user.id, "x"), makeShare(org.id, story.id, user.id, "mastodon")]));
    const facts = await shareFacts(db(), made.map((s) => s.id));
    const batch = (network: "x" | "mastodon", day: string) =>
      db().transaction((tx) => addToRollups(tx, made.filter((s) => s.network === network).map((s) => ({ facts: facts.get(s.id)!, day, delta: { shares: 1 } }))));
    await Promise.all([batch("x", "2026-11-05"), batch("mastodon", "2026-11-20")]);
    const both = Number(BigInt(shareBits("x", "card")) | BigInt(shareBits("mastodon", "card")));
    for (const { user } of people) {
      expect(await activityOf(org.id, user.id)).toEqual({ firstSharedOn: "2026-11-05", sharedMonths: [nov * MONTH_UNIT + both] });
    }
  });

  it("is made from the rollups by the migration's backfills, once, as the rollups made it, with the teams' rows by placement", async () => {
    const { org, cli } = await makeOrganization();
    const team = await createTeam(db(), cli, { name: "Salg" });
    const { user } = await makeMember(cli, ["employee"], { teamId: team.id });
    const story = await makePublishedStory(cli);
    const onX = await makeShare(org.id, story.id, user.id, "x");
    const facts = await shareFacts(db(), [onX.id]);
    await addToRollups(db(), [
      { facts: facts.get(onX.id)!, day: "2026-10-02", delta: { shares: 1 } },
      { facts: facts.get(onX.id)!, day: "2026-11-02", delta: { shares: 1, clicks: 3 } },
    ]);
    const kept = await activityOf(org.id, user.id);
    const teamRows = async (table: typeof dailyRollups | typeof monthlyRollups) =>
      (await db().select().from(table).where(and(eq(table.orgId, org.id), eq(table.dimension, "team_placement")))).map((r) => JSON.stringify(r)).sort();
    const written = { daily: await teamRows(dailyRollups), monthly: await teamRows(monthlyRollups) };
    expect(written.daily).toHaveLength(2);
    // As before the migration: no team rows by placement, nothing on the membership, and the backfills not yet run.
    for (const table of [dailyRollups, monthlyRollups]) await db().delete(table).where(and(eq(table.orgId, org.id), eq(table.dimension, "team_placement")));
    await db().update(memberships).set({ firstSharedOn: null, sharedMonths: [] }).where(and(eq(memberships.orgId, org.id), eq(memberships.userId, user.id)));
    await db().delete(dataBackfills).where(inArray(dataBackfills.name, ["0024_team_placement_rollups", "0024_share_activity"]));
    const handle = createDatabase(process.env.DATABASE_URL!, { max: 1, applicationName: "ripple-test-backfill" });
    try {
      expect(await runBackfills(handle.client)).toEqual(["0024_team_placement_rollups", "0024_share_activity"]);
      expect({ daily: await teamRows(dailyRollups), monthly: await teamRows(monthlyRollups) }).toEqual(written);
      expect(await activityOf(org.id, user.id)).toEqual(kept);
      expect(kept).toEqual({ firstSharedOn: "2026-10-02", sharedMonths: entries([oct, "x"], [nov, "x"]) });
      expect(await runBackfills(handle.client)).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});

/** An organisation with a team that stays (Salg, one member), one to be deleted (Nedlagt, one member) and a member in no team. */
async function teamKeptTeamGoneAndNoTeam() {
  const { org, cli } = await makeOrganization();
  const kept = await createTeam(db(), cli, { name: "Salg" });
  const gone = await createTeam(db(), cli, { name: "Nedlagt" });
  const inTeam = await makeMember(cli, ["employee"], { teamId: kept.id });
  const noTeam = await makeMember(cli, ["employee"]);
  const leaver = await makeMember(cli, ["employee"], { teamId: gone.id });
  return { org, cli, kept, gone, inTeam, noTeam, leaver };
}

/** Counts the shares of teamKeptTeamGoneAndNoTeam's three members into the rollups: 3, 5 and 7 clicks on 2 and 3 November and 5 October. */
async function countThreeShares(shared: ReadonlyArray<{ id: string }>) {
  const facts = await shareFacts(db(), shared.map((s) => s.id));
  await addToRollups(db(), [
    { facts: facts.get(shared[0]!.id)!, day: "2026-11-02", delta: { shares: 1, clicks: 3 } },
    { facts: facts.get(shared[1]!.id)!, day: "2026-11-03", delta: { shares: 1, clicks: 5 } },
    { facts: facts.get(shared[2]!.id)!, day: "2026-10-05", delta: { shares: 1, clicks: 7 } },
  ]);
}

describe("the backfill of stories' rows of no team", () => {
  it("makes each story's rows of no team from its rows less the teams', taking in a deleted team's, once", async () => {
    const { org, cli, kept, gone, inTeam, noTeam, leaver } = await teamKeptTeamGoneAndNoTeam();
    const [story, other] = [await makePublishedStory(cli), await makePublishedStory(cli)];
    const shared = [await makeShare(org.id, story.id, inTeam.user.id, "x"), await makeShare(org.id, story.id, noTeam.user.id, "x"), await makeShare(org.id, other.id, leaver.user.id, "mastodon")];
    await countThreeShares(shared);
    // As before the migration: no rows of no team, and a deleted team's rows left where they were.
    for (const table of [dailyRollups, monthlyRollups]) await db().delete(table).where(and(eq(table.orgId, org.id), eq(table.dimension, "team_story"), like(table.dimensionId, "none:%")));
    await db().update(memberships).set({ teamId: null }).where(eq(memberships.id, leaver.membership.id));
    await db().delete(teams).where(eq(teams.id, gone.id));
    await db().delete(dataBackfills).where(eq(dataBackfills.name, "no_team_story_rollups"));
    const teamStories = async (table: typeof dailyRollups | typeof monthlyRollups) =>
      (await db().select().from(table).where(and(eq(table.orgId, org.id), eq(table.dimension, "team_story"))))
        .map((r) => [r.dimensionId, r.network, "day" in r ? r.day : r.month, r.shares, r.clicks].join(" "))
        .sort();
    const handle = createDatabase(process.env.DATABASE_URL!, { max: 1, applicationName: "ripple-test-backfill" });
    try {
      expect(await runBackfills(handle.client)).toEqual(["no_team_story_rollups"]);
      const rows = (prefix: string, day: string) => [`${prefix} x ${day} 1 3`, `${prefix} all ${day} 1 3`];
      expect(await teamStories(dailyRollups)).toEqual(
        [
          ...rows(`${kept.id}:${story.id}`, "2026-11-02"),
          `none:${story.id} x 2026-11-03 1 5`,
          `none:${story.id} all 2026-11-03 1 5`,
          `none:${other.id} mastodon 2026-10-05 1 7`,
          `none:${other.id} all 2026-10-05 1 7`,
        ].sort(),
      );
      expect(await teamStories(monthlyRollups)).toEqual(
        [
          ...rows(`${kept.id}:${story.id}`, "2026-11-01"),
          `none:${story.id} x 2026-11-01 1 5`,
          `none:${story.id} all 2026-11-01 1 5`,
          `none:${other.id} mastodon 2026-10-01 1 7`,
          `none:${other.id} all 2026-10-01 1 7`,
        ].sort(),
      );
      expect(await runBackfills(handle.client)).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});

describe("the backfill of the organisation's rows by placement", () => {
  it("makes them from the shares' rows, and the team rows by placement of no team from them less the teams', taking in a deleted team's, once", async () => {
    const { org, cli, kept, gone, inTeam, noTeam, leaver } = await teamKeptTeamGoneAndNoTeam();
    const story = await makePublishedStory(cli);
    const shared = [await makeShare(org.id, story.id, inTeam.user.id, "x"), await makeShare(org.id, story.id, noTeam.user.id, "x"), await makeShare(org.id, story.id, leaver.user.id, "mastodon")];
    await db().update(shares).set({ placement: "text" }).where(eq(shares.id, shared[1]!.id));
    await countThreeShares(shared);
    // The leaver leaves, and their team is deleted: its rows by placement become "none".
    await db().update(memberships).set({ teamId: null }).where(eq(memberships.id, leaver.membership.id));
    await deleteTeam(db(), cli, gone.id);
    const placed = async (table: typeof dailyRollups | typeof monthlyRollups) =>
      (await db().select().from(table).where(and(eq(table.orgId, org.id), inArray(table.dimension, ["org", "team_placement"]), like(table.network, "%:%"))))
        .map((r) => [r.dimension, r.dimensionId === org.id ? "org" : r.dimensionId, r.network, "day" in r ? r.day : r.month, r.shares, r.clicks].join(" "))
        .sort();
    const written = { daily: await placed(dailyRollups), monthly: await placed(monthlyRollups) };
    expect(written.daily).toEqual(
      [
        "org org x:card 2026-11-02 1 3",
        "org org x:text 2026-11-03 1 5",
        "org org mastodon:card 2026-10-05 1 7",
        `team_placement ${kept.id} x:card 2026-11-02 1 3`,
        "team_placement none x:text 2026-11-03 1 5",
        "team_placement none mastodon:card 2026-10-05 1 7",
      ].sort(),
    );
    // As before: no organisation rows by placement, none of no team, and the deleted team's left where they were.
    for (const [table, date] of [
      [dailyRollups, "2026-10-05"],
      [monthlyRollups, "2026-10-01"],
    ] as const) {
      await db()
        .delete(table)
        .where(and(eq(table.orgId, org.id), like(table.network, "%:%"), inArray(table.dimension, ["org", "team_placement"]), inArray(table.dimensionId, [org.id, "none"])));
      const row = { orgId: org.id, dimension: "team_placement" as const, dimensionId: gone.id, network: "mastodon:card", shares: 1, clicks: 7 };
      await (table === dailyRollups ? db().insert(dailyRollups).values({ ...row, day: date }) : db().insert(monthlyRollups).values({ ...row, month: date }));
    }
    await db().delete(dataBackfills).where(eq(dataBackfills.name, "org_placement_rollups"));
    const handle = createDatabase(process.env.DATABASE_URL!, { max: 1, applicationName: "ripple-test-backfill" });
    try {
      expect(await runBackfills(handle.client)).toEqual(["org_placement_rollups"]);
      expect({ daily: await placed(dailyRollups), monthly: await placed(monthlyRollups) }).toEqual(written);
      expect(await runBackfills(handle.client)).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});

describe("points", () => {
  it("awards the organisation's points per action, merged per person and share, and nothing for nobody", async () => {
    const { org, cli } = await makeOrganization();
    await db().update(organizations).set({ settings: { points: { share: 25, click: 2, engagement: 0 } } }).where(eq(organizations.id, org.id));
    const { user } = await makeMember(cli, ["employee"]);
    await awardPoints(db(), [
      { orgId: org.id, userId: user.id, action: "share", count: 1 },
      { orgId: org.id, userId: user.id, action: "click", count: 3 },
      { orgId: org.id, userId: user.id, action: "click", count: 2 },
      { orgId: org.id, userId: user.id, action: "engagement", count: 7 },
      { orgId: org.id, userId: null, action: "share", count: 1 },
    ]);
    const ledger = await db().select().from(pointsLedger).where(and(eq(pointsLedger.orgId, org.id), eq(pointsLedger.userId, user.id)));
    expect(ledger.map((r) => `${r.action}:${r.points}`).sort()).toEqual(["click:10", "share:25"]);
  });
});

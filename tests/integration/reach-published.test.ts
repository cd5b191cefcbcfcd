import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dailyRollups, pointsLedger, reachSnapshots, shares, type Share } from "@/db/schema";
import { encryptTokens } from "@/lib/connections/secrets";
import { closeDb, db } from "@/lib/db";
import { redis } from "@/lib/queue";
import { countMissedShares, recordPublished } from "@/lib/reach/published";
import { utcDay } from "@/lib/time";
import { confirmIntentShare, createIntentShare, createShares, markPosted } from "@/lib/shares";
import { publishShare } from "@/lib/shares/publish";
import { reconcileShares } from "@/lib/shares/reconcile";
import { createTeam } from "@/lib/teams";
import { startFakeX, type FakeX } from "../fakes/x";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { envOverride } from "../support/env-override";
import { acceptCurrentGuidelines, makeConnection, makeMember, makeOrganization, makePublishedStory } from "../support/factories";
import { clearRedisPrefix } from "../support/test-env";

/**
 * A share counts as shared once it is published (lib/reach/published.ts): its "estimated"
 * snapshot (followers as potential reach), +1 share and the followers in the rollups on
 * the publish day, and the sharer's points — whether the publisher posted it, the person
 * confirmed a share link they posted, or confirmed a post whose outcome was unknown; once
 * only, also when counted twice or by the reconciler, which catches up a share published
 * without being counted.
 *
 * A database and queue prefix of its own: the reconciler acts on every share it finds.
 */
const runPrefix = process.env.QUEUE_PREFIX!;
process.env.QUEUE_PREFIX = `${runPrefix}-reach-published`;

const X_CLIENT = { clientId: "ripple-x-client", clientSecret: "ripple-x-secret-0123456789" };
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let database: TestDatabase;
let xFake: FakeX;
const { set: setEnv, restore: restoreEnv } = envOverride();

beforeAll(async () => {
  [database, xFake] = await Promise.all([createTestDatabase("reach_published"), startFakeX(X_CLIENT)]);
  setEnv({
    DATABASE_URL: database.url,
    APP_URL: "https://ripple.dk",
    ALLOW_PRIVATE_FETCH: undefined,
    FETCH_ALLOW_HOSTS: new URL(xFake.url).host,
    X_API_URL: xFake.url,
    X_AUTH_URL: xFake.url,
    X_CLIENT_ID: X_CLIENT.clientId,
    X_CLIENT_SECRET: X_CLIENT.clientSecret,
  });
}, 60_000);

afterAll(async () => {
  await closeDb();
  await Promise.all([xFake?.close(), database?.drop()]);
  await clearRedisPrefix(process.env.REDIS_URL!, process.env.QUEUE_PREFIX!);
  restoreEnv();
});

async function scene() {
  const { cli } = await makeOrganization("Vindmølle A/S");
  const team = await createTeam(db(), cli, { name: `Salg ${randomBytes(3).toString("hex")}` });
  const story = await makePublishedStory(cli, { title: "Ny fabrik i Esbjerg", canonicalUrl: "https://vindmoelle.example/nyheder/fabrik" });
  const member = await makeMember(cli, ["employee"], { name: "Mette Jensen", teamId: team.id });
  await acceptCurrentGuidelines(cli, member.user.id);
  return { cli, story, teamId: team.id, userId: member.user.id, scope: member.scope };
}
type Scene = Awaited<ReturnType<typeof scene>>;

/** An X account at the fake with `followers` followers as Ripple last read them. */
async function xAccount(s: Scene, followers: number | null) {
  const name = `mette_${randomBytes(4).toString("hex")}`;
  const id = randomUUID();
  const tokens = { accessToken: xFake.createToken(name), refreshToken: null, expiresAt: null, refreshExpiresAt: null, scopes: [] };
  return makeConnection(s.cli, s.userId, { id, network: "x", externalId: xFake.user(name).id, handle: `@${name}`, followerCount: followers, ...encryptTokens(id, tokens) });
}

async function schedule(s: Scene, connectionId: string): Promise<Share> {
  const [share] = await createShares(db(), s.scope, s.userId, { storyId: s.story.id, posts: [{ connectionId, text: "Vi åbner en ny fabrik i Esbjerg" }] });
  return share!;
}

async function reload(id: string): Promise<Share> {
  const [row] = await db().select().from(shares).where(eq(shares.id, id));
  return row!;
}

async function estimates(shareId: string) {
  return db().select().from(reachSnapshots).where(and(eq(reachSnapshots.shareId, shareId), eq(reachSnapshots.source, "estimated")));
}

/** A rollup's rows (day → figures) for one dimension and network. */
async function rollupDays(dimension: "org" | "share" | "user" | "team" | "story" | "network", id: string, net = "all") {
  const rows = await db()
    .select({ day: dailyRollups.day, shares: dailyRollups.shares, estimatedReach: dailyRollups.estimatedReach, impressions: dailyRollups.impressions })
    .from(dailyRollups)
    .where(and(eq(dailyRollups.dimension, dimension), eq(dailyRollups.dimensionId, id), eq(dailyRollups.network, net)));
  return Object.fromEntries(rows.map(({ day, ...figures }) => [day, figures]));
}

async function sharePoints(userId: string): Promise<{ rows: number; points: number }> {
  const [row] = await db()
    .select({ rows: sql<number>`count(*)::int`, points: sql<number>`coalesce(sum(${pointsLedger.points}), 0)::int` })
    .from(pointsLedger)
    .where(and(eq(pointsLedger.userId, userId), eq(pointsLedger.action, "share")));
  return row!;
}

describe("a share published by the publisher", () => {
  it("is counted by the reconciler's next run (not on the publisher's path) as shared on its publish day, the account's followers as estimated reach, the sharer's share points; once, however often it is recorded", async () => {
    const s = await scene();
    const connection = await xAccount(s, 250);
    const share = await schedule(s, connection.id);

    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    expect(await estimates(share.id)).toEqual([]);
    expect(await countMissedShares(db(), new Date(Date.now() + 11_000))).toBe(1);

    const row = await reload(share.id);
    const day = utcDay(row.publishedAt!);
    expect(await estimates(share.id)).toEqual([expect.objectContaining({ orgId: s.cli.orgId, poll: null, reached: 250, impressions: null, capturedAt: row.publishedAt })]);
    const counted = { shares: 1, estimatedReach: 250, impressions: 0 };
    for (const [dimension, id] of [["share", share.id], ["user", s.userId], ["team", s.teamId], ["story", s.story.id], ["org", s.cli.orgId]] as const) {
      expect(await rollupDays(dimension, id), dimension).toEqual({ [day]: counted });
      expect(await rollupDays(dimension, id, "x"), `${dimension} on x`).toEqual({ [day]: counted });
    }
    // 10 points a share by default.
    expect(await sharePoints(s.userId)).toEqual({ rows: 1, points: 10 });

    // Again, twice at once, and once more: nothing more is counted.
    const again = await Promise.all([recordPublished(db(), [share.id, share.id]), recordPublished(db(), [share.id])]);
    expect(again).toEqual([0, 0]);
    expect(await recordPublished(db(), [share.id])).toBe(0);
    expect(await estimates(share.id)).toHaveLength(1);
    expect(await rollupDays("story", s.story.id)).toEqual({ [day]: counted });
    expect(await sharePoints(s.userId)).toEqual({ rows: 1, points: 10 });
  });

  it("counts a campaign's burst larger than a page in one run: 2,500 shares published at once all reach the organisation's rollup", async () => {
    const s = await scene();
    const connection = await xAccount(s, 10);
    const burst = 2_500;
    // As the publisher leaves them: marked published, not yet counted (made in one statement, for speed).
    const publishedAt = new Date(Date.now() - 60_000);
    await db().execute(sql`
      insert into ${shares} (org_id, story_id, user_id, connection_id, network, mode, text, status, scheduled_at, published_at)
      select ${s.cli.orgId}, ${s.story.id}, ${s.userId}, ${connection.id}, 'x', 'api', 'Kampagne ' || g, 'published', ${publishedAt.toISOString()}::timestamptz, ${publishedAt.toISOString()}::timestamptz
      from generate_series(1, ${burst}::int) g`);

    expect(await countMissedShares(db())).toBe(burst);
    expect(await rollupDays("org", s.cli.orgId)).toEqual({ [utcDay(publishedAt)]: { shares: burst, estimatedReach: burst * 10, impressions: 0 } });
    // Nothing left for the next run.
    expect(await countMissedShares(db())).toBe(0);
  }, 60_000);

  it("an account whose followers are unknown (LinkedIn) counts as shared with no estimated reach", async () => {
    const s = await scene();
    const connection = await xAccount(s, null);
    const share = await schedule(s, connection.id);

    await publishShare(db(), redis(), share.id);
    await countMissedShares(db(), new Date(Date.now() + 11_000));

    expect(await estimates(share.id)).toEqual([expect.objectContaining({ reached: null })]);
    expect(Object.values(await rollupDays("share", share.id))).toEqual([{ shares: 1, estimatedReach: 0, impressions: 0 }]);
  });

  it("two batches with the same shares in another order at once count each share once", async () => {
    const s = await scene();
    const connection = await xAccount(s, 40);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await schedule(s, connection.id)).id);
    // Published, as if the process had died before counting them.
    await db().update(shares).set({ status: "published", publishedAt: new Date() }).where(inArray(shares.id, ids));

    const counted = await Promise.all([recordPublished(db(), ids), recordPublished(db(), [...ids].reverse()), recordPublished(db(), ids.slice(2))]);

    expect(counted.reduce((a, b) => a + b, 0)).toBe(6);
    expect(Object.values(await rollupDays("story", s.story.id))).toEqual([{ shares: 6, estimatedReach: 240, impressions: 0 }]);
    expect(await sharePoints(s.userId)).toEqual({ rows: 6, points: 60 });
  });

  it("a share that is not published is not counted", async () => {
    const s = await scene();
    const connection = await xAccount(s, 40);
    const share = await schedule(s, connection.id);

    expect(await recordPublished(db(), [share.id])).toBe(0);

    expect(await estimates(share.id)).toEqual([]);
    expect(await rollupDays("share", share.id)).toEqual({});
  });
});

describe("the reconciler", () => {
  it("counts a share published without being counted (the process died in between), on its publish day; shares older than two days are left alone", async () => {
    const s = await scene();
    const connection = await xAccount(s, 120);
    const missed = await schedule(s, connection.id);
    const old = await schedule(s, connection.id);
    const now = new Date();
    const publishedAt = new Date(now.getTime() - 26 * 60 * MINUTE);
    await db().update(shares).set({ status: "published", publishedAt, externalId: "1" }).where(eq(shares.id, missed.id));
    await db()
      .update(shares)
      .set({ status: "published", publishedAt: new Date(now.getTime() - 3 * DAY), externalId: "2" })
      .where(eq(shares.id, old.id));

    const result = await reconcileShares(db(), now);

    expect(result.counted).toBe(1);
    expect(await estimates(missed.id)).toEqual([expect.objectContaining({ reached: 120, capturedAt: publishedAt })]);
    expect(await rollupDays("share", missed.id)).toEqual({ [utcDay(publishedAt)]: { shares: 1, estimatedReach: 120, impressions: 0 } });
    expect(await sharePoints(s.userId)).toEqual({ rows: 1, points: 10 });
    expect(await estimates(old.id)).toEqual([]);

    // The next run finds nothing left to count.
    expect((await reconcileShares(db(), now)).counted).toBe(0);
    expect(await rollupDays("share", missed.id)).toEqual({ [utcDay(publishedAt)]: { shares: 1, estimatedReach: 120, impressions: 0 } });
  });
});

describe("shares the person confirms as posted", () => {
  it("a share link confirmed as posted counts as shared (no estimated reach: the account is not known); one not posted does not", async () => {
    const s = await scene();
    const posted = await createIntentShare(db(), s.scope, s.userId, { storyId: s.story.id, network: "facebook", text: "Se vores nye fabrik" });
    const skipped = await createIntentShare(db(), s.scope, s.userId, { storyId: s.story.id, network: "xing", text: "Se vores nye fabrik" });

    const share = await confirmIntentShare(db(), s.scope, s.userId, posted.share.id, true);
    await confirmIntentShare(db(), s.scope, s.userId, skipped.share.id, false);

    expect(await estimates(share.id)).toEqual([expect.objectContaining({ reached: null, poll: null })]);
    expect(await rollupDays("share", share.id, "facebook")).toEqual({ [utcDay(share.publishedAt!)]: { shares: 1, estimatedReach: 0, impressions: 0 } });
    expect(Object.values(await rollupDays("team", s.teamId))).toEqual([{ shares: 1, estimatedReach: 0, impressions: 0 }]);
    expect(await estimates(skipped.share.id)).toEqual([]);
    expect(await sharePoints(s.userId)).toEqual({ rows: 1, points: 10 });
  });

  it("a share whose outcome was unknown, confirmed as on the network, counts as shared", async () => {
    const s = await scene();
    const connection = await xAccount(s, 75);
    const share = await schedule(s, connection.id);
    await db().update(shares).set({ status: "needs_attention", errorCode: "outcome_unknown" }).where(eq(shares.id, share.id));

    const confirmed = await markPosted(db(), s.scope, s.userId, share.id);

    expect(await estimates(share.id)).toEqual([expect.objectContaining({ reached: 75 })]);
    expect(await rollupDays("share", share.id)).toEqual({ [utcDay(confirmed.publishedAt!)]: { shares: 1, estimatedReach: 75, impressions: 0 } });
  });
});

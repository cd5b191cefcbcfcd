import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { deleteAccountAction } from "@/app/(app)/settings/account-actions";
import { GET as exportRoute } from "@/app/(app)/settings/export/route";
import {
  accounts,
  auditLog,
  dailyRollups,
  memberships,
  monthlyRollups,
  notifications,
  pointsLedger,
  reachSnapshots,
  sessions,
  shares,
  socialConnections,
  trackedLinks,
  users,
  type NetworkId,
} from "@/db/schema";
import { completeConnect, decryptTokens, startConnect } from "@/lib/connections";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { ANONYMOUS_DIMENSION_ID, deleteMyAccount } from "@/lib/me/delete-account";
import { exportMyData, type MyDataExport } from "@/lib/me/export";
import { updateMember } from "@/lib/members";
import { awardPoints } from "@/lib/reach/points";
import { addToRollups, shareFacts, type RollupFigures } from "@/lib/reach/rollups";
import { utcDay } from "@/lib/time";
import { createTeam } from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import { startFakeMastodon, type FakeMastodon } from "../fakes/mastodon";
import { envOverride } from "../support/env-override";
import { makeConnection, makeMember, makeOrganization, makePublishedStory } from "../support/factories";

/** The server action and the route run with the session this says (Auth.js needs a live request otherwise). */
const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
const signedOut = vi.hoisted(() => ({ count: 0 }));
vi.mock("@/lib/auth/config", () => ({
  auth: async () => session.current,
  signOut: async () => {
    signedOut.count++;
  },
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const DAY = 86_400_000;
let mastodon: FakeMastodon;
const { set: setEnv, restore: restoreEnv } = envOverride();

beforeAll(async () => {
  mastodon = await startFakeMastodon();
  setEnv({ ALLOW_PRIVATE_FETCH: "true" });
});

afterAll(async () => {
  restoreEnv();
  await mastodon?.close();
});

type Member = Awaited<ReturnType<typeof makeMember>>;

function signIn(member: Member | null, roles: string[] = ["employee"]) {
  session.current = member ? { userId: member.user.id, orgId: member.scope.orgId, orgName: "Nordlys A/S", roles } : null;
}

/** Connects a Mastodon account through the fake's OAuth flow, so the connection holds a real (fake) token. */
async function connectMastodon(member: Member, account: string) {
  const { redirectUrl } = await startConnect(db(), member.scope, member.user.id, { network: "mastodon", instanceUrl: mastodon.url });
  const url = new URL(redirectUrl);
  const form = new URLSearchParams(url.searchParams);
  form.set("account", account);
  form.set("decision", "approve");
  const back = new URL((await fetch(`${url.origin}${url.pathname}`, { method: "POST", body: form, redirect: "manual" })).headers.get("location")!);
  return completeConnect(db(), member.scope, member.user.id, { network: "mastodon", state: back.searchParams.get("state") ?? undefined, code: back.searchParams.get("code") ?? undefined });
}

async function mastodonAnswers(token: string) {
  return (await fetch(`${mastodon.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${token}` } })).status;
}

async function publishedShare(scope: Scope, userId: string, values: { network?: NetworkId; text?: string; connectionId?: string } = {}) {
  const story = await makePublishedStory(scope);
  const at = new Date(Date.now() - 3 * DAY);
  const [row] = await db()
    .insert(shares)
    .values({
      orgId: scope.orgId,
      storyId: story.id,
      userId,
      connectionId: values.connectionId ?? null,
      network: values.network ?? "linkedin",
      mode: "api",
      text: values.text ?? "Min egen tekst om vindmøller",
      status: "published",
      scheduledAt: at,
      publishedAt: at,
      externalId: `ext-${crypto.randomUUID()}`,
      externalUrl: `https://social.example/@someone/${crypto.randomUUID()}`,
    })
    .returning();
  await figures(row!.id, at, { shares: 1, estimatedReach: 300 });
  return row!;
}

async function figures(shareId: string, at: Date, delta: Partial<RollupFigures>) {
  await db().transaction(async (tx) => {
    const facts = (await shareFacts(tx, [shareId])).get(shareId)!;
    await addToRollups(tx, [{ facts, day: utcDay(at), delta }]);
    await awardPoints(tx, [
      { orgId: facts.orgId, userId: facts.userId, action: "share", count: delta.shares ?? 0, shareId },
      { orgId: facts.orgId, userId: facts.userId, action: "click", count: delta.uniqueVisitors ?? 0, shareId },
    ]);
  });
}

/** Sums per dimension and id over all daily (or monthly) rollup rows of the organisation. */
async function rollupTotals(orgId: string, table: typeof dailyRollups | typeof monthlyRollups = dailyRollups) {
  const rows = await db()
    .select({
      key: sql<string>`${table.dimension} || ':' || ${table.dimensionId} || ':' || ${table.network}`,
      shares: sql<number>`sum(${table.shares})::int`,
      clicks: sql<number>`sum(${table.clicks})::int`,
      estimatedReach: sql<number>`sum(${table.estimatedReach})::int`,
    })
    .from(table)
    .where(eq(table.orgId, orgId))
    .groupBy(table.dimension, table.dimensionId, table.network);
  return Object.fromEntries(rows.map((r) => [r.key, { shares: r.shares, clicks: r.clicks, estimatedReach: r.estimatedReach }]));
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("GDPR export", () => {
  async function scene() {
    const { cli } = await makeOrganization("Nordlys A/S");
    const team = await createTeam(db(), cli, { name: "Salg" });
    const admin = await makeMember(cli, ["admin"], { name: "Ada Admin" });
    const anna = await makeMember(cli, ["employee"], { name: "Anna Andersen", teamId: team.id });
    const bo = await makeMember(cli, ["employee"], { name: "Bo Bech", teamId: team.id });
    // An admin changes Anna's roles: an audit entry about her, by someone else.
    await updateMember(db(), admin.scope, anna.membership.id, { roles: ["employee", "editor"] });
    const connection = await makeConnection(cli, anna.user.id, { network: "x", handle: "@anna_x", accessTokenEnc: "v1.SECRET-CIPHERTEXT-ANNA", refreshTokenEnc: "v1.SECRET-REFRESH-ANNA" });
    const share = await publishedShare(cli, anna.user.id, { network: "x", text: "Annas egne ord om vindmøller", connectionId: connection.id });
    const code = `anna${crypto.randomUUID().slice(0, 8)}`;
    await db().insert(trackedLinks).values({ orgId: cli.orgId, code, shareId: share.id, storyId: share.storyId, destination: "https://nordlys.example/?utm_source=x" });
    await figures(share.id, new Date(Date.now() - 2 * DAY), { clicks: 4, uniqueVisitors: 3, botClicks: 2 });
    await figures(share.id, new Date(Date.now() - DAY), { clicks: 1, uniqueVisitors: 1 });
    await db().insert(reachSnapshots).values({ orgId: cli.orgId, shareId: share.id, source: "measured", poll: 0, likes: 7, reshares: 2, raw: { token: "never-exported" } });
    await db().insert(notifications).values({ orgId: cli.orgId, userId: anna.user.id, kind: "share.published", data: { shareId: share.id } });
    const boShare = await publishedShare(cli, bo.user.id, { text: "Bos hemmelige tekst" });
    return { cli, admin, anna, bo, share, boShare, code, connection };
  }

  it("downloads the person's own data as a JSON attachment: shares, links with clicks per day, snapshots, connections, points, notices, audit", async () => {
    const { anna, share, code } = await scene();
    signIn(anna);
    const response = await exportRoute(new Request("http://localhost:3999/settings/export"), { params: Promise.resolve({}) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="ripple-my-data-\d{4}-\d{2}-\d{2}\.json"$/);
    const body = (await response.json()) as MyDataExport;

    expect(body.profile).toMatchObject({ name: "Anna Andersen", email: anna.user.email });
    expect(body.membership).toMatchObject({ roles: ["editor", "employee"], team: { name: "Salg" }, leaderboardOptOut: false });
    expect(body.shares).toEqual([expect.objectContaining({ id: share.id, text: "Annas egne ord om vindmøller", network: "x", status: "published", postUrl: share.externalUrl })]);
    expect(body.trackedLinks).toHaveLength(1);
    expect(body.trackedLinks[0]).toMatchObject({ code, shareId: share.id, url: expect.stringContaining(`/r/${code}`) });
    expect(body.trackedLinks[0]!.clicksByDay.map((d) => [d.clicks, d.uniqueVisitors, d.botClicks])).toEqual([
      [4, 3, 2],
      [1, 1, 0],
    ]);
    // And by month, which outlives the days (lib/reach/retention.ts): the same clicks, summed.
    const sum = (rows: Array<{ clicks: number; uniqueVisitors: number; botClicks: number }>) => rows.reduce((t, r) => [t[0]! + r.clicks, t[1]! + r.uniqueVisitors, t[2]! + r.botClicks], [0, 0, 0]);
    expect(sum(body.trackedLinks[0]!.clicksByMonth)).toEqual([5, 4, 2]);
    expect(body.reachSnapshots).toEqual([expect.objectContaining({ shareId: share.id, likes: 7, reshares: 2, source: "measured" })]);
    expect(body.connections).toEqual([expect.objectContaining({ network: "x", handle: "@anna_x", status: "active" })]);
    expect(body.pointsLedger.reduce((n, p) => n + p.points, 0)).toBe(10 + 3 + 1);
    expect(body.notifications).toEqual([expect.objectContaining({ kind: "share.published" })]);
    expect(body.auditLog.map((e) => e.action)).toEqual(expect.arrayContaining(["member.add", "member.update"]));
    expect(body.auditLog.find((e) => e.action === "member.update")).toMatchObject({ byYou: false, after: expect.objectContaining({ roles: ["editor", "employee"] }) });
  });

  it("never holds tokens, nor colleagues' data, nor another organisation's", async () => {
    const { cli, anna, bo, admin } = await scene();
    const elsewhere = await makeOrganization("Andet ApS");
    const annaThere = await makeMember(elsewhere.cli, ["employee"], { email: anna.user.email });
    await publishedShare(elsewhere.cli, anna.user.id, { text: "Tekst i den anden organisation" });

    const text = JSON.stringify(await exportMyData(db(), anna.scope, anna.user.id));
    for (const secret of ["SECRET-CIPHERTEXT-ANNA", "SECRET-REFRESH-ANNA", "never-exported", "accessTokenEnc", "tokenHash"]) expect(text).not.toContain(secret);
    for (const colleague of [bo.user.email, bo.user.id, "Bos hemmelige tekst", admin.user.email, admin.user.id, "Ada Admin"]) expect(text).not.toContain(colleague);
    expect(text).not.toContain("Tekst i den anden organisation");
    expect(text).not.toContain(elsewhere.cli.orgId);
    expect(text).toContain(cli.orgId);
    // The other organisation's export is that organisation's data only.
    const there = await exportMyData(db(), annaThere.scope, anna.user.id);
    expect(there.shares.map((s) => s.text)).toEqual(["Tekst i den anden organisation"]);
  });

  it("answers 401 to someone signed out", async () => {
    signIn(null);
    const response = await exportRoute(new Request("http://localhost:3999/settings/export"), { params: Promise.resolve({}) });
    expect(response.status).toBe(401);
  });
});

describe("account deletion", () => {
  async function scene() {
    const { cli } = await makeOrganization("Nordlys A/S");
    const team = await createTeam(db(), cli, { name: "Salg" });
    const ada = await makeMember(cli, ["admin"], { name: "Ada" });
    const anna = await makeMember(cli, ["employee"], { name: "Anna Andersen", teamId: team.id });
    const bo = await makeMember(cli, ["employee"], { name: "Bo", teamId: team.id });
    const connected = await connectMastodon(anna, "anna_toots");
    const token = decryptTokens((await db().select().from(socialConnections).where(eq(socialConnections.id, connected.id)))[0]!)!.accessToken;
    const published = await publishedShare(cli, anna.user.id, { network: "mastodon", connectionId: connected.id, text: "Annas ord" });
    await figures(published.id, new Date(Date.now() - 2 * DAY), { clicks: 6, uniqueVisitors: 4 });
    const older = await publishedShare(cli, anna.user.id, { network: "linkedin" });
    await figures(older.id, new Date(Date.now() - DAY), { clicks: 2, uniqueVisitors: 2 });
    const story = await makePublishedStory(cli);
    const [scheduled] = await db()
      .insert(shares)
      .values({ orgId: cli.orgId, storyId: story.id, userId: anna.user.id, network: "linkedin", mode: "intent", text: "Senere", scheduledAt: new Date(Date.now() + DAY) })
      .returning();
    const boShare = await publishedShare(cli, bo.user.id);
    await figures(boShare.id, new Date(Date.now() - DAY), { clicks: 3, uniqueVisitors: 3 });
    // An earlier deletion left anonymous rows behind: Anna's figures are added to them.
    const earlier = utcDay(new Date(Date.now() - 3 * DAY));
    await db().insert(dailyRollups).values({ orgId: cli.orgId, dimension: "user", dimensionId: ANONYMOUS_DIMENSION_ID, network: "all", day: earlier, shares: 5, clicks: 50 });
    await db().insert(monthlyRollups).values({ orgId: cli.orgId, dimension: "user", dimensionId: ANONYMOUS_DIMENSION_ID, network: "all", month: `${earlier.slice(0, 7)}-01`, shares: 5, clicks: 50 });
    await db().insert(notifications).values({ orgId: cli.orgId, userId: anna.user.id, kind: "share.published", data: {} });
    await db().insert(accounts).values({ userId: anna.user.id, type: "oidc", provider: "oidc", providerAccountId: `sub-${anna.user.id}` });
    await db().insert(sessions).values({ sessionToken: `s-${anna.user.id}`, userId: anna.user.id, expires: new Date(Date.now() + DAY) });
    return { cli, ada, anna, bo, token, published, older, scheduled: scheduled!, boShare, connectedId: connected.id };
  }

  it("revokes and erases tokens, anonymises rollups (team and organisation totals unchanged), keeps share figures without the person, and signs out", async () => {
    const s = await scene();
    const before = await rollupTotals(s.cli.orgId);
    const monthsBefore = await rollupTotals(s.cli.orgId, monthlyRollups);
    expect(monthsBefore).toEqual(before);
    expect(await mastodonAnswers(s.token)).toBe(200);
    const annaAll = before[`user:${s.anna.user.id}:all`]!;
    expect(annaAll).toEqual({ shares: 2, clicks: 8, estimatedReach: 600 });

    signIn(s.anna);
    signedOut.count = 0;
    // The word must be the one shown in the person's language.
    expect(await deleteAccountAction({ confirm: "DELETE", locale: "da" })).toMatchObject({ ok: false, error: "confirmWordMismatch" });
    expect(signedOut.count).toBe(0);
    expect(await deleteAccountAction({ confirm: " slet ", locale: "da" })).toEqual({ ok: true, data: true });
    expect(signedOut.count).toBe(1);

    // Tokens: revoked at Mastodon (the fake now refuses it) and gone from the database.
    expect(await mastodonAnswers(s.token)).toBe(401);
    expect(await db().select().from(socialConnections).where(eq(socialConnections.userId, s.anna.user.id))).toEqual([]);

    const after = await rollupTotals(s.cli.orgId);
    expect(Object.keys(after).filter((k) => k.includes(s.anna.user.id))).toEqual([]);
    // Everything else stays: the rows by link placement of the person are gone (above), not moved.
    for (const key of Object.keys(before).filter((k) => !k.startsWith("user:") && !k.startsWith(`user_placement:${s.anna.user.id}:`))) expect(after[key]).toEqual(before[key]);
    expect(Object.keys(before).some((k) => k.startsWith(`user_placement:${s.anna.user.id}:`))).toBe(true);
    expect(after[`user:${s.bo.user.id}:all`]).toEqual(before[`user:${s.bo.user.id}:all`]);
    expect(after[`user:${ANONYMOUS_DIMENSION_ID}:all`]).toEqual({ shares: 5 + 2, clicks: 50 + 8, estimatedReach: 600 });
    expect(after[`user:${ANONYMOUS_DIMENSION_ID}:mastodon`]).toEqual(before[`user:${s.anna.user.id}:mastodon`]);
    // The user dimension as a whole sums to the same as before.
    const userSum = (totals: typeof before) => Object.entries(totals).filter(([k]) => k.startsWith("user:") && k.endsWith(":all")).reduce((n, [, v]) => n + v.clicks, 0);
    expect(userSum(after)).toBe(userSum(before));
    // The monthly rows (a year's reports read those) are anonymised the same way: per dimension they still sum to the daily rows.
    expect(monthsBefore[`user:${s.anna.user.id}:all`]).toEqual(annaAll);
    const monthsAfter = await rollupTotals(s.cli.orgId, monthlyRollups);
    expect(Object.keys(monthsAfter).filter((k) => k.includes(s.anna.user.id))).toEqual([]);
    expect(monthsAfter).toEqual(after);
    expect(monthsAfter[`user:${ANONYMOUS_DIMENSION_ID}:all`]).toEqual({ shares: 5 + 2, clicks: 50 + 8, estimatedReach: 600 });

    const kept = await db().select().from(shares).where(inArray(shares.id, [s.published.id, s.older.id, s.scheduled.id]));
    expect(kept).toHaveLength(3);
    for (const share of kept) expect(share).toMatchObject({ userId: null, text: "", externalUrl: null, externalId: null });
    expect(kept.find((x) => x.id === s.scheduled.id)).toMatchObject({ status: "cancelled", errorCode: "account_deleted" });
    expect(kept.find((x) => x.id === s.published.id)).toMatchObject({ status: "published" });
    const [boShare] = await db().select().from(shares).where(eq(shares.id, s.boShare.id));
    expect(boShare).toMatchObject({ userId: s.bo.user.id, text: "Min egen tekst om vindmøller" });

    expect(await db().select().from(pointsLedger).where(eq(pointsLedger.userId, s.anna.user.id))).toEqual([]);
    expect((await db().select().from(pointsLedger).where(eq(pointsLedger.userId, s.bo.user.id))).length).toBeGreaterThan(0);
    expect(await db().select().from(notifications).where(eq(notifications.userId, s.anna.user.id))).toEqual([]);
    expect(await db().select().from(memberships).where(eq(memberships.userId, s.anna.user.id))).toEqual([]);
    expect(await db().select().from(users).where(eq(users.id, s.anna.user.id))).toEqual([]);
    expect(await db().select().from(accounts).where(eq(accounts.userId, s.anna.user.id))).toEqual([]);
    expect(await db().select().from(sessions).where(eq(sessions.userId, s.anna.user.id))).toEqual([]);

    // Audited without personal data: neither her email, name, handle nor id remains in the trail.
    const trail = await db().select().from(auditLog).where(eq(auditLog.orgId, s.cli.orgId));
    const erased = trail.find((e) => e.action === "member.erased");
    expect(erased).toMatchObject({ actorUserId: null, targetType: "membership", targetId: s.anna.membership.id });
    expect(erased!.after).toMatchObject({ userDeleted: true, connections: 1, revokedAtNetwork: 1, sharesAnonymised: 3, sharesCancelled: 1 });
    const text = JSON.stringify(trail);
    for (const personal of [s.anna.user.email, "Anna Andersen", "anna_toots", s.anna.user.id]) expect(text).not.toContain(personal);
  });

  it("in an organisation among several, removes only that membership and the data there", async () => {
    const s = await scene();
    const other = await makeOrganization("Andet ApS");
    const annaThere = await makeMember(other.cli, ["employee"], { email: s.anna.user.email });
    const thereShare = await publishedShare(other.cli, s.anna.user.id, { text: "Der" });
    await deleteMyAccount(db(), s.anna.scope, s.anna.user.id, { confirm: "DELETE", locale: "en" });

    expect(await db().select({ orgId: memberships.orgId }).from(memberships).where(eq(memberships.userId, s.anna.user.id))).toEqual([{ orgId: other.cli.orgId }]);
    expect(await db().select({ id: users.id }).from(users).where(eq(users.id, s.anna.user.id))).toHaveLength(1);
    expect(await db().select({ id: sessions.sessionToken }).from(sessions).where(eq(sessions.userId, s.anna.user.id))).toHaveLength(1);
    const [stillThere] = await db().select().from(shares).where(eq(shares.id, thereShare.id));
    expect(stillThere).toMatchObject({ userId: s.anna.user.id, text: "Der" });
    const rows = await db()
      .select()
      .from(dailyRollups)
      .where(and(eq(dailyRollups.orgId, other.cli.orgId), eq(dailyRollups.dimension, "user"), eq(dailyRollups.dimensionId, s.anna.user.id)));
    expect(rows.length).toBeGreaterThan(0);
    const months = await db()
      .select()
      .from(monthlyRollups)
      .where(and(eq(monthlyRollups.orgId, other.cli.orgId), eq(monthlyRollups.dimension, "user"), eq(monthlyRollups.dimensionId, s.anna.user.id)));
    expect(months.length).toBeGreaterThan(0);
    expect((await db().select().from(pointsLedger).where(eq(pointsLedger.orgId, other.cli.orgId))).length).toBeGreaterThan(0);
    expect(annaThere.membership.orgId).toBe(other.cli.orgId);
  });

  it("refuses the organisation's last admin, before anything is revoked", async () => {
    const { cli } = await makeOrganization("Nordlys A/S");
    const ada = await makeMember(cli, ["admin", "employee"], { name: "Ada" });
    await makeMember(cli, ["employee"]);
    const connected = await connectMastodon(ada, "ada_toots");
    const [row] = await db().select().from(socialConnections).where(eq(socialConnections.id, connected.id));
    const token = decryptTokens(row!)!.accessToken;

    signIn(ada, ["admin", "employee"]);
    expect(await deleteAccountAction({ confirm: "DELETE", locale: "en" })).toMatchObject({ ok: false, error: "lastAdminCannotLeave" });
    expect(await mastodonAnswers(token)).toBe(200);
    expect(await db().select().from(memberships).where(eq(memberships.userId, ada.user.id))).toHaveLength(1);

    // With a second admin she may go.
    const bea = await makeMember(cli, ["admin"]);
    await deleteMyAccount(db(), ada.scope, ada.user.id, { confirm: "delete", locale: "en" });
    expect(await mastodonAnswers(token)).toBe(401);
    // …and the second admin is now the last one.
    expect((await refusal(deleteMyAccount(db(), bea.scope, bea.user.id, { confirm: "DELETE", locale: "en" }))).code).toBe("lastAdminCannotLeave");
  });

  it("a member without a session cannot delete anything", async () => {
    signIn(null);
    expect(await deleteAccountAction({ confirm: "DELETE", locale: "en" })).toEqual({ ok: false, error: "unauthenticated" });
  });
});

import { AtpAgent } from "@atproto/api";
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { disconnectAction, startConnectAction } from "@/app/(app)/connections/actions";
import { GET as callback } from "@/app/connections/callback/[network]/route";
import { auditLog, networkApps, notifications, oauthStates, shares, socialConnections, stories, type SocialConnection } from "@/db/schema";
import {
  checkConnections,
  completeConnect,
  connectBluesky,
  connectionTokens,
  decryptTokens,
  disconnect,
  listConnections,
  instanceTextLimits,
  networkOffers,
  oauthClientFor,
  refreshFollowers,
  secretContext,
  startConnect,
} from "@/lib/connections";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { sendNoticeMail } from "@/lib/notifications/mail";
import { x as xAdapter } from "@/lib/networks/x";
import { mastodon as mastodonAdapter } from "@/lib/networks/mastodon";
import { NetworkError } from "@/lib/networks/types";
import { linkedinVersionFor } from "@/lib/env";
import type { Scope } from "@/lib/tenant";
import { startFakeLinkedIn, type FakeLinkedIn } from "../fakes/linkedin";
import { startFakeMastodon, type FakeMastodon } from "../fakes/mastodon";
import { startFakeX, type FakeX } from "../fakes/x";
import { makeMember, makeOrganization } from "../support/factories";
import { atprotoNetworkMissing, startAtprotoNetwork, type AtprotoNetwork } from "../support/atproto";
import { startMailCatcher, type MailCatcher } from "../support/mail-catcher";
import { envOverride } from "../support/env-override";

/** The server actions and the callback route run with the session this says (Auth.js needs a live request otherwise). */
const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const DAY = 24 * 3_600_000;
const X_CLIENT = { clientId: "ripple-x-client", clientSecret: "ripple-x-secret-0123456789" };
const LINKEDIN_CLIENT = { clientId: "ripple-linkedin-client", clientSecret: "ripple-linkedin-secret-0123456789" };

let mastodon: FakeMastodon;
let x: FakeX;
let linkedin: FakeLinkedIn;
let catcher: MailCatcher;

const overrides: Record<string, string> = {};
const { set: setEnv, restore: restoreEnv } = envOverride();

beforeAll(async () => {
  [mastodon, x, linkedin, catcher] = await Promise.all([
    startFakeMastodon({ maxCharacters: 1000, charactersPerUrl: 25 }),
    startFakeX(X_CLIENT),
    startFakeLinkedIn(LINKEDIN_CLIENT),
    startMailCatcher(),
  ]);
  Object.assign(overrides, {
    // The fakes listen on 127.0.0.1, and Mastodon instances are typed as http:// there.
    ALLOW_PRIVATE_FETCH: "true",
    X_CLIENT_ID: X_CLIENT.clientId,
    X_CLIENT_SECRET: X_CLIENT.clientSecret,
    X_AUTH_URL: x.url,
    X_API_URL: x.url,
    LINKEDIN_CLIENT_ID: LINKEDIN_CLIENT.clientId,
    LINKEDIN_CLIENT_SECRET: LINKEDIN_CLIENT.clientSecret,
    LINKEDIN_AUTH_URL: linkedin.url,
    LINKEDIN_API_URL: linkedin.url,
    SMTP_URL: catcher.smtpUrl,
  });
  setEnv(overrides);
});

afterAll(async () => {
  restoreEnv();
  await Promise.all([mastodon?.close(), x?.close(), linkedin?.close(), catcher?.close()]);
});

/** The person at the network presses "Authorize" (or "Cancel") on the consent page; returns where the network sends the browser. */
async function consent(authorizeUrl: string, account: string, decision: "approve" | "deny" = "approve") {
  const url = new URL(authorizeUrl);
  const form = new URLSearchParams(url.searchParams);
  form.set("account", account);
  form.set("decision", decision);
  const response = await fetch(`${url.origin}${url.pathname}`, { method: "POST", body: form, redirect: "manual" });
  expect(response.status).toBe(302);
  const back = new URL(response.headers.get("location")!);
  return {
    path: back.pathname,
    origin: back.origin,
    state: back.searchParams.get("state") ?? undefined,
    code: back.searchParams.get("code") ?? undefined,
    error: back.searchParams.get("error") ?? undefined,
  };
}

async function employee(cli: Scope, name: string, roles: Array<"employee" | "manager"> = ["employee"]) {
  const member = await makeMember(cli, roles, { name });
  return { userId: member.user.id, scope: member.scope, roles };
}

function signIn(person: Person | null) {
  session.current = person ? { userId: person.userId, orgId: person.scope.orgId, orgName: "Vindmølle A/S", roles: person.roles } : null;
}

async function scene() {
  const { cli } = await makeOrganization("Vindmølle A/S");
  return { cli, mette: await employee(cli, "Mette Jensen"), john: await employee(cli, "John Smith") };
}

type Person = Awaited<ReturnType<typeof employee>>;

/** Start, consent as `account`, complete: the whole OAuth dance as the callback route does it. */
async function connectOAuth(person: Person, network: "linkedin" | "x" | "mastodon", account: string, instanceUrl?: string) {
  const { redirectUrl } = await startConnect(db(), person.scope, person.userId, { network, instanceUrl });
  const back = await consent(redirectUrl, account);
  expect(back.path).toBe(`/connections/callback/${network}`);
  return completeConnect(db(), person.scope, person.userId, { network, state: back.state, code: back.code, error: back.error });
}

async function row(id: string): Promise<SocialConnection> {
  const [found] = await db().select().from(socialConnections).where(eq(socialConnections.id, id));
  return found!;
}

async function connectionsOf(userId: string) {
  return db().select().from(socialConnections).where(eq(socialConnections.userId, userId));
}

async function auditActions(orgId: string) {
  return db().select().from(auditLog).where(eq(auditLog.orgId, orgId));
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** Calls the fake with a token the way the network would check it. */
async function mastodonAnswers(token: string) {
  return (await fetch(`${mastodon.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${token}` } })).status;
}

async function xAnswers(token: string) {
  return (await fetch(`${x.url}/2/users/me`, { headers: { authorization: `Bearer ${token}` } })).status;
}

describe("connecting with OAuth", () => {
  it("Mastodon: Ripple registers once per instance, reads its text limit, and connects two employees there", async () => {
    const { cli, mette, john } = await scene();
    mastodon.setFollowers("mette", 321);
    const appsBefore = mastodon.apps.length;

    const first = await connectOAuth(mette, "mastodon", "mette", `${mastodon.url}/about`);
    const second = await connectOAuth(john, "mastodon", "john", `${mastodon.url}/`);

    expect(mastodon.apps.length - appsBefore).toBe(1);
    const app = mastodon.apps.at(-1)!;
    expect(app).toMatchObject({ name: "Ripple", redirectUris: ["http://localhost:3999/connections/callback/mastodon"], website: "http://localhost:3999" });
    expect(app.scopes).toEqual(["read:accounts", "write:statuses", "read:statuses"]);
    const cached = await db().select().from(networkApps).where(eq(networkApps.instanceUrl, mastodon.url));
    expect(cached).toHaveLength(1);
    expect(cached[0]).toMatchObject({ network: "mastodon", clientId: app.clientId, maxCharacters: 1000, charactersPerUrl: 25 });
    expect(cached[0]!.clientSecretEnc).not.toContain(app.clientSecret);
    expect(decryptSecret(cached[0]!.clientSecretEnc, secretContext.clientSecret(cached[0]!.id))).toBe(app.clientSecret);

    const host = new URL(mastodon.url).host;
    expect(first).toMatchObject({ network: "mastodon", handle: `@mette@${host}`, instanceUrl: mastodon.url, followerCount: 321, status: "active", reconnected: false });
    expect(second).toMatchObject({ handle: `@john@${host}`, instanceUrl: mastodon.url });
    const stored = await row(first.id);
    expect(stored.tokenExpiresAt).toBeNull(); // Mastodon tokens live until revoked
    expect(stored.refreshTokenEnc).toBeNull();
    expect(stored.followersFetchedAt).not.toBeNull();
    expect(await mastodonAnswers(decryptTokens(stored)!.accessToken)).toBe(200);

    expect(await instanceTextLimits(db(), "mastodon", mastodon.url)).toEqual({ limit: 1000, urlLength: 25 });
    expect(await instanceTextLimits(db(), "mastodon", "https://nowhere.example")).toEqual({});

    const entries = (await auditActions(cli.orgId)).filter((e) => e.action === "connection.create");
    expect(entries).toHaveLength(2);
    expect(entries.map((e) => e.after)).toContainEqual(expect.objectContaining({ network: "mastodon", handle: `@mette@${host}` }));
  });

  it("Mastodon: an instance's registered client is read once a minute per process, not for every post", async () => {
    const { cli } = await scene();
    const instanceUrl = `https://remembered-${crypto.randomUUID().slice(0, 8)}.example`;
    const id = crypto.randomUUID();
    const stored = (clientId: string, secret: string) => ({ clientId, clientSecretEnc: encryptSecret(secret, secretContext.clientSecret(id)) });
    await db().insert(networkApps).values({ id, network: "mastodon", instanceUrl, redirectUri: "http://localhost:3999/connections/callback/mastodon", scopes: mastodonAdapter.scopes.join(" "), maxCharacters: 500, ...stored("first-client", "first-secret") });
    const lookup = () => oauthClientFor(db(), mastodonAdapter, { orgId: cli.orgId, instanceUrl }, { register: false });
    expect(await lookup()).toMatchObject({ clientId: "first-client", clientSecret: "first-secret" });

    // Another process registers again (Ripple's scopes changed): this one keeps what it read for a minute…
    await db().update(networkApps).set(stored("second-client", "second-secret")).where(eq(networkApps.id, id));
    expect(await lookup()).toMatchObject({ clientId: "first-client" });
    // …then reads the row again.
    const now = Date.now();
    const clock = vi.spyOn(Date, "now").mockReturnValue(now + 61_000);
    try {
      expect(await lookup()).toMatchObject({ clientId: "second-client", clientSecret: "second-secret" });
    } finally {
      clock.mockRestore();
    }
  });

  it("X: PKCE S256 and offline.access, Basic auth at the token endpoint, followers from public_metrics", async () => {
    const { mette } = await scene();
    x.setFollowers("mette_x", 1234);
    const { redirectUrl } = await startConnect(db(), mette.scope, mette.userId, { network: "x" });
    const authorize = new URL(redirectUrl);
    expect(authorize.origin + authorize.pathname).toBe(`${x.url}/i/oauth2/authorize`);
    expect(authorize.searchParams.get("scope")).toBe("tweet.read tweet.write users.read offline.access");
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = authorize.searchParams.get("state")!;
    expect(state.length).toBeGreaterThanOrEqual(32);
    const [pending] = await db().select().from(oauthStates).where(eq(oauthStates.state, state));
    expect(pending!.codeVerifierEnc).toMatch(/^v1\./);
    expect(pending!.expiresAt.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);

    const back = await consent(redirectUrl, "mette_x");
    const before = Date.now();
    const connection = await completeConnect(db(), mette.scope, mette.userId, { network: "x", state: back.state, code: back.code });

    expect(connection).toMatchObject({ network: "x", handle: "@mette_x", followerCount: 1234, profileUrl: "https://x.com/mette_x", status: "active" });
    const stored = await row(connection.id);
    expect(stored.externalId).toBe(x.user("mette_x").id);
    expect(stored.scopes).toEqual(expect.arrayContaining(["offline.access", "tweet.write"]));
    expect(stored.tokenExpiresAt!.getTime()).toBeGreaterThanOrEqual(before + 7200_000 - 5_000);
    const tokens = decryptTokens(stored)!;
    expect(tokens.refreshToken).toBeTruthy();
    const tokenCall = x.requests.filter((r) => r.path === "/2/oauth2/token").at(-1)!;
    expect(tokenCall.headers.authorization).toMatch(/^Basic /);
    expect(await xAnswers(tokens.accessToken)).toBe(200);
    // The state is gone once used.
    expect(await db().select().from(oauthStates).where(eq(oauthStates.state, state))).toEqual([]);
  });

  it("LinkedIn: the member from /v2/userinfo (sub → author), no follower count, a 60-day token", async () => {
    const { mette } = await scene();
    const { redirectUrl } = await startConnect(db(), mette.scope, mette.userId, { network: "linkedin" });
    expect(new URL(redirectUrl).searchParams.get("scope")).toBe("openid profile email w_member_social");
    expect(new URL(redirectUrl).searchParams.get("code_challenge")).toBeNull();
    const back = await consent(redirectUrl, "mette-jensen");
    const connection = await completeConnect(db(), mette.scope, mette.userId, { network: "linkedin", state: back.state, code: back.code });

    const member = linkedin.member("mette-jensen");
    expect(connection).toMatchObject({ network: "linkedin", externalId: member.sub, handle: "Mette Jensen", followerCount: null, status: "active" });
    const stored = await row(connection.id);
    expect(stored.tokenExpiresAt!.getTime() - Date.now()).toBeGreaterThan(59 * DAY);
    expect(stored.refreshTokenEnc).toBeNull();
  });

  it("connecting the same account again replaces its tokens and makes it active; the row (and its id) stays", async () => {
    const { mette } = await scene();
    const first = await connectOAuth(mette, "x", "mette_again");
    await db().update(socialConnections).set({ status: "expired", nudgedAt: new Date() }).where(eq(socialConnections.id, first.id));
    const oldToken = decryptTokens(await row(first.id))!.accessToken;

    const second = await connectOAuth(mette, "x", "mette_again");

    expect(second).toMatchObject({ id: first.id, status: "active", reconnected: true });
    const stored = await row(first.id);
    expect(stored.nudgedAt).toBeNull();
    expect(decryptTokens(stored)!.accessToken).not.toBe(oldToken);
    expect(await connectionsOf(mette.userId)).toHaveLength(1);
  });
});

describe("tokens at rest", () => {
  it("are AES-256-GCM ciphertext bound to their row and column: no plaintext anywhere in the row or the audit log", async () => {
    const { cli, mette } = await scene();
    const connection = await connectOAuth(mette, "x", "mette_secret");
    const stored = await row(connection.id);
    const tokens = decryptTokens(stored)!;
    const dump = JSON.stringify(stored);
    for (const secret of [tokens.accessToken, tokens.refreshToken!]) {
      expect(secret.length).toBeGreaterThan(20);
      // Not the token, nor any 12-character piece of it.
      for (let i = 0; i + 12 <= secret.length; i += 4) expect(dump).not.toContain(secret.slice(i, i + 12));
    }
    expect(stored.accessTokenEnc).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);

    // The right context decrypts; another row's or the other column's does not.
    expect(decryptSecret(stored.accessTokenEnc!, secretContext.access(stored.id))).toBe(tokens.accessToken);
    expect(() => decryptSecret(stored.accessTokenEnc!, secretContext.access(crypto.randomUUID()))).toThrow();
    expect(() => decryptSecret(stored.accessTokenEnc!, secretContext.refresh(stored.id))).toThrow();
    expect(() => decryptSecret(stored.refreshTokenEnc!, secretContext.access(stored.id))).toThrow();

    const audit = JSON.stringify(await auditActions(cli.orgId));
    expect(audit).toContain("connection.create");
    expect(audit).not.toContain(tokens.accessToken);
    expect(audit).not.toContain(tokens.refreshToken!);
    expect(audit).not.toContain(stored.accessTokenEnc!);
  });

  it("listConnections never returns tokens", async () => {
    const { mette } = await scene();
    await connectOAuth(mette, "mastodon", "mette_list", mastodon.url);
    const [view] = await listConnections(db(), mette.scope, mette.userId);
    expect(view).toMatchObject({ network: "mastodon", handle: expect.stringContaining("@mette_list@"), status: "active", expiresAt: null });
    expect(JSON.stringify(view)).not.toMatch(/token|v1\./i);
  });
});

describe("refused callbacks store nothing", () => {
  async function started(person: Person, network: "x" | "mastodon" | "linkedin" = "x", account = "mette_refused") {
    const { redirectUrl } = await startConnect(db(), person.scope, person.userId, { network, instanceUrl: network === "mastodon" ? mastodon.url : undefined });
    return consent(redirectUrl, account);
  }

  it("a wrong state is refused and the pending one is untouched", async () => {
    const { cli, mette } = await scene();
    const back = await started(mette);
    const error = await refusal(completeConnect(db(), mette.scope, mette.userId, { network: "x", state: `${back.state}x`, code: back.code }));
    expect(error.code).toBe("oauthStateInvalid");
    expect(await refusal(completeConnect(db(), mette.scope, mette.userId, { network: "x", state: undefined, code: back.code }))).toMatchObject({ code: "oauthStateInvalid" });
    // The state of another network does not fit either.
    expect(await refusal(completeConnect(db(), mette.scope, mette.userId, { network: "linkedin", state: back.state, code: back.code }))).toMatchObject({
      code: "oauthStateInvalid",
    });
    expect(await connectionsOf(mette.userId)).toEqual([]);
    expect((await auditActions(cli.orgId)).filter((e) => e.action.startsWith("connection."))).toEqual([]);
    // The real callback still works afterwards.
    await completeConnect(db(), mette.scope, mette.userId, { network: "x", state: back.state, code: back.code });
    expect(await connectionsOf(mette.userId)).toHaveLength(1);
  });

  it("the same callback twice: the second is refused and changes nothing", async () => {
    const { mette } = await scene();
    const back = await started(mette, "mastodon", "mette_replay");
    const first = await completeConnect(db(), mette.scope, mette.userId, { network: "mastodon", state: back.state, code: back.code });
    const before = await row(first.id);

    const error = await refusal(completeConnect(db(), mette.scope, mette.userId, { network: "mastodon", state: back.state, code: back.code }));

    expect(error.code).toBe("oauthStateInvalid");
    expect(await row(first.id)).toEqual(before);
    expect(await connectionsOf(mette.userId)).toHaveLength(1);
  });

  it("a used code with a fresh state is refused by the network: oauthExchangeFailed, nothing changes", async () => {
    const { mette } = await scene();
    const one = await startConnect(db(), mette.scope, mette.userId, { network: "x" });
    const two = await startConnect(db(), mette.scope, mette.userId, { network: "x" });
    const back = await consent(one.redirectUrl, "mette_code");
    const connection = await completeConnect(db(), mette.scope, mette.userId, { network: "x", state: back.state, code: back.code });
    const before = await row(connection.id);
    const secondState = new URL(two.redirectUrl).searchParams.get("state")!;

    const error = await refusal(completeConnect(db(), mette.scope, mette.userId, { network: "x", state: secondState, code: back.code }));

    expect(error.code).toBe("oauthExchangeFailed");
    expect(await row(connection.id)).toEqual(before);
    expect(await connectionsOf(mette.userId)).toHaveLength(1);
    expect(await db().select().from(oauthStates).where(eq(oauthStates.state, secondState))).toEqual([]); // used up
  });

  it("another person's state is refused (and stays usable by its owner)", async () => {
    const { mette, john } = await scene();
    const back = await started(mette, "x", "mette_owner");
    const error = await refusal(completeConnect(db(), john.scope, john.userId, { network: "x", state: back.state, code: back.code }));
    expect(error.code).toBe("oauthStateInvalid");
    expect(await connectionsOf(john.userId)).toEqual([]);
    expect(await connectionsOf(mette.userId)).toEqual([]);
    await completeConnect(db(), mette.scope, mette.userId, { network: "x", state: back.state, code: back.code });
    expect(await connectionsOf(mette.userId)).toHaveLength(1);
  });

  it("an expired state is refused", async () => {
    const { mette } = await scene();
    const back = await started(mette, "linkedin", "mette-late");
    await db().update(oauthStates).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(oauthStates.state, back.state!));
    const error = await refusal(completeConnect(db(), mette.scope, mette.userId, { network: "linkedin", state: back.state, code: back.code }));
    expect(error.code).toBe("oauthStateInvalid");
    expect(await connectionsOf(mette.userId)).toEqual([]);
  });

  it("declining at the network is oauthDenied (LinkedIn's own code too), and the state is used up", async () => {
    const { mette } = await scene();
    for (const network of ["x", "linkedin"] as const) {
      const { redirectUrl } = await startConnect(db(), mette.scope, mette.userId, { network });
      const back = await consent(redirectUrl, "mette", "deny");
      expect(back.error).toBeTruthy();
      const error = await refusal(completeConnect(db(), mette.scope, mette.userId, { network, state: back.state, error: back.error }));
      expect(error.code).toBe("oauthDenied");
      expect(await db().select().from(oauthStates).where(eq(oauthStates.state, back.state!))).toEqual([]);
    }
    expect(await connectionsOf(mette.userId)).toEqual([]);
  });
});

describe("what can be connected", () => {
  it("a network without client id and secret is not offered and cannot be started; Mastodon and Bluesky need nothing", async () => {
    const { mette } = await scene();
    setEnv({ X_CLIENT_ID: undefined, X_CLIENT_SECRET: undefined });
    try {
      expect(await networkOffers(db(), mette.scope.orgId)).toEqual([
        { network: "linkedin", available: true, method: "oauth", orgApp: false },
        { network: "x", available: false, method: "oauth", orgApp: false },
        { network: "mastodon", available: true, method: "instance", orgApp: false },
        { network: "bluesky", available: true, method: "password", orgApp: false },
        // The organisation entered no Threads app of its own.
        { network: "threads", available: false, method: "oauth", orgApp: true },
      ]);
      expect(await refusal(startConnect(db(), mette.scope, mette.userId, { network: "threads" }))).toMatchObject({ code: "networkUnavailable" });
      expect(await refusal(startConnect(db(), mette.scope, mette.userId, { network: "x" }))).toMatchObject({ code: "networkUnavailable" });
    } finally {
      setEnv({ X_CLIENT_ID: overrides.X_CLIENT_ID, X_CLIENT_SECRET: overrides.X_CLIENT_SECRET });
    }
  });

  it("Mastodon needs a server that answers like Mastodon, over https outside tests", async () => {
    const { mette } = await scene();
    expect(await refusal(startConnect(db(), mette.scope, mette.userId, { network: "mastodon" }))).toMatchObject({ code: "instanceRequired" });
    expect(await refusal(startConnect(db(), mette.scope, mette.userId, { network: "mastodon", instanceUrl: `${x.url}` }))).toMatchObject({
      code: "instanceInvalid",
      fieldErrors: { instanceUrl: ["instanceInvalid"] },
    });
    setEnv({ ALLOW_PRIVATE_FETCH: undefined });
    try {
      expect(await refusal(startConnect(db(), mette.scope, mette.userId, { network: "mastodon", instanceUrl: mastodon.url }))).toMatchObject({ code: "instanceInvalid" });
    } finally {
      setEnv({ ALLOW_PRIVATE_FETCH: "true" });
    }
    expect(await db().select().from(oauthStates).where(eq(oauthStates.userId, mette.userId))).toEqual([]);
  });
});

describe("disconnecting", () => {
  it("revokes the token at Mastodon (it then gets 401), deletes the row, cancels its scheduled shares and audits it", async () => {
    const { cli, mette } = await scene();
    const connection = await connectOAuth(mette, "mastodon", "mette_bye", mastodon.url);
    const token = decryptTokens(await row(connection.id))!.accessToken;
    const [story] = await db().insert(stories).values({ orgId: cli.orgId, slug: `vind-${crypto.randomUUID().slice(0, 8)}`, title: "Ny vindmøllepark", language: "da" }).returning();
    const [share] = await db()
      .insert(shares)
      .values({ orgId: cli.orgId, storyId: story!.id, userId: mette.userId, connectionId: connection.id, network: "mastodon", mode: "api", text: "Se her", scheduledAt: new Date(Date.now() + DAY) })
      .returning();

    const result = await disconnect(db(), mette.scope, mette.userId, connection.id);

    expect(result).toEqual({ revokedAtNetwork: true, cancelledShares: 1 });
    expect(await mastodonAnswers(token)).toBe(401);
    expect(await connectionsOf(mette.userId)).toEqual([]);
    const [after] = await db().select().from(shares).where(eq(shares.id, share!.id));
    expect(after).toMatchObject({ status: "cancelled", errorCode: "connection_removed", connectionId: null });
    const entry = (await auditActions(cli.orgId)).find((e) => e.action === "connection.delete");
    expect(entry).toMatchObject({ targetId: connection.id, before: expect.objectContaining({ network: "mastodon" }), after: { revokedAtNetwork: true, cancelledShares: 1 } });
  });

  it("revokes both X tokens", async () => {
    const { mette } = await scene();
    const connection = await connectOAuth(mette, "x", "mette_x_bye");
    const tokens = decryptTokens(await row(connection.id))!;
    await disconnect(db(), mette.scope, mette.userId, connection.id);
    expect(await xAnswers(tokens.accessToken)).toBe(401);
    const refreshed = await fetch(`${x.url}/2/oauth2/token`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${X_CLIENT.clientId}:${X_CLIENT.clientSecret}`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refreshToken!, client_id: X_CLIENT.clientId }),
    });
    expect(refreshed.status).toBe(400);
  });

  it("erases the tokens even when the network fails to revoke; LinkedIn (no revocation API) is erased locally", async () => {
    const { mette } = await scene();
    const onMastodon = await connectOAuth(mette, "mastodon", "mette_down", mastodon.url);
    mastodon.inject({ match: (r) => r.path === "/oauth/revoke", status: 503 });
    expect(await disconnect(db(), mette.scope, mette.userId, onMastodon.id)).toMatchObject({ revokedAtNetwork: false });
    const onLinkedIn = await connectOAuth(mette, "linkedin", "mette-li");
    expect(await disconnect(db(), mette.scope, mette.userId, onLinkedIn.id)).toMatchObject({ revokedAtNetwork: false });
    expect(await connectionsOf(mette.userId)).toEqual([]);
  });

  it("another person's connection is not found, and stays", async () => {
    const { mette, john } = await scene();
    const connection = await connectOAuth(mette, "x", "mette_mine");
    const error = await refusal(disconnect(db(), john.scope, john.userId, connection.id));
    expect(error.status).toBe(404);
    expect(await refusal(disconnect(db(), mette.scope, mette.userId, crypto.randomUUID()))).toMatchObject({ status: 404 });
    expect(await connectionsOf(mette.userId)).toHaveLength(1);
    const tokens = decryptTokens(await row(connection.id))!;
    expect(await xAnswers(tokens.accessToken)).toBe(200);
  });
});

describe("checkConnections (the connections.check job)", () => {
  async function nudges(userId: string, kind: string) {
    const [n] = await db()
      .select({ n: count() })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), eq(notifications.kind, kind)));
    return n!.n;
  }

  it("nudges once, seven days ahead, and marks expired ones; refreshable and non-expiring ones stay active", async () => {
    const { mette, john } = await scene();
    const soon = await connectOAuth(mette, "linkedin", "mette-soon");
    const gone = await connectOAuth(john, "linkedin", "john-gone");
    const onX = await connectOAuth(mette, "x", "mette_check");
    const onMastodon = await connectOAuth(john, "mastodon", "john_check", mastodon.url);
    const now = new Date();
    await db().update(socialConnections).set({ tokenExpiresAt: new Date(now.getTime() + 5 * DAY) }).where(eq(socialConnections.id, soon.id));
    await db().update(socialConnections).set({ tokenExpiresAt: new Date(now.getTime() - 1000) }).where(eq(socialConnections.id, gone.id));
    // X's two-hour access token is long past, but its refresh token still works.
    await db().update(socialConnections).set({ tokenExpiresAt: new Date(now.getTime() - DAY) }).where(eq(socialConnections.id, onX.id));

    const first = await checkConnections(db(), now);
    const second = await checkConnections(db(), new Date(now.getTime() + 60_000));

    expect(first).toMatchObject({ expiring: 1, expired: 1, nudged: 1 });
    expect(second).toMatchObject({ expiring: 0, expired: 0, nudged: 0 });
    expect((await row(soon.id)).status).toBe("expiring");
    expect((await row(soon.id)).nudgedAt).not.toBeNull();
    expect((await row(gone.id)).status).toBe("expired");
    expect((await row(onX.id)).status).toBe("active");
    expect((await row(onMastodon.id)).status).toBe("active");
    expect(await nudges(mette.userId, "connection.expiring")).toBe(1);
    expect(await nudges(john.userId, "connection.expired")).toBe(1);
    expect(await nudges(mette.userId, "connection.expired")).toBe(0);

    const [view] = (await listConnections(db(), mette.scope, mette.userId)).filter((c) => c.id === soon.id);
    expect(view).toMatchObject({ status: "expiring", expiresAt: new Date(now.getTime() + 5 * DAY) });

    // The nudge's mail, in the reader's language.
    const [notice] = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, mette.userId), eq(notifications.kind, "connection.expiring")));
    expect(notice!.data).toMatchObject({ network: "linkedin", handle: "Mette Soon", connectionId: soon.id });
    expect(await sendNoticeMail(db(), notice!.id)).toBe("sent");
    const mail = catcher.mails.find((m) => m.subject.includes("LinkedIn"));
    expect(mail?.text).toMatch(/Mette Soon/);
    expect(mail?.text).toMatch(/\/connections/);

    // Re-connecting makes it active again and forgets the nudge.
    await connectOAuth(mette, "linkedin", "mette-soon");
    expect(await row(soon.id)).toMatchObject({ status: "active", nudgedAt: null });
    await checkConnections(db(), now);
    expect((await row(soon.id)).status).toBe("active");
  });
});

describe("followers and refresh", () => {
  it("refreshFollowers reads the count again, refreshing an expired X token first (the new refresh token is kept)", async () => {
    const { mette } = await scene();
    x.setFollowers("mette_grow", 10);
    const connection = await connectOAuth(mette, "x", "mette_grow");
    const before = decryptTokens(await row(connection.id))!;
    await db().update(socialConnections).set({ tokenExpiresAt: new Date(Date.now() - 1000) }).where(eq(socialConnections.id, connection.id));
    x.setFollowers("mette_grow", 42);

    expect(await refreshFollowers(db(), connection.id)).toBe(42);

    const stored = await row(connection.id);
    expect(stored.followerCount).toBe(42);
    const after = decryptTokens(stored)!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(stored.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 3600_000);
    expect(await connectionTokens(db(), stored)).toEqual(after);
  });

  it("a refresh the network refuses marks the connection revoked and tells the person", async () => {
    const { mette } = await scene();
    const connection = await connectOAuth(mette, "x", "mette_revoked");
    x.revokeToken(decryptTokens(await row(connection.id))!.refreshToken!);
    await db().update(socialConnections).set({ tokenExpiresAt: new Date(Date.now() - 1000) }).where(eq(socialConnections.id, connection.id));

    expect(await refreshFollowers(db(), connection.id)).toBeNull();

    expect((await row(connection.id)).status).toBe("revoked");
    const kinds = (await db().select().from(notifications).where(eq(notifications.userId, mette.userId))).map((n) => n.kind);
    expect(kinds).toEqual(["connection.expired"]);
  });
});

describe("Bluesky input", () => {
  it("refuses a main password and a malformed handle before anything leaves the server", async () => {
    const { mette } = await scene();
    const wrongFormat = await connectBluesky(db(), mette.scope, mette.userId, { identifier: "mette.bsky.social", appPassword: "hunter2hunter2" }).catch((e: unknown) => e);
    expect(JSON.stringify(wrongFormat)).toContain("appPasswordFormat");
    const badHandle = await connectBluesky(db(), mette.scope, mette.userId, { identifier: "not a handle", appPassword: "abcd-efgh-ijkl-mnop" }).catch((e: unknown) => e);
    expect(JSON.stringify(badHandle)).toContain("blueskyIdentifierInvalid");
    expect(await connectionsOf(mette.userId)).toEqual([]);
  });
});

describe("the callback route and the actions", () => {
  const callbackFor = (network: string, query: Record<string, string | undefined>) => {
    const url = new URL(`http://localhost:3999/connections/callback/${network}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    return callback(new Request(url), { params: Promise.resolve({ network }) });
  };

  it("connects through the signed-in session and answers 303 to /connections?connected=…; a replay gets ?error=oauthStateInvalid", async () => {
    const { mette } = await scene();
    signIn(mette);
    try {
      const started = await startConnectAction({ network: "x" });
      expect(started.ok).toBe(true);
      const back = await consent((started as { ok: true; data: { redirectUrl: string } }).data.redirectUrl, "mette_route");

      const response = await callbackFor("x", { state: back.state, code: back.code });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("http://localhost:3999/connections?connected=x");
      expect(await connectionsOf(mette.userId)).toHaveLength(1);

      const replay = await callbackFor("x", { state: back.state, code: back.code });
      expect(replay.status).toBe(303);
      expect(replay.headers.get("location")).toBe("http://localhost:3999/connections?error=oauthStateInvalid");
      expect(await connectionsOf(mette.userId)).toHaveLength(1);

      const declined = await callbackFor("x", { state: "nope", error: "access_denied" });
      expect(declined.headers.get("location")).toContain("error=oauthStateInvalid");
      expect((await callbackFor("facebook", { state: back.state, code: back.code })).status).toBe(404);
    } finally {
      signIn(null);
    }
  });

  it("someone else's browser session cannot complete a person's callback; no session is 401, no employee role 403", async () => {
    const { cli, mette, john } = await scene();
    const manager = await employee(cli, "Mona Manager", ["manager"]);
    const { redirectUrl } = await startConnect(db(), mette.scope, mette.userId, { network: "x" });
    const back = await consent(redirectUrl, "mette_victim");
    try {
      signIn(john);
      expect((await callbackFor("x", { state: back.state, code: back.code })).headers.get("location")).toContain("error=oauthStateInvalid");
      signIn(null);
      expect((await callbackFor("x", { state: back.state, code: back.code })).status).toBe(401);
      signIn(manager);
      expect((await callbackFor("x", { state: back.state, code: back.code })).status).toBe(403);
      expect(await startConnectAction({ network: "x" })).toEqual({ ok: false, error: "forbidden" });
    } finally {
      signIn(null);
    }
    expect(await connectionsOf(john.userId)).toEqual([]);
    expect(await connectionsOf(mette.userId)).toEqual([]);
  });

  it("disconnectAction: another person's connection is not found", async () => {
    const { mette, john } = await scene();
    const connection = await connectOAuth(mette, "x", "mette_action");
    try {
      signIn(john);
      expect(await disconnectAction({ connectionId: connection.id })).toMatchObject({ ok: false, error: "notFound" });
      signIn(mette);
      expect(await disconnectAction({ connectionId: connection.id })).toMatchObject({ ok: true, data: { revokedAtNetwork: true } });
    } finally {
      signIn(null);
    }
    expect(await connectionsOf(mette.userId)).toEqual([]);
  });
});

describe("adapter failures are classified", () => {
  it("401 unauthorized, 429 rateLimited with the reset, 5xx unavailable; and the LinkedIn-Version default", async () => {
    const token = x.createToken("classify_me", ["tweet.read", "users.read"]);
    const ctx = { instanceUrl: null, client: null };
    const tokens = { accessToken: token, refreshToken: null, expiresAt: null, refreshExpiresAt: null, scopes: [] };
    const failure = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e as NetworkError);

    const reset = Math.floor(Date.now() / 1000) + 120;
    x.inject({ match: (r) => r.path === "/2/users/me", status: 429, headers: { "x-rate-limit-reset": String(reset) } });
    const limited = await failure(xAdapter.profile(ctx, tokens));
    expect(limited).toBeInstanceOf(NetworkError);
    expect(limited).toMatchObject({ network: "x", kind: "rateLimited", status: 429, transient: true });
    expect(limited!.retryAfterMs).toBeGreaterThan(100_000);
    expect(limited!.retryAfterMs).toBeLessThanOrEqual(120_000);

    x.inject({ match: (r) => r.path === "/2/users/me", status: 503 });
    expect(await failure(xAdapter.profile(ctx, tokens))).toMatchObject({ kind: "unavailable", status: 503 });

    x.revokeToken(token);
    expect(await failure(xAdapter.profile(ctx, tokens))).toMatchObject({ kind: "unauthorized", status: 401, transient: false });

    const mastodonToken = mastodon.createToken("classify_me");
    mastodon.inject({ match: (r) => r.path === "/api/v1/accounts/verify_credentials", status: 429 });
    const onMastodon = await failure(mastodonAdapter.profile({ instanceUrl: mastodon.url, client: null }, { ...tokens, accessToken: mastodonToken }));
    expect(onMastodon).toMatchObject({ kind: "rateLimited" });
    expect(onMastodon!.retryAfterMs).toBeLessThanOrEqual(5 * 60_000); // from X-RateLimit-Reset, an ISO time

    expect(linkedinVersionFor(new Date("2026-02-15T12:00:00Z"))).toBe("202512");
    expect(linkedinVersionFor(new Date("2026-11-30T23:00:00Z"))).toBe("202609");
  });
});

/**
 * Against a real local Bluesky network (PLC + PDS + AppView from @atproto/dev-env, see
 * tests/support/atproto). Its start-up takes a while and is not part of the 30-second budget
 * of the rest of this file; skipped when the network is not installed.
 */
describe.skipIf(Boolean(atprotoNetworkMissing()))("Bluesky on a real local PDS", () => {
  let network: AtprotoNetwork;

  beforeAll(async () => {
    network = await startAtprotoNetwork({ accounts: [{ handle: "mette.test" }, { handle: "john.test" }] });
    setEnv({ BLUESKY_APPVIEW_URL: network.appviewUrl });
  }, 150_000);

  afterAll(async () => {
    await network?.close();
  }, 90_000);

  it("connects with a handle and an app password: DID and handle stored, JWTs encrypted, followers from the AppView", async () => {
    const { mette } = await scene();
    const account = network.account("mette.test");
    const connection = await connectBluesky(db(), mette.scope, mette.userId, { identifier: `@${account.handle}`, appPassword: account.appPassword, pdsUrl: network.pdsUrl });

    expect(connection).toMatchObject({
      network: "bluesky",
      externalId: account.did,
      handle: account.handle,
      instanceUrl: new URL(network.pdsUrl).origin,
      profileUrl: `https://bsky.app/profile/${account.handle}`,
      status: "active",
    });
    const stored = await row(connection.id);
    const tokens = decryptTokens(stored)!;
    expect(tokens.accessToken.split(".")).toHaveLength(3);
    expect(JSON.stringify(stored)).not.toContain(tokens.accessToken.slice(-20));
    expect(JSON.stringify(stored)).not.toContain(tokens.refreshToken!.slice(-20));
    expect(stored.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    expect(stored.refreshExpiresAt!.getTime()).toBeGreaterThan(stored.tokenExpiresAt!.getTime());
    // The stored access JWT is the account's.
    const agent = new AtpAgent({ service: network.pdsUrl });
    const session = await agent.com.atproto.server.getSession(undefined, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(session.data.did).toBe(account.did);
    // Followers come from the AppView once it has indexed the account.
    await network.processAll();
    expect(await refreshFollowers(db(), connection.id)).toBe(0);
    expect((await row(connection.id)).followerCount).toBe(0);
  });

  it("a wrong app password is refused: blueskyLoginFailed, nothing stored", async () => {
    const { mette } = await scene();
    const error = await refusal(connectBluesky(db(), mette.scope, mette.userId, { identifier: "mette.test", appPassword: "aaaa-bbbb-cccc-dddd", pdsUrl: network.pdsUrl }));
    expect(error).toMatchObject({ code: "blueskyLoginFailed", fieldErrors: { appPassword: ["blueskyLoginFailed"] } });
    expect(await connectionsOf(mette.userId)).toEqual([]);
  });

  it("disconnecting ends the session at the PDS (deleteSession): the refresh JWT no longer works", async () => {
    const { john } = await scene();
    const account = network.account("john.test");
    const connection = await connectBluesky(db(), john.scope, john.userId, { identifier: account.handle, appPassword: account.appPassword, pdsUrl: network.pdsUrl });
    const { refreshToken } = decryptTokens(await row(connection.id))!;

    expect(await disconnect(db(), john.scope, john.userId, connection.id)).toMatchObject({ revokedAtNetwork: true });

    const agent = new AtpAgent({ service: network.pdsUrl });
    const refreshed = await agent.com.atproto.server.refreshSession(undefined, { headers: { authorization: `Bearer ${refreshToken}` } }).catch((e: unknown) => e);
    expect(refreshed).toBeInstanceOf(Error);
    expect(await connectionsOf(john.userId)).toEqual([]);
  });
});

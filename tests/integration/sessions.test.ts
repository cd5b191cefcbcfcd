import { eq } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { describe, expect, it, vi } from "vitest";
import { switchOrganizationAction } from "@/app/(app)/actions";
import { signOutEverywhereAction } from "@/app/(app)/settings/account-actions";
import * as meRoute from "@/app/api/v1/me/route";
import { apiTokens, auditLog, endedSessions, organizations, pushSubscriptions, users, type Role } from "@/db/schema";
import { createApiToken, revokeApiToken, verifyApiToken } from "@/lib/auth/api-tokens";
import { startSession } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { deactivateMember, reactivateMember, updateMember } from "@/lib/members";
import { AuthBrowser } from "../support/auth-browser";
import { makeMember, makeOrganization, uniqueEmail } from "../support/factories";

/**
 * Sessions that end (issue 14), through the real Auth.js handlers and callbacks on the real
 * database: signing out, signing out everywhere, deactivation, role changes and the demo
 * sign-in. Server actions and route handlers read the browser's cookies through next/headers.
 */

const current = vi.hoisted(() => ({ browser: null as null | { cookieHeader(): string; keep(response: Response): void } }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ cookie: current.browser?.cookieHeader() ?? "", host: "localhost:3999", "x-forwarded-proto": "http" }),
  cookies: async () => ({
    get: () => undefined,
    set: (name: string, value: string, options: { maxAge?: number; expires?: Date } = {}) => {
      const cleared = options.maxAge === 0 || (options.expires && options.expires.getTime() <= Date.now());
      current.browser?.keep(new Response(null, { headers: { "set-cookie": `${name}=${cleared ? "" : value}` } }));
    },
  }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

/** Runs a server action or route as this browser (its cookies); a redirect comes back as its address. */
async function as<T>(browser: AuthBrowser, run: () => Promise<T>): Promise<T | { redirectedTo: string }> {
  current.browser = browser;
  try {
    return await run();
  } catch (error) {
    const digest = (error as { digest?: string }).digest;
    if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT")) return { redirectedTo: digest.split(";")[2]! };
    throw error;
  } finally {
    current.browser = null;
  }
}

/** GET /api/v1/me as this browser: the status and who it acts as. */
async function me(browser: AuthBrowser): Promise<{ status: number; orgId?: string; roles?: string[] }> {
  const response = (await as(browser, () => meRoute.GET(browser.request("/api/v1/me"), { params: Promise.resolve({}) }))) as Response;
  if (response.status !== 200) return { status: response.status };
  const body = (await response.json()) as { organization: { id: string }; roles: string[] };
  return { status: 200, orgId: body.organization.id, roles: body.roles };
}

async function demoOrganization() {
  const made = await makeOrganization("Demo Nordlys");
  await db().update(organizations).set({ isDemo: true }).where(eq(organizations.id, made.org.id));
  return made;
}

/** A person who is a member of a demo organisation (the demo sign-in lets them in). */
async function demoMember(roles: Role[] = ["employee"]) {
  const demo = await demoOrganization();
  const member = await makeMember(demo.cli, roles);
  return { demo, member, email: member.user.email };
}

async function signedIn(email: string): Promise<AuthBrowser> {
  const browser = new AuthBrowser();
  const response = await browser.signInWithDemo(email);
  expect(response.status).toBe(302);
  expect(browser.sessionCookie()).toBeDefined();
  return browser;
}

describe("signing out", () => {
  it("ends the session on the server: a copy of the cookie taken before is refused afterwards", async () => {
    const { member, email } = await demoMember();
    const first = await signedIn(email);
    const stolen = first.copy();
    expect(await stolen.session()).toMatchObject({ userId: member.user.id, orgId: member.scope.orgId });
    expect(await me(stolen)).toMatchObject({ status: 200, orgId: member.scope.orgId });

    const out = await first.signOut();
    expect(out.status).toBe(302);
    expect(first.sessionCookie()).toBeUndefined();

    expect(await stolen.session()).toBeNull();
    // The refused cookie is also cleared from the browser that sent it.
    expect(stolen.sessionCookie()).toBeUndefined();
    const replayed = first.copy();
    expect(await me(stolen)).toEqual({ status: 401 });
    expect(await me(replayed)).toEqual({ status: 401 });
    const [row] = await db().select().from(endedSessions).where(eq(endedSessions.userId, member.user.id));
    // Kept until the longest a renewed copy of the cookie could live (14 days), then purged.
    expect(row!.expiresAt.getTime() - Date.now()).toBeGreaterThan(13.9 * 86_400_000);
  });

  it("leaves the person's other sessions alone", async () => {
    const { email } = await demoMember();
    const laptop = await signedIn(email);
    const phone = await signedIn(email);
    await laptop.signOut();
    expect(await phone.session()).not.toBeNull();
  });

  it("refuses a cookie made before sessions carried an id (or a forged one without)", async () => {
    const { member } = await demoMember();
    const browser = new AuthBrowser();
    const old = await encode({ token: { sub: member.user.id }, secret: process.env.AUTH_SECRET!, salt: "authjs.session-token" });
    browser.keep(new Response(null, { headers: { "set-cookie": `authjs.session-token=${old}` } }));
    expect(await browser.session()).toBeNull();
  });
});

describe("signing out everywhere", () => {
  it("ends every session of the person, removes their push subscriptions, records it, and a new sign-in works", async () => {
    const { member, email, demo } = await demoMember();
    const other = await demoMember();
    const laptop = await signedIn(email);
    const phone = await signedIn(email);
    const colleague = await signedIn(other.email);
    await db().insert(pushSubscriptions).values({ orgId: demo.org.id, userId: member.user.id, endpoint: `https://push.example/${member.user.id}`, p256dh: "k", auth: "a" });

    const result = await as(laptop, () => signOutEverywhereAction(null));
    expect(result).toEqual({ redirectedTo: "http://localhost:3999/signin?signedOut=everywhere" });
    expect(laptop.sessionCookie()).toBeUndefined();

    expect(await phone.session()).toBeNull();
    expect(await me(phone)).toEqual({ status: 401 });
    expect(await colleague.session()).not.toBeNull();
    expect(await db().select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, member.user.id))).toEqual([]);
    const entries = await db().select().from(auditLog).where(eq(auditLog.orgId, demo.org.id));
    expect(entries.filter((e) => e.action === "session.sign_out_everywhere")).toEqual([
      expect.objectContaining({ actorUserId: member.user.id, targetType: "membership", targetId: member.membership.id }),
    ]);

    const again = await signedIn(email);
    expect(await again.session()).toMatchObject({ userId: member.user.id, orgId: demo.org.id });
    expect(await me(again)).toMatchObject({ status: 200 });
  });

  it("is refused without a session and changes nothing", async () => {
    const { member } = await demoMember();
    const stranger = new AuthBrowser();
    expect(await as(stranger, () => signOutEverywhereAction(null))).toEqual({ ok: false, error: "unauthenticated" });
    const [person] = await db().select({ version: users.sessionVersion }).from(users).where(eq(users.id, member.user.id));
    expect(person!.version).toBe(0);
  });
});

describe("deactivation, reactivation and roles", () => {
  it("deactivation ends sessions and API tokens at once; reactivation brings back neither", async () => {
    const { demo, member, email } = await demoMember();
    const admin = await makeMember(demo.cli, ["admin"]);
    const browser = await signedIn(email);
    const { token } = await createApiToken(db(), member.scope, { userId: member.user.id, name: "script" });
    expect(await verifyApiToken(db(), token)).not.toBeNull();

    await deactivateMember(db(), admin.scope, member.membership.id);
    expect(await browser.copy().session()).toBeNull();
    expect(await me(browser.copy())).toEqual({ status: 401 });
    expect(await verifyApiToken(db(), token)).toBeNull();

    await reactivateMember(db(), admin.scope, member.membership.id);
    expect(await browser.copy().session()).toBeNull();
    expect(await me(browser.copy())).toEqual({ status: 401 });
    // Tokens stay revoked: the member makes new ones.
    expect(await verifyApiToken(db(), token)).toBeNull();
    const revocations = await db().select().from(auditLog).where(eq(auditLog.orgId, demo.org.id));
    expect(revocations.filter((e) => e.action === "api_token.revoke")).toHaveLength(1);

    // Signing in again works, with the membership back.
    const again = await signedIn(email);
    expect(await again.session()).toMatchObject({ orgId: demo.org.id, roles: ["employee"] });
  });

  it("deactivation in one organisation leaves the person's session in another working", async () => {
    const { demo, member, email } = await demoMember();
    const second = await demoOrganization();
    await makeMember(second.cli, ["editor"], { email });
    const admin = await makeMember(demo.cli, ["admin"]);
    const browser = await signedIn(email);
    expect((await browser.session())!.organizations.map((o) => o.id).toSorted()).toEqual([demo.org.id, second.org.id].toSorted());

    await deactivateMember(db(), admin.scope, member.membership.id);
    expect(await browser.session()).toMatchObject({ orgId: second.org.id, roles: ["editor"], organizations: [{ id: second.org.id }] });
    await reactivateMember(db(), admin.scope, member.membership.id);
    // The old session does not get the reactivated organisation back.
    expect((await browser.session())!.organizations).toEqual([{ id: second.org.id, name: "Demo Nordlys" }]);
  });

  it("a role taken away applies on the next request, to the session and to API tokens", async () => {
    const { demo, member, email } = await demoMember(["employee", "editor"]);
    const admin = await makeMember(demo.cli, ["admin"]);
    const browser = await signedIn(email);
    const { token } = await createApiToken(db(), member.scope, { userId: member.user.id, name: "script" });
    expect(await me(browser)).toMatchObject({ roles: ["editor", "employee"] });

    await updateMember(db(), admin.scope, member.membership.id, { roles: ["employee"] });
    expect(await me(browser)).toMatchObject({ status: 200, roles: ["employee"] });
    expect(await verifyApiToken(db(), token)).toMatchObject({ roles: ["employee"] });
  });
});

describe("API tokens", () => {
  it("stop working when revoked or expired", async () => {
    const { member } = await demoMember();
    const revoked = await createApiToken(db(), member.scope, { userId: member.user.id, name: "revoked" });
    const expiring = await createApiToken(db(), member.scope, { userId: member.user.id, name: "expiring", expiresAt: new Date(Date.now() + 60_000) });
    await revokeApiToken(db(), member.scope, { tokenId: revoked.record.id });
    expect(await verifyApiToken(db(), revoked.token)).toBeNull();
    expect(await verifyApiToken(db(), expiring.token)).not.toBeNull();
    await db().update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, expiring.record.id));
    expect(await verifyApiToken(db(), expiring.token)).toBeNull();
  });
});

describe("the demo sign-in", () => {
  async function inDemoAndReal() {
    const { demo, member, email } = await demoMember(["employee"]);
    const real = await makeOrganization("Aardvark Real A/S");
    const realMember = await makeMember(real.cli, ["admin"], { email });
    return { demo, real, member, realMember, email };
  }

  it("yields a session in the demo organisation only, even for a member of a real one", async () => {
    const { demo, real, email } = await inDemoAndReal();
    const browser = await signedIn(email);
    const session = await browser.session();
    // "Aardvark" sorts first: without the filter the real organisation would be the default.
    expect(session).toMatchObject({ orgId: demo.org.id, roles: ["employee"] });
    expect(session!.organizations.map((o) => o.id)).toEqual([demo.org.id]);
    expect(await me(browser)).toMatchObject({ status: 200, orgId: demo.org.id, roles: ["employee"] });

    // Switching to the real organisation is refused, by the action and by Auth.js's update.
    expect(await as(browser, () => switchOrganizationAction({ orgId: real.org.id }))).toEqual({ ok: true, data: false });
    const updated = await browser.updateSession({ orgId: real.org.id });
    expect(updated.status).toBe(200);
    expect(await browser.session()).toMatchObject({ orgId: demo.org.id });
    expect(await me(browser)).toMatchObject({ orgId: demo.org.id, roles: ["employee"] });
  });

  it("a session signed in otherwise still reaches both organisations", async () => {
    const { demo, real, member } = await inDemoAndReal();
    const claims = await startSession(db(), member.user.id, { demoOnly: false });
    const cookie = await encode({ token: { sub: member.user.id, ...claims }, secret: process.env.AUTH_SECRET!, salt: "authjs.session-token" });
    const browser = new AuthBrowser();
    browser.keep(new Response(null, { headers: { "set-cookie": `authjs.session-token=${cookie}` } }));
    expect((await browser.session())!.organizations.map((o) => o.id)).toEqual([real.org.id, demo.org.id]);
  });

  it("refuses a person who is in no demo organisation", async () => {
    const real = await makeOrganization("Real Only A/S");
    const person = await makeMember(real.cli, ["admin"], { email: uniqueEmail("real") });
    const browser = new AuthBrowser();
    const response = await browser.signInWithDemo(person.user.email);
    expect(response.headers.get("location")).toMatch(/\/signin\/error\?error=CredentialsSignin|error=CredentialsSignin/);
    expect(browser.sessionCookie()).toBeUndefined();
  });

  it("a hostile callbackUrl lands on the start page", async () => {
    const { email } = await demoMember();
    for (const hostile of ["https://evil.example/", "//evil.example", "/\\evil.example", "/%2F%2Fevil.example", "https://localhost:3999@evil.example/"]) {
      const browser = new AuthBrowser();
      const response = await browser.signInWithDemo(email, hostile);
      expect(response.headers.get("location"), hostile).toBe("http://localhost:3999/");
    }
    const browser = new AuthBrowser();
    expect((await browser.signInWithDemo(email, "/library?tab=drafts")).headers.get("location")).toBe("http://localhost:3999/library?tab=drafts");
  });
});

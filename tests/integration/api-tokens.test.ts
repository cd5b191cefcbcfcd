import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { apiTokens, auditLog } from "@/db/schema";
import * as meRoute from "@/app/api/v1/me/route";
import { checkApiToken, createApiToken, expiryInDays, listApiTokens, newApiTokenSchema, revokeApiToken, verifyApiToken } from "@/lib/auth/api-tokens";
import { sha256Hex } from "@/lib/crypto";
import { db } from "@/lib/db";
import { deactivateMember, reactivateMember, updateMember } from "@/lib/members";
import { makeMember, makeOrganization } from "../support/factories";

// Outside a Next.js request there is no session: only the bearer token counts.
vi.mock("@/lib/auth/config", () => ({ auth: async () => null }));

const DAY = 86_400_000;

async function tokenRow(tokenId: string) {
  const [row] = await db().select().from(apiTokens).where(eq(apiTokens.id, tokenId));
  return row!;
}

describe("API tokens", () => {
  it("hands out an rpl_ token once and stores only its SHA-256", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);

    const { token, record } = await createApiToken(db(), admin.scope, { userId: admin.user.id, name: "  Zapier  " });

    expect(token).toMatch(/^rpl_[0-9A-Za-z]{40}$/);
    expect(record.name).toBe("Zapier");
    const row = await tokenRow(record.id);
    expect(row.tokenHash).toBe(sha256Hex(token));
    expect(row.prefix).toBe(token.slice(0, 10));
    const secretPart = token.slice(4);
    // No column holds the token or its secret part (the prefix shows only its first characters).
    const [raw] = await db().execute<Record<string, unknown>>(sql`select * from ${apiTokens} where id = ${record.id}`);
    for (const value of Object.values(raw!)) {
      expect(String(value)).not.toContain(token);
      expect(String(value)).not.toContain(secretPart);
    }
  });

  it("audits the creation without the secret", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const { token, record } = await createApiToken(db(), admin.scope, { userId: admin.user.id, name: "Reporting" });

    const entries = await db().select().from(auditLog).where(and(eq(auditLog.orgId, cli.orgId), eq(auditLog.targetId, record.id)));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "api_token.create", targetType: "api_token", actorUserId: admin.user.id });
    expect(entries[0]!.after).toMatchObject({ name: "Reporting", userId: admin.user.id });
    const everything = JSON.stringify(await db().select().from(auditLog).where(eq(auditLog.orgId, cli.orgId)));
    expect(everything).not.toContain(token.slice(4));
    expect(everything).not.toContain(sha256Hex(token));
  });

  it("verifies a token as its member, with the organisation and current roles", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["editor"]);
    const { token, record } = await createApiToken(db(), cli, { userId: member.user.id, name: "CMS import" });

    expect(await verifyApiToken(db(), token)).toEqual({ tokenId: record.id, userId: member.user.id, orgId: cli.orgId, roles: ["editor"] });
    expect((await tokenRow(record.id)).lastUsedAt).toBeInstanceOf(Date);

    await updateMember(db(), cli, member.membership.id, { roles: ["manager", "editor"] });
    expect((await verifyApiToken(db(), token))?.roles).toEqual(["editor", "manager"]);
  });

  it.each([
    ["an empty string", ""],
    ["a token that is too short", "rpl_abc"],
    ["the wrong prefix", `xyz_${"a".repeat(40)}`],
    ["a character outside base62", `rpl_${"a".repeat(39)}-`],
    ["a well-formed unknown token", `rpl_${"Q".repeat(40)}`],
  ])("refuses %s", async (_what, token) => {
    expect(await verifyApiToken(db(), token)).toBeNull();
  });

  it("refuses a token that differs in one character", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);
    const { token } = await createApiToken(db(), cli, { userId: member.user.id, name: "n" });
    const last = token.at(-1)!;
    expect(await verifyApiToken(db(), token.slice(0, -1) + (last === "a" ? "b" : "a"))).toBeNull();
    const swapped = [...token.slice(4)].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("");
    expect(swapped).not.toBe(token.slice(4));
    expect(await verifyApiToken(db(), `rpl_${swapped}`)).toBeNull();
  });

  it("refuses a revoked token", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);
    const { token, record } = await createApiToken(db(), cli, { userId: member.user.id, name: "n" });
    expect(await verifyApiToken(db(), token)).not.toBeNull();

    await db().update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, record.id));
    expect(await verifyApiToken(db(), token)).toBeNull();
  });

  it("accepts a token until it expires, then refuses it", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);
    const { token, record } = await createApiToken(db(), cli, { userId: member.user.id, name: "n", expiresAt: new Date(Date.now() + 3_600_000) });
    expect(await verifyApiToken(db(), token)).not.toBeNull();

    await db().update(apiTokens).set({ expiresAt: new Date(Date.now() - 1_000) }).where(eq(apiTokens.id, record.id));
    expect(await verifyApiToken(db(), token)).toBeNull();
  });

  it("is revoked when its member is deactivated, and stays revoked after reactivation", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);
    const { token } = await createApiToken(db(), cli, { userId: member.user.id, name: "n" });

    await deactivateMember(db(), cli, member.membership.id);
    expect(await verifyApiToken(db(), token)).toBeNull();
    await reactivateMember(db(), cli, member.membership.id);
    expect(await checkApiToken(db(), token)).toEqual({ ok: false, reason: "revoked" });
  });

  it("acts only in the organisation it was made for, whatever happens in another", async () => {
    const home = await makeOrganization();
    const member = await makeMember(home.cli, ["employee"]);
    const elsewhere = await makeOrganization("Elsewhere A/S");
    const there = await makeMember(elsewhere.cli, ["admin"], { email: member.user.email });
    const { token } = await createApiToken(db(), home.cli, { userId: member.user.id, name: "n" });

    expect(await verifyApiToken(db(), token)).toMatchObject({ orgId: home.cli.orgId, roles: ["employee"] });
    // Deactivating the same person in another organisation does not affect this token.
    await makeMember(elsewhere.cli, ["admin"]);
    await deactivateMember(db(), elsewhere.cli, there.membership.id);
    expect(await verifyApiToken(db(), token)).toMatchObject({ orgId: home.cli.orgId, roles: ["employee"] });
  });

  it("refuses to make a token for someone who is not an active member, writing nothing", async () => {
    const { cli } = await makeOrganization();
    const other = await makeOrganization();
    const stranger = await makeMember(other.cli, ["admin"]);

    await expect(createApiToken(db(), cli, { userId: stranger.user.id, name: "n" })).rejects.toMatchObject({ code: "notAMember" });
    await expect(createApiToken(db(), cli, { userId: stranger.user.id, name: " " })).rejects.toMatchObject({ code: "invalidTokenName" });
    expect(await db().select().from(apiTokens).where(eq(apiTokens.orgId, cli.orgId))).toEqual([]);
    expect(await db().select().from(auditLog).where(and(eq(auditLog.orgId, cli.orgId), eq(auditLog.action, "api_token.create")))).toEqual([]);
  });
});

describe("API token lifetimes", () => {
  it("expires after 90 days by default, and after the days asked for up to a year", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);
    const before = Date.now();

    const { record: standard } = await createApiToken(db(), member.scope, { userId: member.user.id, name: "default" });
    expect(standard.expiresAt!.getTime() - before).toBeGreaterThanOrEqual(90 * DAY);
    expect(standard.expiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(90 * DAY);

    const form = newApiTokenSchema.parse({ name: "From the form" });
    expect(form.days).toBe(90);
    const { record: year } = await createApiToken(db(), member.scope, { userId: member.user.id, name: "year", expiresAt: expiryInDays(newApiTokenSchema.parse({ name: "y", days: "365" }).days) });
    expect(Math.round((year.expiresAt!.getTime() - before) / DAY)).toBe(365);
  });

  it("refuses a lifetime over a year, or none, with a field error and nothing written", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);

    for (const days of ["366", "0", "-5", "1.5", "forever"]) {
      const parsed = newApiTokenSchema.safeParse({ name: "n", days });
      expect(parsed.success, days).toBe(false);
      expect(parsed.error!.issues[0]).toMatchObject({ path: ["days"], message: "tokenDaysRange" });
    }
    await expect(createApiToken(db(), member.scope, { userId: member.user.id, name: "n", expiresAt: new Date(Date.now() + 366 * DAY) })).rejects.toMatchObject({
      code: "tokenDaysRange",
      fieldErrors: { days: ["tokenDaysRange"] },
    });
    expect(await db().select().from(apiTokens).where(eq(apiTokens.orgId, cli.orgId))).toEqual([]);
  });
});

describe("API token lists and revoking", () => {
  async function twoOrganisations() {
    const a = await makeOrganization("A A/S");
    const adminA = await makeMember(a.cli, ["admin"], { name: "Admin A" });
    const memberA = await makeMember(a.cli, ["employee"], { name: "Medarbejder A" });
    const b = await makeOrganization("B A/S");
    const memberB = await makeMember(b.cli, ["admin"], { name: "Admin B" });
    const adminToken = await createApiToken(db(), adminA.scope, { userId: adminA.user.id, name: "admin's" });
    const memberToken = await createApiToken(db(), memberA.scope, { userId: memberA.user.id, name: "member's" });
    const otherToken = await createApiToken(db(), memberB.scope, { userId: memberB.user.id, name: "other org's" });
    return { a, adminA, memberA, b, memberB, adminToken, memberToken, otherToken };
  }

  it("shows an admin every token of their organisation with its owner, and never another organisation's", async () => {
    const { adminA, memberA, adminToken, memberToken, otherToken } = await twoOrganisations();

    const rows = await listApiTokens(db(), adminA.scope);
    expect(rows.map((r) => r.id).sort()).toEqual([adminToken.record.id, memberToken.record.id].sort());
    expect(rows.find((r) => r.id === memberToken.record.id)).toMatchObject({
      name: "member's",
      prefix: memberToken.token.slice(0, 10),
      ownerName: "Medarbejder A",
      ownerEmail: memberA.user.email,
      status: "active",
      lastUsedAt: null,
    });
    expect(rows.map((r) => r.id)).not.toContain(otherToken.record.id);
    // Nothing of the secret travels in the list.
    expect(JSON.stringify(rows)).not.toContain(memberToken.token.slice(10));
  });

  it("shows a member only their own tokens, and lets them revoke only their own", async () => {
    const { a, adminA, memberA, adminToken, memberToken, otherToken } = await twoOrganisations();

    expect((await listApiTokens(db(), memberA.scope, { userId: memberA.user.id })).map((r) => r.id)).toEqual([memberToken.record.id]);
    await expect(revokeApiToken(db(), memberA.scope, { tokenId: adminToken.record.id }, { ownerId: memberA.user.id })).rejects.toMatchObject({ status: 404 });
    // Another organisation's token is not found either, even for an admin.
    await expect(revokeApiToken(db(), adminA.scope, { tokenId: otherToken.record.id })).rejects.toMatchObject({ status: 404 });
    await expect(revokeApiToken(db(), a.cli, { prefix: otherToken.record.prefix })).rejects.toMatchObject({ status: 404 });
    expect(await verifyApiToken(db(), adminToken.token)).not.toBeNull();
    expect(await verifyApiToken(db(), otherToken.token)).not.toBeNull();

    await revokeApiToken(db(), memberA.scope, { tokenId: memberToken.record.id }, { ownerId: memberA.user.id });
    expect(await verifyApiToken(db(), memberToken.token)).toBeNull();
  });

  it("revokes at once, audited with who did it, and a second revoke changes nothing", async () => {
    const { a, adminA, memberToken } = await twoOrganisations();
    expect(await verifyApiToken(db(), memberToken.token)).not.toBeNull();

    const first = await revokeApiToken(db(), adminA.scope, { tokenId: memberToken.record.id });
    expect(first.changed).toBe(true);
    expect(await verifyApiToken(db(), memberToken.token)).toBeNull();
    expect((await listApiTokens(db(), adminA.scope)).find((r) => r.id === memberToken.record.id)?.status).toBe("revoked");

    const again = await revokeApiToken(db(), a.cli, { prefix: memberToken.record.prefix });
    expect(again.changed).toBe(false);
    const entries = await db().select().from(auditLog).where(and(eq(auditLog.orgId, a.cli.orgId), eq(auditLog.action, "api_token.revoke")));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorUserId: adminA.user.id, targetType: "api_token", targetId: memberToken.record.id, before: { revokedAt: null } });
    expect((entries[0]!.after as { revokedAt: string }).revokedAt).toBeTruthy();
  });

  it("marks a token past its expiry as expired", async () => {
    const { adminA, memberToken } = await twoOrganisations();
    await db().update(apiTokens).set({ expiresAt: new Date(Date.now() - 1_000) }).where(eq(apiTokens.id, memberToken.record.id));
    expect((await listApiTokens(db(), adminA.scope)).find((r) => r.id === memberToken.record.id)?.status).toBe("expired");
  });
});

describe("a refused token at /api/v1", () => {
  async function me(token: string) {
    const response = await meRoute.GET(new Request("http://localhost/api/v1/me", { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
    return { status: response.status, type: response.headers.get("content-type"), challenge: response.headers.get("www-authenticate"), body: (await response.json()) as Record<string, unknown> };
  }

  it("answers 401 problems that tell a revoked token from an expired one from an unknown one", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);
    const revoked = await createApiToken(db(), cli, { userId: member.user.id, name: "revoked" });
    const expired = await createApiToken(db(), cli, { userId: member.user.id, name: "expired" });
    expect((await me(revoked.token)).status).toBe(200);

    await revokeApiToken(db(), cli, { tokenId: revoked.record.id });
    await db().update(apiTokens).set({ expiresAt: new Date(Date.now() - 1_000) }).where(eq(apiTokens.id, expired.record.id));

    const whenRevoked = await me(revoked.token);
    expect(whenRevoked).toMatchObject({ status: 401, type: "application/problem+json", body: { status: 401, title: "Unauthorized", type: "urn:ripple:problem:token-revoked", instance: "/api/v1/me" } });
    expect(whenRevoked.body.detail).toMatch(/^Token revoked/);
    expect(whenRevoked.challenge).toBe('Bearer error="invalid_token", error_description="token revoked"');

    const whenExpired = await me(expired.token);
    expect(whenExpired).toMatchObject({ status: 401, type: "application/problem+json", body: { type: "urn:ripple:problem:token-expired" } });
    expect(whenExpired.body.detail).toMatch(/^Token expired/);

    const unknown = await me(`rpl_${"Z".repeat(40)}`);
    expect(unknown).toMatchObject({ status: 401, body: { type: "about:blank" } });
    expect(String(unknown.body.detail)).not.toMatch(/revoked|expired/i);

    // A revoked token that has also expired says revoked: that is what someone did to it.
    await db().update(apiTokens).set({ expiresAt: new Date(Date.now() - 1_000) }).where(eq(apiTokens.id, revoked.record.id));
    expect((await me(revoked.token)).body.type).toBe("urn:ripple:problem:token-revoked");
  });
});

import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiTokens, auditLog } from "@/db/schema";
import { createApiToken, verifyApiToken } from "@/lib/auth/api-tokens";
import { sha256Hex } from "@/lib/crypto";
import { db } from "@/lib/db";
import { deactivateMember, reactivateMember, updateMember } from "@/lib/members";
import { makeMember, makeOrganization } from "../support/factories";

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

  it("stops working while its member is deactivated", async () => {
    const { cli } = await makeOrganization();
    const member = await makeMember(cli, ["employee"]);
    const { token } = await createApiToken(db(), cli, { userId: member.user.id, name: "n" });

    await deactivateMember(db(), cli, member.membership.id);
    expect(await verifyApiToken(db(), token)).toBeNull();
    await reactivateMember(db(), cli, member.membership.id);
    expect(await verifyApiToken(db(), token)).not.toBeNull();
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

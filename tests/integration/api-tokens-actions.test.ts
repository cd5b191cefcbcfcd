import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { revokeTokenAction } from "@/app/(app)/admin/api-tokens/actions";
import { createOwnTokenAction, revokeOwnTokenAction } from "@/app/(app)/settings/api-tokens/actions";
import { apiTokens, type Role } from "@/db/schema";
import { createApiToken, verifyApiToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db";
import { makeMember, makeOrganization } from "../support/factories";

/** The server actions behind Settings → API tokens and Admin → API tokens, as the forms call them. */

const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const DAY = 86_400_000;

function signIn(member: { user: { id: string }; scope: { orgId: string } }, roles: Role[]) {
  session.current = { userId: member.user.id, orgId: member.scope.orgId, orgName: "", roles };
}

function form(fields: Record<string, string>) {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
}

describe("API token actions", () => {
  it("lets any member make their own token from the form: 90 days unless chosen, shown once in the answer", async () => {
    const { cli } = await makeOrganization();
    const employee = await makeMember(cli, ["employee"]);
    signIn(employee, ["employee"]);

    const result = await createOwnTokenAction(null, form({ name: "Mit script", days: "30" }));
    expect(result.ok).toBe(true);
    const { token, prefix } = (result as { ok: true; data: { token: string; prefix: string } }).data;
    expect(await verifyApiToken(db(), token)).toMatchObject({ userId: employee.user.id, roles: ["employee"] });
    const [row] = await db().select().from(apiTokens).where(eq(apiTokens.prefix, prefix));
    expect(Math.round((row!.expiresAt!.getTime() - Date.now()) / DAY)).toBe(30);

    const standard = await createOwnTokenAction(null, form({ name: "Standard" }));
    const [standardRow] = await db().select().from(apiTokens).where(eq(apiTokens.prefix, (standard as { ok: true; data: { prefix: string } }).data.prefix));
    expect(Math.round((standardRow!.expiresAt!.getTime() - Date.now()) / DAY)).toBe(90);
  });

  it("refuses more than a year, or no name, with field errors and nothing made", async () => {
    const { cli } = await makeOrganization();
    const employee = await makeMember(cli, ["employee"]);
    signIn(employee, ["employee"]);

    expect(await createOwnTokenAction(null, form({ name: "Evig", days: "366" }))).toEqual({ ok: false, error: "invalidInput", fieldErrors: { days: ["tokenDaysRange"] } });
    expect(await createOwnTokenAction(null, form({ name: "  ", days: "30" }))).toEqual({ ok: false, error: "invalidInput", fieldErrors: { name: ["invalidTokenName"] } });
    expect(await db().select().from(apiTokens).where(eq(apiTokens.orgId, cli.orgId))).toEqual([]);
  });

  it("lets a member revoke only their own token; only an admin revokes anyone's, and only in their organisation", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const employee = await makeMember(cli, ["employee"]);
    const colleague = await makeMember(cli, ["editor"]);
    const other = await makeOrganization();
    const stranger = await makeMember(other.cli, ["employee"]);
    const mine = await createApiToken(db(), employee.scope, { userId: employee.user.id, name: "mine" });
    const theirs = await createApiToken(db(), colleague.scope, { userId: colleague.user.id, name: "theirs" });
    const foreign = await createApiToken(db(), stranger.scope, { userId: stranger.user.id, name: "foreign" });

    signIn(employee, ["employee"]);
    expect(await revokeOwnTokenAction({ tokenId: theirs.record.id })).toMatchObject({ ok: false, error: "notFound" });
    expect(await revokeTokenAction({ tokenId: theirs.record.id })).toEqual({ ok: false, error: "forbidden" });
    expect(await verifyApiToken(db(), theirs.token)).not.toBeNull();
    expect(await revokeOwnTokenAction({ tokenId: mine.record.id })).toEqual({ ok: true, data: true });
    expect(await verifyApiToken(db(), mine.token)).toBeNull();

    signIn(admin, ["admin"]);
    expect(await revokeTokenAction({ tokenId: foreign.record.id })).toMatchObject({ ok: false, error: "notFound" });
    expect(await verifyApiToken(db(), foreign.token)).not.toBeNull();
    expect(await revokeTokenAction({ tokenId: theirs.record.id })).toEqual({ ok: true, data: true });
    expect(await verifyApiToken(db(), theirs.token)).toBeNull();
  });
});

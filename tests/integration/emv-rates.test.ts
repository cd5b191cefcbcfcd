import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { saveEmvRatesAction } from "@/app/(app)/admin/emv/actions";
import { auditLog, emvRateVersions, type Role } from "@/db/schema";
import { db } from "@/lib/db";
import { currentEmvTable, DEFAULT_EMV_TABLE, listEmvVersions, saveEmvRates } from "@/lib/reach/emv";
import { makeMember, makeOrganization } from "../support/factories";

/** The organisation's EMV price table: versioned, admin-only, audited, and validated before anything is stored. */

const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

function signIn(member: { user: { id: string }; scope: { orgId: string } }, roles: Role[]) {
  session.current = { userId: member.user.id, orgId: member.scope.orgId, orgName: "", roles };
}

async function scene() {
  const { cli } = await makeOrganization("Nordlys A/S");
  const admin = await makeMember(cli, ["admin"], { name: "Asta Admin" });
  return { cli, admin };
}

async function stored(orgId: string) {
  const versions = await db().select().from(emvRateVersions).where(eq(emvRateVersions.orgId, orgId)).orderBy(asc(emvRateVersions.version));
  const audits = await db()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.orgId, orgId), eq(auditLog.action, "emv.rates_saved")))
    .orderBy(asc(auditLog.id));
  return { versions, audits };
}

/** The form's input as the page sends it: every network, amounts as typed. */
function typed(overrides: Record<string, Record<string, string>> = {}, currency = "DKK") {
  const rates = Object.fromEntries(
    Object.entries(DEFAULT_EMV_TABLE.rates).map(([n, r]) => [n, { cpm: String(r.cpm), cpc: String(r.cpc), perEngagement: String(r.perEngagement), ...overrides[n] }]),
  );
  return { currency, rates };
}

describe("EMV versions", () => {
  it("uses the defaults as version 0 until the first save, then 1, 2, … with every old version kept", async () => {
    const { cli, admin } = await scene();
    expect(await currentEmvTable(db(), cli.orgId)).toEqual(DEFAULT_EMV_TABLE);
    expect(await listEmvVersions(db(), cli)).toEqual([]);

    signIn(admin, ["admin"]);
    expect(await saveEmvRatesAction(typed({ linkedin: { cpm: "250", cpc: "22,5" } }))).toEqual({ ok: true, data: { version: 1 } });
    expect(await saveEmvRatesAction(typed({ x: { perEngagement: "0.75" } }, "EUR"))).toEqual({ ok: true, data: { version: 2 } });

    const current = await currentEmvTable(db(), cli.orgId);
    expect(current).toMatchObject({ version: 2, formula: "emv-1", currency: "EUR" });
    expect(current.rates.x).toEqual({ cpm: 50, cpc: 5, perEngagement: 0.75 });
    // Version 2 was typed from the defaults again: LinkedIn is back to them there.
    expect(current.rates.linkedin).toEqual(DEFAULT_EMV_TABLE.rates.linkedin);

    const versions = await listEmvVersions(db(), admin.scope);
    expect(versions.map((v) => [v.version, v.currency, v.createdByName])).toEqual([
      [2, "EUR", "Asta Admin"],
      [1, "DKK", "Asta Admin"],
    ]);
    expect(versions[1]!.rates.linkedin).toEqual({ cpm: 250, cpc: 22.5, perEngagement: 5 });
    expect(versions[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(versions[1]!.createdAt.getTime());

    const { audits } = await stored(cli.orgId);
    expect(audits.map((a) => [a.actorUserId, a.before, (a.after as { version: number }).version])).toEqual([
      [admin.user.id, { version: 0 }, 1],
      [admin.user.id, { version: 1 }, 2],
    ]);
  });

  it("fills networks left out with the defaults, and concurrent saves still get distinct versions", async () => {
    const { cli } = await scene();
    const saved = await saveEmvRates(db(), cli, { currency: "SEK", rates: { mastodon: { cpm: 1, cpc: 2, perEngagement: 3 } } });
    expect(saved.rates).toEqual({ ...DEFAULT_EMV_TABLE.rates, mastodon: { cpm: 1, cpc: 2, perEngagement: 3 } });
    await Promise.all(Array.from({ length: 6 }, () => saveEmvRates(db(), cli, { currency: "DKK", rates: {} })));
    expect((await stored(cli.orgId)).versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("keeps organisations apart", async () => {
    const a = await scene();
    const b = await scene();
    await saveEmvRates(db(), a.cli, { currency: "EUR", rates: {} });
    expect(await currentEmvTable(db(), b.cli.orgId)).toEqual(DEFAULT_EMV_TABLE);
    expect(await listEmvVersions(db(), b.cli)).toEqual([]);
  });
});

describe("who may save, and what", () => {
  it("refuses everyone but admins, storing nothing", async () => {
    const { cli } = await scene();
    session.current = null;
    expect(await saveEmvRatesAction(typed())).toEqual({ ok: false, error: "unauthenticated" });
    for (const roles of [["employee"], ["editor"], ["manager"], ["employee", "editor", "manager"]] as Role[][]) {
      signIn(await makeMember(cli, roles), roles);
      expect(await saveEmvRatesAction(typed({ linkedin: { cpm: "1" } }))).toEqual({ ok: false, error: "forbidden" });
    }
    expect(await stored(cli.orgId)).toEqual({ versions: [], audits: [] });
    expect(await currentEmvTable(db(), cli.orgId)).toEqual(DEFAULT_EMV_TABLE);
  });

  it("refuses bad input field by field and changes nothing", async () => {
    const { cli, admin } = await scene();
    signIn(admin, ["admin"]);
    await saveEmvRatesAction(typed({ linkedin: { cpm: "300" } }));
    const before = await stored(cli.orgId);
    expect(before.versions).toHaveLength(1);

    const bad: Array<[unknown, string]> = [
      [typed({ linkedin: { cpm: "-1" } }), "rates.linkedin.cpm"],
      [typed({ x: { cpc: "10001" } }), "rates.x.cpc"],
      [typed({ bluesky: { perEngagement: "" } }), "rates.bluesky.perEngagement"],
      [typed({ mastodon: { cpm: "1e3" } }), "rates.mastodon.cpm"],
      [typed({ xing: { cpc: "12,5,0" } }), "rates.xing.cpc"],
      [typed({ threads: { cpm: "NaN" } }), "rates.threads.cpm"],
      [typed({}, "KRONER"), "currency"],
      [typed({}, "ABC"), "currency"],
    ];
    for (const [input, field] of bad) {
      const result = await saveEmvRatesAction(input as ReturnType<typeof typed>);
      expect(result, field).toMatchObject({ ok: false, error: "invalidInput" });
      expect(Object.keys((result as { fieldErrors: Record<string, string[]> }).fieldErrors), field).toEqual([field]);
    }
    // A network Ripple does not know, and numbers out of bounds straight to lib.
    const unknownNetwork = await saveEmvRatesAction({ currency: "DKK", rates: { myspace: { cpm: "1", cpc: "1", perEngagement: "1" } } } as never);
    expect(unknownNetwork).toMatchObject({ ok: false, error: "invalidInput" });
    await expect(saveEmvRates(db(), admin.scope, { currency: "DKK", rates: { x: { cpm: Number.POSITIVE_INFINITY, cpc: 1, perEngagement: 1 } } })).rejects.toThrow();
    await expect(saveEmvRates(db(), admin.scope, { currency: "DKK", rates: { x: { cpm: -0.01, cpc: 1, perEngagement: 1 } } })).rejects.toThrow();

    expect(await stored(cli.orgId)).toEqual(before);
    expect((await currentEmvTable(db(), cli.orgId)).rates.linkedin.cpm).toBe(300);
  });
});

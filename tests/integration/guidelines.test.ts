import { and, asc, eq, like } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { saveGuidelinesAction } from "@/app/(app)/admin/guidelines/actions";
import { acceptGuidelinesAction } from "@/app/(app)/guidelines/actions";
import { auditLog, guidelineVersions, memberships } from "@/db/schema";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { defaultGuidelinesDa, defaultGuidelinesEn } from "@/lib/guidelines/defaultGuidelines";
import { acceptGuidelines, currentGuidelines, guidelinesAcceptance, guidelinesStatus, listGuidelineVersions, saveGuidelines } from "@/lib/guidelines";
import { makeMember, makeOrganization } from "../support/factories";

/** The server actions run with the session this says (Auth.js needs a live request otherwise). */
const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

function signIn(member: { user: { id: string }; scope: { orgId: string } }, roles: string[]) {
  session.current = { userId: member.user.id, orgId: member.scope.orgId, orgName: "", roles };
}

async function refused(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => new Error("expected a refusal"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

async function scene() {
  const { cli } = await makeOrganization("Vindmøller A/S");
  const admin = await makeMember(cli, ["admin"], { name: "Asta Admin" });
  const mette = await makeMember(cli, ["employee"], { name: "Mette Jensen" });
  const john = await makeMember(cli, ["employee"], { name: "John Smith" });
  return { cli, admin, mette, john };
}

async function auditOf(orgId: string) {
  return db()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.orgId, orgId), like(auditLog.action, "guidelines.%")))
    .orderBy(asc(auditLog.id));
}

describe("the default guidelines", () => {
  it("are substantial, headed Markdown in both languages covering what the issue asks", () => {
    for (const text of [defaultGuidelinesDa, defaultGuidelinesEn]) {
      const words = text.split(/\s+/).filter(Boolean).length;
      expect(words).toBeGreaterThanOrEqual(400);
      expect(words).toBeLessThanOrEqual(750);
      expect(text.match(/^## /gm)!.length).toBeGreaterThanOrEqual(8);
    }
    for (const topic of ["kundeservice", "Klager", "dialog", "til rådighed", "deltager i", "hashtag", "Fortroligt", "egne vegne"]) expect(defaultGuidelinesDa).toContain(topic);
    for (const topic of ["customer service", "Complaints", "dialogue", "available", "take part in", "hashtag", "Confidential", "speak for yourself"]) expect(defaultGuidelinesEn).toContain(topic);
  });
});

describe("guidelines versions and acknowledgement", () => {
  it("reads version 1 with the default texts before the organisation saved any, writing nothing", async () => {
    const { cli, mette } = await scene();
    const current = await currentGuidelines(db(), mette.scope);
    expect(current).toMatchObject({ version: 1, bodyDa: defaultGuidelinesDa, bodyEn: defaultGuidelinesEn, requiresAcceptance: true, isDefault: true });
    expect(await guidelinesStatus(db(), mette.scope, mette.user.id)).toEqual({ version: 1, accepted: false, requiresAcceptance: true });
    expect(await db().select().from(guidelineVersions).where(eq(guidelineVersions.orgId, cli.orgId))).toEqual([]);
    expect(await listGuidelineVersions(db(), mette.scope)).toEqual([]);
  });

  it("records an acknowledgement with version and time, audited, and repeating it changes nothing", async () => {
    const { cli, mette, john } = await scene();
    const at = new Date("2026-03-02T09:00:00Z");
    expect(await acceptGuidelines(db(), mette.scope, mette.user.id, 1, at)).toEqual({ version: 1, acceptedAt: at });
    expect(await guidelinesStatus(db(), mette.scope, mette.user.id)).toEqual({ version: 1, accepted: true, requiresAcceptance: true });
    expect(await guidelinesStatus(db(), john.scope, john.user.id)).toMatchObject({ accepted: false });

    const [row] = await db().select().from(memberships).where(eq(memberships.id, mette.membership.id));
    expect(row).toMatchObject({ guidelinesVersionAccepted: 1, guidelinesAcceptedAt: at });

    expect(await acceptGuidelines(db(), mette.scope, mette.user.id, 1, new Date("2026-03-03T09:00:00Z"))).toEqual({ version: 1, acceptedAt: at });
    const entries = await auditOf(cli.orgId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "guidelines.accept", actorUserId: mette.user.id, targetType: "membership", targetId: mette.membership.id, before: { version: null }, after: { version: 1 } });
    expect(await guidelinesAcceptance(db(), cli)).toEqual({ accepted: 1, total: 3 });
  });

  it("asks again after a version that requires it, not after one that does not", async () => {
    const { cli, admin, mette, john } = await scene();
    await acceptGuidelines(db(), mette.scope, mette.user.id, 1);

    // The first save keeps the default as version 1 and stores the admin's text as version 2.
    const v2 = await saveGuidelines(db(), admin.scope, { bodyDa: "# Vores regler\n\nVær venlig.", bodyEn: "# Our rules\n\nBe kind.", requiresAcceptance: true });
    expect(v2).toMatchObject({ version: 2, bodyDa: "# Vores regler\n\nVær venlig.", requiresAcceptance: true, isDefault: false });
    expect(await currentGuidelines(db(), mette.scope)).toMatchObject({ version: 2, bodyEn: "# Our rules\n\nBe kind." });
    const history = await listGuidelineVersions(db(), admin.scope);
    expect(history.map((v) => [v.version, v.requiresAcceptance, v.authorName])).toEqual([
      [2, true, "Asta Admin"],
      [1, true, null],
    ]);
    const [v1] = await db().select().from(guidelineVersions).where(and(eq(guidelineVersions.orgId, cli.orgId), eq(guidelineVersions.version, 1)));
    expect(v1).toMatchObject({ bodyDa: defaultGuidelinesDa, bodyEn: defaultGuidelinesEn });

    expect(await guidelinesStatus(db(), mette.scope, mette.user.id)).toEqual({ version: 2, accepted: false, requiresAcceptance: true });

    // Accepting the page she had open (version 1) is refused; the current one is recorded.
    const outdated = await refused(acceptGuidelines(db(), mette.scope, mette.user.id, 1));
    expect(outdated).toMatchObject({ status: 409, code: "guidelinesOutdated" });
    await acceptGuidelines(db(), mette.scope, mette.user.id, 2);
    expect(await guidelinesStatus(db(), mette.scope, mette.user.id)).toMatchObject({ version: 2, accepted: true });

    // A typo fix: version 3, nobody has to acknowledge again; John still must (he never did).
    await saveGuidelines(db(), admin.scope, { bodyDa: "# Vores regler\n\nVær venlig og ærlig.", bodyEn: "# Our rules\n\nBe kind and honest.", requiresAcceptance: false });
    expect(await guidelinesStatus(db(), mette.scope, mette.user.id)).toEqual({ version: 3, accepted: true, requiresAcceptance: false });
    expect(await guidelinesStatus(db(), john.scope, john.user.id)).toEqual({ version: 3, accepted: false, requiresAcceptance: false });
    // John acknowledges what he sees: version 3, which covers version 2's requirement.
    await refused(acceptGuidelines(db(), john.scope, john.user.id, 2));
    await acceptGuidelines(db(), john.scope, john.user.id, 3);
    expect(await guidelinesStatus(db(), john.scope, john.user.id)).toMatchObject({ accepted: true });

    // A version from the future is refused too.
    expect(await refused(acceptGuidelines(db(), john.scope, john.user.id, 4))).toMatchObject({ code: "guidelinesOutdated" });

    const entries = await auditOf(cli.orgId);
    expect(entries.map((e) => [e.action, e.actorUserId, e.after])).toEqual([
      ["guidelines.accept", mette.user.id, { version: 1 }],
      ["guidelines.save", admin.user.id, { version: 2, requiresAcceptance: true }],
      ["guidelines.accept", mette.user.id, { version: 2 }],
      ["guidelines.save", admin.user.id, { version: 3, requiresAcceptance: false }],
      ["guidelines.accept", john.user.id, { version: 3 }],
    ]);
  });

  it("refuses an empty text and a save that changes nothing", async () => {
    const { admin } = await scene();
    expect(await refused(saveGuidelines(db(), admin.scope, { bodyDa: defaultGuidelinesDa, bodyEn: defaultGuidelinesEn }))).toMatchObject({ code: "guidelinesUnchanged" });
    await expect(saveGuidelines(db(), admin.scope, { bodyDa: "   ", bodyEn: "Fine" })).rejects.toThrow();
    await saveGuidelines(db(), admin.scope, { bodyDa: "A\r\nB", bodyEn: "C" });
    expect(await currentGuidelines(db(), admin.scope)).toMatchObject({ version: 2, bodyDa: "A\nB", bodyEn: "C" });
    expect(await refused(saveGuidelines(db(), admin.scope, { bodyDa: "A\nB ", bodyEn: "C" }))).toMatchObject({ code: "guidelinesUnchanged" });
  });

  it("numbers concurrent saves one after the other", async () => {
    const { admin } = await scene();
    const saved = await Promise.all([1, 2, 3].map((n) => saveGuidelines(db(), admin.scope, { bodyDa: `Tekst ${n}`, bodyEn: `Text ${n}` })));
    expect(saved.map((s) => s.version).sort()).toEqual([2, 3, 4]);
  });

  it("keeps organisations apart", async () => {
    const a = await scene();
    const b = await scene();
    await saveGuidelines(db(), a.admin.scope, { bodyDa: "Kun for A", bodyEn: "Only for A" });
    expect(await currentGuidelines(db(), b.mette.scope)).toMatchObject({ version: 1, isDefault: true });
    expect(await listGuidelineVersions(db(), b.admin.scope)).toEqual([]);

    // A member of A acknowledging in B's scope finds no membership there.
    await acceptGuidelines(db(), a.mette.scope, a.mette.user.id, 2);
    expect(await refused(acceptGuidelines(db(), b.cli, a.mette.user.id, 1))).toMatchObject({ status: 404 });
    expect(await guidelinesStatus(db(), b.cli, a.mette.user.id)).toEqual({ version: 1, accepted: false, requiresAcceptance: true });
    expect(await guidelinesStatus(db(), b.mette.scope, b.mette.user.id)).toMatchObject({ accepted: false });
    expect(await auditOf(b.cli.orgId)).toEqual([]);
  });
});

describe("the guidelines server actions", () => {
  it("let any member acknowledge, returning only a same-site path to go on to", async () => {
    const { mette } = await scene();
    session.current = null;
    expect(await acceptGuidelinesAction({ version: 1 })).toEqual({ ok: false, error: "unauthenticated" });
    signIn(mette, ["employee"]);
    expect(await acceptGuidelinesAction({ version: 2 })).toMatchObject({ ok: false, error: "guidelinesOutdated" });
    expect(await acceptGuidelinesAction({ version: 1, next: "//evil.example/x" })).toEqual({ ok: true, data: { next: null } });
    expect(await guidelinesStatus(db(), mette.scope, mette.user.id)).toMatchObject({ accepted: true });
  });

  it("let only admins save, in their own organisation", async () => {
    const { admin, mette } = await scene();
    signIn(mette, ["employee"]);
    expect(await saveGuidelinesAction({ bodyDa: "Nyt", bodyEn: "New" })).toEqual({ ok: false, error: "forbidden" });
    signIn(admin, ["admin"]);
    expect(await saveGuidelinesAction({ bodyDa: "", bodyEn: "New" })).toMatchObject({ ok: false, error: "invalidInput", fieldErrors: { bodyDa: ["required"] } });
    expect(await saveGuidelinesAction({ bodyDa: "Nyt", bodyEn: "New" })).toEqual({ ok: true, data: { version: 2 } });
    expect(await currentGuidelines(db(), mette.scope)).toMatchObject({ version: 2, bodyDa: "Nyt" });
    const other = await scene();
    expect(await currentGuidelines(db(), other.mette.scope)).toMatchObject({ version: 1, isDefault: true });
  });
});

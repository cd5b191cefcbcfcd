import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { auditLog, organizations } from "@/db/schema";
import { db } from "@/lib/db";
import { getOrganizationSettings, parseSettings } from "@/lib/orgs";
import { updateGovernance, type GovernanceInput } from "@/lib/orgs/governance";
import { createStory } from "@/lib/stories";
import { makeMember, makeOrganization } from "../support/factories";

async function governanceAudits(orgId: string) {
  return db()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.orgId, orgId), eq(auditLog.action, "org.governance")))
    .orderBy(asc(auditLog.id));
}

async function storedSettings(orgId: string) {
  const [org] = await db().select({ settings: organizations.settings }).from(organizations).where(eq(organizations.id, orgId));
  return org!.settings;
}

/** The zod issue messages by field, as the settings form shows them. */
async function issues(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error("expected a refusal, but it was saved");
    },
    (e: unknown) => e,
  );
  if (!(error instanceof z.ZodError)) throw error;
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) (out[issue.path.join(".")] ??= []).push(issue.message);
  return out;
}

async function organisation() {
  const { cli } = await makeOrganization("Skov & Hav ApS");
  const admin = await makeMember(cli, ["admin"], { name: "Anne Admin" });
  return { cli, admin };
}

const defaults: GovernanceInput = { approvalRequired: true, disclosureHashtag: null, blockedWords: [] };

describe("the organisation's governance settings", () => {
  it("saves approval, the disclosure hashtag with its #, and blocked words without duplicates, audited before and after", async () => {
    const { cli, admin } = await organisation();
    expect(await getOrganizationSettings(db(), cli.orgId)).toMatchObject({ approvalRequired: true, disclosureHashtag: null, blockedWords: [] });

    const saved = await updateGovernance(db(), admin.scope, {
      approvalRequired: false,
      disclosureHashtag: "  skovoghavansat ",
      blockedWords: [" Grønvask ", "grønvask", "GRØNVASK", "skjult  agenda", "Skjult Agenda", "c++", "Ærgerligt"],
    });

    expect(saved).toEqual({
      approvalRequired: false,
      disclosureHashtag: "#skovoghavansat",
      blockedWords: ["Grønvask", "skjult  agenda", "c++", "Ærgerligt"],
    });
    expect(await getOrganizationSettings(db(), cli.orgId)).toMatchObject(saved);

    const [entry, ...more] = await governanceAudits(cli.orgId);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      actorUserId: admin.user.id,
      actorKind: "user",
      targetType: "organization",
      targetId: cli.orgId,
      before: { approvalRequired: true, disclosureHashtag: null, blockedWords: [] },
      after: saved,
    });

    // A second change is audited against the first.
    await updateGovernance(db(), admin.scope, { approvalRequired: true, disclosureHashtag: "", blockedWords: [] });
    const second = (await governanceAudits(cli.orgId)).at(-1)!;
    expect(second.before).toEqual(saved);
    expect(second.after).toEqual({ approvalRequired: true, disclosureHashtag: null, blockedWords: [] });
    expect((await getOrganizationSettings(db(), cli.orgId)).disclosureHashtag).toBeNull();
  });

  it("keeps the other settings as they were", async () => {
    const { cli, admin } = await organisation();
    const before = await storedSettings(cli.orgId);
    await updateGovernance(db(), admin.scope, { ...defaults, disclosureHashtag: "#Ansat" });
    const after = await getOrganizationSettings(db(), cli.orgId);
    const parsedBefore = parseSettings(before);
    expect({ ...after, disclosureHashtag: null }).toEqual({ ...parsedBefore, disclosureHashtag: null });
    expect(after.disclosureHashtag).toBe("#Ansat");
  });

  it("takes Danish letters in the hashtag and a full-width #", async () => {
    const { admin } = await organisation();
    expect((await updateGovernance(db(), admin.scope, { ...defaults, disclosureHashtag: "#SkovOgHavMedarbejderÆØÅ" })).disclosureHashtag).toBe("#SkovOgHavMedarbejderÆØÅ");
    expect((await updateGovernance(db(), admin.scope, { ...defaults, disclosureHashtag: "＃ansat_2025" })).disclosureHashtag).toBe("#ansat_2025");
  });

  it("refuses an invalid hashtag and phrases without letters, saving and auditing nothing", async () => {
    const { cli, admin } = await organisation();
    await updateGovernance(db(), admin.scope, { approvalRequired: true, disclosureHashtag: "#gyldig", blockedWords: ["tilladt"] });
    const stored = await storedSettings(cli.orgId);
    const audits = (await governanceAudits(cli.orgId)).length;

    expect(await issues(updateGovernance(db(), admin.scope, { ...defaults, disclosureHashtag: "#" }))).toEqual({ disclosureHashtag: expect.arrayContaining(["disclosureHashtagInvalid"]) });
    expect(await issues(updateGovernance(db(), admin.scope, { ...defaults, disclosureHashtag: "#123" }))).toEqual({ disclosureHashtag: ["disclosureHashtagNoLetter"] });
    expect(await issues(updateGovernance(db(), admin.scope, { ...defaults, disclosureHashtag: "has space" }))).toEqual({ disclosureHashtag: ["disclosureHashtagInvalid"] });
    expect(await issues(updateGovernance(db(), admin.scope, { ...defaults, disclosureHashtag: "#ansat-dk" }))).toEqual({ disclosureHashtag: ["disclosureHashtagInvalid"] });
    expect(await issues(updateGovernance(db(), admin.scope, { ...defaults, disclosureHashtag: `#${"a".repeat(50)}` }))).toEqual({
      disclosureHashtag: ["disclosureHashtagInvalid"],
    });
    expect(await issues(updateGovernance(db(), admin.scope, { ...defaults, blockedWords: ["ok", "!!!", "   "] }))).toEqual({
      "blockedWords.1": ["blockedPhraseNoLetters"],
      "blockedWords.2": expect.arrayContaining(["blockedPhraseEmpty"]),
    });
    expect(await issues(updateGovernance(db(), admin.scope, { ...defaults, blockedWords: ["x".repeat(101)] }))).toEqual({ "blockedWords.0": ["blockedPhraseTooLong"] });
    expect(await issues(updateGovernance(db(), admin.scope, { ...defaults, blockedWords: Array.from({ length: 501 }, (_, i) => `ord${i}`) }))).toEqual({
      blockedWords: ["blockedPhrasesTooMany"],
    });

    expect(await storedSettings(cli.orgId)).toEqual(stored);
    expect(await governanceAudits(cli.orgId)).toHaveLength(audits);
  });

  it("applies the saved words to stories at once, literally (no regular expression)", async () => {
    const { cli, admin } = await organisation();
    const editor = await makeMember(cli, ["editor"]);
    await updateGovernance(db(), admin.scope, { ...defaults, blockedWords: ["a.b", "(ulovligt", "$100"] });

    // A phrase is matched as written, so "a.b" does not find "axb", "(ulovligt" compiles fine.
    await createStory(db(), editor.scope, { title: "axb og ulovligt og 100 kroner", language: "da" });
    await expect(createStory(db(), editor.scope, { title: "Se a.b her", language: "da" })).rejects.toMatchObject({
      fieldErrors: { title: ["blockedPhrase:a.b"] },
    });
    await expect(createStory(db(), editor.scope, { title: "Tilbud: $100 (ulovligt)", language: "da" })).rejects.toMatchObject({
      fieldErrors: { title: ["blockedPhrase:$100", "blockedPhrase:(ulovligt"] },
    });
  });

  it("only changes its own organisation", async () => {
    const { cli, admin } = await organisation();
    const other = await organisation();
    await updateGovernance(db(), admin.scope, { approvalRequired: false, disclosureHashtag: "#vores", blockedWords: ["hemmeligt"] });
    expect(await getOrganizationSettings(db(), other.cli.orgId)).toMatchObject({ approvalRequired: true, disclosureHashtag: null, blockedWords: [] });
    expect(await governanceAudits(other.cli.orgId)).toEqual([]);
    expect(cli.orgId).not.toBe(other.cli.orgId);
  });
});

import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { memberships, users } from "@/db/schema";
import { db } from "@/lib/db";
import { inviteMember, listMembers } from "@/lib/members";
import { applyMemberImport, IMPORT_MAX_ROWS, invitationLinksCsv, previewMemberImport } from "@/lib/members/import";
import { acceptInvitationLink } from "@/lib/members/invitation-links";
import { createTeam } from "@/lib/teams";
import { makeMember, makeOrganization, uniqueEmail } from "../support/factories";

async function setup() {
  const { org, cli } = await makeOrganization("Import A/S");
  const admin = await makeMember(cli, ["admin"], { name: "Admin" });
  const salg = await createTeam(db(), admin.scope, { name: "Salg" });
  const oest = await createTeam(db(), admin.scope, { name: "Salg Øst", parentId: salg.id });
  return { org, cli, admin, salg, oest };
}

const csv = (...lines: string[]) => lines.join("\n") + "\n";

describe("member import from CSV", () => {
  it("previews what would be created, changed and left alone, writing nothing", async () => {
    const { admin, cli, salg, oest } = await setup();
    const existing = await makeMember(cli, ["employee"], { name: "Eva Existing", teamId: salg.id });
    const same = await makeMember(cli, ["employee"], { name: "Sam Same" });
    const newcomer = uniqueEmail("new");
    const file = csv(
      "email,name,team,roles",
      `${newcomer},Nina New,Salg/Salg Øst,employee;manager`,
      `${existing.user.email.toUpperCase()},Eva Existing,salg/salg øst,employee`,
      `${same.user.email},Sam Same,,employee`,
    );
    const preview = await previewMemberImport(db(), admin.scope, file);
    expect(preview.fileError).toBeNull();
    expect(preview.counts).toEqual({ create: 1, change: 1, unchanged: 1, refused: 0 });
    expect(preview.canApply).toBe(true);
    expect(preview.rows[0]).toMatchObject({ line: 2, kind: "create", email: newcomer, name: "Nina New", teamId: oest.id, roles: ["manager", "employee"] });
    expect(preview.rows[1]).toMatchObject({ line: 3, kind: "change", changes: ["team"], teamId: oest.id });
    expect(preview.rows[2]).toMatchObject({ line: 4, kind: "unchanged" });
    expect(await listMembers(db(), admin.scope, { q: newcomer })).toHaveLength(0);
  });

  it("lists every refused line with its reason, and applies nothing when one line is bad", async () => {
    const { admin, cli } = await setup();
    const deactivated = await makeMember(cli, ["employee"]);
    await db().update(memberships).set({ status: "deactivated" }).where(eq(memberships.id, deactivated.membership.id));
    const good = uniqueEmail("good");
    const dup = uniqueEmail("dup");
    const file = csv(
      "email;name;team;roles",
      `${good};Good;;employee`,
      `not-an-email;Bad;;employee`,
      `${dup};Dup;;employee`,
      `${dup.toUpperCase()};Dup again;;employee`,
      `${uniqueEmail("team")};T;Nowhere/Else;employee`,
      `${uniqueEmail("role")};R;;employee;"chief"`,
      `${uniqueEmail("norole")};N;;`,
      `${deactivated.user.email};D;;employee`,
    );
    const preview = await previewMemberImport(db(), admin.scope, file);
    const refused = preview.rows.filter((r) => r.kind === "refused").map((r) => ({ line: r.line, reasons: "reasons" in r ? r.reasons : [] }));
    expect(refused).toEqual([
      { line: 3, reasons: [{ code: "invalidEmail" }] },
      { line: 5, reasons: [{ code: "duplicateEmail", value: "4" }] },
      { line: 6, reasons: [{ code: "unknownTeam", value: "Nowhere/Else" }] },
      { line: 7, reasons: [{ code: "wrongColumnCount", value: "4" }] },
      { line: 8, reasons: [{ code: "atLeastOneRole" }] },
      { line: 9, reasons: [{ code: "deactivated" }] },
    ]);
    expect(preview.canApply).toBe(false);

    const result = await applyMemberImport(db(), admin.scope, file);
    expect(result.applied).toBe(false);
    expect(await listMembers(db(), admin.scope, { q: good })).toHaveLength(0);
    expect(await listMembers(db(), admin.scope, { q: dup })).toHaveLength(0);
  });

  it("refuses unknown roles by name", async () => {
    const { admin } = await setup();
    const preview = await previewMemberImport(db(), admin.scope, csv("email,roles", `${uniqueEmail()},"employee;chief"`));
    expect(preview.rows[0]).toMatchObject({ kind: "refused", reasons: [{ code: "unknownRole", value: "chief" }] });
  });

  it("refuses a whole file with unknown or missing columns, too many rows, or too many bytes", async () => {
    const { admin } = await setup();
    expect((await previewMemberImport(db(), admin.scope, csv("email,roles,salary", "a@b.dk,employee,1"))).fileError).toEqual({ code: "unknownColumns", value: "salary" });
    expect((await previewMemberImport(db(), admin.scope, csv("email,name", "a@b.dk,A"))).fileError).toEqual({ code: "missingColumns", value: "roles" });
    expect((await previewMemberImport(db(), admin.scope, ""))).toMatchObject({ fileError: { code: "fileEmpty" }, canApply: false });
    const many = ["email,roles", ...Array.from({ length: IMPORT_MAX_ROWS + 1 }, (_, i) => `p${i}@example.test,employee`)];
    expect((await previewMemberImport(db(), admin.scope, csv(...many))).fileError).toEqual({ code: "tooManyRows", value: String(IMPORT_MAX_ROWS) });
    const big = csv("email,name,roles", ...Array.from({ length: 400 }, (_, i) => `p${i}@example.test,${"x".repeat(700)},employee`));
    expect((await previewMemberImport(db(), admin.scope, big)).fileError).toMatchObject({ code: "fileTooLarge" });
    expect((await applyMemberImport(db(), admin.scope, big)).applied).toBe(false);
  });

  it("applies: invites the new people with working links and updates the changed ones", async () => {
    const { org, admin, cli, salg, oest } = await setup();
    const existing = await makeMember(cli, ["employee"], { teamId: salg.id });
    await db().update(users).set({ name: null }).where(eq(users.id, existing.user.id));
    const a = uniqueEmail("a");
    const b = uniqueEmail("b");
    const file = csv("email,name,team,roles", `${a},Anna,Salg,employee`, `${b},,Salg/Salg Øst,manager;employee`, `${existing.user.email},Filled In,Salg/Salg Øst,employee;editor`);
    const result = await applyMemberImport(db(), admin.scope, file);
    if (!result.applied) throw new Error(JSON.stringify(result.preview));
    expect(result.created.map((c) => c.email)).toEqual([a, b]);
    expect(result.changed).toBe(1);
    const [anna] = await listMembers(db(), admin.scope, { q: a });
    expect(anna).toMatchObject({ status: "invited", name: "Anna", teamId: salg.id, roles: ["employee"] });
    const [changed] = await listMembers(db(), admin.scope, { q: existing.user.email });
    expect(changed).toMatchObject({ teamId: oest.id, roles: ["editor", "employee"], name: "Filled In" });

    const token = result.created[0]!.link.url.split("/invite/")[1]!;
    expect(await acceptInvitationLink(db(), token)).toMatchObject({ email: a, orgId: org.id });
    const file2 = invitationLinksCsv(result.created.map((c) => ({ email: c.email, name: c.name, url: c.link.url, expiresAt: c.link.expiresAt })));
    expect(file2.split("\n")[0]).toBe("email,name,link,expires_at");
    expect(file2).toContain(result.created[1]!.link.url);
    // A name a spreadsheet would run as a formula is written as plain text.
    expect(invitationLinksCsv([{ email: "x@example.test", name: "=HYPERLINK(1)", url: "u", expiresAt: new Date(0) }])).toContain("'=HYPERLINK(1)");

    // The same file again changes nothing more.
    expect((await previewMemberImport(db(), admin.scope, file)).counts).toMatchObject({ create: 0, change: 0, unchanged: 3 });
  });

  it("keeps a person's existing name: the file only fills in a missing one", async () => {
    const { admin, cli } = await setup();
    const named = await makeMember(cli, ["employee"], { name: "Own Name" });
    const preview = await previewMemberImport(db(), admin.scope, csv("email,name,roles", `${named.user.email},Other Name,employee`));
    expect(preview.rows[0]).toMatchObject({ kind: "unchanged" });
  });

  it("a rule that bites while applying (the last admin losing the role) rolls everything back and names the line", async () => {
    const { admin } = await setup();
    const fresh = uniqueEmail("fresh");
    const file = csv("email,roles", `${fresh},employee`, `${admin.user.email},employee`);
    const result = await applyMemberImport(db(), admin.scope, file);
    expect(result.applied).toBe(false);
    if (result.applied) return;
    expect(result.preview.rows[1]).toMatchObject({ line: 3, kind: "refused", reasons: [{ code: "lastAdmin" }] });
    expect(result.preview.canApply).toBe(false);
    expect(await listMembers(db(), admin.scope, { q: fresh })).toHaveLength(0);
  });

  it("an admin of one organisation can never change another's members or use its teams", async () => {
    const a = await setup();
    const b = await setup();
    const theirs = await makeMember(b.cli, ["employee"], { teamId: b.salg.id });
    const pending = uniqueEmail("pending");
    await inviteMember(db(), b.admin.scope, { email: pending, roles: ["employee"] });

    // Organisation A's admin names B's member and B's team path: to A these are strangers.
    const file = csv("email,team,roles", `${theirs.user.email},Salg/Salg Øst,admin;employee`, `${pending},,manager`);
    const preview = await previewMemberImport(db(), a.admin.scope, file);
    expect(preview.rows.map((r) => r.kind)).toEqual(["create", "create"]);
    expect(preview.rows[0]).toMatchObject({ teamId: a.oest.id });
    const result = await applyMemberImport(db(), a.admin.scope, file);
    expect(result.applied).toBe(true);

    const [inB] = await db()
      .select()
      .from(memberships)
      .where(and(eq(memberships.orgId, b.org.id), eq(memberships.userId, theirs.user.id)));
    expect(inB).toMatchObject({ roles: ["employee"], teamId: b.salg.id, status: "active" });
    const [pendingInB] = await listMembers(db(), b.admin.scope, { q: pending });
    expect(pendingInB).toMatchObject({ roles: ["employee"], status: "invited" });
  });
});

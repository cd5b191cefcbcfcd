import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import * as exportRoute from "@/app/(app)/admin/audit/export/route";
import { auditLog, memberships, type Role } from "@/db/schema";
import { audit, auditActors, readAuditLog } from "@/lib/audit";
import { createApiToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db";
import { updateMember } from "@/lib/members";
import { createTeam, deleteTeam, renameTeam } from "@/lib/teams";
import { createTopic } from "@/lib/topics";
import { makeMember, makeOrganization } from "../support/factories";

/** The audit log as an admin reads it: names, changed fields, filters, one organisation only, and its CSV. */

const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));

const ZONE = "Europe/Copenhagen";

async function organisationWithHistory() {
  const { org, cli } = await makeOrganization("Revision A/S");
  const admin = await makeMember(cli, ["admin"], { name: "Mette Admin" });
  const employee = await makeMember(cli, ["employee"], { name: "Jonas Ansat" });
  const leaver = await makeMember(cli, ["editor"], { name: "Karen Går" });
  const team = await createTeam(db(), admin.scope, { name: "Salg" });
  await renameTeam(db(), admin.scope, team.id, "Salg Øst");
  await updateMember(db(), admin.scope, employee.membership.id, { teamId: team.id, roles: ["employee"] });
  const old = await createTeam(db(), admin.scope, { name: "Gammelt team" });
  await deleteTeam(db(), admin.scope, old.id);
  const { record: token } = await createApiToken(db(), employee.scope, { userId: employee.user.id, name: "Zapier" });
  await createTopic(db(), leaver.scope, "Vindkraft");
  // The leaver is gone from the organisation (as after erasure): what they did stays, by "a deleted member".
  await db().delete(memberships).where(eq(memberships.id, leaver.membership.id));
  return { org, cli, admin, employee, leaver, team, old, token };
}

function asSession(member: { user: { id: string }; scope: { orgId: string } }, roles: Role[]) {
  session.current = { userId: member.user.id, orgId: member.scope.orgId, orgName: "", roles };
}

async function download(query: string, locale: "da" | "en" = "en") {
  const response = await exportRoute.GET(new Request(`http://localhost/admin/audit/export${query}`, { headers: { cookie: `NEXT_LOCALE=${locale}` } }), {
    params: Promise.resolve({}),
  });
  // Keep the BOM: response.text() would drop it.
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await response.arrayBuffer());
  return { status: response.status, type: response.headers.get("content-type"), text };
}

describe("reading the audit log", () => {
  it("names people, teams and tokens instead of ids, and shows what changed as old → new", async () => {
    const { admin, employee, team, token } = await organisationWithHistory();
    const rows = await readAuditLog(db(), admin.scope, { timeZone: ZONE });

    const rename = rows.find((r) => r.action === "team.rename")!;
    expect(rename).toMatchObject({ known: true, actor: { kind: "member", name: "Mette Admin" }, target: { type: "team", name: "Salg Øst", deleted: false } });
    expect(rename.changes).toEqual([{ field: "name", from: "Salg", to: "Salg Øst" }]);

    const moved = rows.find((r) => r.action === "member.update")!;
    expect(moved.target).toMatchObject({ type: "membership", name: "Jonas Ansat", deleted: false });
    expect(moved.changes).toContainEqual({ field: "teamId", from: null, to: "Salg Øst" });
    expect(JSON.stringify(moved)).not.toContain(`"to":"${team.id}"`);

    const created = rows.find((r) => r.action === "api_token.create")!;
    expect(created.actor).toMatchObject({ kind: "member", name: "Jonas Ansat" });
    expect(created.target.name).toBe(`Zapier (${token.prefix}…)`);
    expect(created.changes).toContainEqual({ field: "userId", from: null, to: "Jonas Ansat" });
    expect(employee.user.id).not.toBe("Jonas Ansat");
  });

  it("keeps deleted things as deleted: a deleted team by the name it had, a member who left as a deleted member", async () => {
    const { admin } = await organisationWithHistory();
    const rows = await readAuditLog(db(), admin.scope, { timeZone: ZONE });

    expect(rows.find((r) => r.action === "team.delete")!.target).toMatchObject({ type: "team", name: "Gammelt team", deleted: true });
    const topic = rows.find((r) => r.action === "topic.create")!;
    expect(topic.actor).toEqual({ kind: "deletedMember" });
    expect(topic.target).toMatchObject({ name: "Vindkraft", deleted: false });
  });

  it("filters by person, by action and by period in the reader's time zone", async () => {
    const { admin, employee, cli } = await organisationWithHistory();

    // The person filter offers the members who did something; one who left is not named there either.
    expect((await auditActors(db(), admin.scope)).map((p) => p.name)).toEqual(["Jonas Ansat", "Mette Admin"]);
    const byEmployee = await readAuditLog(db(), admin.scope, { timeZone: ZONE, filter: { person: employee.user.id } });
    expect(byEmployee.map((r) => r.action)).toEqual(["api_token.create"]);

    const renames = await readAuditLog(db(), admin.scope, { timeZone: ZONE, filter: { action: "team.rename" } });
    expect(renames.map((r) => r.action)).toEqual(["team.rename"]);

    // One entry moved to 10 January 2025 at 23:30 in Copenhagen (22:30 UTC).
    const [entry] = await db().select().from(auditLog).where(and(eq(auditLog.orgId, cli.orgId), eq(auditLog.action, "team.delete")));
    await db().update(auditLog).set({ createdAt: new Date("2025-01-10T22:30:00Z") }).where(eq(auditLog.id, entry!.id));
    const thatDay = await readAuditLog(db(), admin.scope, { timeZone: ZONE, filter: { from: "2025-01-10", to: "2025-01-10" } });
    expect(thatDay.map((r) => r.id)).toEqual([entry!.id]);
    expect(await readAuditLog(db(), admin.scope, { timeZone: ZONE, filter: { from: "2025-01-11", to: "2025-01-11" } })).toEqual([]);
    // In UTC the same moment is still the 10th, in Tokyo the 11th.
    expect((await readAuditLog(db(), admin.scope, { timeZone: "Asia/Tokyo", filter: { from: "2025-01-11", to: "2025-01-11" } })).map((r) => r.id)).toEqual([entry!.id]);
    const since = await readAuditLog(db(), admin.scope, { timeZone: ZONE, filter: { from: "2025-01-11" } });
    expect(since.map((r) => r.id)).not.toContain(entry!.id);
    expect(since.length).toBeGreaterThan(3);
  });

  it("never shows another organisation's entries or names", async () => {
    const a = await organisationWithHistory();
    const b = await organisationWithHistory();
    const secret = await createTeam(db(), b.admin.scope, { name: "Hemmeligt B-team" });
    // An entry of A that mentions B's team by id (as a forged or stale id would): the id is not named.
    await db().transaction((tx) => audit(tx, a.admin.scope, { action: "team.move", targetType: "team", targetId: secret.id, before: { parentId: null }, after: { parentId: secret.id } }));

    const rows = await readAuditLog(db(), a.admin.scope, { timeZone: ZONE, limit: 500 });
    const ids = (await db().select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.orgId, b.cli.orgId))).map((r) => r.id);
    expect(rows.some((r) => ids.includes(r.id))).toBe(false);
    expect(JSON.stringify(rows)).not.toContain("Hemmeligt B-team");
    expect(await readAuditLog(db(), a.admin.scope, { timeZone: ZONE, filter: { person: b.admin.user.id } })).toEqual([]);
  });
});

describe("the audit CSV", () => {
  it("downloads the filtered rows for an admin, in the reader's language, with formula-safe cells", async () => {
    const { admin, team } = await organisationWithHistory();
    await renameTeam(db(), admin.scope, team.id, "=HYPERLINK(\"http://evil.example\")");
    asSession(admin, ["admin"]);

    const english = await download("?action=team.rename");
    expect(english.status).toBe(200);
    expect(english.type).toBe("text/csv; charset=utf-8");
    expect(english.text.startsWith("\uFEFF")).toBe(true);
    const lines = english.text.slice(1).trim().split("\r\n");
    expect(lines[0]).toBe("Time (UTC),Who,Action code,What,Kind,Which,Changes");
    expect(lines).toHaveLength(3);
    expect(lines.every((l, i) => i === 0 || l.includes("Renamed a team"))).toBe(true);
    expect(lines[1]).toContain("'=HYPERLINK");
    expect(lines[1]).toContain("Mette Admin");
    expect(english.text).not.toMatch(/,=HYPERLINK|,"=HYPERLINK/);

    const danish = await download("?action=team.rename", "da");
    expect(danish.text.slice(1).split("\r\n")[0]).toBe("Tidspunkt (UTC);Hvem;Handlingskode;Hvad;Slags;Hvilken;Ændringer");
    expect(danish.text).toContain("Omdøbte et team");
  });

  it("is for admins only, and holds only their organisation's entries", async () => {
    const a = await organisationWithHistory();
    const b = await organisationWithHistory();
    asSession(a.employee, ["employee"]);
    expect((await download("")).status).toBe(403);

    asSession(a.admin, ["admin"]);
    const all = await download("");
    expect(all.status).toBe(200);
    expect(all.text).toContain("Mette Admin");
    expect(all.text).not.toContain(b.token.prefix);
    expect(all.text).toContain(a.token.prefix);

    const bad = await download("?from=2025-02-01&to=2025-01-01");
    expect(bad.status).toBe(400);
  });
});

import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, memberships } from "@/db/schema";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { deactivateMember, inviteMember, listMembers, reactivateMember, updateMember } from "@/lib/members";
import { createTeam } from "@/lib/teams";
import { makeMember, makeOrganization, uniqueEmail } from "../support/factories";

async function auditFor(orgId: string, targetId: string) {
  return db().select().from(auditLog).where(and(eq(auditLog.orgId, orgId), eq(auditLog.targetId, targetId)));
}

describe("organisation members", () => {
  it("invites a person by email into a team, recording who did it with before and after", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const team = await createTeam(db(), admin.scope, { name: "Salg" });
    const email = uniqueEmail("Invitee").toUpperCase();

    const { membership, user } = await inviteMember(db(), admin.scope, { email, roles: ["employee", "editor", "employee"], teamId: team.id });

    expect(user.email).toBe(email.toLowerCase());
    expect(membership).toMatchObject({ status: "invited", roles: ["editor", "employee"], teamId: team.id, invitedBy: admin.user.id });
    const [entry] = await auditFor(cli.orgId, membership.id);
    expect(entry).toMatchObject({ action: "member.invite", actorUserId: admin.user.id, actorKind: "user", before: null });
    expect(entry!.after).toMatchObject({ email: email.toLowerCase(), roles: ["editor", "employee"], teamId: team.id });
  });

  it("refuses to invite someone twice and changes nothing", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const email = uniqueEmail();
    await inviteMember(db(), admin.scope, { email, roles: ["employee"] });
    await expect(inviteMember(db(), admin.scope, { email, roles: ["admin"] })).rejects.toMatchObject({ code: "alreadyMember", status: 409 });
    const rows = await listMembers(db(), admin.scope, { q: email });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.roles).toEqual(["employee"]);
  });

  it("refuses a team of another organisation, writing nothing", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const other = await makeOrganization("Other A/S");
    const otherAdmin = await makeMember(other.cli, ["admin"]);
    const foreignTeam = await createTeam(db(), otherAdmin.scope, { name: "Hemmeligt" });
    const email = uniqueEmail();

    const error = await inviteMember(db(), admin.scope, { email, roles: ["employee"], teamId: foreignTeam.id }).catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.fieldErrors).toEqual({ teamId: ["unknownTeam"] });
    expect(await listMembers(db(), admin.scope, { q: email })).toHaveLength(0);
  });

  it("keeps at least one active admin", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    await expect(updateMember(db(), admin.scope, admin.membership.id, { roles: ["employee"] })).rejects.toMatchObject({ code: "lastAdmin" });
    const second = await makeMember(cli, ["admin", "employee"]);
    const updated = await updateMember(db(), second.scope, admin.membership.id, { roles: ["employee"] });
    expect(updated.roles).toEqual(["employee"]);
    await expect(deactivateMember(db(), admin.scope, second.membership.id)).rejects.toMatchObject({ code: "lastAdmin" });
  });

  it("deactivates and reactivates a member, both audited, but never oneself", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const employee = await makeMember(cli, ["employee"]);
    await expect(deactivateMember(db(), admin.scope, admin.membership.id)).rejects.toMatchObject({ code: "cannotDeactivateSelf" });

    const off = await deactivateMember(db(), admin.scope, employee.membership.id);
    expect(off.status).toBe("deactivated");
    const on = await reactivateMember(db(), admin.scope, employee.membership.id);
    expect(on.status).toBe("active");
    const actions = (await auditFor(cli.orgId, employee.membership.id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["member.add", "member.deactivate", "member.reactivate"]));
  });

  it("cannot reach a member of another organisation", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const other = await makeOrganization();
    const stranger = await makeMember(other.cli, ["employee"]);

    await expect(updateMember(db(), admin.scope, stranger.membership.id, { roles: ["admin"] })).rejects.toMatchObject({ status: 404 });
    await expect(deactivateMember(db(), admin.scope, stranger.membership.id)).rejects.toMatchObject({ status: 404 });
    const [row] = await db().select().from(memberships).where(eq(memberships.id, stranger.membership.id));
    expect(row).toMatchObject({ roles: ["employee"], status: "active" });
    expect((await listMembers(db(), admin.scope)).map((m) => m.userId)).not.toContain(stranger.user.id);
  });
});

import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, teamManagers, teams } from "@/db/schema";
import { db } from "@/lib/db";
import { deactivateMember } from "@/lib/members";
import {
  buildTeamTree,
  createTeam,
  flattenTeamTree,
  deleteTeam,
  listTeams,
  managedTeamIds,
  moveTeam,
  renameTeam,
  setTeamManagers,
  teamAndDescendantIds,
} from "@/lib/teams";
import type { Scope } from "@/lib/tenant";
import { makeMember, makeOrganization } from "../support/factories";

async function auditActions(orgId: string, teamId: string) {
  const rows = await db()
    .select({ action: auditLog.action, actorUserId: auditLog.actorUserId, before: auditLog.before, after: auditLog.after })
    .from(auditLog)
    .where(and(eq(auditLog.orgId, orgId), eq(auditLog.targetType, "team"), eq(auditLog.targetId, teamId)))
    .orderBy(asc(auditLog.id));
  return rows;
}

async function teamRow(teamId: string) {
  const [row] = await db().select().from(teams).where(eq(teams.id, teamId));
  return row;
}

/** Salg ─┬─ Salg Øst ── Øst Nord
 *        └─ Salg Vest
 *  Teknik */
async function salesTree(scope: Scope) {
  const salg = await createTeam(db(), scope, { name: "Salg" });
  const oest = await createTeam(db(), scope, { name: "Salg Øst", parentId: salg.id });
  const vest = await createTeam(db(), scope, { name: "Salg Vest", parentId: salg.id });
  const nord = await createTeam(db(), scope, { name: "Øst Nord", parentId: oest.id });
  const teknik = await createTeam(db(), scope, { name: "Teknik" });
  return { salg, oest, vest, nord, teknik };
}

describe("teams", () => {
  it("creates, renames, moves and deletes a team, each change audited with its actor", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const parent = await createTeam(db(), admin.scope, { name: "Teknik" });

    const team = await createTeam(db(), admin.scope, { name: "  Drift " });
    expect(team).toMatchObject({ name: "Drift", parentId: null, orgId: cli.orgId });
    const renamed = await renameTeam(db(), admin.scope, team.id, "Drift og vedligehold");
    expect(renamed.name).toBe("Drift og vedligehold");
    const moved = await moveTeam(db(), admin.scope, team.id, parent.id);
    expect(moved.parentId).toBe(parent.id);
    const top = await moveTeam(db(), admin.scope, team.id, null);
    expect(top.parentId).toBeNull();
    await deleteTeam(db(), admin.scope, team.id);
    expect(await teamRow(team.id)).toBeUndefined();

    const entries = await auditActions(cli.orgId, team.id);
    expect(entries.map((e) => e.action)).toEqual(["team.create", "team.rename", "team.move", "team.move", "team.delete"]);
    expect(entries.every((e) => e.actorUserId === admin.user.id)).toBe(true);
    expect(entries[1]!.before).toMatchObject({ name: "Drift" });
    expect(entries[1]!.after).toMatchObject({ name: "Drift og vedligehold" });
    expect(entries[2]!.after).toMatchObject({ parentId: parent.id });
    expect(entries[4]!.before).toMatchObject({ name: "Drift og vedligehold" });
  });

  it("keeps names unique among siblings but allows the same name under different parents", async () => {
    const { cli } = await makeOrganization();
    const { salg, oest, vest } = await salesTree(cli);

    await expect(createTeam(db(), cli, { name: "Salg" })).rejects.toMatchObject({ code: "teamNameTaken", status: 409 });
    await expect(createTeam(db(), cli, { name: "Salg Øst", parentId: salg.id })).rejects.toMatchObject({ code: "teamNameTaken" });
    await expect(renameTeam(db(), cli, vest.id, "Salg Øst")).rejects.toMatchObject({ code: "teamNameTaken" });
    expect((await teamRow(vest.id))!.name).toBe("Salg Vest");

    const a = await createTeam(db(), cli, { name: "Kundeservice", parentId: oest.id });
    const b = await createTeam(db(), cli, { name: "Kundeservice", parentId: vest.id });
    const c = await createTeam(db(), cli, { name: "Kundeservice" });
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);

    // Moving a team next to a sibling of the same name is a conflict too, and nothing moves.
    await expect(moveTeam(db(), cli, a.id, vest.id)).rejects.toMatchObject({ code: "teamNameTaken" });
    expect((await teamRow(a.id))!.parentId).toBe(oest.id);
  });

  it("allows the same team names in another organisation", async () => {
    const first = await makeOrganization();
    const second = await makeOrganization();
    await createTeam(db(), first.cli, { name: "Salg" });
    await expect(createTeam(db(), second.cli, { name: "Salg" })).resolves.toMatchObject({ name: "Salg", orgId: second.cli.orgId });
  });

  it("refuses to move a team under itself or its own sub-team, and nothing changes", async () => {
    const { cli } = await makeOrganization();
    const { salg, oest, nord } = await salesTree(cli);

    for (const target of [nord.id, oest.id, salg.id]) {
      await expect(moveTeam(db(), cli, salg.id, target)).rejects.toMatchObject({ code: "teamCycle", fieldErrors: { parentId: ["teamCycle"] } });
    }
    expect((await teamRow(salg.id))!.parentId).toBeNull();
    expect((await teamRow(oest.id))!.parentId).toBe(salg.id);
    expect((await auditActions(cli.orgId, salg.id)).map((e) => e.action)).toEqual(["team.create"]);
  });

  it("deletes only empty teams: not one with sub-teams, not one with members", async () => {
    const { cli } = await makeOrganization();
    const { salg, vest, teknik } = await salesTree(cli);
    await makeMember(cli, ["employee"], { teamId: teknik.id });

    await expect(deleteTeam(db(), cli, salg.id)).rejects.toMatchObject({ code: "teamNotEmpty", status: 409 });
    await expect(deleteTeam(db(), cli, teknik.id)).rejects.toMatchObject({ code: "teamNotEmpty" });
    expect(await teamRow(salg.id)).toBeDefined();
    expect(await teamRow(teknik.id)).toBeDefined();

    await deleteTeam(db(), cli, vest.id);
    expect(await teamRow(vest.id)).toBeUndefined();
  });

  it("counts sub-teams in teamAndDescendantIds and managedTeamIds", async () => {
    const { cli } = await makeOrganization();
    const { salg, oest, vest, nord, teknik } = await salesTree(cli);
    const manager = await makeMember(cli, ["manager"]);

    expect((await teamAndDescendantIds(db(), cli, [salg.id])).sort()).toEqual([salg.id, oest.id, vest.id, nord.id].sort());
    expect((await teamAndDescendantIds(db(), cli, [oest.id, teknik.id])).sort()).toEqual([oest.id, nord.id, teknik.id].sort());
    expect(await teamAndDescendantIds(db(), cli, [])).toEqual([]);

    expect(await managedTeamIds(db(), cli, manager.user.id)).toEqual([]);
    await setTeamManagers(db(), cli, oest.id, [manager.user.id]);
    expect((await managedTeamIds(db(), cli, manager.user.id)).sort()).toEqual([oest.id, nord.id].sort());
    await setTeamManagers(db(), cli, salg.id, [manager.user.id]);
    expect((await managedTeamIds(db(), cli, manager.user.id)).sort()).toEqual([salg.id, oest.id, vest.id, nord.id].sort());
  });

  it("lets only active members holding the manager role manage a team", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const team = await createTeam(db(), cli, { name: "Salg" });
    const manager = await makeMember(cli, ["manager", "employee"]);
    const employee = await makeMember(cli, ["employee"]);
    const former = await makeMember(cli, ["manager"]);
    await deactivateMember(db(), admin.scope, former.membership.id);
    const other = await makeOrganization();
    const foreignManager = await makeMember(other.cli, ["manager"]);

    await setTeamManagers(db(), admin.scope, team.id, [manager.user.id, manager.user.id]);
    for (const refused of [employee, former, foreignManager, admin]) {
      await expect(setTeamManagers(db(), admin.scope, team.id, [manager.user.id, refused.user.id])).rejects.toMatchObject({
        code: "notAManager",
        fieldErrors: { managers: ["notAManager"] },
      });
    }
    const rows = await db().select({ userId: teamManagers.userId }).from(teamManagers).where(eq(teamManagers.teamId, team.id));
    expect(rows.map((r) => r.userId)).toEqual([manager.user.id]);
    expect((await listTeams(db(), cli)).find((t) => t.id === team.id)!.managerIds).toEqual([manager.user.id]);

    await setTeamManagers(db(), admin.scope, team.id, []);
    expect(await db().select().from(teamManagers).where(eq(teamManagers.teamId, team.id))).toEqual([]);
    const entries = await auditActions(cli.orgId, team.id);
    expect(entries.filter((e) => e.action === "team.managers").map((e) => e.after)).toEqual([{ managers: [manager.user.id] }, { managers: [] }]);
  });

  it("never lists, changes or uses another organisation's teams", async () => {
    const { cli } = await makeOrganization();
    const mine = await createTeam(db(), cli, { name: "Salg" });
    const other = await makeOrganization();
    const theirs = await salesTree(other.cli);
    const manager = await makeMember(cli, ["manager"]);

    expect((await listTeams(db(), cli)).map((t) => t.id)).toEqual([mine.id]);
    await expect(renameTeam(db(), cli, theirs.salg.id, "Overtaget")).rejects.toMatchObject({ status: 404 });
    await expect(moveTeam(db(), cli, theirs.oest.id, null)).rejects.toMatchObject({ status: 404 });
    await expect(moveTeam(db(), cli, mine.id, theirs.salg.id)).rejects.toMatchObject({ code: "unknownTeam", fieldErrors: { parentId: ["unknownTeam"] } });
    await expect(createTeam(db(), cli, { name: "Indbrud", parentId: theirs.salg.id })).rejects.toMatchObject({ code: "unknownTeam" });
    await expect(deleteTeam(db(), cli, theirs.vest.id)).rejects.toMatchObject({ status: 404 });
    await expect(setTeamManagers(db(), cli, theirs.salg.id, [manager.user.id])).rejects.toMatchObject({ status: 404 });
    expect(await teamAndDescendantIds(db(), cli, [theirs.salg.id, mine.id])).toEqual([mine.id]);

    expect(await teamRow(theirs.salg.id)).toMatchObject({ name: "Salg", parentId: null });
    expect(await teamRow(theirs.oest.id)).toMatchObject({ parentId: theirs.salg.id });
    expect(await teamRow(theirs.vest.id)).toBeDefined();
    expect((await teamRow(mine.id))!.parentId).toBeNull();
    expect(await db().select().from(teamManagers).where(eq(teamManagers.teamId, theirs.salg.id))).toEqual([]);
  });

  it("lists teams with their active member counts and builds the tree", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const { salg, oest } = await salesTree(cli);
    await makeMember(cli, ["employee"], { teamId: oest.id });
    const leaver = await makeMember(cli, ["employee"], { teamId: oest.id });
    await deactivateMember(db(), admin.scope, leaver.membership.id);

    const list = await listTeams(db(), cli);
    expect(list.map((t) => t.name).sort()).toEqual(["Salg", "Salg Vest", "Salg Øst", "Teknik", "Øst Nord"].sort());
    expect(list.findIndex((t) => t.name === "Salg")).toBeLessThan(list.findIndex((t) => t.name === "Teknik"));
    expect(list.find((t) => t.id === oest.id)!.memberCount).toBe(1);
    expect(list.find((t) => t.id === salg.id)!.memberCount).toBe(0);

    // Parents before their sub-teams, each at its depth (sibling order is left to the collation).
    const flat = flattenTeamTree(buildTeamTree(list)).map((t) => [t.name, t.depth] as const);
    expect(flat[0]).toEqual(["Salg", 0]);
    expect(flat.slice(1, 4)).toEqual(expect.arrayContaining([["Salg Vest", 1], ["Salg Øst", 1], ["Øst Nord", 2]]));
    expect(flat.findIndex(([name]) => name === "Øst Nord")).toBe(flat.findIndex(([name]) => name === "Salg Øst") + 1);
    expect(flat[4]).toEqual(["Teknik", 0]);
  });

  it("agrees with the team list on what is empty: a team whose only members left can be deleted", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const team = await createTeam(db(), cli, { name: "Nedlagt" });
    const leaver = await makeMember(cli, ["employee"], { teamId: team.id });
    await deactivateMember(db(), admin.scope, leaver.membership.id);

    // The admin page offers "delete" for a team listed with no members and no sub-teams.
    const listed = (await listTeams(db(), cli)).find((t) => t.id === team.id)!;
    expect(listed.memberCount).toBe(0);
    await deleteTeam(db(), admin.scope, team.id);
    expect(await teamRow(team.id)).toBeUndefined();
  });
});

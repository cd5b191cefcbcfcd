import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { auditLog, memberships, scimTokens, users } from "@/db/schema";
import { createApiToken } from "@/lib/auth/api-tokens";
import { sha256Hex } from "@/lib/crypto";
import { db } from "@/lib/db";
import { createScimToken, currentScimToken, listDirectoryGroups, mapDirectoryGroup, revokeScimToken } from "@/lib/scim";
import { createTeam } from "@/lib/teams";
import { makeMember, makeOrganization, uniqueEmail } from "../support/factories";
import { scimCall, type ScimAnswer } from "../support/scim-client";

/**
 * /scim/v2 beyond the directories' happy paths: who may call it, what it refuses, that one
 * organisation's token never reaches another's people, and what an admin's group mapping
 * does to teams and roles. Real route handlers, real PostgreSQL.
 */
vi.mock("@/lib/auth/config", () => ({ auth: async () => null }));

const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

function expectScimError(answer: ScimAnswer, status: number, scimType?: string) {
  expect(answer.status, JSON.stringify(answer.json)).toBe(status);
  expect(answer.contentType).toBe("application/scim+json");
  expect(answer.json).toMatchObject({ schemas: [ERROR], status: String(status), ...(scimType ? { scimType } : {}) });
  expect(typeof answer.json.detail).toBe("string");
}

async function organisation(name = "Nordlys Energi A/S") {
  const { cli } = await makeOrganization(name);
  const admin = await makeMember(cli, ["admin"]);
  const { token } = await createScimToken(db(), admin.scope);
  const call = (method: string, path: string, body?: unknown) => scimCall(token, method, path, body);
  const createUser = async (email = uniqueEmail("scim"), extra: Record<string, unknown> = {}) => {
    const answer = await call("POST", "Users", { userName: email, name: { givenName: "Maja", familyName: "Holm" }, active: true, ...extra });
    expect(answer.status, JSON.stringify(answer.json)).toBe(201);
    return answer.json as { id: string; userName: string };
  };
  return { cli, admin, token, call, createUser };
}

async function membership(id: string) {
  const [row] = await db().select().from(memberships).where(eq(memberships.id, id));
  return row!;
}

const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });

describe("SCIM authentication", () => {
  it("answers 401 as a SCIM error without a token, with a malformed or unknown one, and with an API token", async () => {
    const { cli } = await organisation();
    const member = await makeMember(cli, ["admin"]);
    const { token: apiToken } = await createApiToken(db(), cli, { userId: member.user.id, name: "not for scim" });
    for (const token of [null, "", "scim_short", `scim_${"Q".repeat(43)}`, apiToken]) {
      for (const path of ["Users", "Groups", "ServiceProviderConfig"]) {
        const answer = await scimCall(token, "GET", path);
        expectScimError(answer, 401);
      }
    }
  });

  it("stores only the token's hash; a new token revokes the old one, and revoking leaves none", async () => {
    const { admin, token, call } = await organisation();
    const [row] = await db().select().from(scimTokens).where(eq(scimTokens.tokenHash, sha256Hex(token)));
    expect(token).toMatch(/^scim_[0-9A-Za-z]{43}$/);
    const raw = JSON.stringify(await db().execute(sql`select * from ${scimTokens} where id = ${row!.id}`));
    expect(raw).not.toContain(token.slice(5));
    expect((await call("GET", "Users")).status).toBe(200);
    expect((await currentScimToken(db(), admin.scope))?.lastUsedAt).toBeInstanceOf(Date);

    const { token: second } = await createScimToken(db(), admin.scope);
    expectScimError(await call("GET", "Users"), 401);
    expect((await scimCall(second, "GET", "Users")).status).toBe(200);

    expect(await revokeScimToken(db(), admin.scope)).toBe(true);
    expectScimError(await scimCall(second, "GET", "Users"), 401);
    expect(await currentScimToken(db(), admin.scope)).toBeNull();
  });
});

describe("SCIM discovery", () => {
  it("describes what the endpoint supports, as Entra ID and Okta read it", async () => {
    const { call } = await organisation();
    const config = await call("GET", "ServiceProviderConfig");
    expect(config.status).toBe(200);
    expect(config.contentType).toBe("application/scim+json");
    expect(config.json).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 200 },
      sort: { supported: false },
      etag: { supported: false },
      changePassword: { supported: false },
      authenticationSchemes: [{ type: "oauthbearertoken", primary: true }],
    });
    const types = await call("GET", "ResourceTypes");
    expect(types.json).toMatchObject({
      totalResults: 2,
      Resources: [
        { id: "User", endpoint: "/Users", schema: "urn:ietf:params:scim:schemas:core:2.0:User" },
        { id: "Group", endpoint: "/Groups", schema: "urn:ietf:params:scim:schemas:core:2.0:Group" },
      ],
    });
    const schemas = await call("GET", "Schemas");
    const user = schemas.json.Resources!.find((r) => r.id === "urn:ietf:params:scim:schemas:core:2.0:User") as { attributes: Array<{ name: string; uniqueness: string; required: boolean }> };
    expect(user.attributes.find((a) => a.name === "userName")).toMatchObject({ required: true, uniqueness: "server" });
    expect(user.attributes.map((a) => a.name)).toEqual(expect.arrayContaining(["userName", "externalId", "name", "displayName", "emails", "active", "groups"]));
    expect(schemas.json.Resources!.map((r) => r.id)).toContain("urn:ietf:params:scim:schemas:core:2.0:Group");
  });
});

describe("SCIM refusals", () => {
  it.each([
    ["a malformed expression", 'userName eq'],
    ["an operator other than eq", 'userName co "maja"'],
    ["a combined filter", 'userName eq "a@example.test" and externalId eq "1"'],
    ["an attribute that cannot be filtered on", 'title eq "CEO"'],
    ["an unknown attribute", 'favouriteColour eq "blue"'],
  ])("answers 400 invalidFilter for %s", async (_what, filter) => {
    const { call } = await organisation();
    expectScimError(await call("GET", `Users?filter=${encodeURIComponent(filter)}`), 400, "invalidFilter");
  });

  it("answers 400 invalidFilter on Groups too", async () => {
    const { call } = await organisation();
    expectScimError(await call("GET", `Groups?filter=${encodeURIComponent('displayName sw "Komm"')}`), 400, "invalidFilter");
  });

  it("refuses an unknown attribute in a body or a PATCH path, changing nothing", async () => {
    const { cli, call, createUser } = await organisation();
    const email = uniqueEmail("unknown");
    expectScimError(await call("POST", "Users", { userName: email, favouriteColour: "blue" }), 400, "invalidSyntax");
    expect((await call("GET", `Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`)).json.totalResults).toBe(0);

    const user = await createUser();
    expectScimError(
      await call("PATCH", `Users/${user.id}`, patch({ op: "replace", path: "name.familyName", value: "Berg" }, { op: "replace", path: "favouriteColour", value: "blue" })),
      400,
      "invalidPath",
    );
    expect((await call("GET", `Users/${user.id}`)).json).toMatchObject({ name: { familyName: "Holm" } });
    expectScimError(await call("POST", "Groups", { displayName: "X", colour: "red" }), 400, "invalidSyntax");
    expect(await listDirectoryGroups(db(), cli)).toEqual([]);
  });

  it("refuses a userName that is not an email address, and a body that is not JSON", async () => {
    const { call } = await organisation();
    expectScimError(await call("POST", "Users", { userName: "Test_User_ab6490ee" }), 400, "invalidValue");
    expectScimError(await call("POST", "Users", "{not json"), 400, "invalidSyntax");
  });

  it("answers 409 uniqueness for a userName already in the organisation, found by the directory's lookup", async () => {
    const { cli, call } = await organisation();
    const invited = await makeMember(cli, ["editor"]);
    const answer = await call("GET", `Users?filter=${encodeURIComponent(`userName eq "${invited.user.email.toUpperCase()}"`)}`);
    expect(answer.json).toMatchObject({ totalResults: 1, Resources: [{ id: invited.membership.id, userName: invited.user.email }] });
    expectScimError(await call("POST", "Users", { userName: invited.user.email }), 409, "uniqueness");
  });

  it("answers 404 for an unknown or malformed id", async () => {
    const { call } = await organisation();
    expectScimError(await call("GET", "Users/7d3f8f5e-3b0c-4b6f-9a59-1d5d3e7f1a11"), 404);
    expectScimError(await call("PATCH", "Users/not-a-uuid", patch({ op: "replace", path: "active", value: false })), 404);
    expectScimError(await call("DELETE", "Groups/7d3f8f5e-3b0c-4b6f-9a59-1d5d3e7f1a11"), 404);
  });
});

describe("the last admin", () => {
  it("is never deactivated or deleted by the directory, whichever form the request takes", async () => {
    const { admin, call } = await organisation();
    const id = admin.membership.id;
    for (const [method, body] of [
      ["PATCH", patch({ op: "Replace", path: "active", value: "False" })],
      ["PATCH", patch({ op: "replace", value: { active: false } })],
      ["PUT", { userName: admin.user.email, active: false }],
      ["DELETE", undefined],
    ] as const) {
      const answer = await call(method, `Users/${id}`, body);
      expectScimError(answer, 409);
      expect(answer.json.detail).toMatch(/last active admin/);
      expect((await membership(id)).status).toBe("active");
    }
    expect((await call("GET", `Users/${id}`)).json).toMatchObject({ active: true });
  });

  it("keeps the admin role when leaving a group mapped to it would take it from the last admin", async () => {
    const { cli, admin, call } = await organisation();
    const group = (await call("POST", "Groups", { displayName: "Ripple admins", members: [{ value: admin.membership.id }] })).json as { id: string };
    await mapDirectoryGroup(db(), admin.scope, { groupId: group.id, target: "role:admin" });
    const answer = await call("PATCH", `Groups/${group.id}`, patch({ op: "remove", path: `members[value eq "${admin.membership.id}"]` }));
    expectScimError(answer, 409);
    expect((await membership(admin.membership.id)).roles).toContain("admin");
    expect((await call("GET", `Groups/${group.id}`)).json).toMatchObject({ members: [{ value: admin.membership.id }] });
    // With a second admin it may go.
    await makeMember(cli, ["admin"]);
    expect((await call("PATCH", `Groups/${group.id}`, patch({ op: "remove", path: `members[value eq "${admin.membership.id}"]` }))).status).toBe(204);
    expect((await membership(admin.membership.id)).roles).toEqual(["employee"]);
  });
});

describe("isolation between organisations", () => {
  it("org A's token neither sees nor changes org B's people and groups", async () => {
    const a = await organisation("A A/S");
    const b = await organisation("B B/S");
    const bUser = await b.createUser();
    const bGroup = (await b.call("POST", "Groups", { displayName: "Salg", members: [{ value: bUser.id }] })).json as { id: string };
    const aUser = await a.createUser();

    const list = await a.call("GET", "Users?count=200");
    expect((list.json.Resources ?? []).map((r) => r.id)).not.toContain(bUser.id);
    expect((await a.call("GET", `Users?filter=${encodeURIComponent(`userName eq "${bUser.userName}"`)}`)).json.totalResults).toBe(0);
    expectScimError(await a.call("GET", `Users/${bUser.id}`), 404);
    expectScimError(await a.call("PATCH", `Users/${bUser.id}`, patch({ op: "replace", value: { active: false } })), 404);
    expectScimError(await a.call("PUT", `Users/${bUser.id}`, { userName: bUser.userName, active: false }), 404);
    expectScimError(await a.call("DELETE", `Users/${bUser.id}`), 404);
    expectScimError(await a.call("GET", `Groups/${bGroup.id}`), 404);
    expectScimError(await a.call("PATCH", `Groups/${bGroup.id}`, patch({ op: "replace", path: "displayName", value: "Stjålet" })), 404);
    expect((await a.call("GET", "Groups")).json.totalResults).toBe(0);
    // Nor can A put B's member in one of A's groups.
    const aGroup = (await a.call("POST", "Groups", { displayName: "Drift" })).json as { id: string };
    expectScimError(await a.call("PATCH", `Groups/${aGroup.id}`, patch({ op: "add", path: "members", value: [{ value: aUser.id }, { value: bUser.id }] })), 400, "invalidValue");
    expect((await a.call("GET", `Groups/${aGroup.id}`)).json.members).toEqual([]);

    expect((await membership(bUser.id)).status).toBe("invited");
    expect((await b.call("GET", `Groups/${bGroup.id}`)).json).toMatchObject({ displayName: "Salg", members: [{ value: bUser.id }] });
  });

  it("does not change a person's email or name that another organisation also uses", async () => {
    const a = await organisation("A A/S");
    const b = await organisation("B B/S");
    const shared = await a.createUser();
    await makeMember(b.cli, ["employee"], { email: shared.userName, name: "Navn i B" });
    const answer = await a.call("PATCH", `Users/${shared.id}`, patch({ op: "Replace", path: "userName", value: uniqueEmail("new") }));
    expectScimError(answer, 400, "mutability");
    const [user] = await db().select().from(users).where(eq(users.email, shared.userName));
    expect(user).toBeDefined();
  });
});

describe("provisioning follows the membership rules", () => {
  it("creates an invited employee, deactivates on active false, and provisions again after a DELETE", async () => {
    const { cli, call, createUser } = await organisation();
    const user = await createUser(uniqueEmail("ny"), { displayName: "Maja Holm" });
    expect(await membership(user.id)).toMatchObject({ status: "invited", roles: ["employee"], orgId: cli.orgId });

    expect((await call("PATCH", `Users/${user.id}`, patch({ op: "Replace", path: "active", value: "False" }))).json.active).toBe(false);
    expect((await membership(user.id)).status).toBe("deactivated");
    expect((await call("PATCH", `Users/${user.id}`, patch({ op: "replace", value: { active: true } }))).json.active).toBe(true);
    expect((await membership(user.id)).status).toBe("invited");

    expect((await call("DELETE", `Users/${user.id}`)).status).toBe(204);
    expect((await membership(user.id)).status).toBe("deactivated");
    expectScimError(await call("GET", `Users/${user.id}`), 404);
    const again = await call("POST", "Users", { userName: user.userName });
    expect(again.status).toBe(201);
    expect(again.json).toMatchObject({ id: user.id, active: true });
  });

  it("pages the list with startIndex and count", async () => {
    const { call, createUser } = await organisation();
    for (let i = 0; i < 4; i++) await createUser();
    const all = await call("GET", "Users");
    expect(all.json).toMatchObject({ totalResults: 5, itemsPerPage: 5, startIndex: 1 });
    const page = await call("GET", "Users?startIndex=2&count=2");
    expect(page.json).toMatchObject({ totalResults: 5, itemsPerPage: 2, startIndex: 2 });
    expect(page.json.Resources!.map((r) => r.id)).toEqual(all.json.Resources!.slice(1, 3).map((r) => r.id));
    expect((await call("GET", "Users?startIndex=5&count=10")).json).toMatchObject({ totalResults: 5, itemsPerPage: 1 });
    expect((await call("GET", "Users?count=0")).json).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
  });
});

describe("group mappings", () => {
  async function group(call: (m: string, p: string, b?: unknown) => Promise<ScimAnswer>, displayName: string, members: string[] = []) {
    const answer = await call("POST", "Groups", { displayName, externalId: `ext-${displayName}`, members: members.map((value) => ({ value })) });
    expect(answer.status).toBe(201);
    return answer.json as { id: string };
  }

  it("a group mapped to a team puts its members in the team, and leaving takes them out", async () => {
    const { admin, call, createUser } = await organisation();
    const team = await createTeam(db(), admin.scope, { name: "Kommunikation" });
    const first = await createUser();
    const second = await createUser();
    const komm = await group(call, "Kommunikation-DL", [first.id]);
    expect((await listDirectoryGroups(db(), admin.scope)).map((g) => ({ name: g.displayName, teamId: g.teamId, role: g.role, members: g.memberCount }))).toEqual([
      { name: "Kommunikation-DL", teamId: null, role: null, members: 1 },
    ]);
    expect((await membership(first.id)).teamId).toBeNull();

    await mapDirectoryGroup(db(), admin.scope, { groupId: komm.id, target: `team:${team.id}` });
    expect((await membership(first.id)).teamId).toBe(team.id);

    await call("PATCH", `Groups/${komm.id}`, patch({ op: "Add", path: "members", value: [{ value: second.id }] }));
    expect((await membership(second.id)).teamId).toBe(team.id);
    await call("PATCH", `Groups/${komm.id}`, patch({ op: "Remove", path: "members", value: [{ value: first.id }] }));
    expect((await membership(first.id)).teamId).toBeNull();
    expect((await membership(second.id)).teamId).toBe(team.id);
    await call("DELETE", `Groups/${komm.id}`);
    expect((await membership(second.id)).teamId).toBeNull();
  });

  it("a group mapped to a role gives the role, kept while another mapped group still gives it", async () => {
    const { admin, call, createUser } = await organisation();
    const person = await createUser();
    const editors = await group(call, "Redaktører", [person.id]);
    const comms = await group(call, "Comms", [person.id]);
    await mapDirectoryGroup(db(), admin.scope, { groupId: editors.id, target: "role:editor" });
    await mapDirectoryGroup(db(), admin.scope, { groupId: comms.id, target: "role:editor" });
    expect((await membership(person.id)).roles).toEqual(["editor", "employee"]);

    await call("PATCH", `Groups/${editors.id}`, patch({ op: "remove", path: `members[value eq "${person.id}"]` }));
    expect((await membership(person.id)).roles).toEqual(["editor", "employee"]);
    await call("PUT", `Groups/${comms.id}`, { displayName: "Comms", members: [] });
    expect((await membership(person.id)).roles).toEqual(["employee"]);

    // Remapping a group moves its members from the old role to the new one.
    await call("PATCH", `Groups/${comms.id}`, patch({ op: "add", path: "members", value: [{ value: person.id }] }));
    expect((await membership(person.id)).roles).toEqual(["editor", "employee"]);
    await mapDirectoryGroup(db(), admin.scope, { groupId: comms.id, target: "role:manager" });
    expect((await membership(person.id)).roles).toEqual(["manager", "employee"]);
  });

  it("refuses a mapping to another organisation's team", async () => {
    const a = await organisation("A A/S");
    const b = await organisation("B B/S");
    const bTeam = await createTeam(db(), b.admin.scope, { name: "Salg" });
    const g = await group(a.call, "Salg");
    await expect(mapDirectoryGroup(db(), a.admin.scope, { groupId: g.id, target: `team:${bTeam.id}` })).rejects.toMatchObject({ code: "unknownTeam" });
    await expect(mapDirectoryGroup(db(), b.admin.scope, { groupId: g.id, target: "role:editor" })).rejects.toMatchObject({ code: "notFound" });
  });
});

describe("the audit log", () => {
  it("records every directory change with the actor \"directory\"", async () => {
    const { cli, admin, call, createUser } = await organisation();
    const team = await createTeam(db(), admin.scope, { name: "Drift" });
    const person = await createUser();
    const g = (await call("POST", "Groups", { displayName: "Drift" })).json as { id: string };
    await mapDirectoryGroup(db(), admin.scope, { groupId: g.id, target: `team:${team.id}` });
    await call("PATCH", `Groups/${g.id}`, patch({ op: "add", path: "members", value: [{ value: person.id }] }));
    await call("PATCH", `Users/${person.id}`, patch({ op: "replace", value: { active: false } }));

    const rows = await db().select().from(auditLog).where(and(eq(auditLog.orgId, cli.orgId), eq(auditLog.actorKind, "directory")));
    const actions = rows.map((r) => r.action);
    for (const action of ["member.invite", "scim.user.create", "scim.group.create", "scim.group.member_add", "member.update", "member.deactivate", "scim.user.update"]) {
      expect(actions).toContain(action);
    }
    expect(rows.every((r) => r.actorUserId === null)).toBe(true);
    const mapped = await db().select().from(auditLog).where(and(eq(auditLog.orgId, cli.orgId), eq(auditLog.action, "directory_group.map")));
    expect(mapped).toMatchObject([{ actorKind: "user", actorUserId: admin.user.id, after: { teamId: team.id, role: null } }]);
  });
});

import { and, asc, count, eq, inArray, ne, sql, type SQL } from "drizzle-orm";
import { directoryGroupMembers, directoryGroups, directoryUsers, memberships, users, type DirectoryGroup, type Role } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { updateMember } from "@/lib/members";
import type { Scope } from "@/lib/tenant";
import { invalidPath, invalidValue, ScimError, scimNotFound, uniqueness } from "./errors";
import { parseEqFilter } from "./filter";
import { GROUP_SCHEMA, excludes, listResponse, memberRefSchema, type GroupBody, type ListQuery, type PatchOp } from "./schemas";

/**
 * Directory groups are kept as the directory sends them. Once an admin maps a group to a
 * team or a role, joining it gives the member that team or role and leaving it takes it
 * away again (unless another mapped group of theirs still gives it). Member changes go
 * through lib/members, so the last-admin rule and the audit apply as in the admin UI.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Mapping = { teamId: string | null; role: Role | null };

async function findGroup(db: DbOrTx, scope: Scope, id: string, lock = false): Promise<DirectoryGroup> {
  if (!UUID.test(id)) throw scimNotFound("Group", id);
  const query = db
    .select()
    .from(directoryGroups)
    .where(and(eq(directoryGroups.id, id), eq(directoryGroups.orgId, scope.orgId)))
    .limit(1);
  const [group] = lock ? await query.for("update") : await query;
  if (!group) throw scimNotFound("Group", id);
  return group;
}

async function memberIds(db: DbOrTx, groupId: string): Promise<string[]> {
  const rows = await db.select({ id: directoryGroupMembers.membershipId }).from(directoryGroupMembers).where(eq(directoryGroupMembers.groupId, groupId));
  return rows.map((r) => r.id);
}

async function membersOf(db: DbOrTx, groupIds: string[]) {
  const out = new Map<string, Array<{ value: string; display: string; $ref?: string }>>();
  if (groupIds.length === 0) return out;
  const rows = await db
    .select({ groupId: directoryGroupMembers.groupId, id: memberships.id, email: users.email, name: users.name })
    .from(directoryGroupMembers)
    .innerJoin(memberships, eq(memberships.id, directoryGroupMembers.membershipId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(inArray(directoryGroupMembers.groupId, groupIds))
    .orderBy(asc(users.email));
  for (const r of rows) (out.get(r.groupId) ?? out.set(r.groupId, []).get(r.groupId)!).push({ value: r.id, display: r.name ?? r.email });
  return out;
}

function toResource(group: DirectoryGroup, members: Array<{ value: string; display: string }> | null, baseUrl: string) {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    ...(group.externalId ? { externalId: group.externalId } : {}),
    displayName: group.displayName,
    ...(members ? { members: members.map((m) => ({ ...m, $ref: `${baseUrl}/Users/${m.value}` })) } : {}),
    meta: { resourceType: "Group", created: group.createdAt.toISOString(), lastModified: group.updatedAt.toISOString(), location: `${baseUrl}/Groups/${group.id}` },
  };
}

export async function getScimGroup(db: DbOrTx, scope: Scope, id: string, query: { excludedAttributes?: string }, baseUrl: string) {
  const group = await findGroup(db, scope, id);
  const members = excludes(query, "members") ? null : ((await membersOf(db, [group.id])).get(group.id) ?? []);
  return toResource(group, members, baseUrl);
}

export async function listScimGroups(db: DbOrTx, scope: Scope, query: ListQuery, baseUrl: string) {
  const filter = parseEqFilter(query.filter, ["displayName", "externalId", "id"]);
  let where: SQL | undefined = eq(directoryGroups.orgId, scope.orgId);
  if (filter?.attribute === "displayName") where = and(where, sql`lower(${directoryGroups.displayName}) = lower(${filter.value})`);
  if (filter?.attribute === "externalId") where = and(where, eq(directoryGroups.externalId, filter.value));
  if (filter?.attribute === "id") where = UUID.test(filter.value) ? and(where, eq(directoryGroups.id, filter.value)) : sql`false`;
  const startIndex = query.startIndex ?? 1;
  const limit = query.count ?? 100;
  const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(directoryGroups).where(where);
  const groups = limit === 0 ? [] : await db.select().from(directoryGroups).where(where).orderBy(asc(directoryGroups.createdAt), asc(directoryGroups.id)).limit(limit).offset(startIndex - 1);
  const members = excludes(query, "members") ? null : await membersOf(db, groups.map((g) => g.id));
  return listResponse(groups.map((g) => toResource(g, members ? (members.get(g.id) ?? []) : null, baseUrl)), total, startIndex);
}

// --- The mapping's effect on one member ---------------------------------------------------

/** The mappings of the member's other directory groups (not `exceptGroupId`). */
async function otherMappings(tx: DbOrTx, membershipId: string, exceptGroupId: string): Promise<Mapping[]> {
  return tx
    .select({ teamId: directoryGroups.teamId, role: directoryGroups.role })
    .from(directoryGroupMembers)
    .innerJoin(directoryGroups, eq(directoryGroups.id, directoryGroupMembers.groupId))
    .where(and(eq(directoryGroupMembers.membershipId, membershipId), ne(directoryGroups.id, exceptGroupId)));
}

async function membership(tx: DbOrTx, scope: Scope, membershipId: string) {
  const [row] = await tx
    .select({ roles: memberships.roles, teamId: memberships.teamId })
    .from(memberships)
    .where(and(eq(memberships.id, membershipId), eq(memberships.orgId, scope.orgId)));
  return row!;
}

export async function grantMapping(tx: DbOrTx, scope: Scope, membershipId: string, mapping: Mapping) {
  if (!mapping.role && !mapping.teamId) return;
  const current = await membership(tx, scope, membershipId);
  if (mapping.role && !current.roles.includes(mapping.role)) await updateMember(tx, scope, membershipId, { roles: [...current.roles, mapping.role] });
  if (mapping.teamId && current.teamId !== mapping.teamId) await updateMember(tx, scope, membershipId, { teamId: mapping.teamId });
}

/** Takes away what the group gave, unless another of the member's mapped groups gives the same. */
export async function withdrawMapping(tx: DbOrTx, scope: Scope, membershipId: string, groupId: string, mapping: Mapping) {
  if (!mapping.role && !mapping.teamId) return;
  const others = await otherMappings(tx, membershipId, groupId);
  const current = await membership(tx, scope, membershipId);
  if (mapping.role && current.roles.includes(mapping.role) && !others.some((o) => o.role === mapping.role)) {
    const roles = current.roles.filter((r) => r !== mapping.role);
    await updateMember(tx, scope, membershipId, { roles: roles.length ? roles : ["employee"] });
  }
  if (mapping.teamId && current.teamId === mapping.teamId && !others.some((o) => o.teamId === mapping.teamId)) {
    await updateMember(tx, scope, membershipId, { teamId: others.find((o) => o.teamId)?.teamId ?? null });
  }
}

// --- Membership changes -------------------------------------------------------------------

/** The organisation's (not deleted) users among the ids; any other id is a 400. */
async function assertUsers(tx: DbOrTx, scope: Scope, ids: string[]) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return unique;
  const bad = unique.find((id) => !UUID.test(id));
  if (bad) throw invalidValue(`No user with the id ${bad}`);
  const found = await tx
    .select({ id: memberships.id, deletedAt: directoryUsers.deletedAt })
    .from(memberships)
    .leftJoin(directoryUsers, eq(directoryUsers.membershipId, memberships.id))
    .where(and(eq(memberships.orgId, scope.orgId), inArray(memberships.id, unique)));
  const known = new Set(found.filter((f) => !f.deletedAt).map((f) => f.id));
  const missing = unique.find((id) => !known.has(id));
  if (missing) throw invalidValue(`No user with the id ${missing}`);
  return unique;
}

async function addMembers(tx: DbOrTx, scope: Scope, group: DirectoryGroup, ids: string[]) {
  const wanted = await assertUsers(tx, scope, ids);
  const present = new Set(await memberIds(tx, group.id));
  for (const id of wanted.filter((m) => !present.has(m))) {
    await tx.insert(directoryGroupMembers).values({ groupId: group.id, membershipId: id, orgId: scope.orgId });
    await grantMapping(tx, scope, id, group);
    await audit(tx, scope, { action: "scim.group.member_add", targetType: "directory_group", targetId: group.id, after: { membershipId: id } });
  }
}

async function removeMembers(tx: DbOrTx, scope: Scope, group: DirectoryGroup, ids: string[]) {
  const present = new Set(await memberIds(tx, group.id));
  for (const id of [...new Set(ids)].filter((m) => present.has(m))) {
    await withdrawMapping(tx, scope, id, group.id, group);
    await tx.delete(directoryGroupMembers).where(and(eq(directoryGroupMembers.groupId, group.id), eq(directoryGroupMembers.membershipId, id)));
    await audit(tx, scope, { action: "scim.group.member_remove", targetType: "directory_group", targetId: group.id, before: { membershipId: id } });
  }
}

async function setMembers(tx: DbOrTx, scope: Scope, group: DirectoryGroup, ids: string[]) {
  const wanted = new Set(await assertUsers(tx, scope, ids));
  const present = await memberIds(tx, group.id);
  await removeMembers(tx, scope, group, present.filter((m) => !wanted.has(m)));
  await addMembers(tx, scope, group, [...wanted]);
}

function uniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code === "23505" || e?.cause?.code === "23505";
}

async function saveGroup(tx: DbOrTx, scope: Scope, group: DirectoryGroup, changes: { displayName?: string; externalId?: string | null }) {
  if (Object.keys(changes).length === 0) return group;
  try {
    const [after] = await tx.update(directoryGroups).set({ ...changes, updatedAt: new Date() }).where(eq(directoryGroups.id, group.id)).returning();
    await audit(tx, scope, { action: "scim.group.update", targetType: "directory_group", targetId: group.id, before: { displayName: group.displayName, externalId: group.externalId }, after: changes });
    return after!;
  } catch (error) {
    if (uniqueViolation(error)) throw uniqueness(`Another group already has the externalId "${changes.externalId}"`);
    throw error;
  }
}

export async function createScimGroup(db: DbOrTx, scope: Scope, body: GroupBody, baseUrl: string) {
  const id = await db.transaction(async (tx) => {
    let group: DirectoryGroup;
    try {
      [group] = (await tx.insert(directoryGroups).values({ orgId: scope.orgId, displayName: body.displayName, externalId: body.externalId ?? null }).returning()) as [DirectoryGroup];
    } catch (error) {
      if (uniqueViolation(error)) throw uniqueness(`A group with the externalId "${body.externalId}" already exists`);
      throw error;
    }
    await audit(tx, scope, { action: "scim.group.create", targetType: "directory_group", targetId: group.id, after: { displayName: group.displayName, externalId: group.externalId } });
    await addMembers(tx, scope, group, (body.members ?? []).map((m) => m.value));
    return group.id;
  });
  return getScimGroup(db, scope, id, {}, baseUrl);
}

export async function replaceScimGroup(db: DbOrTx, scope: Scope, id: string, body: GroupBody, baseUrl: string) {
  await db.transaction(async (tx) => {
    const group = await saveGroup(tx, scope, await findGroup(tx, scope, id, true), { displayName: body.displayName, externalId: body.externalId ?? null });
    await setMembers(tx, scope, group, (body.members ?? []).map((m) => m.value));
  });
  return getScimGroup(db, scope, id, {}, baseUrl);
}

const MEMBER_FILTER = /^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$/i;

function memberValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map((entry) => {
    const parsed = memberRefSchema.safeParse(entry);
    if (!parsed.success) throw invalidValue('members must be a list of {"value": "<user id>"}');
    return parsed.data.value;
  });
}

function textValue(path: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") throw invalidValue(`${path} must be a non-empty string`);
  return value.trim();
}

/**
 * PATCH /Groups/{id}: add/remove/replace members (Entra ID: `"path": "members"` with a list;
 * Okta: `members[value eq "…"]` to remove), replace displayName or externalId, with or
 * without a path (Okta sends `{"op": "replace", "value": {"id": …, "displayName": …}}`).
 */
export async function patchScimGroup(db: DbOrTx, scope: Scope, id: string, ops: PatchOp[]): Promise<void> {
  await db.transaction(async (tx) => {
    let group = await findGroup(tx, scope, id, true);
    const apply = async (op: PatchOp["op"], rawPath: string, value: unknown) => {
      const path = rawPath.replace(/^urn:ietf:params:scim:schemas:core:2\.0:Group:/i, "");
      const filtered = MEMBER_FILTER.exec(path);
      if (filtered) {
        if (op !== "remove") throw invalidPath(`"${op}" on ${path} is not supported; add members with the path "members"`);
        return removeMembers(tx, scope, group, [filtered[1]!]);
      }
      switch (path.toLowerCase()) {
        case "members":
          if (op === "add") return addMembers(tx, scope, group, memberValues(value));
          if (op === "replace") return setMembers(tx, scope, group, memberValues(value));
          return removeMembers(tx, scope, group, value === undefined ? await memberIds(tx, group.id) : memberValues(value));
        case "displayname":
          if (op === "remove") throw new ScimError(400, "displayName is required and cannot be removed", "mutability");
          group = await saveGroup(tx, scope, group, { displayName: textValue("displayName", value) });
          return;
        case "externalid":
          group = await saveGroup(tx, scope, group, { externalId: op === "remove" ? null : textValue("externalId", value) });
          return;
        case "id":
        case "schemas":
        case "meta":
          return;
      }
      throw invalidPath(`Unknown attribute "${rawPath}"`);
    };
    for (const op of ops) {
      if (op.path) {
        await apply(op.op, op.path, op.value);
        continue;
      }
      if (op.op === "remove") throw new ScimError(400, "A remove operation needs a path", "noTarget");
      if (!op.value || typeof op.value !== "object" || Array.isArray(op.value)) throw invalidValue(`"${op.op}" without a path needs an object value`);
      for (const [key, value] of Object.entries(op.value)) await apply(op.op, key, value);
    }
  });
}

/** DELETE /Groups/{id}: its members lose what the group gave them, then it is gone. */
export async function deleteScimGroup(db: DbOrTx, scope: Scope, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const group = await findGroup(tx, scope, id, true);
    await removeMembers(tx, scope, group, await memberIds(tx, group.id));
    await tx.delete(directoryGroups).where(eq(directoryGroups.id, group.id));
    await audit(tx, scope, { action: "scim.group.delete", targetType: "directory_group", targetId: group.id, before: { displayName: group.displayName, externalId: group.externalId } });
  });
}

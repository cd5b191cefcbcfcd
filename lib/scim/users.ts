import { and, asc, count, eq, inArray, isNull, ne, sql, type SQL } from "drizzle-orm";
import { directoryGroupMembers, directoryGroups, directoryUsers, memberships, users, type DirectoryUserAttributes } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { deactivateMember, inviteMember, reactivateMember } from "@/lib/members";
import type { Scope } from "@/lib/tenant";
import { emailSchema, findUserByEmail } from "@/lib/users";
import { invalidValue, ScimError, scimNotFound, uniqueness } from "./errors";
import { parseEqFilter } from "./filter";
import { applyUserPatch, type UserState } from "./user-patch";
import { listResponse, USER_SCHEMA, type ListQuery, type PatchOp, type UserBody } from "./schemas";

/**
 * Users over SCIM are the organisation's memberships (the SCIM id is the membership id),
 * whoever created them, so a directory finds people an admin invited before it was
 * connected. Creating one follows the invitation rules (lib/members), `active: false`
 * deactivates, a DELETE deactivates and hides the resource until it is provisioned again.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type UserRow = {
  id: string;
  userId: string;
  email: string;
  userNameValue: string | null;
  status: "invited" | "active" | "deactivated";
  createdAt: Date;
  updatedAt: Date;
  externalId: string | null;
  attributes: DirectoryUserAttributes | null;
  directoryUpdatedAt: Date | null;
};

function selectUsers(db: DbOrTx) {
  return db
    .select({
      id: memberships.id,
      userId: memberships.userId,
      email: users.email,
      userNameValue: users.name,
      status: memberships.status,
      createdAt: memberships.createdAt,
      updatedAt: memberships.updatedAt,
      externalId: directoryUsers.externalId,
      attributes: directoryUsers.attributes,
      directoryUpdatedAt: directoryUsers.updatedAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(directoryUsers, eq(directoryUsers.membershipId, memberships.id));
}

/** The organisation's users a directory may see: a DELETE hides one. */
const visible = (scope: Scope) => and(eq(memberships.orgId, scope.orgId), isNull(directoryUsers.deletedAt));

async function groupsOf(db: DbOrTx, membershipIds: string[]) {
  const out = new Map<string, Array<{ value: string; display: string }>>();
  if (membershipIds.length === 0) return out;
  const rows = await db
    .select({ membershipId: directoryGroupMembers.membershipId, id: directoryGroups.id, name: directoryGroups.displayName })
    .from(directoryGroupMembers)
    .innerJoin(directoryGroups, eq(directoryGroups.id, directoryGroupMembers.groupId))
    .where(inArray(directoryGroupMembers.membershipId, membershipIds))
    .orderBy(asc(directoryGroups.displayName));
  for (const r of rows) (out.get(r.membershipId) ?? out.set(r.membershipId, []).get(r.membershipId)!).push({ value: r.id, display: r.name });
  return out;
}

function stateOf(row: UserRow): UserState {
  const a = row.attributes ?? {};
  return {
    userName: row.email,
    externalId: row.externalId,
    givenName: a.givenName ?? null,
    familyName: a.familyName ?? null,
    formatted: a.formatted ?? null,
    displayName: a.displayName ?? row.userNameValue,
    emails: a.emails ?? [],
    active: row.status !== "deactivated",
  };
}

function toResource(row: UserRow, groups: Array<{ value: string; display: string }>, baseUrl: string) {
  const s = stateOf(row);
  const name = Object.fromEntries(Object.entries({ givenName: s.givenName, familyName: s.familyName, formatted: s.formatted }).filter(([, v]) => v));
  const lastModified = row.directoryUpdatedAt && row.directoryUpdatedAt > row.updatedAt ? row.directoryUpdatedAt : row.updatedAt;
  return {
    schemas: [USER_SCHEMA],
    id: row.id,
    ...(s.externalId ? { externalId: s.externalId } : {}),
    userName: s.userName,
    ...(Object.keys(name).length ? { name } : {}),
    ...(s.displayName ? { displayName: s.displayName } : {}),
    emails: s.emails.length ? s.emails : [{ value: s.userName, type: "work", primary: true }],
    active: s.active,
    groups,
    meta: { resourceType: "User", created: row.createdAt.toISOString(), lastModified: lastModified.toISOString(), location: `${baseUrl}/Users/${row.id}` },
  };
}

export type ScimUser = ReturnType<typeof toResource>;

async function findRow(db: DbOrTx, scope: Scope, id: string): Promise<UserRow> {
  if (!UUID.test(id)) throw scimNotFound("User", id);
  const [row] = await selectUsers(db).where(and(visible(scope), eq(memberships.id, id))).limit(1);
  if (!row) throw scimNotFound("User", id);
  return row;
}

export async function getScimUser(db: DbOrTx, scope: Scope, id: string, baseUrl: string) {
  const row = await findRow(db, scope, id);
  return toResource(row, (await groupsOf(db, [row.id])).get(row.id) ?? [], baseUrl);
}

export async function listScimUsers(db: DbOrTx, scope: Scope, query: ListQuery, baseUrl: string) {
  const filter = parseEqFilter(query.filter, ["userName", "externalId", "id"]);
  let where: SQL | undefined = visible(scope);
  if (filter?.attribute === "userName") where = and(where, eq(users.email, filter.value.trim().toLowerCase()));
  if (filter?.attribute === "externalId") where = and(where, eq(directoryUsers.externalId, filter.value));
  if (filter?.attribute === "id") where = UUID.test(filter.value) ? and(where, eq(memberships.id, filter.value)) : sql`false`;
  const startIndex = query.startIndex ?? 1;
  const limit = query.count ?? 100;
  const [{ total } = { total: 0 }] = await db
    .select({ total: count() })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(directoryUsers, eq(directoryUsers.membershipId, memberships.id))
    .where(where);
  const rows = limit === 0 ? [] : await selectUsers(db).where(where).orderBy(asc(memberships.createdAt), asc(memberships.id)).limit(limit).offset(startIndex - 1);
  const groups = await groupsOf(db, rows.map((r) => r.id));
  return listResponse(rows.map((r) => toResource(r, groups.get(r.id) ?? [], baseUrl)), total, startIndex);
}

function stateFromBody(body: UserBody, active: boolean): UserState {
  return {
    userName: body.userName,
    externalId: body.externalId ?? null,
    givenName: body.name?.givenName ?? null,
    familyName: body.name?.familyName ?? null,
    formatted: body.name?.formatted ?? null,
    displayName: body.displayName ?? null,
    emails: (body.emails ?? []).map((e) => ({ value: e.value, type: e.type ?? null, primary: e.primary ?? null })),
    active: body.active ?? active,
  };
}

function emailOf(userName: string): string {
  const parsed = emailSchema.safeParse(userName);
  if (!parsed.success) throw invalidValue(`userName must be the person's email address (got "${userName}")`);
  return parsed.data;
}

function displayNameOf(s: UserState): string | null {
  return s.displayName ?? s.formatted ?? ([s.givenName, s.familyName].filter(Boolean).join(" ") || null);
}

function uniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code === "23505" || e?.cause?.code === "23505";
}

/** Whether the person also belongs to another organisation (their email and name are then theirs to keep). */
async function memberElsewhere(db: DbOrTx, scope: Scope, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), ne(memberships.orgId, scope.orgId)))
    .limit(1);
  return Boolean(row);
}

async function saveDirectoryUser(tx: DbOrTx, scope: Scope, membershipId: string, s: UserState) {
  const attributes: DirectoryUserAttributes = { givenName: s.givenName, familyName: s.familyName, formatted: s.formatted, displayName: s.displayName, emails: s.emails };
  try {
    await tx
      .insert(directoryUsers)
      .values({ membershipId, orgId: scope.orgId, externalId: s.externalId, attributes })
      .onConflictDoUpdate({ target: directoryUsers.membershipId, set: { externalId: s.externalId, attributes, deletedAt: null, updatedAt: new Date() } });
  } catch (error) {
    if (uniqueViolation(error)) throw uniqueness(`Another user already has the externalId "${s.externalId}"`);
    throw error;
  }
}

/** Writes what changed between two states of one user: email, name, directory attributes, active. */
async function commitUser(tx: DbOrTx, scope: Scope, row: UserRow, before: UserState, after: UserState) {
  const email = emailOf(after.userName);
  const elsewhere = await memberElsewhere(tx, scope, row.userId);
  if (email !== row.email) {
    const taken = await findUserByEmail(tx, email);
    if (taken) throw uniqueness(`userName ${email} is already in use`);
    if (elsewhere) throw new ScimError(400, `${row.email} also belongs to another organisation in Ripple, so their email cannot be changed from this directory`, "mutability");
    await tx.update(users).set({ email }).where(eq(users.id, row.userId));
  }
  const name = displayNameOf(after);
  if (name && name !== row.userNameValue && !elsewhere) await tx.update(users).set({ name }).where(eq(users.id, row.userId));
  await saveDirectoryUser(tx, scope, row.id, after);
  if (before.active && !after.active) await deactivateMember(tx, scope, row.id);
  if (!before.active && after.active) await reactivateMember(tx, scope, row.id);
  await audit(tx, scope, { action: "scim.user.update", targetType: "membership", targetId: row.id, before: { ...before, userName: row.email }, after: { ...after, userName: email } });
}

/**
 * POST /Users: a new person is invited as an employee (as an admin's invitation would);
 * someone already in the organisation is a 409, unless the directory deleted them before,
 * in which case they are provisioned again.
 */
export async function createScimUser(db: DbOrTx, scope: Scope, body: UserBody, baseUrl: string) {
  const wanted = stateFromBody(body, true);
  const email = emailOf(wanted.userName);
  const id = await db.transaction(async (tx) => {
    const existingUser = await findUserByEmail(tx, email);
    if (existingUser) {
      const [row] = await selectUsers(tx)
        .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, existingUser.id)))
        .for("update", { of: memberships })
        .limit(1);
      if (row) {
        const [gone] = await tx.select({ deletedAt: directoryUsers.deletedAt }).from(directoryUsers).where(eq(directoryUsers.membershipId, row.id));
        if (!gone?.deletedAt) throw uniqueness(`A user with userName ${email} already exists`);
        await commitUser(tx, scope, row, stateOf(row), { ...wanted, userName: email });
        return row.id;
      }
    }
    const { membership } = await inviteMember(tx, scope, { email, name: displayNameOf(wanted) ?? undefined, roles: ["employee"] });
    await saveDirectoryUser(tx, scope, membership.id, wanted);
    if (!wanted.active) await deactivateMember(tx, scope, membership.id);
    await audit(tx, scope, { action: "scim.user.create", targetType: "membership", targetId: membership.id, after: { ...wanted, userName: email } });
    return membership.id;
  });
  return getScimUser(db, scope, id, baseUrl);
}

/** PUT /Users/{id}: the body is the whole user; attributes it leaves out are cleared (active stays as it is). */
export async function replaceScimUser(db: DbOrTx, scope: Scope, id: string, body: UserBody, baseUrl: string) {
  await db.transaction(async (tx) => {
    const row = await findRow(tx, scope, id);
    const before = stateOf(row);
    await commitUser(tx, scope, row, before, stateFromBody(body, before.active));
  });
  return getScimUser(db, scope, id, baseUrl);
}

export async function patchScimUser(db: DbOrTx, scope: Scope, id: string, ops: PatchOp[], baseUrl: string) {
  await db.transaction(async (tx) => {
    const row = await findRow(tx, scope, id);
    const before = stateOf(row);
    await commitUser(tx, scope, row, before, applyUserPatch(before, ops));
  });
  return getScimUser(db, scope, id, baseUrl);
}

/** DELETE /Users/{id}: deactivates the member, leaves their directory groups and answers 404 for them from now on. */
export async function deleteScimUser(db: DbOrTx, scope: Scope, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await findRow(tx, scope, id);
    await deactivateMember(tx, scope, row.id);
    await saveDirectoryUser(tx, scope, row.id, stateOf(row));
    await tx.update(directoryUsers).set({ deletedAt: new Date() }).where(eq(directoryUsers.membershipId, row.id));
    await tx.delete(directoryGroupMembers).where(eq(directoryGroupMembers.membershipId, row.id));
    await audit(tx, scope, { action: "scim.user.delete", targetType: "membership", targetId: row.id, before: { userName: row.email } });
  });
}

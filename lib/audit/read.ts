import { and, desc, eq, gte, inArray, lt, type SQL } from "drizzle-orm";
import { z } from "zod";
import { apiTokens, auditLog, memberships, organizations, rssFeeds, socialConnections, stories, teams, topics, users, webhooks } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { localToInstant } from "@/lib/time";
import type { Scope } from "@/lib/tenant";
import { auditActions, type AuditAction } from "./actions";

/**
 * The audit log as people read it: names instead of ids (kept as "deleted …" once the thing
 * is gone), the action as a code the pages put in words, and before/after as the fields that
 * changed. Read-only: nothing here updates or deletes an entry.
 */

const day = z.iso.date("invalidDate");
const blankToUndefined = (value: unknown) => (value === "" ? undefined : value);

/** The filters of the page and the CSV: who, which action, from and to (days in the reader's zone). */
export const auditFilterSchema = z
  .object({
    person: z.preprocess(blankToUndefined, z.string().min(1).max(100).optional()),
    action: z.preprocess(blankToUndefined, z.enum(auditActions).optional()),
    from: z.preprocess(blankToUndefined, day.optional()),
    to: z.preprocess(blankToUndefined, day.optional()),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: "periodReversed", path: ["to"] });
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export type AuditActor = { kind: "member"; userId: string; name: string } | { kind: "deletedMember" } | { kind: "cli" } | { kind: "directory" } | { kind: "system" };
export type AuditTarget = { type: string; id: string | null; name: string | null; deleted: boolean };
/** One changed field: its old and new value as text, ids replaced by names; null = not set. */
export type AuditChange = { field: string; from: string | null; to: string | null };

export type ReadableAuditRow = {
  id: number;
  createdAt: Date;
  action: string;
  /** Known actions have words in both languages; an unknown one is shown as its code. */
  known: boolean;
  actor: AuditActor;
  target: AuditTarget;
  changes: AuditChange[];
};

type RawRow = {
  id: number;
  createdAt: Date;
  action: string;
  actorKind: string;
  actorUserId: string | null;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
};

function dayStart(value: string, timeZone: string): Date {
  return localToInstant(`${value}T00:00`, timeZone);
}

function nextDay(value: string): string {
  return new Date(Date.parse(`${value}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function conditions(scope: Scope, filter: AuditFilter, timeZone: string, before?: number): SQL | undefined {
  return and(
    eq(auditLog.orgId, scope.orgId),
    filter.person ? eq(auditLog.actorUserId, filter.person) : undefined,
    filter.action ? eq(auditLog.action, filter.action) : undefined,
    filter.from ? gte(auditLog.createdAt, dayStart(filter.from, timeZone)) : undefined,
    filter.to ? lt(auditLog.createdAt, dayStart(nextDay(filter.to), timeZone)) : undefined,
    before ? lt(auditLog.id, before) : undefined,
  );
}

/** The organisation's entries matching the filter, newest first, `limit` at a time (keyset on id). */
export async function readAuditLog(
  db: DbOrTx,
  scope: Scope,
  options: { filter?: AuditFilter; timeZone: string; before?: number; limit?: number },
): Promise<ReadableAuditRow[]> {
  const rows: RawRow[] = await db
    .select({
      id: auditLog.id,
      createdAt: auditLog.createdAt,
      action: auditLog.action,
      actorKind: auditLog.actorKind,
      actorUserId: auditLog.actorUserId,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      before: auditLog.before,
      after: auditLog.after,
    })
    .from(auditLog)
    .where(conditions(scope, options.filter ?? {}, options.timeZone, options.before))
    .orderBy(desc(auditLog.id))
    .limit(options.limit ?? 50);
  return describeAuditRows(db, scope, rows);
}

/** The members who appear as actors in the organisation's log, for the person filter (someone who left is a "deleted member" there too). */
export async function auditActors(db: DbOrTx, scope: Scope): Promise<Array<{ userId: string; name: string }>> {
  const rows = await db
    .selectDistinct({ userId: users.id, name: users.name, email: users.email })
    .from(auditLog)
    .innerJoin(users, eq(users.id, auditLog.actorUserId))
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, scope.orgId)))
    .where(eq(auditLog.orgId, scope.orgId));
  return rows.map((r) => ({ userId: r.userId, name: r.name ?? r.email })).sort((a, b) => a.name.localeCompare(b.name));
}

// --- Names ---------------------------------------------------------------------------------

/** Ids shaped like ours (uuids); only these are looked up, and only within the organisation. */
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Bookkeeping columns a reader does not need among the changes (and never a hash). */
const HIDDEN_FIELDS = new Set(["id", "orgId", "createdAt", "updatedAt", "tokenHash"]);

function idsIn(value: unknown, into: Set<string>) {
  if (typeof value === "string") {
    if (ID.test(value)) into.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) idsIn(item, into);
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) if (!HIDDEN_FIELDS.has(key)) idsIn(item, into);
  }
}

type Names = { byId: Map<string, { type: string; name: string }>; users: Map<string, string> };

/** Every id the rows mention, named from the organisation's own tables (never another's). */
async function lookUpNames(db: DbOrTx, scope: Scope, rows: RawRow[]): Promise<Names> {
  const ids = new Set<string>();
  const userIds = new Set<string>();
  for (const row of rows) {
    if (row.targetId) ids.add(row.targetId);
    if (row.actorUserId) userIds.add(row.actorUserId);
    idsIn(row.before, ids);
    idsIn(row.after, ids);
  }
  for (const id of ids) userIds.add(id);
  const byId: Names["byId"] = new Map();
  const users_: Names["users"] = new Map();
  if (ids.size === 0 && userIds.size === 0) return { byId, users: users_ };
  const list = [...ids];
  const org = scope.orgId;
  const some = list.length > 0;
  const [people, memberRows, teamRows, storyRows, topicRows, tokenRows, feedRows, hookRows, connectionRows, orgRows] = await Promise.all([
    // A person is named only while they are (or were invited as) a member of this organisation.
    db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, org)))
      .where(inArray(users.id, [...userIds])),
    some
      ? db
          .select({ id: memberships.id, name: users.name, email: users.email })
          .from(memberships)
          .innerJoin(users, eq(users.id, memberships.userId))
          .where(and(eq(memberships.orgId, org), inArray(memberships.id, list)))
      : [],
    some ? db.select({ id: teams.id, name: teams.name }).from(teams).where(and(eq(teams.orgId, org), inArray(teams.id, list))) : [],
    some ? db.select({ id: stories.id, name: stories.title }).from(stories).where(and(eq(stories.orgId, org), inArray(stories.id, list))) : [],
    some ? db.select({ id: topics.id, name: topics.name }).from(topics).where(and(eq(topics.orgId, org), inArray(topics.id, list))) : [],
    some ? db.select({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix }).from(apiTokens).where(and(eq(apiTokens.orgId, org), inArray(apiTokens.id, list))) : [],
    some ? db.select({ id: rssFeeds.id, title: rssFeeds.title, url: rssFeeds.url }).from(rssFeeds).where(and(eq(rssFeeds.orgId, org), inArray(rssFeeds.id, list))) : [],
    some ? db.select({ id: webhooks.id, kind: webhooks.kind }).from(webhooks).where(and(eq(webhooks.orgId, org), inArray(webhooks.id, list))) : [],
    some
      ? db
          .select({ id: socialConnections.id, network: socialConnections.network, handle: socialConnections.handle })
          .from(socialConnections)
          .where(and(eq(socialConnections.orgId, org), inArray(socialConnections.id, list)))
      : [],
    some && list.includes(org) ? db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(eq(organizations.id, org)) : [],
  ]);
  for (const p of people) users_.set(p.id, p.name ?? p.email);
  for (const p of people) byId.set(p.id, { type: "user", name: p.name ?? p.email });
  for (const m of memberRows) byId.set(m.id, { type: "membership", name: m.name ?? m.email });
  for (const t of teamRows) byId.set(t.id, { type: "team", name: t.name });
  for (const s of storyRows) byId.set(s.id, { type: "story", name: s.name });
  for (const t of topicRows) byId.set(t.id, { type: "topic", name: t.name });
  for (const t of tokenRows) byId.set(t.id, { type: "api_token", name: `${t.name} (${t.prefix}…)` });
  for (const f of feedRows) byId.set(f.id, { type: "rss_feed", name: f.title ?? f.url });
  for (const h of hookRows) byId.set(h.id, { type: "webhook", name: h.kind });
  for (const c of connectionRows) byId.set(c.id, { type: "social_connection", name: `${c.network} ${c.handle}` });
  for (const o of orgRows) byId.set(o.id, { type: "organization", name: o.name });
  return { byId, users: users_ };
}

/** Target types looked up by id above: one of these not found is gone. */
const NAMED_TYPES = new Set(["membership", "team", "story", "topic", "api_token", "rss_feed", "webhook", "social_connection", "organization"]);

/** A name the entry itself kept (a deleted team's name, a story's title), for things that are gone. */
function snapshotName(row: RawRow): string | null {
  for (const side of [row.before, row.after]) {
    if (!side || typeof side !== "object") continue;
    const s = side as Record<string, unknown>;
    for (const key of ["name", "title", "email", "handle", "url"]) if (typeof s[key] === "string" && s[key]) return s[key] as string;
  }
  return null;
}

// --- Changes -------------------------------------------------------------------------------

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function asText(value: unknown, names: Names): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") {
    if (ID.test(value)) return names.byId.get(value)?.name ?? value;
    if (ISO_INSTANT.test(value)) return new Date(value).toISOString().replace("T", " ").slice(0, 16) + " UTC";
    return value;
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map((item) => asText(item, names) ?? "—").join(", ");
  return JSON.stringify(value);
}

function fieldsOf(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The fields whose value differs between before and after, in the order they were written. */
export function changedFields(before: unknown, after: unknown, names: Names = { byId: new Map(), users: new Map() }): AuditChange[] {
  const old = fieldsOf(before);
  const next = fieldsOf(after);
  const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])].filter((key) => !HIDDEN_FIELDS.has(key));
  const changes: AuditChange[] = [];
  for (const key of keys) {
    if (JSON.stringify(old[key] ?? null) === JSON.stringify(next[key] ?? null)) continue;
    changes.push({ field: key, from: asText(old[key], names), to: asText(next[key], names) });
  }
  return changes;
}

async function describeAuditRows(db: DbOrTx, scope: Scope, rows: RawRow[]): Promise<ReadableAuditRow[]> {
  const names = await lookUpNames(db, scope, rows);
  return rows.map((row) => {
    const actor: AuditActor =
      row.actorKind === "cli" || row.actorKind === "directory"
        ? { kind: row.actorKind }
        : row.actorKind === "system"
          ? { kind: "system" }
          : row.actorUserId && names.users.has(row.actorUserId)
            ? { kind: "member", userId: row.actorUserId, name: names.users.get(row.actorUserId)! }
            : { kind: "deletedMember" };
    const found = row.targetId ? names.byId.get(row.targetId) : undefined;
    const target: AuditTarget = found
      ? { type: row.targetType, id: row.targetId, name: found.name, deleted: false }
      : { type: row.targetType, id: row.targetId, name: snapshotName(row), deleted: row.targetId !== null && NAMED_TYPES.has(row.targetType) };
    return {
      id: row.id,
      createdAt: row.createdAt,
      action: row.action,
      known: (auditActions as readonly string[]).includes(row.action),
      actor,
      target,
      changes: changedFields(row.before, row.after, names),
    };
  });
}

export type { AuditAction };

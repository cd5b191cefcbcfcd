import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { guidelineVersions, memberships, organizations, users } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx, Tx } from "@/lib/db";
import { conflict, invalid, notFound } from "@/lib/errors";
import type { Scope } from "@/lib/tenant";
import { actorUserId } from "@/lib/tenant";
import { defaultGuidelines } from "./defaultGuidelines";

/**
 * Versioned guidelines and acknowledgements. The default is stored as version 1 only at the
 * first save, so an acknowledged number always means the text read; saving and acknowledging
 * lock the organisation's row. The rules: docs/design-notes.md, "Guidelines versions".
 */

export const DEFAULT_VERSION = 1;
const MAX_BODY = 50_000;

const body = z
  .string()
  .transform((text) => text.replace(/\r\n?/g, "\n").trim())
  .pipe(z.string().min(1, "required").max(MAX_BODY, "tooLong"));

export const guidelinesInputSchema = z.object({
  bodyDa: body,
  bodyEn: body,
  requiresAcceptance: z.boolean().default(true),
});
export type GuidelinesInput = z.input<typeof guidelinesInputSchema>;

export type CurrentGuidelines = {
  version: number;
  bodyDa: string;
  bodyEn: string;
  /** Whether this version asked members to acknowledge it again. */
  requiresAcceptance: boolean;
  /** True while the organisation has not saved guidelines of its own (version 1, Ripple's default, not stored). */
  isDefault: boolean;
  createdAt: Date | null;
};

export type GuidelinesStatus = {
  /** The current version: the one the guidelines page shows and acceptGuidelines expects. */
  version: number;
  /** The member acknowledged the newest version that requires acknowledgement (or a later one). */
  accepted: boolean;
  /** Whether the current version itself asked for acknowledgement. */
  requiresAcceptance: boolean;
};

function defaultVersion(): CurrentGuidelines {
  return { version: DEFAULT_VERSION, bodyDa: defaultGuidelines.da, bodyEn: defaultGuidelines.en, requiresAcceptance: true, isDefault: true, createdAt: null };
}

/** The guidelines in force: the newest saved version, or the default text as version 1. */
export async function currentGuidelines(db: DbOrTx, scope: Scope): Promise<CurrentGuidelines> {
  const [row] = await db
    .select()
    .from(guidelineVersions)
    .where(eq(guidelineVersions.orgId, scope.orgId))
    .orderBy(desc(guidelineVersions.version))
    .limit(1);
  if (!row) return defaultVersion();
  return { version: row.version, bodyDa: row.bodyDa, bodyEn: row.bodyEn, requiresAcceptance: row.requiresAcceptance, isDefault: false, createdAt: row.createdAt };
}

/** The current version and the newest one that asked for acknowledgement. */
async function versionMarks(db: DbOrTx, scope: Scope): Promise<{ latest: number; required: number; latestRequires: boolean }> {
  const [row] = await db
    .select({
      latest: sql<number | null>`max(${guidelineVersions.version})`,
      required: sql<number | null>`max(${guidelineVersions.version}) filter (where ${guidelineVersions.requiresAcceptance})`,
      latestRequires: sql<boolean | null>`(array_agg(${guidelineVersions.requiresAcceptance} order by ${guidelineVersions.version} desc))[1]`,
    })
    .from(guidelineVersions)
    .where(eq(guidelineVersions.orgId, scope.orgId));
  if (!row || row.latest === null) return { latest: DEFAULT_VERSION, required: DEFAULT_VERSION, latestRequires: true };
  // Version 1 (the default) always asks, so `required` is only null for data written by hand.
  return { latest: Number(row.latest), required: row.required === null ? 0 : Number(row.required), latestRequires: row.latestRequires ?? true };
}

async function lockOrganization(tx: Tx, scope: Scope, mode: "update" | "share") {
  const [org] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, scope.orgId)).for(mode);
  if (!org) throw notFound("Organisation");
}

/**
 * Saves new guidelines as the next version (admins; the caller checks the role). Refuses
 * a text identical to the current version's: a version that changes nothing would only
 * make everyone acknowledge again.
 */
export async function saveGuidelines(db: DbOrTx, scope: Scope, input: GuidelinesInput): Promise<CurrentGuidelines> {
  const next = guidelinesInputSchema.parse(input);
  return db.transaction(async (tx) => {
    await lockOrganization(tx, scope, "update");
    const current = await currentGuidelines(tx, scope);
    if (current.bodyDa.trim() === next.bodyDa && current.bodyEn.trim() === next.bodyEn) {
      throw invalid("guidelinesUnchanged", "The guidelines are the same as the current version");
    }
    if (current.isDefault) {
      // Keep the default members may have acknowledged as version 1 in the history.
      await tx.insert(guidelineVersions).values({ orgId: scope.orgId, version: DEFAULT_VERSION, bodyDa: current.bodyDa, bodyEn: current.bodyEn, requiresAcceptance: true, createdBy: null });
    }
    const version = current.version + 1;
    const [row] = await tx
      .insert(guidelineVersions)
      .values({ orgId: scope.orgId, version, bodyDa: next.bodyDa, bodyEn: next.bodyEn, requiresAcceptance: next.requiresAcceptance, createdBy: actorUserId(scope) })
      .returning();
    await audit(tx, scope, {
      action: "guidelines.save",
      targetType: "guidelines",
      targetId: String(version),
      before: { version: current.version },
      after: { version, requiresAcceptance: next.requiresAcceptance },
    });
    return { version, bodyDa: row!.bodyDa, bodyEn: row!.bodyEn, requiresAcceptance: row!.requiresAcceptance, isDefault: false, createdAt: row!.createdAt };
  });
}

/** Where a member stands: call it before any share (refuse with "guidelinesNotAccepted" when not accepted). */
export async function guidelinesStatus(db: DbOrTx, scope: Scope, userId: string): Promise<GuidelinesStatus> {
  const [marks, [membership]] = await Promise.all([
    versionMarks(db, scope),
    db
      .select({ accepted: memberships.guidelinesVersionAccepted })
      .from(memberships)
      .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId)))
      .limit(1),
  ]);
  const acknowledged = membership?.accepted ?? null;
  const accepted = membership !== undefined && (marks.required === 0 || (acknowledged !== null && acknowledged >= marks.required));
  return { version: marks.latest, accepted, requiresAcceptance: marks.latestRequires };
}

/**
 * Records that the member read and will follow `version`, which must be the current one
 * (a page left open across a save is refused with "guidelinesOutdated", so nobody
 * acknowledges a text they did not see). Acknowledging the same version again changes nothing.
 */
export async function acceptGuidelines(db: DbOrTx, scope: Scope, userId: string, version: number, now = new Date()): Promise<{ version: number; acceptedAt: Date }> {
  return db.transaction(async (tx) => {
    await lockOrganization(tx, scope, "share");
    const { latest } = await versionMarks(tx, scope);
    if (version !== latest) throw conflict("guidelinesOutdated", `Version ${version} is not the current version (${latest})`);
    const [membership] = await tx
      .select({ id: memberships.id, accepted: memberships.guidelinesVersionAccepted, acceptedAt: memberships.guidelinesAcceptedAt })
      .from(memberships)
      .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId)))
      .for("update");
    if (!membership) throw notFound("Member");
    if (membership.accepted === version && membership.acceptedAt) return { version, acceptedAt: membership.acceptedAt };
    await tx.update(memberships).set({ guidelinesVersionAccepted: version, guidelinesAcceptedAt: now }).where(eq(memberships.id, membership.id));
    await audit(tx, scope, {
      action: "guidelines.accept",
      targetType: "membership",
      targetId: membership.id,
      before: { version: membership.accepted },
      after: { version },
    });
    return { version, acceptedAt: now };
  });
}

export type GuidelineVersionRow = { version: number; requiresAcceptance: boolean; createdAt: Date; authorName: string | null; authorEmail: string | null };

/** Every saved version, newest first, with who saved it (empty while the default is in force). */
export async function listGuidelineVersions(db: DbOrTx, scope: Scope): Promise<GuidelineVersionRow[]> {
  return db
    .select({
      version: guidelineVersions.version,
      requiresAcceptance: guidelineVersions.requiresAcceptance,
      createdAt: guidelineVersions.createdAt,
      authorName: users.name,
      authorEmail: users.email,
    })
    .from(guidelineVersions)
    .leftJoin(users, eq(users.id, guidelineVersions.createdBy))
    .where(eq(guidelineVersions.orgId, scope.orgId))
    .orderBy(desc(guidelineVersions.version));
}

/** How many active members are up to date, of how many. */
export async function guidelinesAcceptance(db: DbOrTx, scope: Scope): Promise<{ accepted: number; total: number }> {
  const { required } = await versionMarks(db, scope);
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      accepted: sql<number>`(count(*) filter (where ${required} = 0 or ${memberships.guidelinesVersionAccepted} >= ${required}))::int`,
    })
    .from(memberships)
    .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.status, "active")));
  return { accepted: row?.accepted ?? 0, total: row?.total ?? 0 };
}

import { randomUUID } from "node:crypto";
import { and, asc, eq, isNull, lt, ne, or, sql } from "drizzle-orm";
import { endedSessions, memberships, organizations, pushSubscriptions, users } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { Database, DbOrTx } from "@/lib/db";
import { sessionMembershipColumns, type SessionMembership } from "@/lib/members";
import { trustedScope, type Scope } from "@/lib/tenant";

/**
 * Sessions are JWTs in a cookie, and still end on the server. Each carries:
 * - `sid`, its own id: signing out puts it on the deny list (ended_sessions);
 * - `sv`, the person's session version when signing in: "sign out everywhere" raises it;
 * - `authTime`, when it was signed in (database clock, ms): a deactivated membership is
 *   closed to every session signed in before (memberships.sessions_not_before), so
 *   reactivation does not bring an old session back;
 * - `demoOnly`, for the password-less demo sign-in: only demo organisations count.
 * readSession checks all four in the one query that also reads the memberships and roles.
 */

/** A session cookie lives 14 days from its last use. */
export const SESSION_MAX_AGE_SECONDS = 14 * 24 * 3600;

export type SessionClaims = { sid: string; sv: number; authTime: number; demoOnly: boolean };

/** What a new session carries; null when the person does not exist. */
export async function startSession(db: DbOrTx, userId: string, options: { demoOnly: boolean }): Promise<SessionClaims | null> {
  const [row] = await db
    .select({ version: users.sessionVersion, now: sql<number>`(extract(epoch from clock_timestamp()) * 1000)::float8` })
    .from(users)
    .where(eq(users.id, userId));
  if (!row) return null;
  return { sid: randomUUID(), sv: row.version, authTime: Math.floor(row.now), demoOnly: options.demoOnly };
}

/**
 * The organisations this session may act in, with the roles it has there now; null when the
 * session has ended (signed out, signed out everywhere, the person gone or no longer a member
 * anywhere this session may act). One query per request.
 */
export async function readSession(db: DbOrTx, userId: string, claims: Partial<SessionClaims>): Promise<SessionMembership[] | null> {
  const { sid, sv, authTime } = claims;
  // A cookie from before sessions carried these (or a forged one) is not a session.
  if (typeof sid !== "string" || typeof sv !== "number" || typeof authTime !== "number" || !Number.isFinite(authTime)) return null;
  const rows = await db
    .select({
      version: users.sessionVersion,
      ended: sql<boolean>`exists (select 1 from ${endedSessions} where ${endedSessions.sid} = ${sid})`,
      ...sessionMembershipColumns,
    })
    .from(users)
    .leftJoin(
      memberships,
      and(
        eq(memberships.userId, users.id),
        ne(memberships.status, "deactivated"),
        or(isNull(memberships.sessionsNotBefore), lt(memberships.sessionsNotBefore, sql`to_timestamp(${authTime}::float8 / 1000)`)),
      ),
    )
    .leftJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(users.id, userId))
    .orderBy(asc(organizations.name));
  const first = rows[0];
  if (!first || first.ended || first.version !== sv) return null;
  const usable = rows.flatMap((r): SessionMembership[] =>
    r.orgId && r.orgName !== null && r.orgSlug !== null && r.isDemo !== null && r.roles && r.status && (!claims.demoOnly || r.isDemo)
      ? [{ orgId: r.orgId, orgName: r.orgName, orgSlug: r.orgSlug, isDemo: r.isDemo, roles: r.roles, status: r.status }]
      : [],
  );
  return usable.length > 0 ? usable : null;
}

/**
 * Ends one session (signing out): its id is refused until the longest any copy of its cookie
 * could live, as each use renews a cookie for SESSION_MAX_AGE_SECONDS.
 */
export async function endSession(db: DbOrTx, userId: string, sid: string): Promise<void> {
  await db
    .insert(endedSessions)
    .values({ sid, userId, expiresAt: sql`now() + make_interval(secs => ${SESSION_MAX_AGE_SECONDS})` })
    .onConflictDoNothing();
}

/** Deny-list rows past the life of any cookie they could refuse (the hourly maintenance). */
export async function purgeEndedSessions(db: DbOrTx): Promise<number> {
  const removed = await db.delete(endedSessions).where(lt(endedSessions.expiresAt, sql`now()`)).returning({ sid: endedSessions.sid });
  return removed.length;
}

/**
 * "Sign out everywhere": every session of the person ends, this one included, on every device
 * and in every organisation, and their browsers' push subscriptions go (a lost phone gets no
 * more notifications). Recorded in the audit log of each organisation they belong to. API
 * tokens are not sessions: they stay until revoked or expired (Settings → API tokens).
 */
export async function signOutEverywhere(db: Database, scope: Scope, userId: string): Promise<{ devicesRemoved: number }> {
  return db.transaction(async (tx) => {
    const [person] = await tx
      .update(users)
      .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
      .where(eq(users.id, userId))
      .returning({ version: users.sessionVersion });
    if (!person) return { devicesRemoved: 0 };
    const devices = await tx.delete(pushSubscriptions).where(eq(pushSubscriptions.userId, userId)).returning({ id: pushSubscriptions.id });
    const mine = await tx.select({ id: memberships.id, orgId: memberships.orgId }).from(memberships).where(eq(memberships.userId, userId));
    for (const membership of mine) {
      await audit(tx, trustedScope(membership.orgId, scope.actor), { action: "session.sign_out_everywhere", targetType: "membership", targetId: membership.id });
    }
    return { devicesRemoved: devices.length };
  });
}

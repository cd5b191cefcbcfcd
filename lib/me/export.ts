import { and, asc, eq, inArray, or, sql, type Column } from "drizzle-orm";
import {
  apiTokens,
  auditLog,
  dailyRollups,
  memberships,
  monthlyRollups,
  notifications,
  organizations,
  pointsLedger,
  reachSnapshots,
  shares,
  socialConnections,
  stories,
  teams,
  trackedLinks,
  users,
} from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { trackedUrl } from "@/lib/links/tracked-links";
import type { Scope } from "@/lib/tenant";

/**
 * GDPR export (art. 15 and 20) of one person in one organisation, as JSON: only them
 * (colleagues appear nowhere, not even as an admin who acted), never tokens or token hashes.
 * Clicks come from the daily rollups, not the raw events (which hold nothing of theirs).
 */
export const EXPORT_FORMAT = "ripple-personal-data/1";

export async function exportMyData(db: DbOrTx, scope: Scope, userId: string, now = new Date()) {
  const [member] = await db
    .select({
      membershipId: memberships.id,
      roles: memberships.roles,
      status: memberships.status,
      teamId: memberships.teamId,
      teamName: teams.name,
      invitedAt: memberships.invitedAt,
      joinedAt: memberships.joinedAt,
      deactivatedAt: memberships.deactivatedAt,
      guidelinesVersionAccepted: memberships.guidelinesVersionAccepted,
      guidelinesAcceptedAt: memberships.guidelinesAcceptedAt,
      leaderboardOptOut: memberships.leaderboardOptOut,
      writingExamples: memberships.writingExamples,
      notificationPrefs: memberships.notificationPrefs,
      createdAt: memberships.createdAt,
      orgName: organizations.name,
    })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .leftJoin(teams, eq(teams.id, memberships.teamId))
    .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId)));
  if (!member) throw notFound("Member");

  const [profile] = await db
    .select({ id: users.id, name: users.name, email: users.email, emailVerified: users.emailVerified, locale: users.locale, timeZone: users.timeZone, createdAt: users.createdAt })
    .from(users)
    .where(eq(users.id, userId));

  const myShares = await db
    .select({
      id: shares.id,
      storyId: shares.storyId,
      storyTitle: stories.title,
      network: shares.network,
      mode: shares.mode,
      text: shares.text,
      /** Written with the organisation's language model (a suggested text it wrote, or the person's own rewrite or translation). */
      writtenWithHelp: shares.assisted,
      status: shares.status,
      scheduledAt: shares.scheduledAt,
      publishedAt: shares.publishedAt,
      cancelledAt: shares.cancelledAt,
      createdAt: shares.createdAt,
      postUrl: shares.externalUrl,
      errorCode: shares.errorCode,
    })
    .from(shares)
    .innerJoin(stories, eq(stories.id, shares.storyId))
    .where(and(eq(shares.orgId, scope.orgId), eq(shares.userId, userId)))
    .orderBy(asc(shares.createdAt));
  const shareIds = myShares.map((s) => s.id);
  const ofMyShares = (column: Column) => (shareIds.length > 0 ? inArray(column, shareIds) : sql`false`);
  // A share's clicks by day or by month, from the share rollups ('all' is the share's total).
  const clicksOfMyShares = (t: typeof dailyRollups | typeof monthlyRollups, date: Column) =>
    db
      .select({ shareId: t.dimensionId, date: sql<string>`${date}::text`, clicks: t.clicks, uniqueVisitors: t.uniqueVisitors, botClicks: t.botClicks })
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), eq(t.dimension, "share"), eq(t.network, "all"), ofMyShares(t.dimensionId), sql`(${t.clicks} > 0 or ${t.botClicks} > 0)`))
      .orderBy(asc(date));

  const [links, clicksByDay, clicksByMonth, snapshots, connections, points, notices, tokens] = await Promise.all([
    db
      .select({ shareId: trackedLinks.shareId, code: trackedLinks.code, destination: trackedLinks.destination, createdAt: trackedLinks.createdAt })
      .from(trackedLinks)
      .where(and(eq(trackedLinks.orgId, scope.orgId), ofMyShares(trackedLinks.shareId))),
    clicksOfMyShares(dailyRollups, dailyRollups.day),
    // Every month too: days fold into their months once the clicks are past retention (lib/reach/retention.ts).
    clicksOfMyShares(monthlyRollups, monthlyRollups.month),
    db
      .select({
        shareId: reachSnapshots.shareId,
        capturedAt: reachSnapshots.capturedAt,
        source: reachSnapshots.source,
        poll: reachSnapshots.poll,
        impressions: reachSnapshots.impressions,
        reached: reachSnapshots.reached,
        likes: reachSnapshots.likes,
        comments: reachSnapshots.comments,
        reshares: reachSnapshots.reshares,
        quotes: reachSnapshots.quotes,
        clicks: reachSnapshots.clicks,
        saves: reachSnapshots.saves,
      })
      .from(reachSnapshots)
      .where(and(eq(reachSnapshots.orgId, scope.orgId), ofMyShares(reachSnapshots.shareId)))
      .orderBy(asc(reachSnapshots.capturedAt)),
    // Named columns only: the encrypted tokens never leave the table.
    db
      .select({
        id: socialConnections.id,
        network: socialConnections.network,
        handle: socialConnections.handle,
        displayName: socialConnections.displayName,
        externalId: socialConnections.externalId,
        instanceUrl: socialConnections.instanceUrl,
        profileUrl: socialConnections.profileUrl,
        followerCount: socialConnections.followerCount,
        status: socialConnections.status,
        scopes: socialConnections.scopes,
        tokenExpiresAt: socialConnections.tokenExpiresAt,
        createdAt: socialConnections.createdAt,
        updatedAt: socialConnections.updatedAt,
      })
      .from(socialConnections)
      .where(and(eq(socialConnections.orgId, scope.orgId), eq(socialConnections.userId, userId)))
      .orderBy(asc(socialConnections.createdAt)),
    db
      .select({ action: pointsLedger.action, points: pointsLedger.points, shareId: pointsLedger.shareId, createdAt: pointsLedger.createdAt })
      .from(pointsLedger)
      .where(and(eq(pointsLedger.orgId, scope.orgId), eq(pointsLedger.userId, userId)))
      .orderBy(asc(pointsLedger.createdAt)),
    db
      .select({ kind: notifications.kind, data: notifications.data, readAt: notifications.readAt, createdAt: notifications.createdAt })
      .from(notifications)
      .where(and(eq(notifications.orgId, scope.orgId), eq(notifications.userId, userId)))
      .orderBy(asc(notifications.createdAt)),
    db
      .select({ id: apiTokens.id, name: apiTokens.name, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt, expiresAt: apiTokens.expiresAt, revokedAt: apiTokens.revokedAt })
      .from(apiTokens)
      .where(and(eq(apiTokens.orgId, scope.orgId), eq(apiTokens.userId, userId))),
  ]);

  const audit = await db
    .select({ id: auditLog.id, action: auditLog.action, actorUserId: auditLog.actorUserId, actorKind: auditLog.actorKind, targetType: auditLog.targetType, targetId: auditLog.targetId, before: auditLog.before, after: auditLog.after, createdAt: auditLog.createdAt })
    .from(auditLog)
    .where(and(eq(auditLog.orgId, scope.orgId), auditAboutThem(member.membershipId, userId, connections.map((c) => c.id), tokens.map((t) => t.id))))
    .orderBy(asc(auditLog.id));

  const clicksOf = new Map<string, Array<{ day: string; clicks: number; uniqueVisitors: number; botClicks: number }>>();
  for (const { shareId, date: day, ...figures } of clicksByDay) (clicksOf.get(shareId) ?? clicksOf.set(shareId, []).get(shareId)!).push({ day, ...figures });
  const monthsOf = new Map<string, Array<{ month: string; clicks: number; uniqueVisitors: number; botClicks: number }>>();
  for (const { shareId, date: month, ...figures } of clicksByMonth) (monthsOf.get(shareId) ?? monthsOf.set(shareId, []).get(shareId)!).push({ month, ...figures });

  return {
    format: EXPORT_FORMAT,
    exportedAt: now.toISOString(),
    organization: { id: scope.orgId, name: member.orgName },
    profile: profile ?? null,
    membership: {
      roles: member.roles,
      status: member.status,
      team: member.teamId ? { id: member.teamId, name: member.teamName } : null,
      invitedAt: member.invitedAt,
      joinedAt: member.joinedAt,
      deactivatedAt: member.deactivatedAt,
      guidelinesVersionAccepted: member.guidelinesVersionAccepted,
      guidelinesAcceptedAt: member.guidelinesAcceptedAt,
      leaderboardOptOut: member.leaderboardOptOut,
      writingHelpStyleExamples: member.writingExamples,
      notificationPreferences: member.notificationPrefs,
      createdAt: member.createdAt,
    },
    shares: myShares,
    /** The texts of theirs written with help, on their own, as the issue asks: easy to find. */
    textsWrittenWithHelp: myShares.filter((share) => share.writtenWithHelp).map((share) => ({ shareId: share.id, network: share.network, text: share.text, createdAt: share.createdAt })),
    trackedLinks: links.map((l) => ({ ...l, url: trackedUrl(l.code), clicksByDay: clicksOf.get(l.shareId ?? "") ?? [], clicksByMonth: monthsOf.get(l.shareId ?? "") ?? [] })),
    reachSnapshots: snapshots,
    connections,
    apiTokens: tokens,
    pointsLedger: points,
    notifications: notices,
    // Who acted is said only when it was the person themselves (colleagues are not theirs to export).
    auditLog: audit.map(({ actorUserId, ...entry }) => ({ ...entry, byYou: actorUserId === userId })),
  };
}

export type MyDataExport = Awaited<ReturnType<typeof exportMyData>>;

/**
 * The audit entries about the person: their membership, their connections and API
 * tokens, and what they did to their own account (connecting, opting out…).
 */
export function auditAboutThem(membershipId: string, userId: string, connectionIds: string[], tokenIds: string[]) {
  return or(
    and(eq(auditLog.targetType, "membership"), eq(auditLog.targetId, membershipId)),
    and(eq(auditLog.targetType, "user"), eq(auditLog.targetId, userId)),
    connectionIds.length > 0 ? and(eq(auditLog.targetType, "social_connection"), inArray(auditLog.targetId, connectionIds)) : undefined,
    tokenIds.length > 0 ? and(eq(auditLog.targetType, "api_token"), inArray(auditLog.targetId, tokenIds)) : undefined,
    and(eq(auditLog.actorUserId, userId), eq(auditLog.targetType, "social_connection")),
  );
}

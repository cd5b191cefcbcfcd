import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { notifications, type Notification } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { log } from "@/lib/log";
import { enqueue } from "@/lib/queue";
import type { Scope } from "@/lib/tenant";

/** The kinds of notice and their parameters; the text lives in messages/*.json (notices.*). */
export const noticeKinds = ["story.withdrawn", "story.expired", "connection.expiring", "connection.expired", "share.shareWindow", "share.commentFailed"] as const;
export type NoticeKind = (typeof noticeKinds)[number];
export type NoticeData = Record<string, string | number | null>;

/** The page a notice's mail button and in-app link lead to. */
export function noticeLink(kind: string): string {
  return kind.startsWith("connection.") ? "/connections" : kind.startsWith("share.") ? "/queue" : "/notifications";
}

/**
 * Unknown kinds (from an older or newer version) come back null and are skipped. `format`
 * supplies what depends on the reader: their date format, the network's name in their language.
 */
export function noticeMessage(
  notice: { kind: string; data: NoticeData },
  format: { date(value: Date): string; network(id: string): string },
): { key: NoticeKind; params: { title: string; count: number; network: string; handle: string; date: string } } | null {
  if (!(noticeKinds as readonly string[]).includes(notice.kind)) return null;
  const { data } = notice;
  const expiresAt = typeof data.expiresAt === "string" ? new Date(data.expiresAt) : null;
  return {
    key: notice.kind as NoticeKind,
    params: {
      title: String(data.title ?? ""),
      count: Number(data.count ?? 0),
      network: typeof data.network === "string" ? format.network(data.network) : "",
      handle: String(data.handle ?? ""),
      date: expiresAt && !Number.isNaN(expiresAt.getTime()) ? format.date(expiresAt) : "",
    },
  };
}

/** Adds one in-app notice per person; returns them so the caller can mail them after commit. */
export async function addNotices(tx: DbOrTx, scope: Scope, notices: Array<{ userId: string; kind: NoticeKind; data: NoticeData }>): Promise<Notification[]> {
  if (notices.length === 0) return [];
  return tx
    .insert(notifications)
    .values(notices.map((n) => ({ orgId: scope.orgId, userId: n.userId, kind: n.kind, data: n.data })))
    .returning();
}

/** Queues the mail for each notice (the notify worker renders it in the reader's language). */
export async function mailNotices(notices: Notification[]): Promise<void> {
  const results = await Promise.allSettled(
    notices.map((n) => enqueue("notify", "notification.mail", { notificationId: n.id }, { jobId: `notice-mail-${n.id}`, attempts: 5, backoff: { type: "exponential", delay: 30_000 } })),
  );
  for (const r of results) if (r.status === "rejected") log.error({ err: r.reason }, "notice mail not queued");
}

export async function listNotices(db: DbOrTx, scope: Scope, userId: string, limit = 50) {
  return db
    .select()
    .from(notifications)
    .where(and(eq(notifications.orgId, scope.orgId), eq(notifications.userId, userId)))
    .orderBy(desc(notifications.createdAt))
    .limit(limit);
}

export async function countUnreadNotices(db: DbOrTx, scope: Scope, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(eq(notifications.orgId, scope.orgId), eq(notifications.userId, userId), isNull(notifications.readAt)));
  return row?.n ?? 0;
}

/** Marks the person's own notices read (others' ids are ignored). */
export async function markNoticesRead(db: DbOrTx, scope: Scope, userId: string, ids?: string[]) {
  await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(
      and(
        eq(notifications.orgId, scope.orgId),
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
        ids ? inArray(notifications.id, ids) : undefined,
      ),
    );
}

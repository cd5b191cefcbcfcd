import { TZDate } from "@date-fns/tz";
import { and, eq, inArray, isNull, lt, or, type SQL } from "drizzle-orm";
import { memberships, organizations, users } from "@/db/schema";
import type { DbOrTx, Tx } from "@/lib/db";
import { log } from "@/lib/log";
import { parseSettings } from "@/lib/orgs";
import { enqueue } from "@/lib/queue";
import { dayIn, isoWeekOf } from "@/lib/time";

/**
 * The digest and the manager's report, Monday 08:xx in the organisation's zone, at most once a
 * week: a worker killed after the claim loses the week's mail rather than send it twice. How
 * retries and restarts stay at once: docs/design-notes.md, "Weekly mails".
 */

export const WEEKLY_WEEKDAY = 1; // Monday (Date#getDay)
export const WEEKLY_HOUR = 8;
/** A mail of the same kind more recent than this means the week is done. */
const RESEND_AFTER_MS = 6 * 24 * 3_600_000;

/** Which mail: the membership column that records when it last went. */
export type WeeklyMail = "digestSentAt" | "reportSentAt";

export type DueWeeklyMail = { membershipId: string; orgId: string; /** ISO week in the organisation's time zone, "2026-W03". */ week: string };

/** When `now` is Monday 08:xx in the zone, its ISO week there; else null. */
export function weeklyMailWeek(now: Date, timeZone: string): string | null {
  const local = new TZDate(now.getTime(), timeZone);
  if (local.getDay() !== WEEKLY_WEEKDAY || local.getHours() !== WEEKLY_HOUR) return null;
  return isoWeekOf(dayIn(now, timeZone));
}

/** The organisations where it is Monday 08:xx at `now`, each with the week's id. */
async function mondayMorningWeeks(db: DbOrTx, now: Date): Promise<Map<string, string>> {
  const orgs = await db.select({ id: organizations.id, settings: organizations.settings }).from(organizations);
  const weeks = new Map<string, string>();
  for (const org of orgs) {
    const week = weeklyMailWeek(now, parseSettings(org.settings).timeZone);
    if (week) weeks.set(org.id, week);
  }
  return weeks;
}

/** Active members meeting `conditions`, in an organisation at Monday 08:xx, whose last mail of this kind is older than six days. */
export async function dueWeeklyMails(db: DbOrTx, now: Date, mail: WeeklyMail, conditions: SQL[]): Promise<DueWeeklyMail[]> {
  const weeks = await mondayMorningWeeks(db, now);
  if (weeks.size === 0) return [];
  const rows = await db
    .select({ membershipId: memberships.id, orgId: memberships.orgId })
    .from(memberships)
    .where(
      and(
        inArray(memberships.orgId, [...weeks.keys()]),
        eq(memberships.status, "active"),
        ...conditions,
        or(isNull(memberships[mail]), lt(memberships[mail], new Date(now.getTime() - RESEND_AFTER_MS))),
      ),
    );
  return rows.map((r) => ({ ...r, week: weeks.get(r.orgId)! }));
}

/** One send job per due member; a second enqueue in the same week is dropped by its jobId. */
export async function enqueueWeeklyMails(due: DueWeeklyMail[], job: "digest.send" | "report.send"): Promise<number> {
  const results = await Promise.allSettled(
    due.map((d) =>
      enqueue("notify", job, { membershipId: d.membershipId }, { jobId: `${job.split(".")[0]}-${d.membershipId}-${d.week}`, attempts: 5, backoff: { type: "exponential", delay: 60_000 } }),
    ),
  );
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length > 0) throw new AggregateError(failed.map((r) => (r as PromiseRejectedResult).reason), `${failed.length} of ${due.length} ${job} jobs not queued`);
  return due.length;
}

/** Who a weekly mail goes to: the membership with its person and organisation. */
export async function mailRecipient(db: DbOrTx, membershipId: string) {
  const [member] = await db
    .select({
      orgId: memberships.orgId,
      userId: memberships.userId,
      status: memberships.status,
      roles: memberships.roles,
      prefs: memberships.notificationPrefs,
      email: users.email,
      locale: users.locale,
      orgName: organizations.name,
      orgSettings: organizations.settings,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.id, membershipId))
    .limit(1);
  return member;
}

/**
 * Claims this week's mail for the member, reads what it needs in the same transaction
 * (`gather`, given when the last mail went), and sends it. "notDue" when the week was
 * already claimed; a failed send gives the week back and throws, so a retry sends it.
 */
export async function sendOnceThisWeek<T, O>(
  db: DbOrTx,
  membershipId: string,
  mail: WeeklyMail,
  now: Date,
  gather: (tx: Tx, lastSent: Date | null) => Promise<T>,
  send: (gathered: T) => Promise<O>,
): Promise<O | "notDue"> {
  const claim = await db.transaction(async (tx) => {
    const [row] = await tx.select({ sentAt: memberships[mail] }).from(memberships).where(eq(memberships.id, membershipId)).for("update");
    if (!row || (row.sentAt && row.sentAt.getTime() >= now.getTime() - RESEND_AFTER_MS)) return null;
    const gathered = await gather(tx, row.sentAt);
    await tx.update(memberships).set({ [mail]: now }).where(eq(memberships.id, membershipId));
    return { previous: row.sentAt, gathered };
  });
  if (!claim) return "notDue";
  try {
    return await send(claim.gathered);
  } catch (error) {
    // Give the week back, unless something else claimed it meanwhile.
    await db
      .update(memberships)
      .set({ [mail]: claim.previous })
      .where(and(eq(memberships.id, membershipId), eq(memberships[mail], now)))
      .catch((err: unknown) => log.error({ err, membershipId, mail }, "weekly mail claim not released"));
    throw error;
  }
}

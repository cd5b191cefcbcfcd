import { TZDate } from "@date-fns/tz";
import { and, desc, eq, gt, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { memberships, organizations, stories, users } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { env } from "@/lib/env";
import { translator } from "@/lib/i18n/messages";
import { log } from "@/lib/log";
import { escapeHtml, sendMail } from "@/lib/mail";
import { parseSettings } from "@/lib/orgs";
import { enqueue } from "@/lib/queue";
import { memberAudienceTeamIds, storyReaches } from "@/lib/teams";
import { trustedScope } from "@/lib/tenant";
import { parsePreferences } from "./preferences";

/**
 * The weekly digest: on Monday morning (08:00–08:59 in the organisation's time zone) each
 * active employee who wants it gets one mail with the stories published for their
 * audience since their previous digest, each with a "Share" link that opens compose with
 * the story chosen.
 *
 * Once a week, even across retries and restarts: the hourly "digest.weekly" job enqueues
 * one "digest.send" per member with a jobId of member and ISO week (BullMQ drops a second
 * one), and sendDigest claims the member's week by setting digestSentAt in the same
 * transaction that decides to send (only when the previous digest is more than six days
 * old). The mail goes after that commit: a worker killed between the two loses that
 * week's digest rather than sending it twice. A mail server that refuses is different:
 * the claim is given back and the error thrown, so BullMQ's retry sends it.
 */

export const DIGEST_WEEKDAY = 1; // Monday (Date#getDay)
export const DIGEST_HOUR = 8;
const RESEND_AFTER_MS = 6 * 24 * 3_600_000;
const LOOKBACK_MS = 7 * 24 * 3_600_000;
const MAX_STORIES = 20;

export type DueDigest = { membershipId: string; orgId: string; /** ISO week in the organisation's time zone, "2026-W03". */ week: string };

/** "2026-W03" for a calendar date (ISO 8601: weeks start on Monday, week 1 holds the first Thursday). */
export function isoWeek(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week decides the year
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** When `now` is digest time in the zone, its ISO week there; else null. */
export function digestWeek(now: Date, timeZone: string): string | null {
  const local = new TZDate(now.getTime(), timeZone);
  if (local.getDay() !== DIGEST_WEEKDAY || local.getHours() !== DIGEST_HOUR) return null;
  return isoWeek(local.getFullYear(), local.getMonth() + 1, local.getDate());
}

const wantsDigest = sql`${memberships.notificationPrefs} -> 'weeklyDigest' is distinct from 'false'::jsonb`;
const isEmployee = sql`'employee' = any(${memberships.roles})`;

/** The organisations where it is Monday 08:xx at `now`, each with the week's id: when weekly mails go out. */
export async function mondayMorningWeeks(db: DbOrTx, now: Date): Promise<Map<string, string>> {
  const orgs = await db.select({ id: organizations.id, settings: organizations.settings }).from(organizations);
  const weeks = new Map<string, string>();
  for (const org of orgs) {
    const week = digestWeek(now, parseSettings(org.settings).timeZone);
    if (week) weeks.set(org.id, week);
  }
  return weeks;
}

/**
 * The members whose digest is due at `now`: active employees with the weekly digest on,
 * in an organisation where it is Monday 08:xx, whose last digest is older than six days.
 */
export async function dueDigests(db: DbOrTx, now: Date): Promise<DueDigest[]> {
  const weeks = await mondayMorningWeeks(db, now);
  if (weeks.size === 0) return [];
  const rows = await db
    .select({ membershipId: memberships.id, orgId: memberships.orgId })
    .from(memberships)
    .where(
      and(
        inArray(memberships.orgId, [...weeks.keys()]),
        eq(memberships.status, "active"),
        isEmployee,
        wantsDigest,
        or(isNull(memberships.digestSentAt), lt(memberships.digestSentAt, new Date(now.getTime() - RESEND_AFTER_MS))),
      ),
    );
  return rows.map((r) => ({ ...r, week: weeks.get(r.orgId)! }));
}

/** The hourly job: one "digest.send" per due member (a second enqueue in the same week is dropped by its jobId). */
export async function enqueueDueDigests(db: DbOrTx, now: Date): Promise<number> {
  const due = await dueDigests(db, now);
  const results = await Promise.allSettled(
    due.map((d) =>
      enqueue("notify", "digest.send", { membershipId: d.membershipId }, { jobId: `digest-${d.membershipId}-${d.week}`, attempts: 5, backoff: { type: "exponential", delay: 60_000 } }),
    ),
  );
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length > 0) throw new AggregateError(failed.map((r) => (r as PromiseRejectedResult).reason), `${failed.length} of ${due.length} digests not queued`);
  return due.length;
}

export type DigestStory = { id: string; title: string; summary: string; canonicalUrl: string | null; publishedAt: Date | null };

/**
 * The stories that went live for the member's audience in (since, now] and are still live
 * at `now`: for the whole organisation, or for the member's team or a team above it.
 * Pinned first, then newest; at most `limit`, with the total.
 */
export async function digestStories(db: DbOrTx, member: { orgId: string; userId: string }, since: Date, now: Date, limit = MAX_STORIES) {
  const myTeams = await memberAudienceTeamIds(db, trustedScope(member.orgId, { kind: "system" }), member.userId);
  const rows = await db
    .select({
      id: stories.id,
      title: stories.title,
      summary: stories.summary,
      canonicalUrl: stories.canonicalUrl,
      publishedAt: stories.publishedAt,
      total: sql<number>`count(*) over ()::int`,
    })
    .from(stories)
    .where(
      and(
        eq(stories.orgId, member.orgId),
        eq(stories.status, "published"),
        gt(stories.publishedAt, since),
        lte(stories.publishedAt, now),
        or(isNull(stories.expiresAt), gt(stories.expiresAt, now)),
        storyReaches(myTeams),
      ),
    )
    .orderBy(desc(stories.pinned), desc(stories.publishedAt), desc(stories.id))
    .limit(limit);
  return { stories: rows.map(({ total: _total, ...story }) => story as DigestStory), total: rows[0]?.total ?? 0 };
}

export type DigestOutcome = "sent" | "empty" | "skipped" | "notDue" | "optedOut" | "ineligible" | "missing";

/** The compose page with the story chosen; a signed-out reader signs in and comes back here. */
export function composeUrl(storyId: string): string {
  const url = new URL("/compose", env().APP_URL);
  url.searchParams.set("story", storyId);
  return url.toString();
}

/** Who a weekly mail (digest or report) goes to: the membership with its person and organisation. */
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
 * Sends one member's digest if it is due. "empty" when nothing new went live (no mail, the
 * week still counts as done); "skipped" when mail is not configured; "notDue" when this
 * week's digest was already claimed.
 */
export async function sendDigest(db: DbOrTx, membershipId: string, now: Date): Promise<DigestOutcome> {
  const member = await mailRecipient(db, membershipId);
  if (!member) return "missing";
  if (member.status !== "active" || !member.roles.includes("employee")) return "ineligible";
  if (!parsePreferences(member.prefs).weeklyDigest) return "optedOut";

  const claim = await db.transaction(async (tx) => {
    const [row] = await tx.select({ sentAt: memberships.digestSentAt }).from(memberships).where(eq(memberships.id, membershipId)).for("update");
    if (!row || (row.sentAt && row.sentAt.getTime() >= now.getTime() - RESEND_AFTER_MS)) return null;
    const since = row.sentAt ?? new Date(now.getTime() - LOOKBACK_MS);
    const found = await digestStories(tx, member, since, now);
    await tx.update(memberships).set({ digestSentAt: now }).where(eq(memberships.id, membershipId));
    return { previous: row.sentAt, ...found };
  });
  if (!claim) return "notDue";
  if (claim.stories.length === 0) return "empty";

  const locale = member.locale ?? parseSettings(member.orgSettings).locale;
  try {
    const { sent } = await sendMail({ to: member.email, ...renderDigestMail(locale, member.orgName, claim.stories, claim.total) });
    return sent ? "sent" : "skipped";
  } catch (error) {
    // Give the week back so the retry sends it, unless something else claimed it meanwhile.
    await db
      .update(memberships)
      .set({ digestSentAt: claim.previous })
      .where(and(eq(memberships.id, membershipId), eq(memberships.digestSentAt, now)))
      .catch((err: unknown) => log.error({ err, membershipId }, "digest claim not released"));
    throw error;
  }
}

/** The digest mail: one card per story with its "Share" button, in the reader's language. */
export function renderDigestMail(locale: "da" | "en", orgName: string, list: DigestStory[], total: number) {
  const t = translator(locale);
  const appUrl = env().APP_URL;
  const feedUrl = new URL("/feed", appUrl).toString();
  const settingsUrl = new URL("/settings", appUrl).toString();
  const subject = t("digest.subject", { count: total });
  const heading = t("digest.heading");
  const intro = t("digest.intro", { org: orgName });
  const share = t("digest.share");
  const more = total > list.length ? t("digest.more", { count: total - list.length }) : null;
  const footer = t("digest.footer", { org: orgName });

  const cards = list
    .map(
      (s) => `<div style="border-top:1px solid #e5e7eb;padding:16px 0">
<h2 style="font-size:17px;margin:0 0 8px">${escapeHtml(s.title)}</h2>
${s.summary ? `<p style="font-size:15px;line-height:1.5;margin:0 0 12px;color:#374151">${escapeHtml(s.summary)}</p>` : ""}
<a href="${escapeHtml(composeUrl(s.id))}" style="background:#1d4ed8;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none;font-weight:600;display:inline-block">${escapeHtml(share)}</a>
</div>`,
    )
    .join("\n");
  const html = `<!doctype html><html lang="${locale}"><body style="margin:0;padding:24px;background:#f4f6f8;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#111827">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(heading)}</h1>
<p style="font-size:16px;line-height:1.5;margin:0 0 16px">${escapeHtml(intro)}</p>
${cards}
${more ? `<p style="font-size:15px;margin:16px 0 0"><a href="${escapeHtml(feedUrl)}" style="color:#1d4ed8">${escapeHtml(more)}</a></p>` : ""}
<p style="font-size:13px;color:#4b5563;margin:24px 0 0">${escapeHtml(footer)} <a href="${escapeHtml(settingsUrl)}" style="color:#4b5563">${escapeHtml(settingsUrl)}</a></p>
</div></body></html>`;
  const text = [
    heading,
    "",
    intro,
    "",
    ...list.flatMap((s) => [s.title, ...(s.summary ? [s.summary] : []), `${share}: ${composeUrl(s.id)}`, ""]),
    ...(more ? [`${more}: ${feedUrl}`, ""] : []),
    `${footer} ${settingsUrl}`,
  ].join("\n");
  return { subject, html, text };
}

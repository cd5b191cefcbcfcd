import { and, desc, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import { memberships, stories } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { appUrl } from "@/lib/env/app-url";
import { translator } from "@/lib/i18n/messages";
import { escapeHtml, mailButton, mailFrame, mailItem, mailParagraph, mailSmallPrint, sendMail } from "@/lib/mail";
import { parseSettings } from "@/lib/orgs";
import { memberAudienceTeamIds, storyReaches } from "@/lib/teams";
import { trustedScope } from "@/lib/tenant";
import { parsePreferences } from "./preferences";
import { dueWeeklyMails, enqueueWeeklyMails, mailRecipient, sendOnceThisWeek, type DueWeeklyMail } from "./weekly";

/**
 * The weekly digest (lib/notifications/weekly.ts says when and how once): each active
 * employee who wants it gets one mail with the stories published for their audience since
 * their previous digest, each with a "Share" link that opens compose with the story chosen.
 */

const LOOKBACK_MS = 7 * 24 * 3_600_000;
const MAX_STORIES = 20;

const wantsDigest = sql`${memberships.notificationPrefs} -> 'weeklyDigest' is distinct from 'false'::jsonb`;
const isEmployee = sql`'employee' = any(${memberships.roles})`;

/** Active employees with the weekly digest on whose digest is due at `now`. */
export function dueDigests(db: DbOrTx, now: Date): Promise<DueWeeklyMail[]> {
  return dueWeeklyMails(db, now, "digestSentAt", [isEmployee, wantsDigest]);
}

/** The hourly job: one "digest.send" per due member. */
export async function enqueueDueDigests(db: DbOrTx, now: Date): Promise<number> {
  return enqueueWeeklyMails(await dueDigests(db, now), "digest.send");
}

export type DigestStory = { id: string; title: string; summary: string; canonicalUrl: string | null; publishedAt: Date | null; variantId?: string | null };

/**
 * The suggested text the reader would start from (lib/shares' rotation), passed in by the
 * worker: lib/shares sits above notifications in lib's layers.
 */
export type DigestVariantPicker = (reader: { orgId: string; userId: string; locale: "da" | "en" }, storyId: string) => Promise<string | null>;

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

/**
 * The compose page with the story (and, for one reader, their suggested text) chosen; a
 * signed-out reader signs in and comes back here.
 */
export function composeUrl(storyId: string, variantId?: string | null): string {
  return appUrl("/compose", variantId ? { story: storyId, variant: variantId } : { story: storyId });
}


/**
 * Sends one member's digest if it is due. "empty" when nothing new went live (no mail, the
 * week still counts as done); "skipped" when mail is not configured; "notDue" when this
 * week's digest was already claimed.
 */
export async function sendDigest(db: DbOrTx, membershipId: string, now: Date, pickVariant?: DigestVariantPicker): Promise<DigestOutcome> {
  const member = await mailRecipient(db, membershipId);
  if (!member) return "missing";
  if (member.status !== "active" || !member.roles.includes("employee")) return "ineligible";
  if (!parsePreferences(member.prefs).weeklyDigest) return "optedOut";

  const locale = member.locale ?? parseSettings(member.orgSettings).locale;
  return sendOnceThisWeek(
    db,
    membershipId,
    "digestSentAt",
    now,
    (tx, lastSent) => digestStories(tx, member, lastSent ?? new Date(now.getTime() - LOOKBACK_MS), now),
    async (found) => {
      if (found.stories.length === 0) return "empty";
      const reader = { orgId: member.orgId, userId: member.userId, locale };
      const list = pickVariant ? await Promise.all(found.stories.map(async (s) => ({ ...s, variantId: await pickVariant(reader, s.id) }))) : found.stories;
      const { sent } = await sendMail({ to: member.email, ...renderDigestMail(locale, member.orgName, list, found.total) });
      return sent ? "sent" : "skipped";
    },
  );
}

/** The digest mail: one card per story with its "Share" button, in the reader's language. */
export function renderDigestMail(locale: "da" | "en", orgName: string, list: DigestStory[], total: number) {
  const t = translator(locale);
  const feedUrl = appUrl("/feed");
  const settingsUrl = appUrl("/settings");
  const subject = t("digest.subject", { count: total });
  const heading = t("digest.heading");
  const intro = t("digest.intro", { org: orgName });
  const share = t("digest.share");
  const more = total > list.length ? t("digest.more", { count: total - list.length }) : null;
  const footer = t("digest.footer", { org: orgName });

  const cards = list.map((s) =>
    mailItem(
      s.title,
      `${s.summary ? `<p style="font-size:15px;line-height:1.5;margin:0 0 12px;color:#374151">${escapeHtml(s.summary)}</p>` : ""}
${mailButton(share, composeUrl(s.id, s.variantId), true)}`,
    ),
  );
  const html = mailFrame(
    heading,
    [
      mailParagraph(intro),
      ...cards,
      more ? `<p style="font-size:15px;margin:16px 0 0"><a href="${escapeHtml(feedUrl)}" style="color:#1d4ed8">${escapeHtml(more)}</a></p>` : "",
      mailSmallPrint(footer, settingsUrl),
    ].join("\n"),
    locale,
  );
  const text = [
    heading,
    "",
    intro,
    "",
    ...list.flatMap((s) => [s.title, ...(s.summary ? [s.summary] : []), `${share}: ${composeUrl(s.id, s.variantId)}`, ""]),
    ...(more ? [`${more}: ${feedUrl}`, ""] : []),
    `${footer} ${settingsUrl}`,
  ].join("\n");
  return { subject, html, text };
}

import { and, asc, eq, exists, sql } from "drizzle-orm";
import { memberships, teamManagers, teams, type Locale } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { appUrl } from "@/lib/env/app-url";
import { translator } from "@/lib/i18n/messages";
import { escapeHtml, mailButton, mailFrame, mailItem, mailParagraph, mailSmallPrint, sendMail } from "@/lib/mail";
import { parseSettings } from "@/lib/orgs";
import { trustedScope } from "@/lib/tenant";
import { addDays, dayIn, isoWeekStart } from "@/lib/time";
import { dueWeeklyMails, enqueueWeeklyMails, mailRecipient, sendOnceThisWeek, type DueWeeklyMail } from "@/lib/notifications/weekly";
import { parsePreferences } from "@/lib/notifications/preferences";
import type { TeamReport } from "./schemas";
import { teamReport } from "./team-report";

/**
 * Last week's figures (Monday to Sunday, as UTC days) for each team a manager manages, once a
 * week at the digest's hour (lib/notifications/weekly.ts). A missing weeklyReport key means on.
 * Who gets what: docs/design-notes.md, "Weekly mails".
 */

export type ReportMailOutcome = "sent" | "skipped" | "notDue" | "optedOut" | "ineligible" | "missing";

const wantsReport = sql`${memberships.notificationPrefs} -> 'weeklyReport' is distinct from 'false'::jsonb`;
const isManager = sql`'manager' = any(${memberships.roles})`;
const managesATeam = (db: DbOrTx) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(teamManagers)
      .where(and(eq(teamManagers.orgId, memberships.orgId), eq(teamManagers.userId, memberships.userId))),
  );

/** Managers of a team with the weekly report on whose report is due at `now`. */
export function dueReportMails(db: DbOrTx, now: Date): Promise<DueWeeklyMail[]> {
  return dueWeeklyMails(db, now, "reportSentAt", [isManager, wantsReport, managesATeam(db)]);
}

/** The hourly job: one "report.send" per due manager. */
export async function enqueueDueReportMails(db: DbOrTx, now: Date): Promise<number> {
  return enqueueWeeklyMails(await dueReportMails(db, now), "report.send");
}

/** Last week in the zone, Monday to Sunday, as the calendar days reports are asked in. */
export function lastWeek(now: Date, timeZone: string): { from: string; to: string } {
  const monday = isoWeekStart(dayIn(now, timeZone));
  return { from: addDays(monday, -7), to: addDays(monday, -1) };
}

/** Sends one manager's weekly report if it is due. "notDue" when this week's was already claimed. */
export async function sendReportMail(db: DbOrTx, membershipId: string, now: Date): Promise<ReportMailOutcome> {
  const member = await mailRecipient(db, membershipId);
  if (!member) return "missing";
  if (member.status !== "active" || !member.roles.includes("manager")) return "ineligible";
  if (!parsePreferences(member.prefs).weeklyReport) return "optedOut";
  const managed = await db
    .select({ id: teams.id })
    .from(teamManagers)
    .innerJoin(teams, eq(teams.id, teamManagers.teamId))
    .where(and(eq(teamManagers.orgId, member.orgId), eq(teamManagers.userId, member.userId)))
    .orderBy(asc(teams.name));
  if (managed.length === 0) return "ineligible";

  const settings = parseSettings(member.orgSettings);
  return sendOnceThisWeek(
    db,
    membershipId,
    "reportSentAt",
    now,
    async () => undefined,
    async () => {
      const range = lastWeek(now, settings.timeZone);
      const scope = trustedScope(member.orgId, { kind: "system" });
      const viewer = { userId: member.userId, roles: member.roles };
      const reports: TeamReport[] = [];
      for (const team of managed) reports.push(await teamReport(db, scope, viewer, { teamId: team.id, ...range, period: "week" }));
      const { sent } = await sendMail({ to: member.email, ...renderReportMail(member.locale ?? settings.locale, member.orgName, reports) });
      return sent ? "sent" : "skipped";
    },
  );
}

/** The mail: per team its figures (or why there are none), the EMV's provenance and the link to the reports. */
export function renderReportMail(locale: Locale, orgName: string, reports: TeamReport[]) {
  const t = translator(locale);
  const tag = locale === "da" ? "da-DK" : "en-GB";
  const number = new Intl.NumberFormat(tag);
  const percent = new Intl.NumberFormat(tag, { style: "percent", maximumFractionDigits: 0 });
  const date = new Intl.DateTimeFormat(tag, { day: "numeric", month: "long", timeZone: "UTC" });
  const first = reports[0]!;
  const emv = first.emv;
  const money = new Intl.NumberFormat(tag, { style: "currency", currency: emv.currency, maximumFractionDigits: 0 });
  const reportsUrl = appUrl("/reports");
  const settingsUrl = appUrl("/settings");
  const day = (iso: string) => date.format(new Date(`${iso}T00:00:00Z`));

  const subject = t("reportMail.subject");
  const heading = t("reportMail.heading");
  const intro = t("reportMail.intro", { org: orgName, from: day(first.range.from), to: day(first.range.to) });
  const footer = t("reportMail.footer", { org: orgName });
  const emvNote = t("reportMail.emvNote", { formula: emv.formula, version: emv.version, currency: emv.currency });

  const perShare = new Intl.NumberFormat(tag, { maximumFractionDigits: 1 });
  // Where the link went, when the week compares two placements or more (the report's rows,
  // held ones left out: the mail shows no more than the page).
  const placementLines = (report: TeamReport): Array<[string, string]> => {
    const shown = report.placements.filter((row) => !row.suppressed && row.shares !== null && row.clicksPerShare !== null);
    if (shown.length < 2) return [];
    return shown.map((row) => [
      `${t("reports.placementsTitle")}: ${t(`storyAnalytics.placements.${row.placement}`)}`,
      t("reportMail.placementValue", { clicks: perShare.format(row.clicksPerShare!), shares: row.shares! }),
    ]);
  };

  const teamsOut = reports.map((report) => {
    const totals = report.totals;
    const lines: Array<[string, string]> =
      report.suppressed || !totals
        ? []
        : [
            [t("glossary.impressions"), number.format(totals.impressions)],
            [`${t("glossary.potentialReach")} (${t("reportMail.followers")})`, number.format(totals.estimatedReach)],
            [t("glossary.uniqueVisitors"), number.format(totals.uniqueVisitors)],
            [t("glossary.engagements"), number.format(totals.engagements)],
            [t("glossary.emv"), money.format(totals.emv)],
            [t("glossary.participation"), t("reportMail.participationValue", { percent: percent.format(totals.participation), sharers: totals.activeSharers, members: totals.members })],
            ...placementLines(report),
          ];
    return { name: report.team.name, suppressed: report.suppressed, lines };
  });

  const html = mailFrame(
    heading,
    [
      mailParagraph(intro),
      ...teamsOut.map((team) =>
        mailItem(
          team.name,
          team.suppressed
            ? `<p style="font-size:15px;margin:0;color:#374151">${escapeHtml(t("reportMail.suppressed"))}</p>`
            : `<table role="presentation" style="width:100%;font-size:15px;border-collapse:collapse">${team.lines
                .map(([label, value]) => `<tr><td style="padding:2px 0;color:#374151">${escapeHtml(label)}</td><td style="padding:2px 0;text-align:right;font-weight:600">${escapeHtml(value)}</td></tr>`)
                .join("")}</table>`,
        ),
      ),
      mailButton(t("reportMail.open"), reportsUrl),
      mailSmallPrint(emvNote, undefined, "0 0 8px"),
      mailSmallPrint(footer, settingsUrl, "0"),
    ].join("\n"),
    locale,
  );
  const text = [
    heading,
    "",
    intro,
    "",
    ...teamsOut.flatMap((team) => [team.name, ...(team.suppressed ? [t("reportMail.suppressed")] : team.lines.map(([label, value]) => `${label}: ${value}`)), ""]),
    `${t("reportMail.open")}: ${reportsUrl}`,
    "",
    emvNote,
    `${footer} ${settingsUrl}`,
  ].join("\n");
  return { subject, html, text };
}

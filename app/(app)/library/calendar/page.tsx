import clsx from "clsx";
import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { getOrganizationSettings } from "@/lib/orgs";
import { countStoriesByStatus, listCalendar } from "@/lib/stories";
import { instantToLocal, monthRange } from "@/lib/time";
import { getUserPreferences } from "@/lib/users";
import { ButtonLink, EmptyState, PageHeader } from "../../../_components/ui";
import { LibraryNav } from "../library-nav";
import { CalendarTable, type CalendarRow } from "./calendar-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("library"))("calendar") };
}

const barTones = { in_review: "bg-amber-400", approved: "bg-brand-600", published: "bg-green-600", archived: "bg-slate-400", draft: "bg-slate-300" } as const;
/** The statuses a bar can have, in the legend's order (drafts have no window and are not shown). */
const legendStatuses = ["in_review", "approved", "published", "archived"] as const;

/**
 * Publish windows month by month: one row per story, a bar over the days it is live, in
 * the editor's time zone. Draft stories have no window yet and are left out.
 */
export default async function CalendarPage({ searchParams }: { searchParams: Promise<{ month?: string }> }) {
  const ctx = await requireMember(["editor"]);
  const t = await getTranslations("library");
  const ts = await getTranslations("storyStatus");
  const format = await getFormatter();
  const prefs = await getUserPreferences(ctx.db, ctx.userId, ctx.orgId);
  const zone = prefs.timeZone ?? (await getOrganizationSettings(ctx.db, ctx.orgId)).timeZone;
  const today = instantToLocal(new Date(), zone);
  const requested = /^(\d{4})-(\d{2})$/.exec((await searchParams).month ?? "");
  const year = requested ? Number(requested[1]) : Number(today.slice(0, 4));
  const month = requested && Number(requested[2]) >= 1 && Number(requested[2]) <= 12 ? Number(requested[2]) : Number(today.slice(5, 7));
  const { from, to } = monthRange(year, month, zone);
  const [entries, counts] = await Promise.all([listCalendar(ctx.db, ctx.scope, from, to), countStoriesByStatus(ctx.db, ctx.scope)]);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const dayOf = (d: Date) => {
    const local = instantToLocal(d, zone);
    const y = Number(local.slice(0, 4));
    const m = Number(local.slice(5, 7));
    if (y < year || (y === year && m < month)) return 0;
    if (y > year || (y === year && m > month)) return days + 1;
    return Number(local.slice(8, 10));
  };
  const shift = (delta: number) => {
    const d = new Date(Date.UTC(year, month - 1 + delta, 1));
    return `/library/calendar?month=${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
  };
  const todayDay = today.startsWith(`${year}-${String(month).padStart(2, "0")}`) ? Number(today.slice(8, 10)) : null;
  const now = new Date();
  const rows: CalendarRow[] = entries.map((entry) => {
    const window = `${entry.publishAt ? format.dateTime(entry.publishAt, { dateStyle: "medium", timeStyle: "short", timeZone: zone }) : "—"} – ${entry.expiresAt ? format.dateTime(entry.expiresAt, { dateStyle: "medium", timeStyle: "short", timeZone: zone }) : t("noEnd")}`;
    return {
      id: entry.id,
      title: entry.title,
      label: `${ts(entry.status)} · ${window}`,
      tone: barTones[entry.status],
      start: entry.publishAt ? Math.max(1, dayOf(entry.publishAt)) : 1,
      end: entry.expiresAt ? Math.min(days, dayOf(entry.expiresAt)) : days,
      // As moveStoryWindow decides: in review or approved, and not live yet.
      movable: (entry.status === "in_review" || entry.status === "approved") && entry.publishAt !== null && entry.publishAt > now,
    };
  });
  const monthName = format.dateTime(new Date(Date.UTC(year, month - 1, 15)), { month: "long", year: "numeric", timeZone: "UTC" });
  return (
    <>
      <PageHeader title={t("calendar")} description={t("calendarDescription", { zone })} />
      <LibraryNav reviewCount={counts.in_review ?? 0} />
      <div className="mb-4 flex items-center justify-between gap-2">
        <ButtonLink href={shift(-1)}>{t("previousMonth")}</ButtonLink>
        <h2 className="text-lg font-semibold capitalize text-slate-900">{monthName}</h2>
        <ButtonLink href={shift(1)}>{t("nextMonth")}</ButtonLink>
      </div>
      {entries.length === 0 ? (
        <EmptyState title={t("calendarEmpty")} />
      ) : (
        <>
          <ul aria-label={t("calendarLegend")} className="mb-3 flex flex-wrap gap-x-4 gap-y-2 text-sm text-slate-800">
            {legendStatuses.map((status) => (
              <li key={status} className="flex items-center gap-2">
                <span aria-hidden className={clsx("inline-block h-3 w-6 rounded", barTones[status])} />
                {ts(status)}
              </li>
            ))}
            <li className="flex items-center gap-2">
              <span aria-hidden className="inline-block h-4 w-6 rounded border border-slate-300 bg-brand-50" />
              {t("calendarToday")}
            </li>
          </ul>
          <CalendarTable rows={rows} days={days} todayDay={todayDay} caption={t("calendarCaption", { month: monthName })} timeZone={zone} />
        </>
      )}
    </>
  );
}

"use client";

import clsx from "clsx";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
import { useEffect, useRef, useState, useTransition, type PointerEvent } from "react";
import { TableFrame } from "../../../_components/data-table";
import { useErrorWords } from "../../../_components/use-action-feedback";
import { moveStoryWindowAction } from "../actions";

export type CalendarRow = {
  id: string;
  title: string;
  /** "Approved · 10 Jan 2027, 08:00 – 12 Jan 2027, 08:00" */
  label: string;
  /** The bar's colour class. */
  tone: string;
  /** First and last day of the month the bar covers (1-based). */
  start: number;
  end: number;
  /** Not live yet: the bar can be dragged and the row offers move buttons. */
  movable: boolean;
};

/**
 * The calendar's rows: a bar per story over its days. A story that is not live yet moves
 * by dragging its bar sideways, whole days at a time, or with the buttons beside its title;
 * the outcome is announced above the table.
 */
export function CalendarTable({ rows, days, todayDay, caption, timeZone }: { rows: CalendarRow[]; days: number; todayDay: number | null; caption: string; timeZone: string }) {
  const t = useTranslations("library");
  const word = useErrorWords();
  const format = useFormatter();
  const router = useRouter();
  const [pending, start] = useTransition();
  const [drag, setDrag] = useState<{ id: string; offset: number } | null>(null);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const origin = useRef<{ x: number; width: number } | null>(null);
  // Bars become handles once the script runs (before that, a drag would do nothing).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  const when = (iso: string | null) => (iso ? format.dateTime(new Date(iso), { dateStyle: "medium", timeStyle: "short", timeZone }) : t("noEnd"));

  const move = (row: CalendarRow, days: number) => {
    setDrag({ id: row.id, offset: days });
    start(async () => {
      const res = await moveStoryWindowAction({ storyId: row.id, days });
      if (res.ok) {
        setNotice({ text: t("calendarMoved", { title: row.title, window: `${when(res.data.publishAt)} – ${when(res.data.expiresAt)}` }), error: false });
        router.refresh();
      } else {
        setNotice({ text: t("calendarNotMoved", { title: row.title, reason: word(Object.values(res.fieldErrors ?? {})[0]?.[0] ?? res.error) }), error: true });
      }
      setDrag(null);
    });
  };

  const pointer = (row: CalendarRow) =>
    hydrated && row.movable && !pending
      ? {
          onPointerDown: (e: PointerEvent<HTMLTableRowElement>) => {
            // Only the bar is a handle; the row holds the capture, since the bar moves under the pointer.
            const cell = e.button === 0 ? (e.target as HTMLElement).closest("td[data-live]") : null;
            if (!cell) return;
            e.preventDefault();
            e.currentTarget.setPointerCapture(e.pointerId);
            origin.current = { x: e.clientX, width: cell.getBoundingClientRect().width };
            setDrag({ id: row.id, offset: 0 });
          },
          onPointerMove: (e: PointerEvent<HTMLTableRowElement>) => {
            if (!origin.current) return;
            const offset = Math.round((e.clientX - origin.current.x) / origin.current.width);
            if (offset !== drag?.offset) setDrag({ id: row.id, offset });
          },
          onPointerUp: (e: PointerEvent<HTMLTableRowElement>) => {
            if (!origin.current) return;
            const offset = Math.round((e.clientX - origin.current.x) / origin.current.width);
            origin.current = null;
            if (offset === 0) setDrag(null);
            else move(row, offset);
          },
          onPointerCancel: () => {
            origin.current = null;
            setDrag(null);
          },
        }
      : {};

  return (
    <>
      <p className="mb-2 text-sm text-slate-700">{t("calendarMoveHint")}</p>
      <div role="status" className="mb-3 min-h-5 text-sm">
        {notice ? <p className={notice.error ? "font-medium text-red-800" : "text-green-900"}>{notice.text}</p> : null}
      </div>
      <TableFrame>
        <table className="w-full border-collapse text-xs">
          <caption className="sr-only">{caption}</caption>
          <thead>
            <tr>
              <th scope="col" className="sticky left-0 min-w-48 bg-white px-3 py-2 text-left font-semibold text-slate-800">
                {t("story")}
              </th>
              {Array.from({ length: days }, (_, i) => (
                <th key={i} scope="col" className={clsx("w-7 px-0.5 py-2 text-center font-medium text-slate-700", todayDay === i + 1 && "bg-brand-50 text-brand-800")}>
                  {i + 1}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const offset = drag?.id === row.id ? drag.offset : 0;
              const first = row.start + offset;
              const last = row.end + offset;
              return (
                <tr key={row.id} className="border-t border-slate-100" data-story-id={row.id} data-draggable={(hydrated && row.movable) || undefined} {...pointer(row)}>
                  <th scope="row" className="sticky left-0 bg-white px-3 py-2 text-left font-normal">
                    <Link href={`/library/${row.id}`} className="font-medium text-brand-700 underline">
                      {row.title}
                    </Link>
                    <div className="text-slate-700">{row.label}</div>
                    {row.movable ? (
                      <div className="mt-1 flex gap-1">
                        <button
                          type="button"
                          disabled={pending}
                          onClick={() => move(row, -1)}
                          aria-label={t("calendarMoveEarlier", { title: row.title })}
                          className="rounded border border-slate-300 px-2 py-0.5 text-slate-800 hover:bg-slate-50 disabled:opacity-50"
                        >
                          <span aria-hidden>←</span>
                        </button>
                        <button
                          type="button"
                          disabled={pending}
                          onClick={() => move(row, 1)}
                          aria-label={t("calendarMoveLater", { title: row.title })}
                          className="rounded border border-slate-300 px-2 py-0.5 text-slate-800 hover:bg-slate-50 disabled:opacity-50"
                        >
                          <span aria-hidden>→</span>
                        </button>
                      </div>
                    ) : null}
                  </th>
                  {Array.from({ length: days }, (_, i) => {
                    const day = i + 1;
                    const live = day >= first && day <= last;
                    const grab = live && row.movable;
                    return (
                      <td
                        key={day}
                        aria-hidden
                        data-day={day}
                        data-live={live || undefined}
                        className={clsx("px-0.5 py-2", todayDay === day && "bg-brand-50", grab && hydrated && (pending ? "cursor-progress" : "cursor-grab touch-none"))}
                      >
                        {live ? <div className={clsx("h-3", row.tone, day === first && "rounded-l", day === last && "rounded-r", offset !== 0 && "opacity-70")} /> : null}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableFrame>
    </>
  );
}

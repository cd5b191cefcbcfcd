"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import clsx from "clsx";
import type { StoryAnalytics, TimelinePoint } from "@/lib/reports/story";
import { TimeChart } from "../../../../_components/time-chart";

type View = "activity" | "impressions";

/**
 * The story's timeline. Impressions run in the thousands where shares and visitors run in
 * the tens, so they get their own view rather than flattening the rest on one axis.
 */
export function StoryChart({ points, interval, locale }: { points: TimelinePoint[]; interval: StoryAnalytics["interval"]; locale: string }) {
  const t = useTranslations("storyAnalytics");
  const tg = useTranslations("glossary");
  const [view, setView] = useState<View>("activity");
  const data = points.map((p) => ({ start: p.period, shares: p.shares, uniqueVisitors: p.uniqueVisitors, engagements: p.engagements, impressions: p.impressions }));
  const series =
    view === "activity"
      ? [
          { key: "shares", label: tg("shares"), kind: "bar" as const },
          { key: "uniqueVisitors", label: tg("uniqueVisitors"), kind: "line" as const },
          { key: "engagements", label: tg("engagements"), kind: "line" as const },
        ]
      : [{ key: "impressions", label: tg("impressions"), kind: "bar" as const }];
  return (
    <div>
      <div role="group" aria-label={t("view")} className="mb-3 flex flex-wrap gap-2">
        {(["activity", "impressions"] as const).map((v) => (
          <button
            key={v}
            type="button"
            aria-pressed={view === v}
            onClick={() => setView(v)}
            className={clsx("rounded-full border px-3 py-1 text-sm", view === v ? "border-brand-600 bg-brand-50 text-brand-800" : "border-slate-300 text-slate-800 hover:bg-slate-100")}
          >
            {v === "impressions" ? tg("impressions") : t("views.activity")}
          </button>
        ))}
      </div>
      <TimeChart
        data={data}
        series={series}
        locale={locale}
        label={t("chartLabel", { figures: t(`chartWords.${view}`), interval: t(`chartWords.${interval}`) })}
      />
    </div>
  );
}

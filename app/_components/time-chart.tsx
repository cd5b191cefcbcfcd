"use client";

import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/**
 * Figures over time as bars and lines (recharts), for every report page. The chart is a
 * picture of a table the page also shows, so it is labelled as an image with a summary
 * (`label`) and screen readers get the table instead of the drawing.
 */
export type TimeChartSeries = { key: string; label: string; kind: "bar" | "line"; color: string };

const palette = ["#1d4ed8", "#047857", "#b45309", "#7c3aed", "#be123c"];

export function TimeChart({
  data,
  series,
  label,
  locale,
  height = 280,
}: {
  /** One row per period: `start` (YYYY-MM-DD) and a number per series key. */
  data: Array<Record<string, number | string>>;
  series: Array<Omit<TimeChartSeries, "color"> & { color?: string }>;
  label: string;
  locale: string;
  height?: number;
}) {
  const day = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" });
  const number = new Intl.NumberFormat(locale);
  return (
    <figure role="img" aria-label={label} data-testid="time-chart" className="w-full">
      <ResponsiveContainer width="100%" height={height}>
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="start" tickFormatter={(value: string) => day.format(new Date(`${value}T00:00:00Z`))} tick={{ fill: "#334155", fontSize: 12 }} />
          <YAxis tickFormatter={(value: number) => number.format(value)} tick={{ fill: "#334155", fontSize: 12 }} width={48} allowDecimals={false} />
          <Tooltip
            labelFormatter={(value) => day.format(new Date(`${String(value)}T00:00:00Z`))}
            formatter={(value) => number.format(Number(value))}
          />
          <Legend />
          {series.map((s, i) =>
            s.kind === "bar" ? (
              <Bar key={s.key} dataKey={s.key} name={s.label} fill={s.color ?? palette[i % palette.length]} isAnimationActive={false} />
            ) : (
              <Line key={s.key} dataKey={s.key} name={s.label} stroke={s.color ?? palette[i % palette.length]} strokeWidth={2} dot={false} isAnimationActive={false} type="linear" />
            ),
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}

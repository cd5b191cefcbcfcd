import { addDays, isoWeekStart, monthStart, nextMonthStart } from "@/lib/time";
import type { ReportPeriod } from "./schemas";

/** A report's range of UTC days, cut into the periods of its series and the pieces the rollups hold. */

/** The first day of the period holding `day`: itself, its ISO week's Monday, or the 1st of its month. */
export function bucketStart(day: string, period: ReportPeriod): string {
  if (period === "day") return day;
  return period === "month" ? monthStart(day) : isoWeekStart(day);
}

function nextBucket(start: string, period: ReportPeriod): string {
  if (period === "day") return addDays(start, 1);
  return period === "week" ? addDays(start, 7) : nextMonthStart(start);
}

/** Every bucket start from the one holding `from` to the one holding `to`. */
export function bucketStarts(from: string, to: string, period: ReportPeriod): string[] {
  const out: string[] = [];
  for (let start = bucketStart(from, period); start <= to; start = nextBucket(start, period)) out.push(start);
  return out;
}

/**
 * A range of days in the pieces the rollups hold it: the whole calendar months inside it
 * (read from monthly_rollups) and the days of the partial months at either end (daily_rollups).
 */
export type RangeParts = { months: [string, string] | null; days: Array<[string, string]> };

export function rangeParts(from: string, to: string): RangeParts {
  const firstWhole = from.endsWith("-01") ? from : nextMonthStart(from);
  const lastWholeEnd = addDays(to, 1).endsWith("-01") ? to : addDays(monthStart(to), -1);
  if (firstWhole > lastWholeEnd) return { months: null, days: [[from, to]] };
  const days: Array<[string, string]> = [];
  if (from < firstWhole) days.push([from, addDays(firstWhole, -1)]);
  if (lastWholeEnd < to) days.push([addDays(lastWholeEnd, 1), to]);
  return { months: [firstWhole, monthStart(lastWholeEnd)], days };
}

/** A month ("yyyy-mm") as a count of months, so months can be stepped through. */
export function monthIndex(month: string): number {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return y * 12 + (m - 1);
}

/** The first day of the month a monthIndex counts. */
export function firstDayOfMonth(index: number): string {
  return `${String(Math.floor(index / 12)).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}-01`;
}

/** The last day of the month a monthIndex counts. */
export function lastDayOfMonth(index: number): string {
  return addDays(nextMonthStart(firstDayOfMonth(index)), -1);
}

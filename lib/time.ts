import { TZDate } from "@date-fns/tz";

/**
 * Wall-clock times in a person's time zone, as <input type="datetime-local"> speaks them
 * ("2026-11-28T08:00"), to and from instants. A time that does not exist (the hour
 * skipped when clocks go forward) moves forward, as a clock would.
 */
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

export function isLocalDateTime(value: string): boolean {
  return LOCAL.test(value);
}

export function localToInstant(value: string, timeZone: string): Date {
  const m = LOCAL.exec(value);
  if (!m) throw new RangeError(`Not a local date-time: ${value}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  return new Date(new TZDate(y, mo - 1, d, h, mi, s, timeZone).getTime());
}

export function instantToLocal(instant: Date, timeZone: string): string {
  const z = new TZDate(instant.getTime(), timeZone);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${z.getFullYear()}-${pad(z.getMonth() + 1)}-${pad(z.getDate())}T${pad(z.getHours())}:${pad(z.getMinutes())}`;
}

/** The first instant of the month containing `instant`, in the zone, and of the next month. */
export function monthRange(year: number, month: number, timeZone: string): { from: Date; to: Date } {
  return {
    from: new Date(new TZDate(year, month - 1, 1, 0, 0, 0, timeZone).getTime()),
    to: new Date(new TZDate(year, month, 1, 0, 0, 0, timeZone).getTime()),
  };
}

// Calendar days as "yyyy-mm-dd" strings, in UTC: how rollups, reports and weeks count days.

const DAY_MS = 86_400_000;

/** The UTC day an instant falls on. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The day `days` after (or before, when negative) a day. */
export function addDays(day: string, days: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

/** The Monday of the ISO week a day falls in (weeks run Monday to Sunday). */
export function isoWeekStart(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
  return addDays(day, 1 - weekday);
}

/** "2026-W03": the ISO 8601 week of a day (week 1 holds the year's first Thursday). */
export function isoWeekOf(day: string): string {
  const thursday = new Date(`${addDays(isoWeekStart(day), 3)}T00:00:00Z`); // its year is the week's
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The first day of a day's month. */
export function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

/** The first day of the month after a day's month. */
export function nextMonthStart(day: string): string {
  const [y, m] = day.split("-").map(Number) as [number, number];
  return utcDay(new Date(Date.UTC(y, m, 1)));
}

/** Today's date in a time zone, as a day string. */
export function dayIn(at: Date, timeZone: string): string {
  const z = new TZDate(at.getTime(), timeZone);
  return `${z.getFullYear()}-${String(z.getMonth() + 1).padStart(2, "0")}-${String(z.getDate()).padStart(2, "0")}`;
}

/** `now` less whole months, in UTC (the 31st of a shorter month clamps to its last day). */
export function monthsBefore(now: Date, months: number): Date {
  const target = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1, now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds(), now.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(now.getUTCDate(), lastDay));
  return target;
}

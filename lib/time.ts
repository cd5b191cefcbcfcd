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

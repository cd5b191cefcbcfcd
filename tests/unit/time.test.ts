import { describe, expect, it } from "vitest";
import { addDays, dayIn, instantToLocal, isoWeekOf, isoWeekStart, localToInstant, monthRange, monthStart, nextMonthStart, utcDay } from "@/lib/time";

describe("wall-clock times in a time zone", () => {
  it("reads the picker's minute-precision value in Copenhagen, winter and summer", () => {
    expect(localToInstant("2026-11-28T08:00", "Europe/Copenhagen").toISOString()).toBe("2026-11-28T07:00:00.000Z");
    expect(localToInstant("2026-07-01T08:00", "Europe/Copenhagen").toISOString()).toBe("2026-07-01T06:00:00.000Z");
    expect(localToInstant("2026-07-01T08:00:30", "Europe/Copenhagen").toISOString()).toBe("2026-07-01T06:00:30.000Z");
  });

  it("moves a time skipped by the spring clock change forward, as a clock does", () => {
    // 02:30 does not exist in Copenhagen on 29 March 2026 (02:00 → 03:00).
    expect(localToInstant("2026-03-29T02:30", "Europe/Copenhagen").toISOString()).toBe("2026-03-29T01:30:00.000Z");
  });

  it("shows an instant in the person's zone and round-trips", () => {
    const instant = new Date("2026-11-28T07:00:00Z");
    expect(instantToLocal(instant, "Europe/Copenhagen")).toBe("2026-11-28T08:00");
    expect(instantToLocal(instant, "America/New_York")).toBe("2026-11-28T02:00");
    expect(localToInstant(instantToLocal(instant, "Asia/Tokyo"), "Asia/Tokyo")).toEqual(instant);
  });

  it("refuses what is not a local date-time", () => {
    expect(() => localToInstant("28/11/2026 08:00", "Europe/Copenhagen")).toThrow(RangeError);
  });

  it("gives a month's bounds in the zone", () => {
    const { from, to } = monthRange(2026, 11, "Europe/Copenhagen");
    expect(from.toISOString()).toBe("2026-10-31T23:00:00.000Z");
    expect(to.toISOString()).toBe("2026-11-30T23:00:00.000Z");
  });
});

describe("calendar days (UTC day strings)", () => {
  it("counts days across month, year and leap-day boundaries", () => {
    expect(utcDay(new Date("2026-12-31T23:59:59.999Z"))).toBe("2026-12-31");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
    expect(addDays("2027-03-01", -1)).toBe("2027-02-28");
    expect(addDays("2026-03-29", 1)).toBe("2026-03-30"); // a clock change elsewhere is no shorter day here
  });

  it("finds the ISO week's Monday and its number, the year decided by the Thursday", () => {
    expect(isoWeekStart("2026-12-31")).toBe("2026-12-28"); // a Thursday
    expect(isoWeekStart("2027-01-03")).toBe("2026-12-28"); // a Sunday
    expect(isoWeekStart("2027-01-04")).toBe("2027-01-04"); // a Monday
    expect(isoWeekOf("2026-12-31")).toBe("2026-W53");
    expect(isoWeekOf("2027-01-01")).toBe("2026-W53");
    expect(isoWeekOf("2027-01-04")).toBe("2027-W01");
    expect(isoWeekOf("2024-12-30")).toBe("2025-W01"); // Monday of the week holding 2 Jan 2025
    expect(isoWeekOf("2030-01-07")).toBe("2030-W02");
    expect(isoWeekOf("2028-02-29")).toBe("2028-W09");
  });

  it("gives a month's first day and the next month's", () => {
    expect(monthStart("2028-02-29")).toBe("2028-02-01");
    expect(nextMonthStart("2028-02-29")).toBe("2028-03-01");
    expect(nextMonthStart("2026-12-15")).toBe("2027-01-01");
  });

  it("reads the calendar day in a time zone", () => {
    expect(dayIn(new Date("2026-12-31T23:30:00Z"), "Europe/Copenhagen")).toBe("2027-01-01");
    expect(dayIn(new Date("2026-12-31T23:30:00Z"), "America/New_York")).toBe("2026-12-31");
  });
});

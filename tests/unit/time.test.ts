import { describe, expect, it } from "vitest";
import { instantToLocal, localToInstant, monthRange } from "@/lib/time";

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

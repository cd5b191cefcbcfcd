import { describe, expect, it } from "vitest";
import { DEFAULT_EMV_TABLE, EMV_FORMULA, emvFiguresOf, emvFormSchema, emvOf, emvOfRollups, emvTableInputSchema, isDefaultEmvTable, type EmvTable } from "@/lib/reach/emv";
import type { LinkPlacement } from "@/db/schema";
import { groupedPlacementRows, type PlacementRow } from "@/lib/reports/placements";
import { rowsToHold } from "@/lib/reports/privacy";
import { buildTimeline } from "@/lib/reports/story";
import { isoWeekStart } from "@/lib/time";

const table: EmvTable = {
  ...DEFAULT_EMV_TABLE,
  version: 3,
  currency: "EUR",
  rates: { ...DEFAULT_EMV_TABLE.rates, linkedin: { cpm: 120, cpc: 8, perEngagement: 2.5 }, x: { cpm: 0, cpc: 0, perEngagement: 0 } },
};

describe("emv-1", () => {
  it("prices impressions per thousand, clicks and engagements with the network's rates", () => {
    expect(emvOf(table, "linkedin", { impressions: 2500, clicks: 10, engagements: 4 })).toBe(2.5 * 120 + 10 * 8 + 4 * 2.5);
    expect(emvOf(table, "x", { impressions: 1_000_000, clicks: 500, engagements: 900 })).toBe(0);
    expect(emvOf(table, "mastodon", { impressions: 0, clicks: 0, engagements: 0 })).toBe(0);
  });

  it("prices unique visitors as the clicks, never all clicks or bot clicks", () => {
    expect(emvFiguresOf({ impressions: 7, uniqueVisitors: 3, engagements: 2 })).toEqual({ impressions: 7, clicks: 3, engagements: 2 });
    const row = { network: "linkedin", impressions: 1000, uniqueVisitors: 3, engagements: 0, clicks: 40, botClicks: 99 };
    expect(emvOfRollups(table, [row])).toBe(120 + 3 * 8);
  });

  it("sums rollup rows per network with each network's rates and skips the 'all' total", () => {
    const rows = [
      { network: "linkedin", impressions: 1000, uniqueVisitors: 1, engagements: 1 },
      { network: "bluesky", impressions: 0, uniqueVisitors: 2, engagements: 10 },
      { network: "all", impressions: 1000, uniqueVisitors: 3, engagements: 11 },
      { network: "myspace", impressions: 1000, uniqueVisitors: 3, engagements: 11 },
    ];
    const bluesky = DEFAULT_EMV_TABLE.rates.bluesky;
    expect(emvOfRollups(table, rows)).toBeCloseTo(120 + 8 + 2.5 + 2 * bluesky.cpc + 10 * bluesky.perEngagement, 10);
  });

  it("names itself and labels the defaults as version 0", () => {
    expect(EMV_FORMULA).toBe("emv-1");
    expect(DEFAULT_EMV_TABLE).toMatchObject({ version: 0, formula: "emv-1", currency: "DKK" });
    expect(isDefaultEmvTable(DEFAULT_EMV_TABLE)).toBe(true);
    expect(isDefaultEmvTable(table)).toBe(false);
    // Every network has a default rate, so a report never meets a network without one.
    expect(Object.keys(DEFAULT_EMV_TABLE.rates).sort()).toEqual(["bluesky", "facebook", "linkedin", "mastodon", "threads", "x", "xing"]);
  });
});

describe("the EMV table's validation", () => {
  const rate = { cpm: 1, cpc: 1, perEngagement: 1 };
  it("accepts known networks with amounts from 0 to 10,000 in a known currency", () => {
    expect(emvTableInputSchema.safeParse({ currency: "DKK", rates: { linkedin: { cpm: 0, cpc: 10_000, perEngagement: 0.5 } } }).success).toBe(true);
    expect(emvTableInputSchema.safeParse({ currency: "EUR", rates: {} }).success).toBe(true);
  });

  it.each([
    ["a negative amount", { currency: "DKK", rates: { x: { ...rate, cpm: -1 } } }],
    ["an amount over 10,000", { currency: "DKK", rates: { x: { ...rate, cpc: 10_000.01 } } }],
    ["infinity", { currency: "DKK", rates: { x: { ...rate, cpc: Number.POSITIVE_INFINITY } } }],
    ["NaN", { currency: "DKK", rates: { x: { ...rate, perEngagement: Number.NaN } } }],
    ["a missing amount", { currency: "DKK", rates: { x: { cpm: 1, cpc: 1 } } }],
    ["an unknown network", { currency: "DKK", rates: { myspace: rate } }],
    ["a lower-case currency", { currency: "dkk", rates: {} }],
    ["an unknown currency", { currency: "ABC", rates: {} }],
  ])("refuses %s", (_what, input) => {
    expect(emvTableInputSchema.safeParse(input).success).toBe(false);
  });

  it("reads amounts as typed in a form, with a decimal point or comma", () => {
    const parsed = emvFormSchema.parse({ currency: " eur ", rates: { linkedin: { cpm: "12,5", cpc: " 3.25 ", perEngagement: 4 } } });
    expect(parsed).toEqual({ currency: "EUR", rates: { linkedin: { cpm: 12.5, cpc: 3.25, perEngagement: 4 } } });
    expect(emvTableInputSchema.parse(parsed)).toEqual(parsed);
  });

  it.each(["", "-1", "1e3", "1.000,5", "10000,01", "abc", "0x10", "12,"])("refuses the typed amount %j", (amount) => {
    const result = emvFormSchema.safeParse({ currency: "DKK", rates: { x: { cpm: amount, cpc: "1", perEngagement: "1" } } });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join("."))).toEqual(["rates.x.cpm"]);
  });
});

describe("story analytics helpers", () => {
  it("weeks run Monday to Sunday in UTC", () => {
    expect(isoWeekStart("2025-03-03")).toBe("2025-03-03");
    expect(isoWeekStart("2025-03-09")).toBe("2025-03-03");
    expect(isoWeekStart("2025-03-10")).toBe("2025-03-10");
    expect(isoWeekStart("2025-01-01")).toBe("2024-12-30");
  });

  it("a timeline fills quiet days and weeks with zeros", () => {
    const sums = (clicks: number) => ({ shares: 0, clicks, uniqueVisitors: 0, botClicks: 0, impressions: 0, engagements: 0, estimatedReach: 0 });
    const byDay = new Map([
      ["2025-02-27", sums(1)],
      ["2025-03-02", sums(2)],
      ["2025-03-17", sums(4)],
    ]);
    expect(buildTimeline(byDay, "day").map((p) => p.clicks)).toEqual([1, 0, 0, 2, ...Array(14).fill(0), 4]);
    expect(buildTimeline(byDay, "day")).toHaveLength(19);
    expect(buildTimeline(byDay, "week").map((p) => [p.period, p.clicks])).toEqual([
      ["2025-02-24", 3],
      ["2025-03-03", 0],
      ["2025-03-10", 0],
      ["2025-03-17", 4],
    ]);
    expect(buildTimeline(new Map(), "week")).toEqual([]);
  });

  it("holds back rows under 5 people, and more until the held-back people are 5 together", () => {
    const people = (...ids: number[]) => new Set(ids.map(String));
    // Two small rows that are 6 people together: only they are held back.
    expect(rowsToHold([
      { key: "a", people: people(1, 2, 3, 4, 5, 6, 7) },
      { key: "b", people: people(1, 2, 3) },
      { key: "c", people: people(4, 5, 6) },
    ])).toEqual(new Set(["b", "c"]));
    // One small row: the next smallest goes with it.
    expect(rowsToHold([
      { key: "a", people: people(1, 2, 3, 4, 5, 6, 7, 8) },
      { key: "b", people: people(9, 10) },
      { key: "c", people: people(11, 12, 13, 14, 15) },
    ])).toEqual(new Set(["b", "c"]));
    // People counted once across rows: b and c are the same 3 people, so a is held back too.
    expect(rowsToHold([
      { key: "a", people: people(1, 2, 3, 4, 5, 6) },
      { key: "b", people: people(1, 2, 3) },
      { key: "c", people: people(1, 2, 3) },
    ])).toEqual(new Set(["a", "b", "c"]));
    // Unused rows have nothing to protect and do not help either.
    expect(rowsToHold([
      { key: "a", people: people(1, 2, 3, 4, 5) },
      { key: "unused", people: people(), unused: true },
    ])).toEqual(new Set());
    expect(rowsToHold([{ key: "a", people: people(1, 2, 3, 4, 5) }])).toEqual(new Set());
    // People in the total but in no row (a team's direct members) count as held: two of them
    // take the smallest row with them, and five or more need no cover.
    const subTeams = [
      { key: "a", people: people(1, 2, 3, 4, 5, 6) },
      { key: "b", people: people(7, 8, 9, 10, 11, 12, 13, 14) },
    ];
    expect(rowsToHold(subTeams, people(20, 21))).toEqual(new Set(["a"]));
    expect(rowsToHold(subTeams, people(20, 21, 22, 23, 24))).toEqual(new Set());
    // Groups no one is in twice (sub-teams, join cohorts) may be given as counts, with the same answers.
    expect(rowsToHold([{ key: "a", people: 8 }, { key: "b", people: 2 }, { key: "c", people: 5 }])).toEqual(new Set(["b", "c"]));
    expect(rowsToHold([{ key: "a", people: 6 }, { key: "b", people: 8 }], 2)).toEqual(new Set(["a"]));
    expect(rowsToHold([{ key: "a", people: 6 }, { key: "b", people: 8 }], 5)).toEqual(new Set());
    expect(rowsToHold([{ key: "a", people: 3 }, { key: "b", people: 3 }])).toEqual(new Set(["a", "b"]));
    expect(rowsToHold(subTeams, people())).toEqual(new Set());
    // A held row of nobody gives nobody away, so it needs no cover.
    expect(rowsToHold([...subTeams, { key: "empty", people: people() }])).toEqual(new Set(["empty"]));
  });

  it("holds a team's placement back by its people counted in SQL, and one with figures but nobody counted with the next smallest", () => {
    const row = (placement: LinkPlacement, shares: number) => ({ network: "linkedin" as const, placement, shares, clicks: 10, uniqueVisitors: 10, botClicks: 0, impressions: 0, engagements: 0, estimatedReach: 0 });
    // Card 8 people, text 6, first comment 2 (one of them also used text): the comment is held, and text with it (2 alone would show).
    const counts: Record<string, number> = { card: 8, text: 6, first_comment: 2, "card+text": 14, "card+first_comment": 10, "first_comment+text": 7, "card+first_comment+text": 15 };
    const people = (set: readonly string[]) => counts[[...set].sort().join("+")]!;
    const shown = (rows: PlacementRow[]) => rows.map((r) => [r.placement, r.suppressed ? null : r.people]);
    expect(shown(groupedPlacementRows([row("card", 8), row("text", 6), row("first_comment", 2)], people, table))).toEqual([["card", 8], ["text", null], ["first_comment", null]]);
    // Clicks on a first comment shared before the range, nobody sharing with it in it: still held, and the smallest other with it.
    const none: Record<string, number> = { card: 8, text: 6, first_comment: 0, "card+text": 14, "card+first_comment": 8, "first_comment+text": 6, "card+first_comment+text": 14 };
    const peopleNone = (set: readonly string[]) => none[[...set].sort().join("+")]!;
    expect(shown(groupedPlacementRows([row("card", 8), row("text", 6), row("first_comment", 0)], peopleNone, table))).toEqual([["card", 8], ["text", null], ["first_comment", null]]);
    // No figures and nobody: no row.
    expect(shown(groupedPlacementRows([row("card", 8), row("text", 6)], peopleNone, table))).toEqual([["card", 8], ["text", 6]]);
  });
});

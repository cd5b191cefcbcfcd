import { describe, expect, it, vi } from "vitest";
import { shares, storyVariants, type LinkPlacement, type NetworkId, type Role } from "@/db/schema";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { saveEmvRates } from "@/lib/reach/emv";
import { addToRollups, shareFacts, type RollupFigures } from "@/lib/reach/rollups";
import { storyAnalytics, type StoryAnalytics } from "@/lib/reports/story";
import type { Scope } from "@/lib/tenant";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";

/**
 * Per-story analytics read from the rollups: totals, the timeline, the network and the
 * variant tables with their EMV, which worked best, and the 5-person rule.
 */

const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));

const PUBLISHED = "2025-03-03"; // a Monday
const CLICKED = "2025-03-04";
const MEASURED = "2025-03-10"; // the next Monday

type Spec = { network: NetworkId; variant: string | null; people: number[]; per: Partial<RollupFigures>; placement?: LinkPlacement; assisted?: boolean };

/** A story with suggested texts and shares by numbered people, whose figures go into the rollups as the workers would add them. */
async function scene(specs: Spec[], variants: Array<{ name: string; network: NetworkId; text: string }> = []) {
  const { cli } = await makeOrganization("Nordlys A/S");
  const story = await makePublishedStory(cli, { title: "Vindmøller i Esbjerg" });
  const variantIds = new Map<string, string>();
  let position = 0;
  for (const v of variants) {
    const [row] = await db()
      .insert(storyVariants)
      .values({ orgId: cli.orgId, storyId: story.id, network: v.network, language: "da", position: position++, text: v.text })
      .returning();
    variantIds.set(v.name, row!.id);
  }
  const people = new Map<number, string>();
  const personId = async (n: number) => {
    if (!people.has(n)) people.set(n, (await makeMember(cli, ["employee"], { name: `Person ${n}` })).user.id);
    return people.get(n)!;
  };
  for (const spec of specs) {
    for (const n of spec.people) {
      const [share] = await db()
        .insert(shares)
        .values({
          orgId: cli.orgId,
          storyId: story.id,
          userId: await personId(n),
          network: spec.network,
          mode: "api",
          text: "Se hvad vi bygger",
          status: "published",
          scheduledAt: new Date(`${PUBLISHED}T08:00:00Z`),
          publishedAt: new Date(`${PUBLISHED}T08:00:00Z`),
          variantId: spec.variant ? variantIds.get(spec.variant)! : null,
          placement: spec.placement ?? "card",
          assisted: spec.assisted ?? false,
        })
        .returning();
      const facts = (await shareFacts(db(), [share!.id])).get(share!.id)!;
      const { shares: _, estimatedReach, impressions, engagements, ...clicks } = spec.per;
      await db().transaction((tx) =>
        addToRollups(tx, [
          { facts, day: PUBLISHED, delta: { shares: 1, estimatedReach: estimatedReach ?? 0 } },
          { facts, day: CLICKED, delta: clicks },
          { facts, day: MEASURED, delta: { impressions: impressions ?? 0, engagements: engagements ?? 0 } },
        ]),
      );
    }
  }
  return { cli, story, variantIds };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const textsByNetwork = [
  { name: "A", network: "linkedin" as const, text: "Vi bygger 40 nye vindmøller i Esbjerg" },
  { name: "B", network: "linkedin" as const, text: "Stolt af holdet bag havvinden" },
  { name: "C", network: "x" as const, text: "Havvind fra Esbjerg" },
  { name: "D", network: "bluesky" as const, text: "Vindmøller på vej" },
  { name: "unused", network: "mastodon" as const, text: "Ingen startede herfra" },
];

/** 16 people: A 5 and B 6 on LinkedIn, C 3 on X, D 3 on Bluesky (two of them from A), own words 5 on Mastodon. */
const sixteen: Spec[] = [
  { network: "linkedin", variant: "A", people: range(1, 5), per: { clicks: 4, uniqueVisitors: 3, botClicks: 1, impressions: 1000, engagements: 10, estimatedReach: 100 } },
  { network: "linkedin", variant: "B", people: range(6, 11), per: { clicks: 1, uniqueVisitors: 1, impressions: 500, engagements: 2, estimatedReach: 100 } },
  { network: "x", variant: "C", people: range(1, 3), per: { clicks: 2, uniqueVisitors: 2, impressions: 200, engagements: 1, estimatedReach: 100 } },
  { network: "bluesky", variant: "D", people: [4, 5, 6], per: { engagements: 5, estimatedReach: 100 } },
  { network: "mastodon", variant: null, people: range(12, 16), per: { clicks: 6, uniqueVisitors: 5, engagements: 3, estimatedReach: 100 } },
];

const eur = {
  currency: "EUR",
  rates: {
    linkedin: { cpm: 100, cpc: 10, perEngagement: 2 },
    x: { cpm: 10, cpc: 1, perEngagement: 1 },
    bluesky: { cpm: 0, cpc: 0, perEngagement: 1 },
    mastodon: { cpm: 0, cpc: 2, perEngagement: 0.5 },
  },
};

function row<T extends { key: string }>(rows: T[], key: string): T {
  const found = rows.find((r) => r.key === key);
  expect(found, `row ${key}`).toBeDefined();
  return found!;
}

describe("storyAnalytics: figures from the rollups", () => {
  it("compares the link's placements: shares each rests on, clicks, impressions (LinkedIn and X only) and engagements per share", async () => {
    const { cli, story } = await scene([
      { network: "linkedin", variant: null, people: range(1, 6), per: { clicks: 4, impressions: 1000, engagements: 10 }, placement: "card" },
      { network: "mastodon", variant: null, people: range(7, 8), per: { clicks: 1, engagements: 2 }, placement: "card" },
      { network: "linkedin", variant: null, people: range(9, 13), per: { clicks: 7, impressions: 600, engagements: 4 }, placement: "text" },
      { network: "x", variant: null, people: range(14, 16), per: { clicks: 1, impressions: 100, engagements: 1 }, placement: "first_comment" },
      { network: "bluesky", variant: null, people: range(17, 18), per: { clicks: 1, engagements: 1 }, placement: "first_comment" },
    ]);
    const a = await storyAnalytics(db(), cli, story.id);

    expect(a.placements.map((p) => p.key)).toEqual(["card", "text", "first_comment"]);
    expect(row(a.placements, "card")).toMatchObject({
      suppressed: false,
      people: 8,
      figures: { shares: 8, clicks: 26, impressions: 6000, engagements: 64 },
      clicksPerShare: 26 / 8,
      engagementsPerShare: 64 / 8,
      // Mastodon reports no impressions: the figure rests on the six LinkedIn shares only.
      impressionsPerShare: 1000,
      sharesReportingImpressions: 6,
    });
    expect(row(a.placements, "text")).toMatchObject({ suppressed: false, people: 5, figures: { shares: 5, clicks: 35 }, clicksPerShare: 7, impressionsPerShare: 600, sharesReportingImpressions: 5 });
    // Five people used first_comment, so it shows; with one person fewer it would be held (next test).
    expect(row(a.placements, "first_comment")).toMatchObject({ suppressed: false, people: 5, clicksPerShare: 1 });
  });

  it("holds a placement fewer than five people used, and the next smallest so the total gives it away neither", async () => {
    const { cli, story } = await scene([
      { network: "linkedin", variant: null, people: range(1, 6), per: { clicks: 4 }, placement: "card" },
      { network: "linkedin", variant: null, people: range(7, 11), per: { clicks: 7 }, placement: "text" },
      { network: "linkedin", variant: null, people: range(12, 14), per: { clicks: 9 }, placement: "first_comment" },
    ]);
    const a = await storyAnalytics(db(), cli, story.id);
    expect(row(a.placements, "first_comment")).toEqual({ key: "first_comment", placement: "first_comment", suppressed: true });
    expect(row(a.placements, "text")).toEqual({ key: "text", placement: "text", suppressed: true });
    expect(row(a.placements, "card")).toMatchObject({ suppressed: false, people: 6, clicksPerShare: 4 });
  });

  it("compares shares written with help and without by clicks and engagements per share, and holds a group fewer than five people made", async () => {
    const { cli, story } = await scene([
      { network: "linkedin", variant: null, people: range(1, 6), per: { clicks: 6, impressions: 900, engagements: 9 }, assisted: true },
      { network: "linkedin", variant: null, people: range(7, 11), per: { clicks: 2, impressions: 400, engagements: 3 } },
    ]);
    const a = await storyAnalytics(db(), cli, story.id);
    expect(a.assistance.map((r) => r.key)).toEqual(["assisted", "unassisted"]);
    expect(row(a.assistance, "assisted")).toMatchObject({ assisted: true, suppressed: false, people: 6, figures: { shares: 6 }, clicksPerShare: 6, engagementsPerShare: 9 });
    expect(row(a.assistance, "unassisted")).toMatchObject({ assisted: false, suppressed: false, people: 5, clicksPerShare: 2, engagementsPerShare: 3 });

    // Four people wrote with help: that group is held, and so is the other, which would give it away through the total.
    const few = await scene([
      { network: "linkedin", variant: null, people: range(1, 4), per: { clicks: 6 }, assisted: true },
      { network: "linkedin", variant: null, people: range(5, 11), per: { clicks: 2 } },
    ]);
    const held = await storyAnalytics(db(), few.cli, few.story.id);
    expect(row(held.assistance, "assisted")).toEqual({ key: "assisted", assisted: true, suppressed: true });
    expect(row(held.assistance, "unassisted")).toEqual({ key: "unassisted", assisted: false, suppressed: true });

    // No share written with help: no comparison at all.
    const none = await scene([{ network: "linkedin", variant: null, people: range(1, 6), per: { clicks: 1 } }]);
    expect((await storyAnalytics(db(), none.cli, none.story.id)).assistance).toEqual([]);
  });

  it("totals, networks with EMV under the saved version, and which network worked best", async () => {
    const { cli, story } = await scene(sixteen, textsByNetwork);
    await saveEmvRates(db(), cli, eur);
    const a = await storyAnalytics(db(), cli, story.id);

    expect(a.story).toMatchObject({ id: story.id, title: "Vindmøller i Esbjerg" });
    expect(a.emv).toEqual({ version: 1, formula: "emv-1", currency: "EUR", isDefault: false });
    expect(a.people).toBe(16);
    expect(a.suppressed).toBe(false);
    // EMV: LinkedIn 8000/1000×100 + 21 visitors×10 + 62×2 = 1134; X 0.6×10 + 6 + 3 = 15; Bluesky 15; Mastodon 25×2 + 15×0.5 = 57.5.
    expect(a.totals).toEqual({ shares: 22, clicks: 62, uniqueVisitors: 52, botClicks: 5, impressions: 8600, engagements: 95, estimatedReach: 2200, emv: 1221.5 });

    expect(a.networks.map((n) => n.key)).toEqual(["linkedin", "mastodon", "x", "bluesky"]);
    expect(row(a.networks, "linkedin")).toEqual({
      key: "linkedin",
      network: "linkedin",
      suppressed: false,
      people: 11,
      figures: { shares: 11, clicks: 26, uniqueVisitors: 21, impressions: 8000, engagements: 62, estimatedReach: 1100, emv: 1134 },
      clicksPerShare: 26 / 11,
      engagementsPerShare: 62 / 11,
    });
    expect(row(a.networks, "mastodon")).toMatchObject({ suppressed: false, people: 5, figures: { shares: 5, clicks: 30, uniqueVisitors: 25, engagements: 15, emv: 57.5 }, clicksPerShare: 6 });
    // X and Bluesky have 3 people each: no figures; together they are 6 people, so nothing more is held back.
    expect(row(a.networks, "x")).toEqual({ key: "x", network: "x", suppressed: true });
    expect(row(a.networks, "bluesky")).toEqual({ key: "bluesky", network: "bluesky", suppressed: true });
    expect(a.best.networks).toEqual({ clicksPerShare: "mastodon", engagementsPerShare: "linkedin" });
  });

  it("variants: each share under the text it started from, own words apart, unused texts shown as such", async () => {
    const { cli, story, variantIds } = await scene(sixteen, textsByNetwork);
    await saveEmvRates(db(), cli, eur);
    const a = await storyAnalytics(db(), cli, story.id);

    const A = row(a.variants, variantIds.get("A")!);
    expect(A).toEqual({
      key: variantIds.get("A"),
      variantId: variantIds.get("A"),
      network: "linkedin",
      language: "da",
      position: 1,
      text: "Vi bygger 40 nye vindmøller i Esbjerg",
      suppressed: false,
      people: 5,
      figures: { shares: 5, clicks: 20, uniqueVisitors: 15, impressions: 5000, engagements: 50, estimatedReach: 500, emv: 750 },
      clicksPerShare: 4,
      engagementsPerShare: 10,
    });
    expect(row(a.variants, variantIds.get("B")!)).toMatchObject({ position: 2, people: 6, figures: { shares: 6, clicks: 6, emv: 384 }, clicksPerShare: 1, engagementsPerShare: 2 });
    expect(row(a.variants, variantIds.get("C")!)).toMatchObject({ network: "x", position: 1, suppressed: true });
    expect(row(a.variants, variantIds.get("C")!)).not.toHaveProperty("figures");
    expect(row(a.variants, variantIds.get("D")!)).toMatchObject({ network: "bluesky", suppressed: true });
    expect(row(a.variants, variantIds.get("unused")!)).toMatchObject({ suppressed: false, people: 0, figures: { shares: 0, clicks: 0, emv: 0 }, clicksPerShare: null });
    expect(row(a.variants, "own")).toMatchObject({ variantId: null, network: null, text: null, people: 5, figures: { shares: 5, clicks: 30, engagements: 15, emv: 57.5 }, clicksPerShare: 6 });
    expect(a.variants.at(-1)!.key).toBe("own");
    expect(a.best.variants).toEqual({ clicksPerShare: "own", engagementsPerShare: variantIds.get("A") });
  });

  it("a timeline by day with the quiet days, or by Monday-to-Sunday week", async () => {
    const { cli, story } = await scene(sixteen, textsByNetwork);
    const daily = await storyAnalytics(db(), cli, story.id, { interval: "day" });
    expect(daily.timeline.map((p) => p.period)).toEqual(["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06", "2025-03-07", "2025-03-08", "2025-03-09", "2025-03-10"]);
    expect(daily.timeline[0]).toEqual({ period: PUBLISHED, shares: 22, clicks: 0, uniqueVisitors: 0, impressions: 0, engagements: 0 });
    expect(daily.timeline[1]).toEqual({ period: CLICKED, shares: 0, clicks: 62, uniqueVisitors: 52, impressions: 0, engagements: 0 });
    expect(daily.timeline[7]).toEqual({ period: MEASURED, shares: 0, clicks: 0, uniqueVisitors: 0, impressions: 8600, engagements: 95 });

    const weekly = await storyAnalytics(db(), cli, story.id, { interval: "week" });
    expect(weekly.interval).toBe("week");
    expect(weekly.timeline).toEqual([
      { period: "2025-03-03", shares: 22, clicks: 62, uniqueVisitors: 52, impressions: 0, engagements: 0 },
      { period: "2025-03-10", shares: 0, clicks: 0, uniqueVisitors: 0, impressions: 8600, engagements: 95 },
    ]);
  });

  it("prices with the defaults (version 0) until the organisation saves its own, and with the newest version after", async () => {
    const { cli, story } = await scene(sixteen, textsByNetwork);
    const before = await storyAnalytics(db(), cli, story.id);
    expect(before.emv).toEqual({ version: 0, formula: "emv-1", currency: "DKK", isDefault: true });
    // Defaults: LinkedIn 8×200 + 21×20 + 62×5 = 2330; X 0.6×50 + 6×5 + 3×1 = 63; Bluesky 15×1; Mastodon 25×3 + 15×1 = 90.
    expect(before.totals!.emv).toBeCloseTo(2498, 6);
    await saveEmvRates(db(), cli, eur);
    await saveEmvRates(db(), cli, { ...eur, currency: "SEK" });
    const after = await storyAnalytics(db(), cli, story.id);
    expect(after.emv).toMatchObject({ version: 2, currency: "SEK", isDefault: false });
    expect(after.totals!.emv).toBe(1221.5);
  });
});

describe("storyAnalytics: fewer than 5 people", () => {
  it("shows no figures at all while fewer than 5 people have shared the story", async () => {
    const { cli, story } = await scene([{ network: "linkedin", variant: null, people: range(1, 4), per: { clicks: 9, uniqueVisitors: 9, engagements: 9 } }]);
    const a = await storyAnalytics(db(), cli, story.id);
    expect(a).toMatchObject({ people: 4, suppressed: true, totals: null, timeline: [], networks: [], variants: [] });
    expect(JSON.stringify(a)).not.toContain('"clicks"');
  });

  it("counts people, not shares: one person sharing six times is one person", async () => {
    const { cli, story } = await scene([
      { network: "linkedin", variant: null, people: [1, 1, 1, 2, 2, 3], per: { clicks: 1 } },
      { network: "x", variant: null, people: [1, 4], per: { clicks: 1 } },
    ]);
    expect(await storyAnalytics(db(), cli, story.id)).toMatchObject({ people: 4, suppressed: true, totals: null });
  });

  it("holds back a second row when one held-back row could be worked out from the total", async () => {
    // LinkedIn 6 people, X 2: showing LinkedIn beside the total would reveal X's two people.
    const { cli, story } = await scene([
      { network: "linkedin", variant: null, people: range(1, 6), per: { clicks: 2, engagements: 1 } },
      { network: "x", variant: null, people: [7, 8], per: { clicks: 50, engagements: 40 } },
    ]);
    const a = await storyAnalytics(db(), cli, story.id);
    expect(a.totals).toMatchObject({ shares: 8, clicks: 112, engagements: 86 });
    expect(a.networks).toEqual([
      { key: "linkedin", network: "linkedin", suppressed: true },
      { key: "x", network: "x", suppressed: true },
    ]);
    expect(a.best.networks).toEqual({ clicksPerShare: null, engagementsPerShare: null });
    // Every share is in own words: one row, 8 people, shown.
    expect(a.variants).toEqual([expect.objectContaining({ key: "own", suppressed: false, people: 8 })]);
  });
});

describe("storyAnalytics: scoping and roles", () => {
  async function refused(promise: Promise<unknown>) {
    const error = await promise.then(
      () => new Error("expected a refusal"),
      (e: unknown) => e,
    );
    return error as Error & { digest?: string; status?: number };
  }

  it("finds no story of another organisation, even with its id", async () => {
    const { story } = await scene(sixteen);
    const other = await makeOrganization("Andet A/S");
    const error = await refused(storyAnalytics(db(), other.cli, story.id));
    expect(error).toBeInstanceOf(DomainError);
    expect(error.status).toBe(404);
  });

  it("the page: editors and admins see it; employees and managers get 403; another organisation's story is 404", async () => {
    process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";
    const { loadStoryAnalytics } = await import("@/app/(app)/library/[id]/analytics/load");
    const { cli, story } = await scene(sixteen);
    const as = async (scope: Scope, roles: Role[]) => {
      const member = await makeMember(scope, roles);
      session.current = { userId: member.user.id, orgId: scope.orgId, orgName: "", roles };
    };
    try {
      for (const roles of [["employee"], ["manager"], ["employee", "manager"]] as Role[][]) {
        await as(cli, roles);
        expect((await refused(loadStoryAnalytics(story.id))).digest).toBe("NEXT_HTTP_ERROR_FALLBACK;403");
      }
      for (const roles of [["editor"], ["admin"]] as Role[][]) {
        await as(cli, roles);
        const { analytics } = (await loadStoryAnalytics(story.id, { interval: "week" })) as { analytics: StoryAnalytics };
        expect(analytics).toMatchObject({ people: 16, interval: "week", totals: { shares: 22 } });
      }
      const other = await makeOrganization("Andet A/S");
      await as(other.cli, ["editor"]);
      expect((await refused(loadStoryAnalytics(story.id))).digest).toBe("NEXT_HTTP_ERROR_FALLBACK;404");
      expect((await refused(loadStoryAnalytics("not-a-uuid"))).digest).toBe("NEXT_HTTP_ERROR_FALLBACK;404");
    } finally {
      session.current = null;
    }
  });
});

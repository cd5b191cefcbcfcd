import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { NextIntlClientProvider } from "next-intl";
import { describe, expect, it, vi } from "vitest";
import { eq, sql } from "drizzle-orm";
import { shares, storedReports, storyVariants, type NetworkId, type Role } from "@/db/schema";
import { db } from "@/lib/db";
import { messages } from "@/lib/i18n/messages";
import { saveEmvRates } from "@/lib/reach/emv";
import { createTeam, setTeamManagers } from "@/lib/teams";
import { addToRollups, shareFacts } from "@/lib/reach/rollups";
import type { Scope } from "@/lib/tenant";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";

/**
 * The story analytics page and the EMV admin page rendered as a person sees them, in
 * Danish and English: the figures, the EMV version, and "Hidden to protect a small group" where a
 * row is held back (never its numbers).
 */

const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
const language = vi.hoisted(() => ({ locale: "da" as "da" | "en" }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));
// Figures from a read replica this many seconds behind (null: the real choice, here the primary).
const replica = vi.hoisted(() => ({ behindS: null as number | null }));
vi.mock("@/lib/db", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/db")>();
  const withReportsRead: typeof actual.withReportsRead = async (read) => {
    if (replica.behindS === null) return actual.withReportsRead(read);
    const asOf = new Date(Date.now() - replica.behindS * 1000);
    return { ...(await read({ db: actual.db(), from: "replica", asOf, fallback: null })), asOf: asOf.toISOString() };
  };
  return { ...actual, withReportsRead };
});
vi.mock("next-intl/server", async () => {
  const intl = await import("next-intl");
  const { messages: all } = await import("@/lib/i18n/messages");
  return {
    getTranslations: async (namespace?: string) => intl.createTranslator({ locale: language.locale, messages: all[language.locale], namespace: namespace as never }),
    getFormatter: async () => intl.createFormatter({ locale: language.locale, timeZone: "Europe/Copenhagen" }),
    getLocale: async () => language.locale,
  };
});

/** One table row of the page by its test id. */
function rowOf(html: string, testId: string): string {
  const match = new RegExp(`<tr data-testid="${testId}">(.*?)</tr>`).exec(html);
  expect(match, testId).not.toBeNull();
  return match![1]!;
}

async function render(element: Promise<React.ReactNode>) {
  const children = await element;
  return renderToStaticMarkup(createElement(NextIntlClientProvider, { locale: language.locale, messages: messages[language.locale], timeZone: "Europe/Copenhagen", children }));
}

/** Twelve people: six on LinkedIn from one text, three on X and three on Bluesky in their own words. */
async function scene() {
  const { cli } = await makeOrganization("Nordlys A/S");
  const story = await makePublishedStory(cli, { title: "Vindmøller i Esbjerg" });
  const [variant] = await db().insert(storyVariants).values({ orgId: cli.orgId, storyId: story.id, network: "linkedin", language: "da", text: "Vi bygger vindmøller" }).returning();
  const plan: Array<[NetworkId, string | null, number]> = [...Array.from({ length: 6 }, () => ["linkedin", variant!.id, 7] as [NetworkId, string, number]), ...Array.from({ length: 3 }, () => ["x", null, 913] as [NetworkId, null, number]), ...Array.from({ length: 3 }, () => ["bluesky", null, 11] as [NetworkId, null, number])];
  for (const [network, variantId, clicks] of plan) {
    const member = await makeMember(cli, ["employee"]);
    const [share] = await db()
      .insert(shares)
      .values({ orgId: cli.orgId, storyId: story.id, userId: member.user.id, network, mode: "api", text: "Se her", status: "published", scheduledAt: new Date(), publishedAt: new Date(), variantId })
      .returning();
    const facts = (await shareFacts(db(), [share!.id])).get(share!.id)!;
    await db().transaction((tx) => addToRollups(tx, [{ facts, day: "2025-05-05", delta: { shares: 1, clicks, uniqueVisitors: clicks, impressions: 1000, engagements: 2 } }]));
  }
  return { cli, story };
}

async function signIn(cli: Scope, roles: Role[]) {
  const member = await makeMember(cli, roles, { name: "Ida Redaktør" });
  session.current = { userId: member.user.id, orgId: cli.orgId, orgName: "", roles };
}

describe("the story analytics page", () => {
  it("shows totals with the EMV version, the shown rows' figures, and only 'Hidden to protect a small group' for the held-back ones", async () => {
    const { cli, story } = await scene();
    await saveEmvRates(db(), cli, { currency: "EUR", rates: {} });
    const { default: Page } = await import("@/app/(app)/library/[id]/analytics/page");
    const page = (search: Record<string, string> = {}) => render(Page({ params: Promise.resolve({ id: story.id }), searchParams: Promise.resolve(search) }));
    await signIn(cli, ["editor"]);
    try {
      language.locale = "da";
      let html = await page();
      expect(html).toContain("Statistik: Vindmøller i Esbjerg");
      expect(html).toContain("EMV v1 (emv-1)");
      // What EMV means, in words, with the formula and rate version one click away (no link to an admin-only page).
      expect(html).toContain("Hvad denne rækkevidde ville have kostet som betalt annoncering");
      expect(html).toMatch(/<details[^>]*><summary[^>]*>Sådan beregnes den<\/summary><p[^>]*>Formel emv-1, satstabel version 1, i EUR/);
      expect(html).not.toContain('href="/admin/emv"');
      expect(html).toContain("Skjult for at beskytte en lille gruppe");
      expect(html).toContain("LinkedIn · tekst 1 (dansk)");
      expect(html).toContain("Potentiel rækkevidde");
      // LinkedIn's six people are shown; X and Bluesky are three each (six together), so they say only that.
      const text = (key: string) => rowOf(html, key).replace(/^.*?<\/th>/, "").replace(/<[^>]*>/g, "|").split("|").filter(Boolean);
      expect(text("network-linkedin").slice(0, 6)).toEqual(["6", "6", "42", "42", "12", "6.000"]);
      expect(text("variant-own").slice(0, 3)).toEqual(["6", "6", "2.772"]);
      for (const key of ["network-x", "network-bluesky"]) {
        const cells = rowOf(html, key).replace(/^.*?<\/th>/, "").replace(/<[^>]*>/g, "");
        expect(cells, key).toBe("Skjult for at beskytte en lille gruppe");
      }
      expect(html).toContain("2.814"); // 6 × 7 + 3 × 913 + 3 × 11 clicks, in Danish digits
      // Where the link went: all twelve shares went out with the default card. Impressions per
      // share rest on the nine LinkedIn and X shares only (Bluesky reports none).
      expect(html).toContain("Hvor linket stod");
      expect(text("placement-card")).toEqual(["12", "12", "234,5", "1.000 (af 9 delinger på LinkedIn og X)", "2"]);

      language.locale = "en";
      html = await page({ interval: "week" });
      expect(html).toContain("Analytics: Vindmøller i Esbjerg");
      expect(html).toContain("Hidden to protect a small group");
      expect(html).toMatch(/aria-current="page"[^>]*>Week<\/a>/);
      expect(html).toContain("Chart of shares, visitors and engagements per week");
      expect(html).toContain("2,814");
    } finally {
      session.current = null;
      language.locale = "da";
    }
  });

  it("says only 'fewer than 5 people' for a story shared by fewer", async () => {
    const { cli } = await makeOrganization();
    const story = await makePublishedStory(cli);
    const { default: Page } = await import("@/app/(app)/library/[id]/analytics/page");
    await signIn(cli, ["admin"]);
    try {
      const html = await render(Page({ params: Promise.resolve({ id: story.id }), searchParams: Promise.resolve({}) }));
      expect(html).toContain("Færre end 5 personer har delt historien");
      expect(html).not.toContain("EMV v");
    } finally {
      session.current = null;
    }
  });
});

describe("figures from a read replica that is behind", () => {
  it("say as of when on story analytics and the reports page, in Danish and English; current figures say nothing", async () => {
    const { cli, story } = await scene();
    const { default: Page } = await import("@/app/(app)/library/[id]/analytics/page");
    const page = () => render(Page({ params: Promise.resolve({ id: story.id }), searchParams: Promise.resolve({}) }));
    await signIn(cli, ["editor"]);
    try {
      expect(await page()).not.toContain('data-testid="figures-as-of"');
      replica.behindS = 90;
      const note = (html: string) => /<p role="note"[^>]*data-testid="figures-as-of">([^<]*)<\/p>/.exec(html)?.[1];
      language.locale = "en";
      expect(note(await page())).toMatch(/^Figures as of .*\d{1,2}:\d{2}:\d{2}.*: the newest shares and clicks follow within minutes\.$/);
      language.locale = "da";
      expect(note(await page())).toMatch(/^Tal pr\. .*: de nyeste delinger og klik kommer med inden for få minutter\.$/);

      // The reports page, for a manager of a team.
      const team = await createTeam(db(), cli, { name: "Salg" });
      const manager = await makeMember(cli, ["manager"], { teamId: team.id });
      await setTeamManagers(db(), cli, team.id, [manager.user.id]);
      session.current = { userId: manager.user.id, orgId: cli.orgId, orgName: "", roles: ["manager"] };
      const { default: Reports } = await import("@/app/(app)/reports/page");
      const reports = () => render(Reports({ searchParams: Promise.resolve({}) }));
      expect(note(await reports())).toMatch(/^Tal pr\. .*: de nyeste delinger og klik kommer med inden for få minutter\.$/);
      replica.behindS = null;
      const current = await reports();
      expect(current).toContain("Salg");
      expect(note(current)).toBeUndefined();
    } finally {
      replica.behindS = null;
      session.current = null;
      language.locale = "da";
    }
  });
});

describe("a stored report (a large organisation's, lib/reports/stored.ts)", () => {
  it("says on the reports page as of when it was made; made at this read, it says nothing", async () => {
    const { cli } = await makeOrganization("Stor A/S");
    const team = await createTeam(db(), cli, { name: "Alle" });
    const manager = await makeMember(cli, ["manager"], { teamId: team.id });
    await setTeamManagers(db(), cli, team.id, [manager.user.id]);
    session.current = { userId: manager.user.id, orgId: cli.orgId, orgName: "", roles: ["manager"] };
    const previous = process.env.REPORT_STORE_AFTER_MS;
    process.env.REPORT_STORE_AFTER_MS = "0";
    const note = (html: string) => /<p role="note"[^>]*data-testid="figures-as-of">([^<]*)<\/p>/.exec(html)?.[1];
    try {
      const { default: Reports } = await import("@/app/(app)/reports/page");
      const reports = () => render(Reports({ searchParams: Promise.resolve({}) }));
      language.locale = "en";
      expect(note(await reports())).toBeUndefined();
      await db().update(storedReports).set({ asOf: sql`as_of - interval '40 seconds'` }).where(eq(storedReports.orgId, cli.orgId));
      expect(note(await reports())).toMatch(/^Figures as of .*\d{1,2}:\d{2}:\d{2}.*: the newest shares and clicks follow within minutes\.$/);
    } finally {
      process.env.REPORT_STORE_AFTER_MS = previous;
      session.current = null;
      language.locale = "da";
    }
  });
});

describe("the EMV admin page", () => {
  it("labels the defaults as version 0, explains the formula, and lists saved versions with who and when", async () => {
    const { cli } = await makeOrganization();
    const { default: Page } = await import("@/app/(app)/admin/emv/page");
    await signIn(cli, ["admin"]);
    try {
      language.locale = "en";
      let html = await render(Page());
      expect(html).toContain("In use: EMV v0 (emv-1)");
      expect(html).toContain("Ripple&#x27;s default prices (version 0)");
      expect(html).toContain("Unique visitors through our tracked links");
      expect(html).toContain("No version saved yet");

      await saveEmvRates(db(), (await import("@/lib/tenant")).trustedScope(cli.orgId, { kind: "user", userId: session.current!.userId }), { currency: "EUR", rates: { linkedin: { cpm: 123, cpc: 4, perEngagement: 5 } } });
      language.locale = "da";
      html = await render(Page());
      expect(html).toContain("I brug: EMV v1 (emv-1)");
      expect(html).toContain("Gemt af Ida Redaktør");
      expect(html).not.toContain("standardpriser (version 0)");
      expect(html).toContain('value="123"');
    } finally {
      session.current = null;
      language.locale = "da";
    }
  });
});

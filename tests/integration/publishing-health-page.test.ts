import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { NextIntlClientProvider } from "next-intl";
import { afterAll, describe, expect, it, vi } from "vitest";
import { linkedinVersionFor } from "@/lib/env";
import { messages } from "@/lib/i18n/messages";
import { envOverride } from "../support/env-override";
import { makeMember, makeOrganization } from "../support/factories";

/**
 * The LinkedIn version watchdog on the publishing-health page (issue 15, item 4), rendered as
 * an admin and as an operator, in Danish and English: the version in use and its age, and
 * from 10 months a warning naming the version to set.
 */

const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
const language = vi.hoisted(() => ({ locale: "en" as "da" | "en" }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));
vi.mock("next-intl/server", async () => {
  const intl = await import("next-intl");
  const { messages: all } = await import("@/lib/i18n/messages");
  return {
    getTranslations: async (namespace?: string) => intl.createTranslator({ locale: language.locale, messages: all[language.locale], namespace: namespace as never }),
    getFormatter: async () => intl.createFormatter({ locale: language.locale, timeZone: "Europe/Copenhagen" }),
    getLocale: async () => language.locale,
  };
});

const env = envOverride();
afterAll(() => env.restore());

/** The version `months` back from this month, as LINKEDIN_VERSION writes it. */
function monthsBack(months: number): string {
  const now = new Date();
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1));
  return `${at.getUTCFullYear()}${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
}

async function pageAs(email: string, locale: "da" | "en"): Promise<string> {
  const { cli, org } = await makeOrganization("Nordlys A/S");
  const admin = await makeMember(cli, ["admin"], { email });
  session.current = { userId: admin.user.id, orgId: org.id, orgName: org.name, roles: ["admin"] };
  language.locale = locale;
  try {
    const { default: Page } = await import("@/app/(app)/admin/publishing/page");
    const children = await Page();
    return renderToStaticMarkup(createElement(NextIntlClientProvider, { locale, messages: messages[locale], timeZone: "Europe/Copenhagen", children }));
  } finally {
    session.current = null;
  }
}

/** The watchdog's box, as text. */
const watchdog = (html: string) => /<div role="status" data-testid="linkedin-version"[^>]*>(.*?)<\/div>/.exec(html)?.[1]?.replace(/<[^>]*>/g, " ");

describe("the publishing-health page's LinkedIn API version", () => {
  it("warns an operator from 10 months and names the live version to set, in English and Danish", async () => {
    const operator = `operator.${Date.now()}@example.test`;
    env.set({ LINKEDIN_CLIENT_ID: "ripple-linkedin", LINKEDIN_CLIENT_SECRET: "ripple-linkedin-secret", OPERATOR_EMAILS: operator, LINKEDIN_VERSION: monthsBack(11) });
    const en = watchdog(await pageAs(operator, "en"));
    expect(en).toContain(`Ripple calls LinkedIn with API version ${monthsBack(11)}, released 11 months ago.`);
    expect(en).toContain(`Set LINKEDIN_VERSION to ${linkedinVersionFor(new Date())}`);
    const other = `drift.${Date.now()}@example.test`;
    env.set({ OPERATOR_EMAILS: `${operator}, ${other}` });
    const da = watchdog(await pageAs(other, "da"));
    expect(da).toContain(`Ripple kalder LinkedIn med API-version ${monthsBack(11)}, udgivet for 11 måneder siden.`);
    expect(da).toContain(`Sæt LINKEDIN_VERSION til ${linkedinVersionFor(new Date())}`);
  });

  it("tells an admin only once the version needs changing, and whom to ask; nothing without LinkedIn configured", async () => {
    env.set({ LINKEDIN_CLIENT_ID: "ripple-linkedin", LINKEDIN_CLIENT_SECRET: "ripple-linkedin-secret", OPERATOR_EMAILS: "someone.else@example.test", LINKEDIN_VERSION: monthsBack(3) });
    expect(watchdog(await pageAs(`admin.${Date.now()}@example.test`, "en"))).toBeUndefined();
    env.set({ LINKEDIN_VERSION: monthsBack(10) });
    expect(watchdog(await pageAs(`admin2.${Date.now()}@example.test`, "en"))).toContain(`Ask whoever runs Ripple to set LINKEDIN_VERSION to ${linkedinVersionFor(new Date())}`);
    env.set({ LINKEDIN_CLIENT_ID: undefined, LINKEDIN_CLIENT_SECRET: undefined });
    expect(watchdog(await pageAs(`admin3.${Date.now()}@example.test`, "en"))).toBeUndefined();
  });
});

import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** The demo personas the seed creates (db/seed.ts), one per role. */
export const personas = {
  admin: { name: "Mette Kjær", email: "mette@nordlys.example" },
  editor: { name: "Søren Holm", email: "soren@nordlys.example" },
  manager: { name: "Anne Lund", email: "anne@nordlys.example" },
  employee: { name: "Jonas Berg", email: "jonas@nordlys.example" },
} as const;

/** Signs in through the demo sign-in on the sign-in page, in English. */
export async function signInAs(page: Page, who: { name: string }) {
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: "en", url: "http://localhost" }]);
  await page.goto("/signin");
  await page.getByRole("button", { name: `Sign in as ${who.name}` }).click();
  await expect(page).not.toHaveURL(/\/signin/);
}

/** Fails on any serious or critical accessibility violation on the current page. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

type Mail = { to: string[]; subject: string; text: string; receivedAt: string };

/** Mails the SMTP catcher received for an address, oldest first. */
export async function mailsTo(address: string): Promise<Mail[]> {
  const response = await fetch(`${process.env.E2E_MAIL_URL}/messages`);
  const all = (await response.json()) as Mail[];
  return all.filter((m) => m.to.includes(address.toLowerCase()));
}

/** Waits for the n-th mail to an address and returns it. */
export async function waitForMail(address: string, count = 1): Promise<Mail> {
  let mails: Mail[] = [];
  await expect.poll(async () => (mails = await mailsTo(address)).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(count);
  return mails[count - 1]!;
}

export function linkIn(text: string): string {
  const match = /https?:\/\/\S+/.exec(text);
  if (!match) throw new Error(`No link in mail: ${text}`);
  return match[0];
}

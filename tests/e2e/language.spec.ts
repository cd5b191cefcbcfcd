import { expect, test, type Page } from "@playwright/test";
import { createMember, expectAccessible, personas, signInByMagicLink, storedSession, uniqueEmail, withDatabase } from "./support";

/**
 * Danish and English: the visitor's browser language, an explicit choice remembered in a
 * cookie, a member's choice stored on their profile (and so followed on any device), and
 * dates and numbers in the language's own format.
 */

const COPENHAGEN = "Europe/Copenhagen";

async function setLanguageCookie(page: Page, locale: "da" | "en") {
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: locale, url: "http://localhost" }]);
}

async function languageCookie(page: Page) {
  return (await page.context().cookies()).find((c) => c.name === "NEXT_LOCALE")?.value;
}

test("a visitor with a Danish browser sees Danish and can switch to English, which is remembered", async ({ browser }) => {
  const context = await browser.newContext({ locale: "da-DK" });
  const page = await context.newPage();
  await page.goto("/signin");
  await expect(page.locator("html")).toHaveAttribute("lang", "da");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Log ind på Ripple");
  await expect(page.getByRole("textbox", { name: "Arbejdsmail" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Send mig et login-link" })).toBeVisible();
  const languages = page.getByRole("group", { name: "Sprog" });
  await expect(languages.getByRole("button", { name: "Dansk" })).toHaveAttribute("aria-pressed", "true");
  await expectAccessible(page);
  expect(await languageCookie(page)).toBeUndefined();

  await languages.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in to Ripple");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("group", { name: "Language" }).getByRole("button", { name: "English" })).toHaveAttribute("aria-pressed", "true");
  await expectAccessible(page);
  expect(await languageCookie(page)).toBe("en");

  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in to Ripple");
  await page.goto("/signin/error?error=Verification");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("This sign-in link no longer works");

  // And back again.
  await page.getByRole("group", { name: "Language" }).getByRole("button", { name: "Dansk" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dette login-link virker ikke længere");
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dette login-link virker ikke længere");
  expect(await languageCookie(page)).toBe("da");
  await context.close();
});

test("a visitor with an English browser sees English", async ({ browser }) => {
  const context = await browser.newContext({ locale: "en-GB" });
  const page = await context.newPage();
  await page.goto("/signin");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in to Ripple");
  await context.close();
});

test("a member's language choice is stored on their profile and follows them to a new browser", async ({ browser }) => {
  const email = uniqueEmail("language");
  await createMember(email, ["employee"], "Sprog Person");

  // An English browser and no choice yet: English.
  const first = await browser.newContext({ locale: "en-US" });
  const page = await first.newPage();
  await signInByMagicLink(page, email);
  await expect(page).toHaveURL(/\/feed$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Stories to share");

  await page.getByRole("button", { name: "Account menu for Sprog Person" }).click();
  await page.getByRole("menuitem", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Settings");
  await expect(page.getByText("Ripple remembers your choice on every device you sign in on.")).toBeVisible();
  await page.getByRole("main").getByRole("group", { name: "Language" }).getByRole("button", { name: "Dansk" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Indstillinger");
  await expect(page.locator("html")).toHaveAttribute("lang", "da");
  await expect(page.getByRole("main").getByRole("group", { name: "Sprog" }).getByRole("button", { name: "Dansk" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("navigation", { name: "Hovedmenu" }).first().getByRole("link", { name: "Feed" })).toBeVisible();
  await expectAccessible(page);
  await first.close();

  // A new browser, English, without cookies: the sign-in page is English, and once
  // signed in the member's saved choice (Danish) wins.
  const second = await browser.newContext({ locale: "en-US" });
  const again = await second.newPage();
  await again.goto("/signin");
  await expect(again.getByRole("heading", { level: 1 })).toHaveText("Sign in to Ripple");
  const mail = await signInByMagicLink(again, email);
  expect(mail.subject).toBe("Dit login-link til Ripple");
  await expect(again).toHaveURL(/\/feed$/);
  await expect(again.getByRole("heading", { level: 1 })).toHaveText("Historier til deling");
  await expect(again.locator("html")).toHaveAttribute("lang", "da");
  await expectAccessible(again);
  await second.close();
});

test.describe(() => {
  test.use({ storageState: storedSession("admin") });

  test("dates on the members page follow the language", async ({ page }) => {
    const [row] = await withDatabase((sql) => sql<{ joined_at: Date }[]>`select m.joined_at from memberships m join users u on u.id = m.user_id where u.email = ${personas.admin.email}`);
    const joined = row!.joined_at;
    const format = (locale: string) => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: COPENHAGEN }).format(joined);

    await page.goto("/admin");
    const mette = page.getByRole("row").filter({ hasText: personas.admin.email });
    // English words, written as in the organisation's country (Denmark): day before month.
    await expect(mette).toContainText(`Joined ${format("en-DK")}`);
    await expect(mette).toContainText(/Joined \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}/);

    await setLanguageCookie(page, "da");
    await page.reload();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Medlemmer");
    await expect(mette).toContainText(`Med siden ${format("da")}`);
    await expect(mette).toContainText(/Med siden \d{1,2}\. (jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)\.? \d{4}/);
    await expect(mette).toContainText("Aktiv");
    await expect(mette).toContainText("Administrator");
    await expectAccessible(page);
  });
});

test.describe(() => {
  test.use({ storageState: storedSession("editor") });

  test("the library's dates and counts follow the language", async ({ page }) => {
    const [story] = await withDatabase((sql) => sql<{ title: string; publish_at: Date }[]>`select title, publish_at from stories where slug = 'ny-app-funktion-bedste-tidspunkt'`);
    const format = (locale: string) => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: COPENHAGEN }).format(story!.publish_at);
    const counts = await withDatabase((sql) => sql<{ n: number }[]>`select count(*)::int as n from stories s join organizations o on o.id = s.org_id where o.slug = 'nordlys'`);
    const total = new Intl.NumberFormat("en-DK").format(counts[0]!.n);

    await page.goto("/library");
    const tabs = page.getByRole("navigation", { name: "Filter by status" });
    await expect(tabs.getByRole("link", { name: `All (${total})` })).toBeVisible();
    await expect(tabs.getByRole("link", { name: /^In review \(\d+\)$/ })).toBeVisible();
    const row = page.getByRole("row").filter({ hasText: story!.title });
    await expect(row.getByRole("cell").nth(2)).toHaveText(format("en-DK"));
    await expect(row.getByRole("cell").nth(1)).toHaveText("Approved");

    await setLanguageCookie(page, "da");
    await page.reload();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Bibliotek");
    const faner = page.getByRole("navigation", { name: "Filtrér efter status" });
    await expect(faner.getByRole("link", { name: `Alle (${new Intl.NumberFormat("da").format(counts[0]!.n)})` })).toBeVisible();
    await expect(faner.getByRole("link", { name: /^Til godkendelse \(\d+\)$/ })).toBeVisible();
    await expect(row.getByRole("cell").nth(2)).toHaveText(format("da"));
    await expect(row.getByRole("cell").nth(2)).toContainText(/\d{1,2}\. (jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)\.? \d{4}/);
    await expect(row.getByRole("cell").nth(1)).toHaveText("Godkendt");
    await expectAccessible(page);
  });
});

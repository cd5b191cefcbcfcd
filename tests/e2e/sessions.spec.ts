import { expect, test, type Browser, type Page } from "@playwright/test";
import { createMember, expectAccessible, personas, signInByMagicLink, uniqueEmail } from "./support";

/**
 * Sessions that end (issue 14): signing out ends the session on the server, so a copy of
 * the cookie is refused; "Sign out everywhere" in Settings ends every session of the person;
 * a hostile return address after signing in lands on the start page. Each test signs in a
 * person of its own: ending a stored persona session would end it for the other specs too.
 */

type Locale = "en" | "da";

async function freshBrowser(browser: Browser, locale: Locale, width = 1366) {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, viewport: { width, height: width < 600 ? 780 : 900 } });
  await context.addCookies([{ name: "NEXT_LOCALE", value: locale, url: "http://localhost" }]);
  return { context, page: await context.newPage() };
}

/** A new member of the demo organisation, signed in by emailed link in a browser of their own. */
async function newMemberSignedIn(browser: Browser, locale: Locale, width?: number) {
  const email = uniqueEmail("sessions");
  const name = `Session ${Math.random().toString(36).slice(2, 7)}`;
  await createMember(email, ["employee"], name);
  const first = await freshBrowser(browser, locale, width);
  await signInByMagicLink(first.page, email);
  return { email, name, ...first };
}

/** The same cookies in a second browser: another device, or a stolen cookie. */
async function copyOf(browser: Browser, page: Page, locale: Locale) {
  const second = await freshBrowser(browser, locale);
  await second.context.addCookies(await page.context().cookies());
  return second;
}

async function expectSentToSignIn(page: Page) {
  await page.goto("/feed");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Ffeed$/);
  expect((await page.request.get("/api/v1/me")).status()).toBe(401);
}

test("signing out ends the session on the server: a copy of the cookie is sent to sign in", async ({ browser }) => {
  const member = await newMemberSignedIn(browser, "en");
  const copy = await copyOf(browser, member.page, "en");
  await copy.page.goto("/feed");
  await expect(copy.page).toHaveURL(/\/feed$/);

  await member.page.goto("/feed");
  await member.page.getByRole("button", { name: `Account menu for ${member.name}` }).click();
  await member.page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(member.page).toHaveURL(/\/signin$/);

  await expectSentToSignIn(copy.page);
  await member.context.close();
  await copy.context.close();
});

const wordsIn = {
  en: { heading: "Signed-in devices", button: "Sign out everywhere", title: "Sign out everywhere?", confirm: "Sign out everywhere", done: "You are signed out on all your devices. Sign in again to continue." },
  da: { heading: "Enheder, du er logget ind på", button: "Log ud overalt", title: "Log ud overalt?", confirm: "Log ud overalt", done: "Du er logget ud på alle dine enheder. Log ind igen for at fortsætte." },
} as const satisfies Record<Locale, Record<string, string>>;

const layouts = (["en", "da"] as const).flatMap((locale) => [1366, 360].map((width) => ({ locale, width, words: wordsIn[locale] })));

for (const { locale, width, words } of layouts) {
  test(`"Sign out everywhere" in Settings ends every session (${locale}, ${width} px)`, async ({ browser }, testInfo) => {
    const member = await newMemberSignedIn(browser, locale, width);
    const otherDevice = await copyOf(browser, member.page, locale);
    const { page } = member;

    await page.goto("/settings");
    const card = page.getByRole("region", { name: words.heading });
    await card.scrollIntoViewIfNeeded();
    await expect(card).toBeVisible();
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(sideways, "no sideways scroll").toBeLessThanOrEqual(0);
    await page.screenshot({ path: testInfo.outputPath(`settings-sessions-${locale}-${width}.png`) });
    await expectAccessible(page);

    await card.getByRole("button", { name: words.button }).click();
    const confirm = page.getByRole("alertdialog", { name: words.title });
    await expect(confirm).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath(`settings-sessions-confirm-${locale}-${width}.png`) });
    await expectAccessible(page);
    await confirm.getByRole("button", { name: words.confirm }).click();

    await expect(page).toHaveURL(/\/signin\?signedOut=everywhere$/);
    await expect(page.getByRole("status").filter({ hasText: words.done })).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath(`signed-out-everywhere-${locale}-${width}.png`) });

    // The other device is signed out too; this browser can sign in again.
    await expectSentToSignIn(otherDevice.page);
    await signInByMagicLink(page, member.email);
    await page.goto("/settings");
    await expect(page.getByRole("region", { name: words.heading })).toBeVisible();
    await member.context.close();
    await otherDevice.context.close();
  });
}

test("a hostile return address after signing in lands on the start page", async ({ browser }) => {
  for (const hostile of ["https://evil.example/", "//evil.example/", "/\\evil.example", "/%2F%2Fevil.example", "http://localhost@evil.example/"]) {
    const { context, page } = await freshBrowser(browser, "en");
    await page.goto(`/signin?callbackUrl=${encodeURIComponent(hostile)}`);
    await page.getByRole("button", { name: `Sign in as ${personas.employee.name}` }).click();
    // The start page sends an employee to their feed.
    await expect(page, hostile).toHaveURL(/^http:\/\/localhost:\d+\/feed$/);
    await context.close();
  }
});

import { expect, test, type Page } from "@playwright/test";
import { OIDC_PORT, baseURL } from "./env";
import {
  createMember,
  expectAccessible,
  expectNoMailFor,
  mailsTo,
  personas,
  preferEnglish,
  requestMagicLink,
  signInAs,
  storedSession,
  uniqueEmail,
  waitForMail,
  withDatabase,
} from "./support";

/**
 * Signing in as a user sees it: the emailed magic link (once, for 30 minutes, only to
 * members, and the same answer for anyone), single sign-on through the company's
 * OpenID provider (members and just-in-time employees), and signing out.
 */

/** The "check your email" page, the same address for every visitor. */
const CHECK_EMAIL = /\/signin\/check-email$/;

async function expectCheckEmailPage(page: Page) {
  await expect(page).toHaveURL(CHECK_EMAIL);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Check your email");
}

async function expectLinkNoLongerWorks(page: Page) {
  await expect(page).toHaveURL(/\/signin\/error\?error=Verification/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("This sign-in link no longer works");
  await expect(page.getByRole("link", { name: "Back to sign-in" })).toBeVisible();
}

test("a member signs in with the emailed link, in their language, once", async ({ page, browser }) => {
  // Lars is a demo employee whose language is Danish.
  const email = "lars@nordlys.example";
  await preferEnglish(page);
  await page.goto("/signin");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in to Ripple");
  await expectAccessible(page);

  const { link, mail } = await requestMagicLink(page, email);
  await expectCheckEmailPage(page);
  await expectAccessible(page);
  expect(mail.subject).toBe("Dit login-link til Ripple");
  expect(mail.text).toContain("Det udløber om 30 minutter.");
  expect(link.startsWith(`${baseURL}/api/auth/callback/nodemailer?`)).toBe(true);

  await page.goto(link);
  await expect(page).toHaveURL(/\/feed$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Stories to share");
  await expect(page.getByRole("button", { name: "Account menu for Lars Mikkelsen" })).toBeVisible();

  // The same link a second time, in a browser without the session.
  const other = await browser.newContext();
  const second = await other.newPage();
  await preferEnglish(second);
  await second.goto(link);
  await expectLinkNoLongerWorks(second);
  await expectAccessible(second);
  await second.goto("/feed");
  await expect(second).toHaveURL(/\/signin\?callbackUrl=%2Ffeed/);
  await other.close();
});

test("a member whose language is English gets the link in English", async ({ page }) => {
  const email = "sarah@nordlys.example";
  await preferEnglish(page);
  const { mail } = await requestMagicLink(page, email);
  expect(mail.subject).toBe("Your sign-in link for Ripple");
  expect(mail.text).toContain("It expires in 30 minutes.");
});

test("an expired link shows the same clear page", async ({ page }) => {
  const email = uniqueEmail("expired");
  await createMember(email, ["employee"], "Expired Link");
  await preferEnglish(page);
  const { link } = await requestMagicLink(page, email);
  const updated = await withDatabase((sql) => sql`update verification_tokens set expires = now() - interval '1 minute' where identifier = ${email}`);
  expect(updated.count).toBe(1);

  await page.goto(link);
  await expectLinkNoLongerWorks(page);
  await page.goto("/feed");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Ffeed/);
});

test("an unknown address gets the same page and no mail", async ({ page }) => {
  const known = uniqueEmail("known");
  const unknown = uniqueEmail("unknown");
  await createMember(known, ["employee"]);
  await preferEnglish(page);

  // Unknown first, then a member: once the member's mail is in, the unknown request
  // has long been handled.
  await page.goto("/signin");
  await page.getByRole("textbox", { name: "Work email" }).fill(unknown);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expectCheckEmailPage(page);
  const unknownUrl = new URL(page.url());
  const unknownText = await page.getByRole("main").innerText();

  await requestMagicLink(page, known);
  await expectCheckEmailPage(page);
  expect(new URL(page.url()).pathname).toBe(unknownUrl.pathname);
  expect(await page.getByRole("main").innerText()).toBe(unknownText);

  await expectNoMailFor(unknown);
  expect(await mailsTo(known)).toHaveLength(1);
});

test("an invalid address is refused on the sign-in page and nothing is sent", async ({ page }) => {
  await preferEnglish(page);
  await page.goto("/signin");
  const field = page.getByRole("textbox", { name: "Work email" });
  await field.fill("not-an-address");
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Enter a valid email address.");
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in to Ripple");
  await expectAccessible(page);
  await expectNoMailFor("not-an-address", 1_000);
  // What was typed stays, to be corrected.
  await expect(field).toHaveValue("not-an-address");
});

async function signInWithSso(page: Page, login: string) {
  await preferEnglish(page);
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Nordlys SSO" }).click();
  // The provider's development login page (oidc-provider's devInteractions).
  await expect(page).toHaveURL((url) => url.origin === `http://localhost:${OIDC_PORT}` && url.pathname.startsWith("/interaction/"));
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("any-password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL((url) => url.origin === baseURL);
}

test("single sign-on signs an existing member in as themselves", async ({ page }) => {
  await signInWithSso(page, personas.editor.email);
  await expect(page).toHaveURL(/\/library$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Library");
  await expect(page.getByRole("button", { name: `Account menu for ${personas.editor.name}` })).toBeVisible();
  const me = await page.request.get("/api/v1/me");
  expect(me.status()).toBe(200);
  expect((await me.json()) as unknown).toMatchObject({ user: { email: personas.editor.email }, organization: { slug: "nordlys" }, roles: ["editor"] });
});

test("single sign-on admits an unknown person just in time as an employee of Nordlys", async ({ page }) => {
  const email = uniqueEmail("jit", "sso.example.test");
  await signInWithSso(page, email);
  await expect(page).toHaveURL(/\/feed$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Stories to share");
  await expectAccessible(page);
  const me = await page.request.get("/api/v1/me");
  expect((await me.json()) as unknown).toMatchObject({ user: { email }, organization: { slug: "nordlys", name: "Nordlys Energi A/S" }, roles: ["employee"] });
  // No mail is involved.
  expect(await mailsTo(email)).toHaveLength(0);
});

test("signing out from the account menu ends the session", async ({ page }) => {
  await signInAs(page, personas.employee);
  await expect(page).toHaveURL(/\/feed$/);
  await page.getByRole("button", { name: `Account menu for ${personas.employee.name}` }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in to Ripple");

  await page.goto("/feed");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Ffeed/);
  const me = await page.request.get("/api/v1/me");
  expect(me.status()).toBe(401);
});

test.describe(() => {
  test.use({ storageState: storedSession("employee") });

  test("the open account menu is accessible", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("button", { name: `Account menu for ${personas.employee.name}` }).click();
    const menu = page.getByRole("menu");
    await expect(menu.getByRole("menuitem")).toHaveText(["Settings", "Guidelines", "Sign out"]);
    await expectAccessible(page);
    await page.keyboard.press("Escape");
    await expect(menu).toBeHidden();
  });
});

test("asking twice sends a second, different link, which signs in", async ({ page }) => {
  const email = uniqueEmail("twice");
  await createMember(email, ["employee"]);
  await preferEnglish(page);
  const first = await requestMagicLink(page, email);
  const second = await requestMagicLink(page, email);
  expect(second.link).not.toBe(first.link);
  expect((await waitForMail(email, 2)).subject).toBe("Dit login-link til Ripple");
  await page.goto(second.link);
  await expect(page).toHaveURL(/\/feed$/);
});

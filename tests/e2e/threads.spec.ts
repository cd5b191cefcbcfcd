import { expect, test, type Page } from "@playwright/test";
import { E2E_THREADS_APP } from "./env";
import { expectAccessible, pageAs } from "./support";

/**
 * Threads by API for the demo organisation: Mette (admin) enters the organisation's own
 * Threads app in Settings, and Jonas (employee) then connects his Threads profile through
 * Threads' authorisation window (the run's fake Threads, tests/fakes/threads.ts). On a phone
 * in Danish and at 1366 px in English.
 */

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1366, height: 900 };

async function speak(page: Page, locale: "da" | "en") {
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: locale, url: "http://localhost" }]);
}

async function fitsWidth(page: Page, width: number) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

test("an admin sets up the organisation's Threads app, and an employee connects a Threads profile", async ({ browser }) => {
  const admin = await pageAs(browser, "admin");
  await speak(admin, "da");
  await admin.setViewportSize(PHONE);
  await admin.goto("/admin/settings");
  const form = admin.getByRole("region", { name: "Threads-app" });
  await expect(form.getByTestId("threads-app-state")).toHaveText(/Ingen Threads-app endnu/);
  await expect(form.getByRole("textbox", { name: "Redirect-adresse at registrere hos Meta" })).toHaveValue(/\/connections\/callback\/threads$/);
  // A new app without its secret is refused, and nothing is stored.
  await form.getByRole("textbox", { name: "Threads-app-id" }).fill(E2E_THREADS_APP.clientId);
  await form.getByRole("button", { name: "Gem Threads-app" }).click();
  await expect(form.getByRole("alert").first()).toBeVisible();
  await expect(form.getByTestId("threads-app-state")).toHaveText(/Ingen Threads-app endnu/);
  await form.getByLabel("Threads-app-hemmelighed").fill(E2E_THREADS_APP.clientSecret);
  await form.getByRole("button", { name: "Gem Threads-app" }).click();
  await expect(form.getByText("Gemt.", { exact: true })).toBeVisible();
  await expect(form.getByTestId("threads-app-state")).toHaveText(/Jeres Threads-app er gemt/);
  await fitsWidth(admin, PHONE.width);
  await form.screenshot({ path: test.info().outputPath("threads-app-360-da.png") });

  // The secret is never shown back: after a reload the field is empty and says it is kept.
  await admin.reload();
  await expect(form.getByLabel("Threads-app-hemmelighed")).toHaveValue("");
  await expect(form.getByText("Gemt og vises aldrig")).toBeVisible();
  await expect(admin.locator("body")).not.toContainText(E2E_THREADS_APP.clientSecret);
  await expectAccessible(admin);

  const employee = await pageAs(browser, "employee");
  await speak(employee, "en");
  await employee.setViewportSize(DESKTOP);
  await employee.goto("/connections");
  const card = employee.getByRole("region", { name: "Threads" });
  await card.getByRole("button", { name: "Connect Threads" }).click();
  // Threads' own window (the fake's consent page), then back to Ripple.
  await expect(employee.getByRole("heading", { name: "Authorize Ripple" })).toBeVisible();
  await employee.getByRole("textbox", { name: "Account" }).fill("jonas.berg");
  await employee.getByRole("button", { name: "Authorize" }).click();
  await expect(employee).toHaveURL(/\/connections\?connected=threads/);
  await expect(card.getByText("@jonas.berg")).toBeVisible();
  await fitsWidth(employee, DESKTOP.width);
  await employee.screenshot({ path: test.info().outputPath("threads-connected-1366-en.png"), fullPage: true });
  await expectAccessible(employee);

  await Promise.all([admin.context().close(), employee.context().close()]);
});

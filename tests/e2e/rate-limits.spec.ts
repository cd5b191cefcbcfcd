import { expect, test, type Page } from "@playwright/test";
import { createMember, expectNoMailFor, mailsTo, preferEnglish, uniqueEmail } from "./support";

/**
 * The sign-in mail limit as a visitor meets it (lib/limits): five links an address in a
 * quarter of an hour, then a message on the sign-in page and no further mail. A member's
 * address and an unknown one are answered alike, before and after the limit.
 */

async function ask(page: Page, email: string): Promise<string> {
  await page.goto("/signin");
  await page.getByRole("textbox", { name: "Work email" }).fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  // Either answer: the check-your-email page, or a message on the form.
  await expect(page.getByRole("heading", { level: 1, name: "Check your email" }).or(page.getByRole("main").getByRole("alert"))).toBeVisible();
  return new URL(page.url()).pathname;
}

test("past five sign-in links an address, the page says to wait, for members and strangers alike, and no sixth mail goes out", async ({ page }) => {
  const known = uniqueEmail("limited");
  const stranger = uniqueEmail("stranger");
  await createMember(known, ["employee"]);
  await preferEnglish(page);

  for (let i = 0; i < 5; i++) {
    expect(await ask(page, known)).toBe("/signin/check-email");
    expect(await ask(page, stranger)).toBe("/signin/check-email");
  }
  await expect.poll(async () => (await mailsTo(known)).length, { timeout: 15_000 }).toBe(5);

  for (const address of [known, stranger]) {
    expect(await ask(page, address)).toBe("/signin");
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Too many sign-in links have been asked for from here or for this address. Try again in 15 minutes.");
  }
  await expectNoMailFor(stranger, 1_000);
  // Still five: the sixth was refused before Auth.js made a link.
  await page.waitForTimeout(1_000);
  expect(await mailsTo(known)).toHaveLength(5);
});

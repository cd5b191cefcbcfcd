import { expect, test } from "@playwright/test";
import { expectAccessible, storedSession } from "./support";

/**
 * The feed leads each card with the story's picture, stored and served by Ripple (the demo's
 * drawn pictures, saved through the upload path), and fits a phone without sideways
 * scrolling, in Danish and English. Screenshots of each go to the test's output folder.
 */

test.use({ storageState: storedSession("employee") });

for (const { locale, heading, share } of [
  { locale: "en", heading: "Stories to share", share: "Share" },
  { locale: "da", heading: "Historier til deling", share: "Del" },
] as const) {
  for (const width of [360, 1366]) {
    test(`the feed's cards lead with their stored picture at ${width} px, in ${locale}`, async ({ page }, testInfo) => {
      await page.context().addCookies([{ name: "NEXT_LOCALE", value: locale, url: "http://localhost" }]);
      await page.setViewportSize({ width, height: width === 360 ? 740 : 900 });
      await page.goto("/feed");
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);

      const first = page.getByRole("article").first();
      const picture = first.getByRole("img");
      await expect(picture).toHaveAttribute("src", /^\/media\/[0-9a-f-]{36}\/[0-9A-Za-z]{24}\.png$/);
      await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
      await expect(first.getByText("nordlys.example", { exact: true })).toBeVisible();
      await expect(first.getByRole("link", { name: new RegExp(`^${share}: `) })).toBeVisible();
      await expect(first.getByTestId("story-image-placeholder")).toHaveCount(0);

      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await expectAccessible(page);
      await page.screenshot({ path: testInfo.outputPath(`feed-${locale}-${width}.png`), fullPage: width === 360 ? false : true });
    });
  }
}

test("a filter that matches nothing says so and leads back to every story", async ({ page }) => {
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: "en", url: "http://localhost" }]);
  await page.goto("/feed?topicId=00000000-0000-4000-8000-000000000000");
  await expect(page.getByText("No stories match these filters.")).toBeVisible();
  await page.getByRole("link", { name: "Show all stories" }).click();
  await expect(page).toHaveURL(/\/feed$/);
  await expect(page.getByRole("article").first()).toBeVisible();
});

test.describe(() => {
  test.use({ storageState: storedSession("admin") });

  test("an admin finds the colleague count's switch in the settings, on by default", async ({ page }) => {
    await page.context().addCookies([{ name: "NEXT_LOCALE", value: "en", url: "http://localhost" }]);
    await page.goto("/admin/settings");
    await expect(page.getByRole("checkbox", { name: /Show how many colleagues shared each story/ })).toBeChecked();
    await expectAccessible(page);
  });
});

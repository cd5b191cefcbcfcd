import { expect, test, type Page } from "@playwright/test";
import { PUBLISHED, demoStoryId, expectAccessible, pagesOf, personas, storedSession, withDatabase, type Persona } from "./support";

/** On a phone the navigation folds into a "Menu" dialog; pages stay usable and accessible. */

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test.describe(() => {
  test.use({ storageState: storedSession("employee") });

  test("an employee opens the phone menu and moves between their pages", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/feed$/);

    // The top bar's links are folded away; a Menu button stands in for them.
    const topBar = page.getByRole("banner");
    await expect(topBar.getByRole("navigation", { name: "Main" })).toBeHidden();
    const menuButton = page.getByRole("button", { name: "Menu", exact: true });
    await expect(menuButton).toBeVisible();
    await expectAccessible(page);

    await menuButton.click();
    const menu = page.getByRole("dialog", { name: "Nordlys Energi A/S" });
    await expect(menu).toBeVisible();
    const nav = menu.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link")).toHaveText(["Feed", "My shares", "Accounts", "My impact", "Leaderboard", /^Notices/, "Settings", "Guidelines"]);
    await expect(nav.getByRole("link", { name: "Feed" })).toHaveAttribute("aria-current", "page");
    await expectAccessible(page);

    await nav.getByRole("link", { name: "Settings" }).click();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(menu).toBeHidden();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Settings");
    await expectAccessible(page);

    await menuButton.click();
    await expect(menu.getByRole("link", { name: "Settings" })).toHaveAttribute("aria-current", "page");
    await menu.getByRole("button", { name: "Close" }).click();
    await expect(menu).toBeHidden();
    await expect(menuButton).toBeFocused();

    await menuButton.click();
    await page.keyboard.press("Escape");
    await expect(menu).toBeHidden();
    await menuButton.click();
    await menu.getByRole("link", { name: "Feed" }).click();
    await expect(page).toHaveURL(/\/feed$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Stories to share");
  });
});

test.describe(() => {
  test.use({ storageState: storedSession("admin") });

  test("an admin's phone menu shows Admin and Settings, and the members table page is accessible", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Members");
    await expect(page.getByRole("table", { name: "Members" })).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: personas.editor.email }).getByRole("button", { name: `Edit ${personas.editor.name}` })).toBeVisible();
    await expectAccessible(page);

    await page.getByRole("button", { name: "Menu", exact: true }).click();
    const menu = page.getByRole("dialog", { name: "Nordlys Energi A/S" });
    await expect(menu.getByRole("link")).toHaveText(["Admin", "My impact", "Leaderboard", /^Notices/, "Settings", "Guidelines"]);
    await expectAccessible(page);
    await menu.getByRole("link", { name: "Admin" }).click();
    await expect(menu).toBeHidden();

    await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Teams", exact: true }).click();
    await expect(page).toHaveURL(/\/admin\/teams$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Teams");
    await expectAccessible(page);
  });
});

test.describe(() => {
  test.use({ storageState: storedSession("editor") });

  test("an editor's phone menu leads to the library", async ({ page }) => {
    await page.goto("/settings");
    await page.getByRole("button", { name: "Menu", exact: true }).click();
    const menu = page.getByRole("dialog", { name: "Nordlys Energi A/S" });
    await expect(menu.getByRole("link")).toHaveText(["Library", "My impact", "Leaderboard", /^Notices/, "Settings", "Guidelines"]);
    await menu.getByRole("link", { name: "Library" }).click();
    await expect(page).toHaveURL(/\/library$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Library");
    await expectAccessible(page);
  });
});

/**
 * Every page at 360×740, in Danish and in English, for the role that can see it: nothing
 * scrolls sideways (the document is no wider than the screen) and axe finds nothing
 * serious. One browser context per persona and language, reused for all its pages.
 */

type Language = "da" | "en";
const languages: Language[] = ["da", "en"];
const PHONE = { width: 360, height: 740 };

/** What makes the page wider than the screen, to name in a failure. */
async function overflow(page: Page) {
  // The phone's own width, not innerWidth: a mobile browser widens its layout viewport to
  // fit content that overflows, which would hide the very overflow looked for.
  return page.evaluate((width) => {
    if (document.documentElement.scrollWidth <= width) return null;
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 0.5 || ["absolute", "fixed"].includes(getComputedStyle(el).position))
      // What scrolls inside its own box (tabs, wide tables) does not widen the page, unless it
      // is positioned against a box outside the scroller (an sr-only label in a table whose
      // frame is not positioned escapes the frame's clipping).
      .filter((el) => {
        let box = el.parentElement;
        if (["absolute", "fixed"].includes(getComputedStyle(el).position)) while (box && getComputedStyle(box).position === "static") box = box.parentElement;
        for (let up = box; up; up = up.parentElement) if (["auto", "scroll", "hidden"].includes(getComputedStyle(up).overflowX)) return false;
        return true;
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${[...el.classList].slice(0, 4).join(".")} (${Math.round(el.getBoundingClientRect().right)} px)`);
    return `scrollWidth ${document.documentElement.scrollWidth} > ${width}: ${wide.join("; ")}`;
  }, PHONE.width);
}

for (const who of Object.keys(pagesOf) as Array<Persona | "visitor">) {
  for (const language of languages) {
    test(`every ${who} page fits a 360 px phone and is accessible, in ${language === "da" ? "Danish" : "English"}`, async ({ browser }) => {
      // Up to a dozen pages with axe on each, on a busy machine.
      test.setTimeout(300_000);
      const context = await browser.newContext({
        viewport: PHONE,
        isMobile: true,
        hasTouch: true,
        ...(who === "visitor" ? {} : { storageState: storedSession(who) }),
      });
      await context.addCookies([{ name: "NEXT_LOCALE", value: language, url: "http://localhost" }]);
      const page = await context.newPage();
      const story = await demoStoryId(PUBLISHED);
      for (const path of pagesOf[who].map((p) => p.replace("{story}", story))) {
        await test.step(path, async () => {
          await page.goto(path);
          await expect(page.locator("html")).toHaveAttribute("lang", language);
          await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
          expect.soft(await overflow(page), `${path} scrolls sideways at 360 px`).toBeNull();
          await expectAccessible(page, { soft: true, label: path });
        });
      }
      await context.close();
    });
  }
}

test("a signed-out employee opening a digest's share link on a phone signs in once and lands on that composer", async ({ browser }) => {
  const story = await demoStoryId(PUBLISHED);
  const [variant] = await withDatabase((sql) => sql<{ id: string }[]>`select id from story_variants where story_id = ${story} order by position limit 1`);
  const target = `/compose?story=${story}&variant=${variant!.id}`;
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  await context.addCookies([{ name: "NEXT_LOCALE", value: "en", url: "http://localhost" }]);
  const page = await context.newPage();
  await page.goto(target);
  await expect(page).toHaveURL((url) => url.pathname === "/signin" && url.searchParams.get("callbackUrl") === target);
  await page.getByRole("button", { name: `Sign in as ${personas.employee.name}` }).click();
  await expect(page).toHaveURL((url) => url.pathname + url.search === target);
  await context.close();
});

test("/login answers with the sign-in page and keeps where to go next", async ({ page }) => {
  await page.goto("/login?next=%2Fimpact");
  await expect(page).toHaveURL((url) => url.pathname === "/signin" && url.searchParams.get("callbackUrl") === "/impact");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/Sign in to Ripple|Log ind på Ripple/);
});

import { expect, test } from "@playwright/test";
import { expectAccessible, personas, storedSession } from "./support";

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

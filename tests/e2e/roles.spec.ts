import { expect, test } from "@playwright/test";
import { expectAccessible, personas, storedSession } from "./support";

/**
 * The role × page matrix: every persona reaches the pages of their role (200, the
 * page's heading) and gets the 403 page on every other, with no serious or critical
 * accessibility violation on any of them. The navigation shows only what the role allows.
 */
const pages = [
  { path: "/feed", heading: "Stories to share", roles: ["employee"] },
  { path: "/library", heading: "Library", roles: ["editor"] },
  { path: "/reports", heading: "Reports", roles: ["manager"] },
  { path: "/admin", heading: "Members", roles: ["admin"] },
  { path: "/admin/teams", heading: "Teams", roles: ["admin"] },
  { path: "/admin/audit", heading: "Audit log", roles: ["admin"] },
  { path: "/admin/emv", heading: "Earned media value", roles: ["admin"] },
  { path: "/admin/api-tokens", heading: "API tokens", roles: ["admin"] },
  { path: "/settings/api-tokens", heading: "API tokens", roles: ["admin", "editor", "manager", "employee"] },
  { path: "/admin/directory", heading: "Directory (SCIM)", roles: ["admin"] },
  { path: "/admin/publishing", heading: "Publishing health", roles: ["admin"] },
  { path: "/impact", heading: "My impact", roles: ["admin", "editor", "manager", "employee"] },
  { path: "/impact/manager-view", heading: "What my manager sees", roles: ["admin", "editor", "manager", "employee"] },
  { path: "/leaderboard", heading: "Points and leaderboard", roles: ["admin", "editor", "manager", "employee"] },
  { path: "/settings", heading: "Settings", roles: ["admin", "editor", "manager", "employee"] },
] as const;

const navLabels = { employee: "Feed", editor: "Library", manager: "Reports", admin: "Admin" } as const;

for (const role of ["admin", "editor", "manager", "employee"] as const) {
  test.describe(() => {
    test.use({ storageState: storedSession(role) });
    test(`${role}: reaches their pages and gets 403 on the others`, async ({ page }) => {
      // Eleven pages, each checked with axe: more than the default minute on a busy machine.
      test.setTimeout(180_000);
      // The front door leads a member to their first section, as signing in does.
      await page.goto("/");
      const nav = page.getByRole("navigation", { name: "Main" }).first();
      for (const [other, label] of Object.entries(navLabels)) {
        if (other === role) await expect(nav.getByRole("link", { name: label })).toBeVisible();
        else await expect(nav.getByRole("link", { name: label })).toHaveCount(0);
      }
      for (const target of pages) {
        const response = await page.goto(target.path);
        const allowed = (target.roles as readonly string[]).includes(role);
        expect(response?.status(), `${role} on ${target.path}`).toBe(allowed ? 200 : 403);
        await expect(page.getByRole("heading", { level: 1 })).toHaveText(allowed ? target.heading : "You don't have access to this page");
        await expectAccessible(page);
      }
    });
  });
}

test("a visitor is sent to sign in and comes back to the page afterwards", async ({ page }) => {
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: "en", url: "http://localhost" }]);
  await page.goto("/admin/teams");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fadmin%2Fteams/);
  await expectAccessible(page);
  await page.getByRole("button", { name: `Sign in as ${personas.admin.name}` }).click();
  await expect(page).toHaveURL(/\/admin\/teams$/);
});

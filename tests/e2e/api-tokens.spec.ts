import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import { baseURL } from "./env";
import { expectAccessible, personas, storedSession } from "./support";

/**
 * API tokens in the UI, on a phone: an admin makes a token in Settings, a script uses it
 * against /api/v1, the admin revokes it under Admin → API tokens, and the same request is
 * then refused as revoked.
 */

test.use({ storageState: storedSession("admin"), viewport: { width: 360, height: 740 }, permissions: ["clipboard-read", "clipboard-write"] });

/** The document is no wider than the phone (a table scrolls inside its own frame). */
async function fitsThePhone(page: import("@playwright/test").Page) {
  const overflow = await page.evaluate(() => {
    if (document.documentElement.scrollWidth <= 360) return null;
    // Name what sticks out (outside any box that scrolls on its own), to say what to fix.
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > 360.5)
      .filter((el) => {
        for (let up = el.parentElement; up; up = up.parentElement) if (["auto", "scroll", "hidden"].includes(getComputedStyle(up).overflowX)) return false;
        return true;
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 4).join(".")} (${Math.round(el.getBoundingClientRect().right)} px)`);
    return `scrollWidth ${document.documentElement.scrollWidth}: ${wide.join("; ")}`;
  });
  expect(overflow).toBeNull();
}

test("an admin creates a token, a script uses it, the admin revokes it and the script gets 401 token revoked", async ({ page }) => {
  // A script's HTTP client: no browser cookies, only the bearer token.
  const api: APIRequestContext = await playwrightRequest.newContext({ baseURL });
  const name = `E2E script ${Date.now().toString(36)}`;

  await page.goto("/settings");
  await page.getByRole("link", { name: "Manage API tokens" }).click();
  await expect(page).toHaveURL(/\/settings\/api-tokens$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("API tokens");

  await page.getByRole("button", { name: "Create token" }).click();
  const dialog = page.getByRole("dialog", { name: "Create an API token" });
  await expect(dialog.getByRole("combobox", { name: "Expires after" })).toHaveValue("90");
  await dialog.getByRole("textbox", { name: "Name" }).fill(name);
  await dialog.getByRole("combobox", { name: "Expires after" }).selectOption({ label: "30 days" });
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog).toBeHidden();

  // Shown once, with the warning and a copy button.
  const fresh = page.getByTestId("new-api-token");
  await expect(fresh).toContainText("Store it now");
  const token = await fresh.getByRole("textbox", { name: "The new API token" }).inputValue();
  expect(token).toMatch(/^rpl_[0-9A-Za-z]{40}$/);
  await fresh.getByRole("button", { name: "Copy" }).click();
  await expect(fresh).toContainText("Copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  await fitsThePhone(page);
  await expectAccessible(page);

  const row = page.getByTestId(`api-token-${token.slice(0, 10)}`);
  await expect(row).toContainText(name);
  await expect(row).toContainText("Active");

  const me = await api.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ user: { email: personas.admin.email } });

  // Once stored, only the prefix is ever shown again.
  await fresh.getByRole("button", { name: "I have stored it" }).click();
  await expect(fresh).toBeHidden();
  await page.reload();
  await expect(row).toContainText(token.slice(0, 10));
  expect(await page.content()).not.toContain(token.slice(10));

  // The admin's list of every token in the organisation.
  await page.goto("/admin/api-tokens");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("API tokens");
  await expect(row).toContainText(personas.admin.name);
  // The script's call shows as the last use.
  await expect(row).not.toContainText("Never");
  await fitsThePhone(page);
  await expectAccessible(page);

  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  const confirm = page.getByRole("alertdialog", { name: `Revoke "${name}"?` });
  await confirm.getByRole("button", { name: "Revoke" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByText(`"${name}" is revoked.`)).toBeVisible();
  await expect(row).toContainText("Revoked");
  await expect(row.getByRole("button", { name: `Revoke ${name}` })).toHaveCount(0);

  const refused = await api.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(refused.status()).toBe(401);
  expect(refused.headers()["content-type"]).toBe("application/problem+json");
  const problem = (await refused.json()) as Record<string, unknown>;
  expect(problem).toMatchObject({ status: 401, title: "Unauthorized", type: "urn:ripple:problem:token-revoked" });
  expect(problem.detail).toMatch(/^Token revoked/);
  await api.dispose();

  // The audit log says it in words, naming the token, not its id.
  await page.goto("/admin/audit?action=api_token.revoke");
  const line = page.getByRole("row").filter({ hasText: "Revoked an API token" }).filter({ hasText: name });
  await expect(line).toHaveCount(1);
  await expect(line).toContainText(personas.admin.name);
  await expect(line).toContainText(`API token: ${name} (${token.slice(0, 10)}…)`);
  await fitsThePhone(page);
});

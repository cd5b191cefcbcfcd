import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { baseURL } from "./env";
import { expectAccessible, personas, storedSession, withDatabase } from "./support";

/**
 * Ripple as an installed app: the manifest passes Chromium's installability check, the
 * service worker registers, a push delivered through the DevTools protocol is shown as a
 * notification, the settings opt-in stores the browser's subscription, and a page shared
 * from the phone's share sheet (the manifest's share_target) opens "Suggest a story".
 */

test.use({ storageState: storedSession("employee") });

async function activeWorker(page: Page): Promise<string> {
  return page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL ?? "");
}

test("the service worker registers and the manifest passes Chromium's installability check", async ({ playwright }, testInfo) => {
  // Chromium never installs from an incognito profile, which every Playwright context is
  // except a persistent one: this test has a profile of its own, with the stored session.
  const launch = testInfo.project.use.launchOptions ?? {};
  const context = await playwright.chromium.launchPersistentContext(testInfo.outputPath("profile"), { ...launch, baseURL });
  const { cookies } = JSON.parse(readFileSync(storedSession("employee"), "utf8")) as { cookies: Parameters<typeof context.addCookies>[0] };
  await context.addCookies(cookies);
  const page = await context.newPage();
  await page.goto("/settings");
  expect(await activeWorker(page)).toBe(`${baseURL}/sw.js`);
  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  expect(installabilityErrors).toEqual([]);

  const manifest = await (await page.request.get("/manifest.webmanifest")).json();
  expect(manifest).toMatchObject({ name: "Ripple", display: "standalone", share_target: { action: "/suggest", method: "GET", params: { url: "url", text: "text", title: "title" } } });
  for (const icon of manifest.icons as Array<{ src: string }>) expect((await page.request.get(icon.src)).headers()["content-type"]).toBe("image/png");
  expect((await page.request.get("/favicon.ico")).ok()).toBe(true);
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute("href", /manifest\.webmanifest/);
  await expect(page.locator('link[rel="icon"][type="image/png"]')).toHaveCount(1);
  await context.close();
});

test("a push delivered through the DevTools protocol shows its notification", async ({ page, context }) => {
  await context.grantPermissions(["notifications"], { origin: baseURL });
  const cdp = await context.newCDPSession(page);
  const registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> = [];
  cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => registrations.push(...event.registrations));
  await cdp.send("ServiceWorker.enable");
  await page.goto("/feed");
  await activeWorker(page);
  await expect.poll(() => registrations.find((r) => r.scopeURL === `${baseURL}/` && !r.isDeleted)?.registrationId).toBeTruthy();
  const registrationId = registrations.find((r) => r.scopeURL === `${baseURL}/` && !r.isDeleted)!.registrationId;

  const tag = `story-${randomBytes(4).toString("hex")}`;
  const message = { title: "New story to share", body: "Nordlys åbner ny vindmøllepark", url: "/compose?story=00000000-0000-4000-8000-000000000000", tag };
  await cdp.send("ServiceWorker.deliverPushMessage", { origin: baseURL, registrationId, data: JSON.stringify(message) });

  const shown = () =>
    page.evaluate(async (wanted) => {
      const notifications = await (await navigator.serviceWorker.ready).getNotifications({ tag: wanted });
      return notifications.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: (n.data as { url?: string } | null)?.url, icon: n.icon }));
    }, tag);
  await expect.poll(shown).toEqual([{ title: message.title, body: message.body, tag, url: message.url, icon: `${baseURL}/icons/icon-192.png` }]);
});

test("the settings opt-in stores this browser's subscription and opting out deletes it", async ({ page, context }) => {
  // Headless Chromium cannot subscribe (pushManager.subscribe rejects with "Registration
  // failed - permission denied" even with notifications granted; it has no push service
  // here either), so the browser's subscribe hands back a subscription as a real one looks;
  // the permission prompt, the page, the server action and the database are all real.
  await context.grantPermissions(["notifications"], { origin: baseURL });
  const endpoint = `https://push.example.test/send/${randomBytes(8).toString("hex")}`;
  const p256dh = Buffer.concat([Buffer.from([4]), randomBytes(64)]).toString("base64url");
  const auth = randomBytes(16).toString("base64url");
  await page.addInitScript(
    ({ endpoint, p256dh, auth }) => {
      let current: object | null = null;
      const fake = () => ({
        endpoint,
        toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh, auth } }),
        unsubscribe: async () => ((current = null), true),
      });
      PushManager.prototype.subscribe = async function () {
        current = fake();
        return current as PushSubscription;
      };
      PushManager.prototype.getSubscription = async function () {
        return current as PushSubscription | null;
      };
    },
    { endpoint, p256dh, auth },
  );
  const stored = () => withDatabase(async (sql) => (await sql`select p.p256dh, p.auth, u.email from push_subscriptions p join users u on u.id = p.user_id where p.endpoint = ${endpoint}`).map((r) => ({ ...r })));

  await page.goto("/settings");
  const section = page.getByRole("region", { name: "Notifications on this device" });
  await section.getByRole("button", { name: "Turn on notifications" }).click();
  await expect(section.getByText("Notifications are on for this device.")).toBeVisible();
  expect(await stored()).toEqual([{ p256dh, auth, email: personas.employee.email }]);
  await expectAccessible(page);

  await section.getByRole("button", { name: "Turn off notifications" }).click();
  await expect(section.getByText("Notifications are off for this device.")).toBeVisible();
  expect(await stored()).toEqual([]);
});

test.describe("a page shared from the phone opens Suggest a story", () => {
  test("with its link filled in, and the suggestion goes to the editors", async ({ page }) => {
    const url = `https://nordlys.example/nyheder/${randomBytes(4).toString("hex")}`;
    await page.goto(`/suggest?title=${encodeURIComponent("Vindmøller")}&text=${encodeURIComponent(`Se her ${url}`)}`);
    await expect(page.getByRole("heading", { level: 1, name: "Suggest a story" })).toBeVisible();
    await expect(page.getByLabel("Link")).toHaveValue(url);
    await expectAccessible(page);
    await page.getByLabel("Why is it worth sharing?").fill("Our customers will like this one.");
    await page.getByRole("button", { name: "Send suggestion" }).click();
    await expect(page.getByText(/is with the editors for review/)).toBeVisible({ timeout: 15_000 });
    const rows = await withDatabase((sql) => sql`select status, source from stories where canonical_url = ${url}`);
    expect(rows.map((r) => ({ ...r }))).toEqual([{ status: "in_review", source: "suggestion" }]);
  });

  for (const [what, shared, reason] of [
    ["a link into a private network", "http://192.168.1.10/intranet", "That address points inside a private network"],
    ["a link that is not http(s)", "javascript:alert(1)", "Only http:// and https:// addresses"],
  ] as const) {
    test(`refuses ${what} with a message`, async ({ page }) => {
      await page.goto(`/suggest?url=${encodeURIComponent(shared)}`);
      await expect(page.getByRole("alert").filter({ hasText: reason })).toBeVisible();
      await expect(page.getByLabel("Link")).toHaveValue("");
    });
  }

  test("says so when what was shared holds no link", async ({ page }) => {
    await page.goto(`/suggest?text=${encodeURIComponent("Just some words")}`);
    await expect(page.getByRole("alert").filter({ hasText: "contains no web address" })).toBeVisible();
  });
});

import { expect, test, type Page } from "@playwright/test";
import { createMember, expectAccessible, storedSession, uniqueEmail, withDatabase } from "./support";

/**
 * Admin › Publishing: the organisation's publishing health in Ripple's words, for Mette
 * (admin; the demo installation holds one organisation, so she also runs it and sees the
 * queues). And the admin pages finish loading although they link to the queue dashboard.
 */

test.use({ storageState: storedSession("admin") });

const PHONE = { width: 360, height: 740 };

/** A member of the demo organisation with one share whose outcome is unknown and one that failed. */
async function memberWithTroubledShares(name: string) {
  const email = uniqueEmail("health");
  await createMember(email, ["employee"], name);
  await withDatabase(async (sql) => {
    const [row] = await sql<{ org_id: string; story_id: string; user_id: string }[]>`
      select o.id as org_id, s.id as story_id, u.id as user_id
      from organizations o join stories s on s.org_id = o.id, users u
      where o.slug = 'nordlys' and s.slug = 'havvind-skagerrak-syd' and u.email = ${email}`;
    const { org_id, story_id, user_id } = row!;
    const hourAgo = new Date(Date.now() - 3_600_000);
    await sql`
      insert into shares (org_id, story_id, user_id, network, mode, text, status, scheduled_at, error_code, updated_at)
      values
        (${org_id}, ${story_id}, ${user_id}, 'mastodon', 'api', 'Se her', 'needs_attention', ${hourAgo}, 'outcome_unknown', ${hourAgo}),
        (${org_id}, ${story_id}, ${user_id}, 'x', 'api', 'Se her', 'failed', ${hourAgo}, 'network_forbidden', ${hourAgo})`;
  });
  return email;
}

/** Null when the page fits the phone; else how wide it is. */
async function sidewaysScroll(page: Page) {
  return page.evaluate((width) => (document.documentElement.scrollWidth <= width ? null : `scrollWidth ${document.documentElement.scrollWidth}`), PHONE.width);
}

test("an admin reads the publishing health on a phone, in English and in Danish", async ({ browser }) => {
  const name = `Freja Holm ${Date.now().toString(36)}`;
  const email = await memberWithTroubledShares(name);
  for (const language of ["en", "da"] as const) {
    const context = await browser.newContext({ storageState: storedSession("admin"), viewport: PHONE, isMobile: true, hasTouch: true });
    await context.addCookies([{ name: "NEXT_LOCALE", value: language, url: "http://localhost" }]);
    const page = await context.newPage();
    const en = language === "en";
    await page.goto("/admin/publishing");
    await expect(page.locator("html")).toHaveAttribute("lang", language);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(en ? "Publishing health" : "Udgivelsens tilstand");

    const byNetwork = page.getByRole("table", { name: en ? "By network" : "Pr. netværk", exact: true });
    await expect(byNetwork.getByRole("columnheader")).toHaveText(
      en
        ? ["Network", "Scheduled", "Posting now", "Published, 24 h", "Published, 7 days", "Failed, 7 days", "Needs attention"]
        : ["Netværk", "Planlagt", "Deles nu", "Delt, 24 t", "Delt, 7 dage", "Mislykket, 7 dage", "Kræver opmærksomhed"],
    );
    await expect(byNetwork.getByRole("rowheader")).toHaveText(["LinkedIn", "X", "Mastodon", "Bluesky", "Threads", en ? "All networks" : "Alle netværk"]);
    await expect(page.getByRole("heading", { name: en ? "Lateness" : "Forsinkelse" })).toBeVisible();

    const failures = page.getByRole("table", { name: en ? "Failures by reason" : "Fejl efter årsag", exact: true });
    await expect(
      failures.getByRole("row").filter({ hasText: en ? "The network did not allow the post" : "Netværket tillod ikke opslaget" }),
    ).toBeVisible();

    const attention = page.getByRole("table", { name: en ? "Needs attention" : "Kræver opmærksomhed", exact: true });
    const row = attention.getByRole("row").filter({ hasText: name });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("Mastodon");
    await expect(row).toContainText(en ? "The network did not answer in time" : "Netværket svarede ikke i tide");
    await expect(row.getByRole("link", { name: en ? `Email ${name}` : `Skriv til ${name}` })).toHaveAttribute("href", `mailto:${email}`);

    // One organisation on this installation: Mette runs it, so she sees the queues too.
    await expect(page.getByRole("table", { name: en ? "Publish queues" : "Udgivelseskøer", exact: true }).getByRole("rowheader")).toHaveText([
      "publish-linkedin",
      "publish-x",
      "publish-mastodon",
      "publish-bluesky",
      "publish-threads",
    ]);
    await expect(page.getByRole("link", { name: en ? "Open the queue dashboard" : "Åbn køoversigten" })).toHaveAttribute("href", "/admin/queues");

    expect(await sidewaysScroll(page), "the page scrolls sideways at 360 px").toBeNull();
    await expectAccessible(page);
    await context.close();
  }
});

test("the admin pages finish loading: the queue dashboard is a plain link, never prefetched", async ({ page }) => {
  const dashboardRequests: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname.startsWith("/admin/queues")) dashboardRequests.push(request.url());
  });
  // Before, each admin page asked the dashboard for a Server Components payload it could not
  // give and left the answer unread: the page never came to rest.
  await page.goto("/admin/teams", { waitUntil: "networkidle", timeout: 20_000 });
  const sections = page.getByRole("navigation", { name: "Administration" });
  await sections.getByRole("link", { name: "Publishing", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Publishing health");
  await page.waitForLoadState("networkidle", { timeout: 20_000 });
  expect(dashboardRequests).toEqual([]);

  await sections.getByRole("link", { name: "Queues", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/queues$/);
  await expect(page).toHaveTitle("Ripple queues");
});

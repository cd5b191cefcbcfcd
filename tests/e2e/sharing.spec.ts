import { expect, test } from "@playwright/test";
import { createMember, expectAccessible, personas, preferEnglish, signInByMagicLink, storedSession, uniqueEmail, withDatabase } from "./support";

/**
 * An employee shares as the issue describes: acknowledges the guidelines, connects a
 * Mastodon account on a (fake) instance and a Bluesky account on the local AT Protocol
 * network, personalises a story and schedules it, sees it in the queue, cancels another,
 * and shares a third through a share link.
 */

/** Published stories for the whole organisation (no audience), newest first. */
async function openStories(count: number): Promise<Array<{ id: string; title: string }>> {
  return withDatabase(async (sql) => {
    const rows = await sql`
      select s.id, s.title from stories s join organizations o on o.id = s.org_id
      where o.slug = 'nordlys' and s.status = 'published' and s.canonical_url is not null
        and (s.expires_at is null or s.expires_at > now() + interval '2 days')
        and not exists (select 1 from story_audiences a where a.story_id = s.id)
      order by s.published_at desc limit ${count}`;
    return rows.map((r) => ({ id: r.id as string, title: r.title as string }));
  });
}

/** Tomorrow at the hour in Copenhagen, as the date-time picker takes it. */
function tomorrowAt(hour: number): string {
  const date = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Copenhagen", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(Date.now() + 24 * 3600_000));
  return `${date}T${String(hour).padStart(2, "0")}:00`;
}

test("an employee acknowledges the guidelines, connects Mastodon and Bluesky, schedules, cancels and shares through a share link", async ({ page }) => {
  test.setTimeout(180_000);
  const [first, second, third] = await openStories(3);
  expect(third, "the demo data has three open stories").toBeTruthy();

  const email = uniqueEmail("sharer");
  await createMember(email, ["employee"], "Sanne Deler");
  await preferEnglish(page);
  await signInByMagicLink(page, email);

  // 1. The guidelines come first: compose sends the person there and back again.
  await page.goto(`/compose?story=${first!.id}`);
  await expect(page).toHaveURL(/\/guidelines\?next=/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Social media guidelines");
  await expectAccessible(page);
  await page.getByRole("button", { name: "I have read the guidelines and will follow them" }).click();
  await expect(page).toHaveURL(new RegExp(`/compose\\?story=${first!.id}$`));

  // 2. Connect Mastodon on the fake instance (OAuth through its consent page).
  await page.goto("/connections");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Connect Mastodon" }).click();
  await page.getByLabel("Your server").fill(process.env.E2E_MASTODON_URL!);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: /Authorize/ })).toBeVisible();
  await page.getByLabel("Account").fill("sanne");
  await page.getByRole("button", { name: "Authorize" }).click();
  await expect(page).toHaveURL(/\/connections\?connected=mastodon/);
  await expect(page.getByText("Your Mastodon account is connected.")).toBeVisible();
  await expect(page.getByText(/@sanne@127\.0\.0\.1/)).toBeVisible();

  // 3. Connect Bluesky on the local PDS with an app password.
  await page.getByRole("button", { name: "Connect Bluesky" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Handle").fill(process.env.E2E_BLUESKY_HANDLE!);
  await page.getByLabel("App password").fill(process.env.E2E_BLUESKY_APP_PASSWORD!);
  await page.getByLabel("Server (optional)").fill(process.env.E2E_BLUESKY_PDS!);
  await page.getByRole("dialog").getByRole("button", { name: "Connect" }).click();
  await expect(page.getByText(process.env.E2E_BLUESKY_HANDLE!, { exact: true })).toBeVisible();

  // 4. Personalise the first story and schedule it from both accounts.
  await page.goto(`/compose?story=${first!.id}`);
  await expectAccessible(page);
  const demo = page.getByRole("checkbox", { name: /demo network/ });
  if (await demo.isChecked()) await demo.uncheck();
  const mastodonText = page.getByRole("textbox", { name: /Your text for Mastodon/ });
  await mastodonText.fill(`Det her er jeg stolt af! ${await mastodonText.inputValue()}`.slice(0, 400));
  await expect(page.getByTestId("compose-mastodon").getByText(/^Mastodon: \d+\/500$/)).toBeVisible();
  const blueskyText = page.getByRole("textbox", { name: /Your text for Bluesky/ });
  await blueskyText.fill("Læs med her 👇");
  // Bluesky counts graphemes; the disclosure tag is counted in.
  await expect(page.getByTestId("compose-bluesky").getByText(/^Bluesky: \d+\/300$/)).toBeVisible();
  await page.getByLabel("Later").check();
  await page.getByLabel(/Date and time/).fill(tomorrowAt(9));
  await page.getByRole("button", { name: "Schedule" }).click();
  // What happened is shown where the person is: each post scheduled, at its time in their zone.
  await expect(page.getByTestId("outcome-mastodon")).toContainText(/Scheduled for .+ at 09\.00/);
  await expect(page.getByTestId("outcome-bluesky")).toContainText(/Scheduled for .+ at 09\.00/);
  await page.getByRole("main").getByRole("link", { name: "My shares" }).click();
  await expect(page).toHaveURL(/\/queue$/);
  await expect(page.getByRole("heading", { level: 2, name: first!.title })).toHaveCount(2);
  await expectAccessible(page);

  // 5. Schedule another story, then cancel it from the queue.
  await page.goto(`/compose?story=${second!.id}`);
  if (await demo.isChecked()) await demo.uncheck();
  await page.getByRole("checkbox", { name: /Bluesky/ }).uncheck();
  await page.getByLabel("Later").check();
  await page.getByLabel(/Date and time/).fill(tomorrowAt(11));
  await page.getByRole("button", { name: "Schedule" }).click();
  await expect(page.getByTestId("outcome-mastodon")).toContainText("Scheduled for");
  await page.goto("/queue");
  await page.getByRole("button", { name: `Cancel the share of ${second!.title}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Cancel the share" }).click();
  await expect(page.getByText("The share is cancelled.")).toBeVisible();
  await page.goto("/queue?tab=cancelled");
  await expect(page.getByRole("heading", { level: 2, name: second!.title })).toBeVisible();

  // 6. Share a third story through Facebook's share window, and say it was posted.
  await page.goto(`/compose?story=${third!.id}`);
  const facebook = page.getByTestId("share-link-facebook");
  // Facebook itself is out of reach here: answer its share window with a stand-in page.
  await page.context().route(/^https:\/\/www\.facebook\.com\//, (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>Facebook</title>" }));
  const popup = page.waitForEvent("popup");
  await facebook.getByRole("button", { name: "Open Facebook" }).click();
  const window = await popup;
  await expect.poll(() => window.url()).toContain("facebook.com/sharer/sharer.php?u=");
  expect(decodeURIComponent(window.url())).toMatch(/\/r\/[0-9A-Za-z]{10}/);
  await window.close();
  await expect(facebook.getByText("Did you post it on Facebook?")).toBeVisible();
  await facebook.getByRole("button", { name: "Yes, I posted it" }).click();
  await expect(facebook.getByText("Thanks! It counts as shared.")).toBeVisible();
  await page.goto("/queue?tab=published");
  await expect(page.getByRole("heading", { level: 2, name: third!.title })).toBeVisible();

  // The scheduled shares carry their own tracked links, and nothing else was posted yet. (Shares
  // made by one compose have the same created_at: mastodon before bluesky, by name, not by heap order.)
  const rows = await withDatabase(
    (sql) => sql`select s.network, s.mode, s.status, s.text, l.code from shares s join users u on u.id = s.user_id
      left join tracked_links l on l.share_id = s.id where u.email = ${email} order by s.created_at, s.network::text desc`,
  );
  expect(rows.map((r) => `${r.network}/${r.mode}/${r.status}`)).toEqual(["mastodon/api/scheduled", "bluesky/api/scheduled", "mastodon/api/cancelled", "facebook/intent/published"]);
  for (const row of rows) expect(row.text as string).toContain(`/r/${row.code as string}`);
});

test.describe(() => {
  test.use({ storageState: storedSession("employee") });

  test("another employee's share is not found, and a share in the past is refused", async ({ page }) => {
    const [story] = await openStories(1);
    await page.goto(`/compose?story=${story!.id}`);
    if (/\/guidelines/.test(page.url())) {
      await page.getByRole("button", { name: "I have read the guidelines and will follow them" }).click();
      await expect(page).toHaveURL(/\/compose/);
    }
    const demo = page.getByRole("checkbox", { name: /demo network/ });
    await expect(demo).toBeChecked();
    await page.getByLabel("Later").check();
    await page.getByLabel(/Date and time/).fill("2020-01-01T08:00");
    await page.getByRole("button", { name: "Schedule" }).click();
    await expect(page.getByText("Choose a time in the future.").first()).toBeVisible();

    // Someone else's share, by its real id: not found, not forbidden (nothing is revealed).
    const othersShare = await withDatabase(async (sql) => {
      const [row] = await sql`
        insert into shares (org_id, story_id, user_id, network, mode, text, status, scheduled_at)
        select s.org_id, s.id, u.id, 'linkedin', 'intent', 'Andens deling', 'published', now()
        from stories s, users u where s.id = ${story!.id} and u.email = ${personas.manager.email}
        returning id`;
      return row!.id as string;
    });
    const response = await page.request.get(`/api/v1/shares/${othersShare}`);
    expect(response.status()).toBe(404);
    expect(response.headers()["content-type"]).toContain("application/problem+json");
  });

  test("on the demo network, sharing now goes through the publisher and shows on the demo timeline", async ({ page }) => {
    // A story of its own: the demo's stories carry colleagues' demo-network shares, and one
    // within the spacing window (another spec's, sharing "now") would move this share later.
    const story = await withDatabase(async (sql) => {
      const tag = Date.now().toString(36);
      const [row] = await sql`
        insert into stories (org_id, slug, title, summary, canonical_url, language, status, published_at)
        select id, ${`demo-timeline-${tag}`}, ${`Demo-netværket ${tag}`}, 'En historie til demo-netværket.', 'https://nordlys.example/nyheder/demo-netvaerket', 'da', 'published', now() - interval '1 hour'
        from organizations where slug = 'nordlys'
        returning id`;
      return { id: row!.id as string };
    });
    await page.goto(`/compose?story=${story!.id}`);
    if (/\/guidelines/.test(page.url())) {
      await page.getByRole("button", { name: "I have read the guidelines and will follow them" }).click();
      await expect(page).toHaveURL(/\/compose/);
    }
    // Jonas has only the demo network connected, chosen from the start.
    await expect(page.getByRole("checkbox")).toHaveCount(1);
    await expect(page.getByRole("checkbox", { name: /demo network/ })).toBeChecked();
    const text = `Prøver demo-netværket ${Date.now().toString(36)}`;
    await page.getByRole("textbox", { name: /Your text for Mastodon/ }).fill(text);
    await page.getByRole("button", { name: "Share now" }).click();
    await expect(page.getByTestId("outcome-mastodon").getByText("Posted", { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect
      .poll(
        async () => {
          await page.goto("/queue?tab=published");
          return page.getByText(text, { exact: false }).count();
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    const href = await page.getByRole("link", { name: "See the post on Mastodon" }).first().getAttribute("href");
    expect(href).toMatch(/\/demo-network#[0-9a-f-]{36}$/);
    await page.goto(href!);
    await expect(page.getByText(text, { exact: false }).first()).toBeVisible();
    await expectAccessible(page);
  });
});

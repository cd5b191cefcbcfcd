import { expect, test, type Browser, type Page } from "@playwright/test";
import { createMember, expectAccessible, mailsTo, pageAs, personas, preferEnglish, signInByMagicLink, storedSession, uniqueEmail, withDatabase } from "./support";

/**
 * The content library as its users see it: an editor writes a story with Danish and
 * English share texts, another editor approves it, and it reaches employees' feeds at
 * its publish time and leaves at its expiry, moved by the lifecycle queue.
 */

const ZONE = "Europe/Copenhagen";

/** "YYYY-MM-DDTHH:mm" wall-clock time in Copenhagen, what the datetime-local picker takes. */
function copenhagenLocal(instant: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** The next whole minute at least `lead` ms away (the picker has minute precision). */
function nextMinute(after: number, lead: number): Date {
  return new Date(Math.ceil((after + lead) / 60_000) * 60_000);
}

async function newEditorPage(browser: Browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await preferEnglish(page);
  return page;
}

async function feedTitles(page: Page): Promise<string[]> {
  await page.goto("/feed");
  return page.getByRole("heading", { level: 2 }).allInnerTexts();
}

test("an editor writes a story in two languages, another approves it, and it is in the feed from publish_at until expires_at", async ({ browser }) => {
  test.setTimeout(420_000);
  const title = `Vindmøller i Nordsøen ${Date.now().toString(36)}`;
  // The second editor signs in first, so little stands between choosing the times and checking the feed before them.
  const reviewerEmail = uniqueEmail("reviewer");
  await createMember(reviewerEmail, ["editor"], "Rikke Revisor");
  const reviewer = await newEditorPage(browser);
  await signInByMagicLink(reviewer, reviewerEmail);
  const publishAt = nextMinute(Date.now(), 50_000);
  const expiresAt = new Date(publishAt.getTime() + 60_000);

  const author = await pageAs(browser, "editor");
  await author.goto("/library/new");
  await expectAccessible(author);
  await author.getByLabel("Title").fill(title);
  await author.getByLabel("Summary").fill("Nordlys bygger en ny havvindmøllepark sammen med Vestkyst Offshore.");
  await author.getByLabel("Link to the story").fill("https://nordlys.example/nyheder/vind-nordsoen");
  await author.getByLabel("Language of the story").selectOption("da");
  await author.getByLabel("Goes live").fill(copenhagenLocal(publishAt));
  await author.getByLabel("Comes down").fill(copenhagenLocal(expiresAt));

  await author.getByRole("button", { name: "Add a LinkedIn text" }).click();
  await author.getByRole("textbox", { name: "LinkedIn text" }).fill("Stolt af at være med til at bygge fremtidens energi. https://nordlys.example/nyheder/vind-nordsoen");
  await author.getByRole("button", { name: "Add a LinkedIn text" }).click();
  const english = author.getByTestId("variant-linkedin").nth(1);
  await english.getByLabel("Language").selectOption("en");
  await english.getByRole("textbox", { name: "LinkedIn text" }).fill("Proud to help build tomorrow's energy. https://nordlys.example/nyheder/vind-nordsoen");
  await author.getByRole("button", { name: "Add a X text" }).click();
  await author.getByRole("textbox", { name: "X text" }).fill("Ny havvindmøllepark på vej 🌬️ https://nordlys.example/nyheder/vind-nordsoen");
  // The counter counts the way X does: the URL is 23, the disclosure tag is included.
  await expect(author.getByTestId("variant-x").getByText(/^X: \d+ of 280, counted as X counts$/)).toBeVisible();
  await expect(author.getByTestId("variant-x").getByText("#nordlysansat")).toBeVisible();
  await expectAccessible(author);

  await author.getByRole("button", { name: "Create draft" }).click();
  await expect(author).toHaveURL(/\/library\/[0-9a-f-]{36}$/);
  const storyUrl = author.url();
  await expect(author.getByText("Draft: only editors see it.")).toBeVisible();
  await author.getByRole("button", { name: "Send for review" }).click();
  await expect(author.getByText("Sent for review.")).toBeVisible();
  // The author cannot approve their own story.
  await expect(author.getByRole("button", { name: "Approve" })).toBeDisabled();
  await expectAccessible(author);

  await reviewer.goto("/library/review");
  await reviewer.getByRole("link", { name: title }).click();
  await reviewer.getByRole("button", { name: "Approve" }).click();
  await expect(reviewer.getByText("Approved: it goes live at its time.")).toBeVisible();

  const employee = await pageAs(browser, "employee");
  expect(Date.now()).toBeLessThan(publishAt.getTime());
  expect(await feedTitles(employee)).not.toContain(title);

  // The lifecycle queue sweeps once a minute; on a busy machine a sweep can come late.
  const sweep = { timeout: 150_000, intervals: [2_000] };
  await expect.poll(async () => (await feedTitles(employee)).includes(title), sweep).toBe(true);
  expect(Date.now()).toBeGreaterThanOrEqual(publishAt.getTime());
  await expect.poll(async () => (await feedTitles(employee)).includes(title), sweep).toBe(false);
  expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime());

  // The lifecycle queue, not a page load, moved it: the library and its history say so.
  await expect
    .poll(async () => {
      await author.goto(storyUrl);
      return author.getByText("Archived", { exact: true }).first().isVisible();
    }, { timeout: 30_000 })
    .toBe(true);
  const history = author.getByRole("complementary").filter({ hasText: "History" });
  await expect(history.getByText("Published", { exact: true })).toBeVisible();
  await expect(history.getByText("Its sharing window ended.")).toBeVisible();
  await expect(history.getByText(/Rikke Revisor/)).toHaveCount(1);
});

test.describe(() => {
  test.use({ storageState: storedSession("editor") });

  test("the editor refuses a blocked phrase and a share text over the network's limit, and saves nothing", async ({ page }) => {
    const title = `Garanteret afkast ${Date.now().toString(36)}`;
    await page.goto("/library/new");
    await page.getByLabel("Title").fill(title);
    await page.getByRole("button", { name: "Add a X text" }).click();
    await page.getByRole("textbox", { name: "X text" }).fill("a".repeat(275));
    await expect(page.getByTestId("variant-x").getByText("Too long: at most 280 characters with the disclosure tag.")).toBeVisible();
    await page.getByRole("button", { name: "Create draft" }).click();
    await expect(page.getByText("The story breaks the organisation's content rules; see the marked fields.")).toBeVisible();
    await expect(page.getByText("Contains the blocked phrase “garanteret afkast”.")).toBeVisible();
    await expect(page).toHaveURL(/\/library\/new$/);
    await expectAccessible(page);
    const count = await withDatabase(async (sql) => (await sql`select count(*)::int as n from stories where title = ${title}`)[0]!.n as number);
    expect(count).toBe(0);
  });

  test("Markdown in a story body never runs script: tags, handlers and javascript: links are dropped", async ({ page }) => {
    await page.goto("/library/new");
    let dialogs = 0;
    page.on("dialog", (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.getByRole("textbox", { name: "Body" }).fill('Hej <script>alert(1)</script> <img src=x onerror="alert(2)"> [klik](javascript:alert(3)) og [læs mere](https://nordlys.example/a)');
    await page.getByRole("tab", { name: "Preview" }).click();
    const preview = page.getByRole("tabpanel");
    await expect(preview.getByRole("link", { name: "læs mere" })).toHaveAttribute("href", "https://nordlys.example/a");
    await expect(preview.locator("script")).toHaveCount(0);
    await expect(preview.locator("img")).toHaveCount(0);
    await expect(preview.locator('[href^="javascript"]')).toHaveCount(0);
    await expect(preview.getByText("klik")).toBeVisible();
    expect(dialogs).toBe(0);
  });
});

test("withdrawing a published story takes it out of the feed and cancels scheduled shares", async ({ browser }) => {
  const title = `Trækkes tilbage ${Date.now().toString(36)}`;
  const storyId = await withDatabase(async (sql) => {
    const [org] = await sql`select id from organizations where slug = 'nordlys'`;
    const [story] = await sql`insert into stories (org_id, slug, title, language, status, publish_at, published_at)
      values (${org!.id}, ${`withdraw-${Date.now()}`}, ${title}, 'da', 'published', now() - interval '1 hour', now() - interval '1 hour') returning id`;
    const [jonas] = await sql`select id from users where email = ${personas.employee.email}`;
    await sql`insert into shares (org_id, story_id, user_id, network, mode, text, status, scheduled_at)
      values (${org!.id}, ${story!.id}, ${jonas!.id}, 'linkedin', 'api', 'Del!', 'scheduled', now() + interval '1 day')`;
    return story!.id as string;
  });
  const employee = await pageAs(browser, "employee");
  expect(await feedTitles(employee)).toContain(title);

  const editor = await pageAs(browser, "editor");
  await editor.goto(`/library/${storyId}`);
  await editor.getByRole("button", { name: "Withdraw" }).click();
  await expect(editor.getByRole("dialog")).toBeVisible();
  await expectAccessible(editor);
  await editor.getByLabel("Reason (optional, kept in the history)").fill("Forkerte tal");
  await editor.getByRole("dialog").getByRole("button", { name: "Withdraw" }).click();
  await expect(editor.getByText("Withdrawn. 1 scheduled share was cancelled.")).toBeVisible();
  expect(await feedTitles(employee)).not.toContain(title);
  const status = await withDatabase(async (sql) => (await sql`select status from shares where story_id = ${storyId}`)[0]!.status as string);
  expect(status).toBe("cancelled");

  // The employee is told, in the app and by mail (in their language, Danish).
  await employee.goto("/notifications");
  await expect(employee.getByRole("heading", { level: 2, name: `“${title}” was withdrawn` })).toBeVisible();
  await expectAccessible(employee);
  await expect.poll(async () => (await mailsTo(personas.employee.email)).some((m) => m.subject.includes(title) && m.subject.includes("trukket tilbage")), { timeout: 20_000 }).toBe(true);
});

test.describe(() => {
  test.use({ storageState: storedSession("employee") });

  test("an employee's suggestion pointing inside the network is refused with a clear reason", async ({ page }) => {
    await page.goto("/feed");
    await page.getByRole("button", { name: "Suggest a story" }).click();
    await page.getByLabel("Link").fill("http://169.254.169.254/latest/meta-data/");
    await page.getByLabel("Why is it worth sharing?").fill("Interessant");
    await page.getByRole("button", { name: "Send suggestion" }).click();
    await expect(page.getByText("That address points inside a private network, so Ripple will not fetch it.")).toBeVisible();
    await expectAccessible(page);
  });
});

test.describe(() => {
  test.use({ storageState: storedSession("editor") });

  test("every library page and the content rules page pass axe", async ({ page, browser }) => {
    for (const path of ["/library", "/library/review", "/library/calendar", "/library/topics", "/library/feeds", "/library?q=vind&language=da"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      await expectAccessible(page);
    }
    const admin = await pageAs(browser, "admin");
    await admin.goto("/admin/settings");
    await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Content rules");
    await expectAccessible(admin);
  });
});

import { expect, test, type Page } from "@playwright/test";
import { SUGGESTIONS, createMember, expectAccessible, preferEnglish, signInByMagicLink, storedSession, storyWithTwoSuggestions, uniqueEmail, withDatabase } from "./support";

/**
 * The composer on a phone: the editor's suggestions to choose from, the post drawn as the
 * network shows it while one types, one share button, and what happened on the same page.
 */

test.use({ storageState: storedSession("employee"), viewport: { width: 360, height: 740 } });

async function openComposer(page: Page, query: string) {
  await page.goto(`/compose?${query}`);
  if (/\/guidelines/.test(page.url())) {
    await page.getByRole("button", { name: "I have read the guidelines and will follow them" }).click();
    await expect(page).toHaveURL(/\/compose/);
  }
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Share a story");
}

async function expectNoSidewaysScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
}

/** Tomorrow at the hour in Copenhagen, as the date-time picker takes it. */
function tomorrowAt(hour: number): string {
  const date = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Copenhagen", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(Date.now() + 24 * 3600_000));
  return `${date}T${String(hour).padStart(2, "0")}:00`;
}

test("an employee switches to the second suggestion, edits it while the preview follows, shares now and sees it posted with its link", async ({ page }) => {
  const story = await storyWithTwoSuggestions("now");
  await openComposer(page, `story=${story.id}`);
  const editor = page.getByTestId("compose-mastodon");
  const text = page.getByRole("textbox", { name: /Your text for Mastodon/ });
  const preview = editor.getByTestId("preview-mastodon");

  // Both suggestions can be reached; the second is chosen.
  const position = editor.getByText(/^Suggestion \d of 2/);
  await expect(position).toBeVisible();
  if ((await position.textContent())!.startsWith("Suggestion 1")) await editor.getByRole("button", { name: "Another suggestion" }).click();
  await expect(position).toHaveText("Suggestion 2 of 2");
  await expect(text).toHaveValue(`${SUGGESTIONS[1]} https://nordlys.example/havvind`);
  await editor.getByRole("button", { name: "Previous" }).click();
  await expect(position).toHaveText("Suggestion 1 of 2");
  await expect(text).toHaveValue(`${SUGGESTIONS[0]} https://nordlys.example/havvind`);
  await editor.getByRole("button", { name: "Another suggestion" }).click();
  await expect(position).toHaveText("Suggestion 2 of 2");

  // The preview: the text as posted, the story's link as the tracked link the way Mastodon shows it, the tag appended, the card.
  await expect(preview.getByTestId("preview-text")).toHaveText(new RegExp(`^${SUGGESTIONS[1]!.replace(/[!?.]/g, "\\$&")} localhost:\\d+/r/x+ #nordlysansat$`));
  await expect(preview.getByText(story.title)).toBeVisible();
  await expect(preview.getByText("nordlys.example", { exact: true })).toBeVisible();
  await expect(preview.getByTestId("card-placeholder")).toBeVisible();

  // Editing starts from the chosen suggestion, and the preview follows the typing.
  const edited = `In my own words ${Date.now().toString(36)}: ${SUGGESTIONS[1]}`;
  await text.fill(`${edited} https://nordlys.example/havvind`);
  await expect(preview.getByTestId("preview-text")).toContainText(`${edited} localhost:`);
  await expect(position).toHaveText("Suggestion 2 of 2 · edited");
  await text.pressSequentially(" #havvind");
  await expect(preview.getByTestId("preview-text")).toContainText("#havvind #nordlysansat");
  await expect(editor.getByText(/^Mastodon: \d+\/500$/)).toBeVisible();
  await expectNoSidewaysScroll(page);
  await expectAccessible(page);

  // One button; afterwards, on the same page, what happened.
  await page.getByRole("button", { name: "Share now" }).click();
  const outcome = page.getByTestId("outcome-mastodon");
  await expect(outcome.getByText("Posted", { exact: true })).toBeVisible({ timeout: 30_000 });
  const link = outcome.getByRole("link", { name: "See the post on Mastodon" });
  await expect(link).toHaveAttribute("href", /\/demo-network#[0-9a-f-]{36}$/);
  await expect(page).toHaveURL(new RegExp(`/compose\\?story=${story.id}$`));
  await expectNoSidewaysScroll(page);
  await expectAccessible(page);

  // The share remembers the suggestion it started from.
  const [share] = await withDatabase((sql) => sql`select variant_id, text from shares where story_id = ${story.id}`);
  expect(share!.variant_id).toBe(story.variantIds[1]);
  expect(share!.text as string).toContain(edited);

  await page.goto((await link.getAttribute("href"))!);
  await expect(page.getByText(edited, { exact: false }).first()).toBeVisible();
});

test("a scheduled share shows its time in the person's zone, and a link's suggestion is chosen only when it is the story's", async ({ page }) => {
  const story = await storyWithTwoSuggestions("later");
  const other = await storyWithTwoSuggestions("other");

  // From a digest or chat link: that suggestion first.
  await openComposer(page, `story=${story.id}&variant=${story.variantIds[0]}`);
  const editor = page.getByTestId("compose-mastodon");
  await expect(editor.getByText(/^Suggestion \d of 2/)).toHaveText("Suggestion 1 of 2");
  await expect(page.getByText("is not one of this story's")).toHaveCount(0);

  // Another story's suggestion is refused with a word, and the rotation decides.
  await openComposer(page, `story=${story.id}&variant=${other.variantIds[1]}`);
  await expect(page.getByText("The suggested text in your link is not one of this story's, so you start from another suggestion.")).toBeVisible();

  await page.getByLabel("Later").check();
  await page.getByLabel(/Date and time/).fill(tomorrowAt(9));
  await page.getByRole("button", { name: "Schedule" }).click();
  const outcome = page.getByTestId("outcome-mastodon");
  // English words, Danish conventions (the organisation is Danish): day before month, 24-hour clock.
  await expect(outcome).toContainText(/Scheduled for \w+day, \d{1,2} \w+ \d{4} at 09\.00/, { timeout: 15_000 });
  await expect(outcome.getByText("Scheduled", { exact: true })).toBeVisible();
  await expectNoSidewaysScroll(page);
  await expectAccessible(page);
});

test("when the organisation's X budget is spent or API posting is off, the composer says the X post will go through the share window", async ({ browser }) => {
  // A member of their own with an X account (a connection row as connecting leaves it), so no other test's shares meet it.
  const email = uniqueEmail("xbudget");
  await createMember(email, ["employee"], "Xenia Budget");
  const story = await storyWithTwoSuggestions("xbudget");
  await withDatabase(async (sql) => {
    await sql`
      insert into social_connections (org_id, user_id, network, external_id, handle, status)
      select m.org_id, u.id, 'x', ${`x-${Date.now()}`}, '@xenia_budget', 'active'
      from users u join memberships m on m.user_id = u.id where u.email = ${email}`;
  });
  const setXApi = (xApi: object) =>
    withDatabase((sql) => sql`update organizations set settings = jsonb_set(coalesce(settings, '{}'::jsonb), '{xApi}', ${sql.json(xApi as never)}) where slug = 'nordlys'`);
  const page = await (await browser.newContext({ storageState: { cookies: [], origins: [] }, viewport: { width: 360, height: 740 } })).newPage();
  await preferEnglish(page);
  await signInByMagicLink(page, email);
  try {
    // Within budget: no note.
    await openComposer(page, `story=${story.id}`);
    const account = page.getByRole("checkbox", { name: /^X · @xenia_budget/ });
    await account.check();
    await expect(page.getByTestId("share-window-note-x")).toHaveCount(0);

    // The month's budget is 0 posts: the note says the share window will be used, and why.
    await setXApi({ enabled: true, budget: { kind: "posts", amount: 0 }, prices: null });
    await openComposer(page, `story=${story.id}`);
    await account.check();
    await expect(page.getByTestId("share-window-note-x")).toHaveText(/budget for X's paid API is used up this month: this post will go out through X's own share window/);
    // Once the X editor and its preview are laid out, the page still fits the phone, long
    // handles in the text labels included (this member's demo handle is 30 characters).
    await expect(page.getByTestId("compose-x")).toBeVisible();
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.getByTestId("share-window-note-x").screenshot({ path: test.info().outputPath("x-budget-note-360.png") });

    // API posting turned off: the note says so instead.
    await setXApi({ enabled: false, budget: { kind: "money", amount: null }, prices: null });
    await openComposer(page, `story=${story.id}`);
    await account.check();
    await expect(page.getByTestId("share-window-note-x")).toHaveText(/has turned off posting through X's paid API/);
  } finally {
    await setXApi({ enabled: true, budget: { kind: "money", amount: null }, prices: null });
    await page.context().close();
  }
});

test("with the link in the first comment, the preview shows the post without the link and the link as the person's comment under it", async ({ browser }) => {
  // A member of their own with LinkedIn and Bluesky accounts (connection rows as connecting leaves them).
  // Not X: the X budget test beside this one switches X's API posting off for the organisation.
  const email = uniqueEmail("firstcomment");
  await createMember(email, ["employee"], "Frida Kommentar");
  const story = await storyWithTwoSuggestions("firstcomment");
  await withDatabase(async (sql) => {
    for (const [network, handle] of [["linkedin", "Frida Kommentar"], ["bluesky", "frida-kommentar.bsky.social"]]) {
      await sql`
        insert into social_connections (org_id, user_id, network, external_id, handle, status)
        select m.org_id, u.id, ${network!}, ${`${network}-${Date.now()}`}, ${handle!}, 'active'
        from users u join memberships m on m.user_id = u.id where u.email = ${email}`;
    }
  });
  const [before] = await withDatabase((sql) => sql`select settings->'linkPlacement' as placement from organizations where slug = 'nordlys'`);
  const setPlacement = (placement: object) =>
    withDatabase((sql) => sql`update organizations set settings = jsonb_set(coalesce(settings, '{}'::jsonb), '{linkPlacement}', ${sql.json(placement as never)}) where slug = 'nordlys'`);
  await setPlacement({ ...((before?.placement as object | null) ?? {}), linkedin: "first_comment", bluesky: "text" });
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  try {
    for (const [locale, width, comment] of [["en", 360, "First comment, by you"], ["da", 1366, "Første kommentar, fra dig"]] as const) {
      await context.addCookies([{ name: "NEXT_LOCALE", value: locale, url: "http://localhost" }]);
      await page.setViewportSize({ width, height: 900 });
      if (locale === "en") await signInByMagicLink(page, email);
      await page.goto(`/compose?story=${story.id}`);
      if (/\/guidelines/.test(page.url())) {
        await page.getByRole("button", { name: locale === "en" ? "I have read the guidelines and will follow them" : /Jeg har læst retningslinjerne/ }).click();
        await expect(page).toHaveURL(/\/compose/);
      }
      await page.getByRole("checkbox", { name: /^LinkedIn · Frida Kommentar/ }).check();
      await page.getByRole("checkbox", { name: /^Bluesky · frida-kommentar/ }).check();

      // LinkedIn: the post's text has no tracked link and no card; the link is the comment under it.
      const linkedin = page.getByTestId("preview-linkedin");
      await expect(linkedin).toHaveAttribute("data-placement", "first_comment");
      await expect(linkedin.getByTestId("preview-text")).toContainText("#nordlysansat");
      await expect(linkedin.getByTestId("preview-text")).not.toContainText("/r/");
      await expect(linkedin.getByTestId("preview-comment")).toContainText(comment);
      await expect(linkedin.getByTestId("preview-comment-text")).toHaveText(/^http:\/\/localhost:\d+\/r\/x+$/);
      await expect(linkedin.getByTestId("preview-card")).toHaveCount(0);
      // Bluesky with "URL in the text": the link stays in the text, and no card (Bluesky draws none itself).
      const bluesky = page.getByTestId("preview-bluesky");
      await expect(bluesky).toHaveAttribute("data-placement", "text");
      await expect(bluesky.getByTestId("preview-text")).toContainText("/r/");
      await expect(bluesky.getByTestId("preview-comment")).toHaveCount(0);
      await expect(bluesky.getByTestId("preview-card")).toHaveCount(0);

      await expectNoSidewaysScroll(page);
      await expectAccessible(page);
      await linkedin.screenshot({ path: test.info().outputPath(`first-comment-${locale}-${width}.png`) });
    }
  } finally {
    await setPlacement((before?.placement as object | null) ?? {});
    await context.close();
  }
});

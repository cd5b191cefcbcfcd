import { expect, test } from "@playwright/test";
import { instantToLocal, localToInstant } from "@/lib/time";
import { expectAccessible, storedSession, withDatabase } from "./support";

test.use({ storageState: storedSession("editor") });

const DAY = 86_400_000;

test("an editor drags a story that is not live yet two days later, and moves it back a day with the keyboard", async ({ page }) => {
  await page.goto("/library/calendar");
  const zone = /\(([^)]+)\)/.exec((await page.getByText("in your time zone").textContent()) ?? "")![1]!;
  // Next month, so the bar and its moves stay inside the month shown whatever today is.
  const today = instantToLocal(new Date(), zone);
  const next = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)), 1));
  const month = `${next.getUTCFullYear()}-${String(next.getUTCMonth() + 1).padStart(2, "0")}`;
  const publishAt = localToInstant(`${month}-10T08:30`, zone);
  const expiresAt = localToInstant(`${month}-12T17:00`, zone);
  const title = `Flyttes i kalenderen ${Date.now().toString(36)}`;
  const storyId = await withDatabase(async (sql) => {
    const [org] = await sql`select id from organizations where slug = 'nordlys'`;
    const [story] = await sql`insert into stories (org_id, slug, title, language, status, approved_at, publish_at, expires_at)
      values (${org!.id}, ${`calendar-${Date.now()}`}, ${title}, 'da', 'approved', now(), ${publishAt.toISOString()}, ${expiresAt.toISOString()}) returning id`;
    return story!.id as string;
  });
  const publishAtInDb = () => withDatabase(async (sql) => ((await sql`select publish_at from stories where id = ${storyId}`)[0]!.publish_at as Date).getTime());

  await page.goto(`/library/calendar?month=${month}`);
  const row = page.locator(`tr[data-story-id="${storyId}"]`);
  const bar = row.locator("td[data-live]");
  await expect(bar.first()).toHaveAttribute("data-day", "10");
  await expect(bar.last()).toHaveAttribute("data-day", "12");

  // Drag the bar two day columns to the right, once the page's script has made it a handle.
  await expect(row).toHaveAttribute("data-draggable", "true");
  await bar.first().scrollIntoViewIfNeeded();
  const box = (await bar.first().boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 2 * box.width, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();

  const status = page.getByRole("status").filter({ hasText: title });
  await expect(status).toContainText(`“${title}” moved to`);
  await expect(bar.first()).toHaveAttribute("data-day", "12");
  await expect(bar.last()).toHaveAttribute("data-day", "14");
  await expect.poll(publishAtInDb).toBe(localToInstant(`${month}-12T08:30`, zone).getTime());
  expect(localToInstant(`${month}-12T08:30`, zone).getTime() - publishAt.getTime()).toBe(2 * DAY);

  // The keyboard alternative: the row's button, announced in the same status.
  const earlier = page.getByRole("button", { name: `Move “${title}” one day earlier` });
  await earlier.focus();
  await page.keyboard.press("Enter");
  await expect.poll(publishAtInDb).toBe(localToInstant(`${month}-11T08:30`, zone).getTime());
  await expect(bar.first()).toHaveAttribute("data-day", "11");
  await expect(status).toContainText(`“${title}” moved to`);
  await expectAccessible(page);

  // A phone: the table scrolls inside its frame, the page does not scroll sideways.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`/library/calendar?month=${month}`);
  await expect(row).toBeAttached();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await expectAccessible(page);
});

test("a published story's bar offers no move (the server refuses one too: stories-move-window.test.ts)", async ({ page }) => {
  await page.goto("/library/calendar");
  const title = `Allerede ude ${Date.now().toString(36)}`;
  await withDatabase(async (sql) => {
    const [org] = await sql`select id from organizations where slug = 'nordlys'`;
    await sql`insert into stories (org_id, slug, title, language, status, publish_at, published_at)
      values (${org!.id}, ${`calendar-live-${Date.now()}`}, ${title}, 'da', 'published', now() - interval '1 hour', now() - interval '1 hour')`;
  });
  await page.goto("/library/calendar");
  await expect(page.getByRole("link", { name: title })).toBeVisible();
  await expect(page.getByRole("button", { name: `Move “${title}” one day later` })).toHaveCount(0);
});

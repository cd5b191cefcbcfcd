import { expect, test, type Page } from "@playwright/test";
import { expectTablesFit, pageAs, withDatabase } from "./support";

/**
 * Where the link went, compared on a demo story's analytics page and in the manager's team
 * report: the demo organisation compares both on its network, every other share of a story
 * a link card and the rest the URL in the text (lib/demo/history.ts), so both rows have
 * figures and the shares they rest on, at 360 px
 * and 1,366 px, with nothing scrolling sideways.
 */

const DAY_MS = 86_400_000;
const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);
const count = async (cell: ReturnType<Page["locator"]>) => Number((await cell.innerText()).replace(/\D/g, ""));

/** The demo story whose smaller placement (card or text) has the most people: the fairest comparison the seed holds. */
async function comparedStory(): Promise<{ id: string; card: number; text: number }> {
  const [row] = await withDatabase(
    (sql) => sql`
      select s.story_id as id,
        count(distinct s.user_id) filter (where s.placement = 'card')::int as card,
        count(distinct s.user_id) filter (where s.placement = 'text')::int as text
      from shares s join organizations o on o.id = s.org_id
      where o.slug = 'nordlys' and s.status = 'published'
      group by s.story_id
      order by least(count(distinct s.user_id) filter (where s.placement = 'card'), count(distinct s.user_id) filter (where s.placement = 'text')) desc, s.story_id
      limit 1`,
  );
  return row as unknown as { id: string; card: number; text: number };
}

/** The page is no wider than the window: nothing scrolls sideways (tables scroll inside their own frame). */
async function expectNoSidewaysScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
}

async function expectComparedRows(region: ReturnType<Page["getByRole"]>) {
  await expect(region.getByRole("columnheader", { name: "Shares it rests on" })).toBeVisible();
  for (const [key, label] of [
    ["card", "Link card"],
    ["text", "URL in the text"],
  ] as const) {
    const row = region.getByTestId(`placement-${key}`);
    await expect(row.getByRole("rowheader")).toHaveText(label);
    await expect(row).not.toContainText("Hidden to protect a small group");
    const cells = row.getByRole("cell");
    const people = await count(cells.nth(0));
    const shares = await count(cells.nth(1));
    expect(people, `${key}: people`).toBeGreaterThanOrEqual(5);
    expect(shares, `${key}: the shares its figures rest on`).toBeGreaterThanOrEqual(people);
    // Clicks per share: a figure, not the empty mark.
    await expect(cells.nth(2)).toHaveText(/^\d+([.,]\d+)?$/);
  }
}

test("a story's analytics compares the link card with the URL in the text, at 360 and 1,366 px", async ({ browser }, testInfo) => {
  const story = await comparedStory();
  expect(story.card, "people with a card").toBeGreaterThanOrEqual(5);
  expect(story.text, "people with the URL in the text").toBeGreaterThanOrEqual(5);
  const editor = await pageAs(browser, "editor");
  for (const width of [1366, 360]) {
    await editor.setViewportSize({ width, height: width === 360 ? 740 : 900 });
    await editor.goto(`/library/${story.id}/analytics`);
    const region = editor.getByRole("region", { name: "Where the link went" });
    await expect(region).toBeVisible();
    await expectComparedRows(region);
    await expectNoSidewaysScroll(editor);
    // At 1,366 px every table of the page shows all its columns, the comparison's and the older ones beside it.
    if (width === 1366) await expectTablesFit(editor, `/library/${story.id}/analytics at 1366 px`);
    await region.scrollIntoViewIfNeeded();
    await editor.screenshot({ path: testInfo.outputPath(`story-placements-${width}.png`) });
  }
});

test("the manager's team report compares placements too", async ({ browser }) => {
  const manager = await pageAs(browser, "manager");
  await manager.setViewportSize({ width: 1366, height: 900 });
  await manager.goto(`/reports?from=${isoDay(Date.now() - 182 * DAY_MS)}&to=${isoDay(Date.now())}&period=month`);
  const region = manager.getByRole("region", { name: "Where the link went" });
  await expect(region).toBeVisible();
  await expectComparedRows(region);
  await expectNoSidewaysScroll(manager);
});

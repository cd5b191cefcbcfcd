import { expect, test } from "@playwright/test";
import { expectAccessible, pageAs, preferEnglish, withDatabase } from "./support";

/**
 * The demo as a prospect sees it: six months of sharing, so a manager's report, a story's
 * analytics and the leaderboard show figures (the small Udvikling team stays hidden), and
 * a second demo editor, signed in from the demo sign-in list, approves the first editor's story.
 */

const DAY_MS = 86_400_000;
const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);

/** The number in a text such as "7 of 13 members shared". */
async function sharedOf(text: Promise<string>): Promise<{ active: number; members: number }> {
  const match = /(\d+) of (\d+) members shared/.exec(await text);
  expect(match, "the participation line").not.toBeNull();
  return { active: Number(match![1]), members: Number(match![2]) };
}

test("a manager's report over six months shows the team's figures, and Udvikling is hidden in Teknik's", async ({ browser }) => {
  const manager = await pageAs(browser, "manager");
  const range = `from=${isoDay(Date.now() - 182 * DAY_MS)}&to=${isoDay(Date.now())}&period=month`;
  await manager.goto(`/reports?${range}`);
  await expect(manager.getByRole("heading", { level: 2, name: /^Salg/ })).toBeVisible();
  await expect(manager.getByText("This team has fewer than 5 members")).toHaveCount(0);
  const totals = manager.locator("dl").first();
  const shared = await sharedOf(totals.getByText(/members shared/).innerText());
  expect(shared.active).toBeGreaterThanOrEqual(5);
  await expect(totals.getByText(/\d+ clicks in all; \d+ from bots and link previews not counted/)).toBeVisible();
  // Both sales sub-teams have figures of their own.
  for (const row of await manager.locator('[data-testid^="subteam-"]').all()) await expect(row).not.toContainText("Hidden to protect a small group");
  await expectAccessible(manager);

  // Henrik manages Teknik; he is in the demo sign-in list under "Managers". Drift shows, Udvikling (two people) is hidden (with Teknik's three direct members they are five).
  const udvikling = await withDatabase(async (sql) => (await sql`select t.id from teams t join organizations o on o.id = t.org_id where o.slug = 'nordlys' and t.name = 'Udvikling'`)[0]!.id as string);
  const henrik = await (await browser.newContext()).newPage();
  await preferEnglish(henrik);
  await henrik.goto("/signin");
  await henrik.getByText(/^Everyone else in the demo \(\d+\)$/).click();
  await henrik.getByRole("region", { name: "Managers" }).getByRole("button", { name: "Sign in as Henrik Lauridsen" }).click();
  await expect(henrik).not.toHaveURL(/\/signin/);
  await henrik.goto(`/reports?${range}`);
  await expect(henrik.getByRole("heading", { level: 2, name: /^Teknik/ })).toBeVisible();
  await expect(henrik.getByTestId(`subteam-${udvikling}`)).toContainText("Hidden to protect a small group");
  await expect(henrik.locator('[data-testid^="subteam-"]').filter({ hasText: "Drift" })).not.toContainText("Hidden to protect a small group");
});

test("a report reaching days kept by month only says from when, in English and Danish, and whole months from then still answer", async ({ browser }) => {
  const manager = await pageAs(browser, "manager");
  // The demo keeps clicks 13 months: days are kept from the first of the month that reaches back to.
  const now = new Date();
  const horizon = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 13, 1));
  const before = isoDay(horizon.getTime() - 20 * DAY_MS);
  await manager.goto(`/reports?from=${before}&to=${isoDay(horizon.getTime() + 30 * DAY_MS)}&period=week`);
  const said = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" }).format(horizon);
  await manager.setViewportSize({ width: 360, height: 800 });
  await expect(manager.locator("p[role=alert]")).toHaveText(`Figures before ${said} are kept by month. For earlier dates, start on the first of a month and show months.`);
  // Not a dead end: the filters are there to pick whole months.
  await expect(manager.getByLabel("Period")).toBeVisible();
  await manager.context().addCookies([{ name: "NEXT_LOCALE", value: "da", url: "http://localhost" }]);
  await manager.reload();
  const sagt = new Intl.DateTimeFormat("da", { dateStyle: "long", timeZone: "UTC" }).format(horizon);
  await expect(manager.locator("p[role=alert]")).toHaveText(`Tal fra før ${sagt} gemmes pr. måned. For tidligere datoer skal perioden starte den første i en måned og vises pr. måned.`);
  await manager.setViewportSize({ width: 1366, height: 900 });
  await manager.context().addCookies([{ name: "NEXT_LOCALE", value: "en", url: "http://localhost" }]);
  await manager.goto(`/reports?from=${isoDay(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 14, 1))}&to=${isoDay(now.getTime())}&period=month`);
  await expect(manager.getByRole("heading", { level: 2, name: /^Salg/ })).toBeVisible();
  await expect(manager.locator("p[role=alert]")).toHaveCount(0);
});

test("a story's analytics page and the leaderboard show the demo's figures", async ({ browser }) => {
  const editor = await pageAs(browser, "editor");
  const storyId = await withDatabase(async (sql) => (await sql`select s.id from stories s join organizations o on o.id = s.org_id where o.slug = 'nordlys' and s.slug = 'co2-udledning-faldet-38-procent'`)[0]!.id as string);
  await editor.goto(`/library/${storyId}/analytics`);
  await expect(editor.getByText("Fewer than 5 people have shared this story so far")).toHaveCount(0);
  const cards = editor.locator("dl").first();
  // The first card is Shares: its figure is the list's first definition.
  await expect(cards.getByRole("term").first()).toHaveText("Shares");
  const shares = Number((await cards.getByRole("definition").first().innerText()).replace(/\D/g, ""));
  expect(shares).toBeGreaterThanOrEqual(5);
  await expect(editor.getByText("Nothing has happened with this story yet.")).toHaveCount(0);

  const employee = await pageAs(browser, "employee");
  await employee.goto("/leaderboard");
  const board = employee.getByRole("table");
  // Colleagues with points this month, each with a figure above zero.
  await expect.poll(async () => board.locator("tbody tr").count()).toBeGreaterThanOrEqual(5);
  const first = Number((await board.locator("tbody tr").first().locator("td").last().innerText()).replace(/\D/g, ""));
  expect(first).toBeGreaterThan(0);
});

test("a second demo editor, signed in from the demo list, approves a story the first editor wrote", async ({ browser }) => {
  const title = `Fjernvarme i Aarhus ${Date.now().toString(36)}`;
  const author = await pageAs(browser, "editor");
  await author.goto("/library/new");
  await author.getByLabel("Title").fill(title);
  await author.getByLabel("Summary").fill("Nordlys leverer grøn fjernvarme til 2.000 nye boliger i Aarhus.");
  await author.getByLabel("Link to the story").fill("https://nordlys.example/nyheder/fjernvarme-aarhus");
  await author.getByLabel("Language of the story").selectOption("da");
  await author.getByRole("button", { name: "Create draft" }).click();
  await expect(author).toHaveURL(/\/library\/[0-9a-f-]{36}$/);
  const storyUrl = author.url();
  await author.getByRole("button", { name: "Send for review" }).click();
  await expect(author.getByText("Sent for review.")).toBeVisible();
  await expect(author.getByRole("button", { name: "Approve" })).toBeDisabled();

  // Ida is not one of the four personas: she is in the grouped list under "Editors".
  const reviewer = await (await browser.newContext({ viewport: { width: 360, height: 800 } })).newPage();
  await preferEnglish(reviewer);
  await reviewer.goto("/signin");
  await expect(reviewer.getByRole("button", { name: "Sign in as Ida Vestergaard" })).toBeHidden();
  await reviewer.getByText(/^Everyone else in the demo \(\d+\)$/).click();
  const editors = reviewer.getByRole("region", { name: "Editors" });
  await expect(editors.getByRole("button", { name: "Sign in as Ida Vestergaard" })).toBeVisible();
  await expect(reviewer.getByRole("region", { name: "Employees" }).getByRole("button")).not.toHaveCount(0);
  // The list fits a phone: nothing wider than the screen.
  expect(await reviewer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await expectAccessible(reviewer);
  await editors.getByRole("button", { name: "Sign in as Ida Vestergaard" }).click();
  await expect(reviewer).not.toHaveURL(/\/signin/);

  await reviewer.goto(storyUrl);
  await reviewer.getByRole("button", { name: "Approve" }).click();
  await expect(reviewer.getByText(/^Approved/).first()).toBeVisible();
  const status = await withDatabase(async (sql) => (await sql`select status, approved_by from stories where title = ${title}`)[0]!);
  const ida = await withDatabase(async (sql) => (await sql`select id from users where email = 'ida@nordlys.example'`)[0]!.id as string);
  expect(status.approved_by).toBe(ida);
  expect(["approved", "published"]).toContain(status.status);
});

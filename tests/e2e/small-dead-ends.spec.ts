import { expect, test } from "@playwright/test";
import { expectAccessible, storedSession, withDatabase } from "./support";

/**
 * Small dead ends of issue 13, as Søren (editor) meets them: a feed that does not answer yet,
 * where a notice appears, the audience as a team tree, and what the calendar's colours mean.
 */

test.use({ storageState: storedSession("editor") });

const tag = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

test("a feed that cannot be reached yet is saved with its error, and a row's notice appears in that row", async ({ page }) => {
  const name = `Nyheder ${tag()}`;
  await page.goto("/library/feeds");
  await page.getByRole("button", { name: "Add feed" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a news feed" });
  // .invalid never resolves: the address cannot be reached, now or (in this test) later.
  await dialog.getByRole("textbox", { name: "Feed address" }).fill(`https://news-${tag()}.invalid/feed.xml`);
  await dialog.getByRole("textbox", { name: "Name (optional)" }).fill(name);
  await dialog.getByRole("button", { name: "Add feed" }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(page.getByText(`${name} is saved, but it could not be reached just now`)).toBeVisible();

  const row = page.getByRole("list", { name: "News feeds" }).getByRole("listitem").filter({ hasText: name });
  await expect(row).toContainText("Last error:");
  await expect(row).toContainText("Active");

  await row.getByRole("button", { name: `Pause ${name}` }).click();
  // The notice stands beside what was changed, not only at the top of the page.
  await expect(row.getByText(`${name} is paused and will not be fetched.`)).toBeVisible();
  await expect(row).toContainText("Paused");
  await expectAccessible(page);

  await row.getByRole("button", { name: `Remove ${name}` }).click();
  await page.getByRole("alertdialog", { name: `Remove ${name}?` }).getByRole("button", { name: "Remove feed" }).click();
  await expect(page.getByText(`${name} removed.`)).toBeVisible();
  await expect(row).toHaveCount(0);
});

test("the story editor's audience shows the team tree: sub-teams in a list under their parent", async ({ page }) => {
  const parent = `Drift ${tag()}`;
  const child = `${parent} Nord`;
  await withDatabase(async (sql) => {
    const [org] = await sql<{ id: string }[]>`select id from organizations where slug = 'nordlys'`;
    const [top] = await sql<{ id: string }[]>`insert into teams (org_id, name) values (${org!.id}, ${parent}) returning id`;
    await sql`insert into teams (org_id, name, parent_id) values (${org!.id}, ${child}, ${top!.id})`;
  });
  await page.goto("/library/new");
  const audience = page.getByRole("group", { name: "Audience", exact: true });
  const parentItem = audience.getByRole("listitem").filter({ has: page.getByRole("checkbox", { name: parent, exact: true }) }).first();
  const subTeams = parentItem.getByRole("list", { name: `Sub-teams of ${parent}` });
  await expect(subTeams.getByRole("checkbox")).toHaveCount(1);
  await expect(subTeams.getByRole("checkbox", { name: child })).not.toBeChecked();
  await subTeams.getByRole("checkbox", { name: child }).check();
  await expect(subTeams.getByRole("checkbox", { name: child })).toBeChecked();
  await expect(audience.getByRole("checkbox", { name: parent, exact: true })).not.toBeChecked();
  await expectAccessible(page);
});

test("the calendar explains its colours", async ({ page }) => {
  await page.goto("/library/calendar");
  await expect(page.getByRole("list", { name: "What the colours mean" }).getByRole("listitem")).toHaveText(["In review", "Approved", "Published", "Archived", "Today"]);
  await expectAccessible(page);
});

import { test } from "@playwright/test";
import { expectTablesFit, pageAs, withDatabase } from "./support";

/**
 * Every story's analytics in the demo shows all its tables' columns on a laptop (1,366 px):
 * long suggested texts and network names wrap inside their cells instead of widening them.
 */
test("every demo story's analytics fits its tables at 1,366 px", async ({ browser }) => {
  const stories = await withDatabase((sql) => sql`select s.id from stories s join organizations o on o.id = s.org_id where o.slug = 'nordlys' and s.status in ('published', 'archived') order by s.published_at`);
  const editor = await pageAs(browser, "editor");
  await editor.setViewportSize({ width: 1366, height: 900 });
  for (const story of stories) {
    await editor.goto(`/library/${story.id as string}/analytics`);
    await expectTablesFit(editor, `/library/${story.id as string}/analytics`);
  }
});

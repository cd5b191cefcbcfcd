import { expect, test, type Browser, type Page } from "@playwright/test";
import { Redis } from "ioredis";
import { expectAccessible, pageAs, runScheduledJobNow, storyWithTwoSuggestions, withDatabase, workersQueue } from "./support";

/**
 * When Redis will not take a share's publish job, the composer says so truthfully: the
 * share is saved and Ripple queues it within a minute (the reconciler), not "posting" as if
 * nothing happened; and then it is posted. The Mastodon publish queue is made to refuse new
 * jobs (its id counter holds a value INCR refuses, as a write to a shard that is failing over
 * is refused) while an employee shares on a phone in Danish and at 1366 px in English.
 *
 * It runs in a project of its own after every other spec (playwright.config.ts): while the
 * queue refuses, anyone else's Mastodon share would wait for the reconciler too.
 */

const views = [
  { locale: "da", width: 360, height: 740, heading: "Del en historie", accept: "Jeg har læst retningslinjerne og vil følge dem", share: "Del nu", note: /^Gemt\. Den kunne ikke sættes i udgivelseskøen lige nu; Ripple sætter den i kø inden for et minut/, posting: "Deles …", posted: "Delt", seePost: "Se opslaget på Mastodon" },
  { locale: "en", width: 1366, height: 900, heading: "Share a story", accept: "I have read the guidelines and will follow them", share: "Share now", note: /^Saved\. Its place in the publishing queue could not be taken just now; Ripple queues it within a minute/, posting: "Posting…", posted: "Posted", seePost: "See the post on Mastodon" },
] as const;

type View = (typeof views)[number];

async function shareNow(browser: Browser, view: View, storyId: string): Promise<Page> {
  const page = await pageAs(browser, "employee");
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: view.locale, url: "http://localhost" }]);
  await page.setViewportSize({ width: view.width, height: view.height });
  await page.goto(`/compose?story=${storyId}`);
  if (/\/guidelines/.test(page.url())) {
    await page.getByRole("button", { name: view.accept }).click();
    await expect(page).toHaveURL(/\/compose/);
  }
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(view.heading);
  await page.getByRole("button", { name: view.share }).click();
  return page;
}

test("a share whose publish job Redis refuses is shown as saved and queued within a minute, and is then posted", async ({ browser }) => {
  const stories = await Promise.all(views.map((view) => storyWithTwoSuggestions(`trouble-${view.locale}`)));
  const queue = workersQueue("publish-mastodon");
  const idKey = queue.toKey("id");
  await queue.close();
  const client = new Redis(process.env.E2E_REDIS_URL!);
  const counter = await client.get(idKey);
  const pages: Page[] = [];
  try {
    await client.set(idKey, "refused");
    for (const [i, view] of views.entries()) {
      const page = await shareNow(browser, view, stories[i]!.id);
      pages.push(page);
      const outcome = page.getByTestId("outcome-mastodon");
      await expect(outcome.getByRole("note")).toHaveText(view.note);
      await expect(outcome.getByText(view.posting, { exact: true })).toBeVisible();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(view.width);
      await expectAccessible(page);
      await page.screenshot({ path: test.info().outputPath(`saved-not-queued-${view.width}-${view.locale}.png`) });
    }
    // Saved, with no job: the reconciler's to queue. (Earlier specs may have connected other
    // accounts of this employee, whose shares of the stories went their own way.)
    const saved = await withDatabase((sql) => sql<{ status: string }[]>`select status from shares where story_id in ${sql(stories.map((s) => s.id))} and network = 'mastodon'`);
    expect(saved.map((s) => s.status)).toEqual(["scheduled", "scheduled"]);
  } finally {
    if (counter === null) await client.del(idKey);
    else await client.set(idKey, counter);
    client.disconnect();
  }

  // The queue takes jobs again; the reconciler's next turn (run now rather than waited for) queues both.
  await runScheduledJobNow("shares.reconcile");
  for (const [i, view] of views.entries()) {
    const outcome = pages[i]!.getByTestId("outcome-mastodon");
    await expect(outcome.getByText(view.posted, { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(outcome.getByRole("link", { name: view.seePost })).toHaveAttribute("href", /\/demo-network#[0-9a-f-]{36}$/);
    await expect(outcome.getByRole("note")).toHaveCount(0);
  }
  await Promise.all(pages.map((page) => page.context().close()));
});

import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { AtpAgent } from "@atproto/api";
import { expect, test } from "@playwright/test";
import { projectRoot } from "../support/processes";
import { expectAccessible, expectTablesFit, pageAs, personas, runScheduledJobNow, withDatabase } from "./support";

const run = promisify(execFile);

/**
 * Reach, end to end: employees of a fresh team share a story on Bluesky (the local AT
 * Protocol network) and Mastodon (the fake instance) through the real publisher and a
 * share link; visitors and a link previewer follow the tracked links through the real
 * redirect; a colleague likes the Bluesky post and the workers' metric polls read it; the
 * team's manager then sees the figures with a chart, downloads the CSV, and the sub-team
 * of 3 is suppressed in both.
 *
 * The people, accounts and shares are prepared through lib/ against the servers' own
 * database and Redis, as an operator's script would; everything after that is the product.
 */
test.describe.configure({ mode: "serial" });

/** Runs a preparation script through lib/ as a separate process (tsx), with the servers' own environment; returns its JSON. */
async function prepare<T>(script: string, args: string[]): Promise<T> {
  const env = JSON.parse(process.env.E2E_APP_ENV!) as Record<string, string>;
  const { stdout } = await run(process.execPath, ["--import", "tsx", path.join(__dirname, "scripts", script), ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env, NODE_ENV: "test", RIPPLE_PROCESS: "cli", LOG_LEVEL: "warn" },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
}

const today = () => new Date().toISOString().slice(0, 10);

test("a manager sees their team's reach with a chart, downloads the CSV, and a sub-team of 3 is suppressed", async ({ page, browser }) => {
  test.setTimeout(300_000);
  const tag = Date.now().toString(36);
  const prepared = await prepare<{ teamId: string; pressId: string; shareIds: string[]; intentShareId: string }>("report-team.ts", [
    tag,
    personas.manager.email,
    process.env.E2E_BLUESKY_ADVOCATE!,
    process.env.E2E_BLUESKY_PDS!,
    process.env.E2E_MASTODON_URL!,
  ]);
  const team = { id: prepared.teamId };
  const press = { id: prepared.pressId };
  const intent = { share: { id: prepared.intentShareId } };

  // The workers publish both API shares.
  const shareIds = prepared.shareIds;
  await expect
    .poll(async () => (await withDatabase((sql) => sql`select count(*)::int as n from shares where id ::text = any(string_to_array(${(shareIds).join(",")}, ',')) and status = 'published'`))[0]!.n, { timeout: 90_000 })
    .toBe(2);
  const published = await withDatabase((sql) => sql`select s.id, s.network, s.external_id, l.code, l.destination from shares s join tracked_links l on l.share_id = s.id where s.id ::text = any(string_to_array(${([...shareIds, intent.share.id]).join(",")}, ','))`);
  const byNetwork = Object.fromEntries(published.map((r) => [r.network as string, r]));

  // Visitors follow the links: 5 people on the Bluesky post (one of them twice), 3 on Mastodon, 2 on the share link; a link previewer and a HEAD are bots.
  const visit = async (code: string, agent: string, method: "GET" | "HEAD" = "GET") => {
    const response = await page.request.fetch(`/r/${code}`, { method, maxRedirects: 0, headers: { "user-agent": agent } });
    expect(response.status()).toBe(302);
    return response.headers().location;
  };
  const browserAgent = (n: number) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 visitor-${tag}-${n}`;
  const location = await visit(byNetwork.bluesky!.code as string, browserAgent(1));
  expect(location).toBe(byNetwork.bluesky!.destination);
  expect(new URL(location!).searchParams.get("utm_medium")).toBe("employee_advocacy");
  for (const n of [2, 3, 4, 5, 1]) await visit(byNetwork.bluesky!.code as string, browserAgent(n));
  for (const n of [6, 7, 8]) await visit(byNetwork.mastodon!.code as string, browserAgent(n));
  for (const n of [9, 10]) await visit(byNetwork.facebook!.code as string, browserAgent(n));
  await visit(byNetwork.bluesky!.code as string, "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)");
  await visit(byNetwork.mastodon!.code as string, browserAgent(6), "HEAD");
  expect((await page.request.get("/r/NoSuchCode1", { maxRedirects: 0 })).status()).toBe(404);

  // A colleague likes and reposts the Bluesky post; once the AppView counts them, the first metric polls come due now instead of in an hour.
  const fan = JSON.parse(process.env.E2E_BLUESKY_FAN!) as { handle: string; password: string };
  const agent = new AtpAgent({ service: process.env.E2E_BLUESKY_PDS! });
  await agent.login({ identifier: fan.handle, password: fan.password });
  const postUri = byNetwork.bluesky!.external_id as string;
  const [, , repo, , rkey] = postUri.split("/");
  const record = await agent.com.atproto.repo.getRecord({ repo: repo!, collection: "app.bsky.feed.post", rkey: rkey! });
  await agent.like(postUri, record.data.cid!);
  await agent.repost(postUri, record.data.cid!);
  const appview = new AtpAgent({ service: process.env.E2E_BLUESKY_APPVIEW! });
  await expect
    .poll(async () => {
      const { data } = await appview.app.bsky.feed.getPosts({ uris: [postUri] });
      return (data.posts[0]?.likeCount ?? 0) + (data.posts[0]?.repostCount ?? 0);
    }, { timeout: 60_000 })
    .toBe(2);
  await withDatabase((sql) => sql`update reach_polls set due_at = now() where share_id ::text = any(string_to_array(${shareIds.join(",")}, ','))`);
  await runScheduledJobNow("polls.claim");
  await expect
    .poll(async () => (await withDatabase((sql) => sql`select count(*)::int as n from reach_snapshots where share_id ::text = any(string_to_array(${(shareIds).join(",")}, ',')) and source = 'measured'`))[0]!.n, { timeout: 60_000 })
    .toBe(2);

  // Clicks are written in batches after the redirect answers: wait until the team's rollup has them.
  const teamRollup = async () =>
    (
      await withDatabase(
        (sql) => sql`select coalesce(sum(shares), 0)::int as shares, coalesce(sum(unique_visitors), 0)::int as visitors, coalesce(sum(clicks), 0)::int as clicks,
          coalesce(sum(bot_clicks), 0)::int as bots, coalesce(sum(engagements), 0)::int as engagements
          from daily_rollups where dimension = 'team' and dimension_id ::text = any(string_to_array(${([team.id, press.id]).join(",")}, ',')) and network = 'all'`,
      )
    )[0]!;
  // Shares are counted by the reconciler (once a minute; run now), clicks by the consumer.
  await runScheduledJobNow("shares.reconcile");
  await expect.poll(async () => JSON.stringify(await teamRollup()), { timeout: 150_000 }).toBe(JSON.stringify({ shares: 3, visitors: 10, clicks: 11, bots: 2, engagements: 2 }));

  // The manager's report, in a browser of their own (the visitors above had no session).
  const manager = await pageAs(browser, "manager");
  await manager.goto(`/reports?teamId=${team.id}&from=${today()}&to=${today()}&period=day`);
  await expect(manager.getByRole("heading", { level: 2, name: new RegExp(`Kommunikation ${tag}`) })).toBeVisible();
  await expect(manager.getByRole("img", { name: new RegExp(`Chart of shares, unique visitors and engagements over time for Kommunikation ${tag}`) })).toBeVisible();
  // The drawing itself: recharts' surface with the bars of the day.
  await expect(manager.getByTestId("time-chart").locator("svg.recharts-surface[role=application]")).toBeVisible();
  await expect(manager.getByTestId("time-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
  const totals = manager.locator("dl").first();
  await expect(totals.getByText("3 of 9 members shared")).toBeVisible();
  await expect(totals.getByText("11 clicks in all; 2 from bots and link previews not counted")).toBeVisible();
  const pressRow = manager.getByTestId(`subteam-${press.id}`);
  await expect(pressRow).toContainText("Hidden to protect a small group");
  // No figure in its cells (its name carries a random tag, so only the cells are read).
  await expect(pressRow.locator("td")).toHaveText(["Hidden", "Hidden to protect a small group"]);
  await expectAccessible(manager);
  // A report's tables never cut columns off at 1,024 px or wider.
  for (const width of [1024, 1366]) {
    await manager.setViewportSize({ width, height: 800 });
    await expectTablesFit(manager, `/reports at ${width} px`);
  }

  const download = manager.waitForEvent("download");
  await manager.getByRole("region", { name: "Sub-teams" }).getByRole("link", { name: "Download CSV" }).click();
  const csv = await readFile((await (await download).path())!, "utf8");
  const pressLine = csv.split(/\r?\n/).find((line) => line.includes(`Presse ${tag}`));
  expect(pressLine).toBeDefined();
  expect(pressLine).toMatch(/suppressed|skjult|hidden/i);
  expect(pressLine).not.toMatch(/\b2\b/);

  const seriesDownload = manager.waitForEvent("download");
  await manager.getByRole("link", { name: "Download CSV" }).first().click();
  const series = await readFile((await (await seriesDownload).path())!, "utf8");
  const [header, row] = series.replace(/^\uFEFF/, "").split(/\r?\n/);
  expect(header).toBeDefined();
  expect(row).toContain(today());
});

import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Browser, type Page } from "@playwright/test";
import { Queue } from "bullmq";
import { bullPrefix } from "@/lib/queue/keys";

/** The demo personas the seed creates (db/seed.ts), one per role. */
export const personas = {
  admin: { name: "Mette Kjær", email: "mette@nordlys.example" },
  editor: { name: "Søren Holm", email: "soren@nordlys.example" },
  manager: { name: "Anne Lund", email: "anne@nordlys.example" },
  employee: { name: "Jonas Berg", email: "jonas@nordlys.example" },
} as const;

export type Persona = keyof typeof personas;

/** Signs in through the demo sign-in on the sign-in page, in English. */
export async function signInAs(page: Page, who: { name: string }) {
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: "en", url: "http://localhost" }]);
  await page.goto("/signin");
  await page.getByRole("button", { name: `Sign in as ${who.name}` }).click();
  await expect(page).not.toHaveURL(/\/signin/);
}

/**
 * The persona's session as signInAs left it, stored once per run by the setup project
 * (personas.setup.ts): `test.use({ storageState: storedSession("admin") })`.
 */
export function storedSession(persona: Persona): string {
  return path.join(__dirname, ".auth", `${persona}.json`);
}

/** A page in a browser of its own, signed in as the persona (its stored session). */
export async function pageAs(browser: Browser, persona: Persona): Promise<Page> {
  const context = await browser.newContext({ storageState: storedSession(persona) });
  return context.newPage();
}

/**
 * Fails on any serious or critical accessibility violation on the current page; `soft`
 * records the failure and goes on (a sweep over many pages reports them all at once).
 */
export async function expectAccessible(page: Page, options: { soft?: boolean; label?: string } = {}) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  (options.soft ? expect.soft : expect)(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), options.label).toEqual([]);
}

type Mail = { to: string[]; subject: string; text: string; receivedAt: string };

/** Mails the SMTP catcher received for an address, oldest first. */
/** Every table on the page shows all its columns without scrolling inside its frame (report pages at 1,024 px and wider). */
export async function expectTablesFit(page: Page, label: string) {
  const cut = await page.locator("table").evaluateAll((tables) =>
    tables
      .map((table) => ({ caption: table.querySelector("caption")?.textContent ?? "", frame: table.parentElement! }))
      .filter(({ frame }) => frame.scrollWidth > frame.clientWidth + 1)
      .map(({ caption, frame }) => `${caption}: ${frame.scrollWidth} > ${frame.clientWidth}`),
  );
  expect(cut, `${label}: tables cut off`).toEqual([]);
}

export async function mailsTo(address: string): Promise<Mail[]> {
  const response = await fetch(`${process.env.E2E_MAIL_URL}/messages`);
  const all = (await response.json()) as Mail[];
  return all.filter((m) => m.to.includes(address.toLowerCase()));
}

/** Waits for the n-th mail to an address and returns it. */
export async function waitForMail(address: string, count = 1): Promise<Mail> {
  let mails: Mail[] = [];
  await expect.poll(async () => (mails = await mailsTo(address)).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(count);
  return mails[count - 1]!;
}

export function linkIn(text: string): string {
  const match = /https?:\/\/\S+/.exec(text);
  if (!match) throw new Error(`No link in mail: ${text}`);
  return match[0];
}

/** Mails the catcher received, to anyone. */
export async function allMails(): Promise<Mail[]> {
  const response = await fetch(`${process.env.E2E_MAIL_URL}/messages`);
  return (await response.json()) as Mail[];
}

/**
 * Asserts that no mail reaches an address during a quiet window: polls until the window
 * has passed with nothing received, and fails as soon as the time is up with a mail there.
 */
export async function expectNoMailFor(address: string, windowMs = 3_000) {
  const started = Date.now();
  await expect
    .poll(
      async () => {
        const count = (await mailsTo(address)).length;
        if (count > 0) return `${count} mail(s) to ${address}`;
        return Date.now() - started >= windowMs ? "quiet" : "waiting";
      },
      { timeout: windowMs + 5_000, intervals: [250] },
    )
    .toBe("quiet");
}

/** A unique address for a person created by one test; `tag` says which. */
export function uniqueEmail(tag: string, domain = "nordlys.example"): string {
  return `e2e-${tag}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}@${domain}`;
}

/** Makes the browser context speak English (the language cookie, as signInAs does). */
export async function preferEnglish(page: Page) {
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: "en", url: "http://localhost" }]);
}

/**
 * Asks for a magic link on the sign-in page (in whatever language the page is in) and
 * returns the link from the n-th mail to the address (counting mails received before).
 */
export async function requestMagicLink(page: Page, email: string): Promise<{ link: string; mail: Mail }> {
  const before = (await mailsTo(email)).length;
  await page.goto("/signin");
  await page.getByRole("textbox", { name: /Work email|Arbejdsmail/ }).fill(email);
  await page.getByRole("button", { name: /Email me a sign-in link|Send mig et login-link/ }).click();
  await expect(page).toHaveURL(/\/signin\/check-email$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/Check your email|Tjek din mail/);
  const mail = await waitForMail(email, before + 1);
  return { link: linkIn(mail.text), mail };
}

/** Signs a member in through the emailed link; ends on the page the app lands them on. */
export async function signInByMagicLink(page: Page, email: string): Promise<Mail> {
  const { link, mail } = await requestMagicLink(page, email);
  await page.goto(link);
  await expect(page).not.toHaveURL(/\/signin|\/api\/auth/);
  return mail;
}

/** Runs the project's CLI (`npm run ripple -- …`) against the e2e database; its stdout lines. */
export async function ripple(...args: string[]): Promise<string[]> {
  const { execFile } = await import("node:child_process");
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      "npm",
      ["run", "-s", "ripple", "--", ...args],
      { env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL, LOG_LEVEL: "warn" }, timeout: 60_000 },
      (error, out, err) => (error ? reject(new Error(`ripple ${args.join(" ")} failed: ${err || error.message}`)) : resolve(out)),
    );
  });
  return stdout.trim().split("\n");
}

/** Adds an active member to the demo organisation through the CLI. */
export async function createMember(email: string, roles: string[], name?: string) {
  await ripple("user:create", "--email", email, "--org", "nordlys", "--roles", roles.join(","), ...(name ? ["--name", name] : []));
}

/** A new API token for a member of the demo organisation, made by the CLI (last stdout line). */
export async function createApiToken(email: string, name = "e2e"): Promise<string> {
  const lines = await ripple("token:create", "--email", email, "--org", "nordlys", "--name", name);
  return lines.at(-1)!.trim();
}

/** A short-lived connection to the e2e database, for the few facts the UI does not show. */
export async function withDatabase<T>(fn: (sql: import("postgres").Sql) => Promise<T>): Promise<T> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(process.env.E2E_DATABASE_URL!, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/** A queue of the e2e workers, for the few steps a test takes through them directly; close it after. */
export function workersQueue(name: "lifecycle" | "reach" | "publish-mastodon"): Queue {
  const redisUrl = new URL(process.env.E2E_REDIS_URL!);
  return new Queue(name, { connection: { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) }, prefix: bullPrefix(name, process.env.E2E_QUEUE_PREFIX!) });
}

/** Runs a scheduled job of the workers now (the real job, on the real workers) rather than waiting for its next turn. */
export async function runScheduledJobNow(name: "shares.reconcile" | "stories.sweep" | "polls.claim") {
  const queue = workersQueue(name === "polls.claim" ? "reach" : "lifecycle");
  try {
    await queue.add(name, {}, { removeOnComplete: true, removeOnFail: true });
  } finally {
    await queue.close();
  }
}

/** A demo story's id by its slug (the Nordlys seed). */
export async function demoStoryId(slug: string): Promise<string> {
  const [row] = await withDatabase((sql) => sql<{ id: string }[]>`select s.id from stories s join organizations o on o.id = s.org_id where o.slug = 'nordlys' and s.slug = ${slug}`);
  return row!.id;
}

/** The two English Mastodon suggestions of storyWithTwoSuggestions, in order. */
export const SUGGESTIONS = ["Our wind farm Skagerrak Syd gets going.", "Proud of the team behind Skagerrak Syd!"];

/**
 * A published story for everyone with two English suggestions for Mastodon (the demo
 * network), made for the test that asks: nobody else has shared it, so no spacing between
 * colleagues' posts puts a share off.
 */
export async function storyWithTwoSuggestions(tag: string): Promise<{ id: string; title: string; variantIds: string[] }> {
  return withDatabase(async (sql) => {
    const title = `Compose ${tag} ${Date.now().toString(36)}`;
    const [story] = await sql`
      insert into stories (org_id, slug, title, summary, canonical_url, language, status, published_at)
      select id, ${`compose-${tag}-${Date.now().toString(36)}`}, ${title}, 'Two suggestions to choose from.', 'https://nordlys.example/havvind', 'en', 'published', now() - interval '1 hour'
      from organizations where slug = 'nordlys'
      returning id, org_id`;
    const variantIds: string[] = [];
    for (const [position, text] of SUGGESTIONS.entries()) {
      const [row] = await sql`
        insert into story_variants (org_id, story_id, network, language, position, text)
        values (${story!.org_id as string}, ${story!.id as string}, 'mastodon', 'en', ${position}, ${`${text} https://nordlys.example/havvind`})
        returning id`;
      variantIds.push(row!.id as string);
    }
    return { id: story!.id as string, title, variantIds };
  });
}

/** A published story of the seed, for the pages that need one (composer, analytics). */
export const PUBLISHED = "havvind-skagerrak-syd";

/** The pages each persona (or a visitor) can see, for sweeps over all of them; "{story}" is PUBLISHED's id. */
export const pagesOf: Record<Persona | "visitor", string[]> = {
  employee: [
    "/feed",
    "/compose?story={story}",
    "/queue",
    "/connections",
    "/impact",
    "/leaderboard",
    "/notifications",
    "/settings",
    "/settings/api-tokens",
    "/guidelines",
    "/demo-network",
    // The 403 page, as an employee opening the admin section sees it.
    "/admin",
  ],
  editor: [
    "/library",
    "/library/review",
    "/library/calendar",
    "/library/feeds",
    "/library/topics",
    "/library/new",
    "/library/{story}",
    "/library/{story}/analytics",
  ],
  manager: ["/reports", "/impact", "/impact/manager-view", "/leaderboard", "/notifications", "/settings", "/guidelines"],
  admin: ["/admin", "/admin/teams", "/admin/settings", "/admin/guidelines", "/admin/webhooks", "/admin/emv", "/admin/api-tokens", "/admin/directory", "/admin/audit", "/admin/publishing"],
  visitor: ["/signin", "/login", "/signin/check-email", "/signin/error?error=Verification", "/no-such-page"],
};

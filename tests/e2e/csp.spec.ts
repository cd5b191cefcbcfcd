import { expect, test, type Page } from "@playwright/test";
import { baseURL } from "./env";
import { PUBLISHED, demoStoryId, pagesOf, personas, storedSession, type Persona } from "./support";

/**
 * The Content-Security-Policy (issue 14): every page's scripts run with a nonce made for that
 * request and nothing else runs, no page can be framed, and the app still works under it —
 * every page of every role loads without a single violation, and the pages come alive.
 */

/** The directives of a policy, by name. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name!.toLowerCase(), sources]),
  );
}

function nonceOf(policy: string): string {
  const match = /'nonce-([^']+)'/.exec(directives(policy).get("script-src")?.join(" ") ?? "");
  if (!match) throw new Error(`no nonce in script-src: ${policy}`);
  return match[1]!;
}

/**
 * Everything the browser refuses under the policy, and every uncaught error, from now on. The
 * listener is installed before any of the page's own scripts (outside the policy's reach).
 */
async function watchPolicy(page: Page): Promise<string[]> {
  const problems: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`securitypolicyviolation: ${e.effectiveDirective} refused ${e.blockedURI || "inline"} on ${location.pathname}`),
    );
  });
  page.on("console", (message) => {
    if (/Content Security Policy|securitypolicyviolation/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  return problems;
}

test("every page answers with its own nonce, strict scripts and no framing; every script in the page carries the nonce", async ({ request }) => {
  const first = await request.get("/signin");
  const second = await request.get("/signin");
  const [a, b] = [first.headers()["content-security-policy"] ?? "", second.headers()["content-security-policy"] ?? ""];
  expect(nonceOf(a)).not.toBe(nonceOf(b));
  expect(nonceOf(a).length).toBeGreaterThanOrEqual(22); // 128 bits, base64

  const policy = directives(a);
  expect(policy.get("script-src")).toEqual(expect.arrayContaining(["'strict-dynamic'"]));
  expect(policy.get("script-src")).not.toContain("'unsafe-inline'");
  expect(policy.get("script-src")).not.toContain("'unsafe-eval'");
  expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
  expect(policy.get("object-src")).toEqual(["'none'"]);
  expect(policy.get("base-uri")).toEqual(["'none'"]);
  expect(policy.get("worker-src")).toEqual(["'self'"]);
  expect(policy.get("connect-src")).toEqual(["'self'"]);
  // The single sign-on form is answered with a redirect to the identity provider.
  expect(policy.get("form-action")).toEqual(["'self'", new URL(JSON.parse(process.env.E2E_APP_ENV!).OIDC_ISSUER).origin]);

  // Next put this request's nonce on every script it wrote into the page (none without).
  const html = await first.text();
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.filter((tag) => !tag.includes(`nonce="${nonceOf(a)}"`))).toEqual([]);
});

test("an injected inline script does not run, while the same script with the request's nonce does", async ({ page }) => {
  const problems = await watchPolicy(page);
  // A stored XSS as the browser would meet it: script tags in the page's HTML, one without a
  // nonce, one with a guessed one. The control carries the real nonce and must run.
  let withNonce = false;
  await page.route("**/signin", async (route) => {
    const response = await route.fetch();
    const nonce = nonceOf(response.headers()["content-security-policy"] ?? "");
    const injected = withNonce
      ? `<script nonce="${nonce}">window.__ran = true</script>`
      : `<script>window.__ran = true</script><script nonce="guessed">window.__ran = true</script><img src=x onerror="window.__ran = true">`;
    await route.fulfill({ response, body: (await response.text()).replace("</body>", `${injected}</body>`) });
  });

  await page.goto("/signin");
  await expect(page.getByRole("button", { name: `Sign in as ${personas.employee.name}` })).toBeVisible();
  expect(await page.evaluate(() => (window as { __ran?: boolean }).__ran ?? false)).toBe(false);
  await expect.poll(() => problems.filter((p) => /script-src/.test(p)).length).toBeGreaterThanOrEqual(3);

  withNonce = true;
  problems.length = 0;
  await page.goto("/signin");
  expect(await page.evaluate(() => (window as { __ran?: boolean }).__ran ?? false)).toBe(true);
  expect(problems).toEqual([]);
});

test("no site can frame a page", async ({ page }) => {
  const problems = await watchPolicy(page);
  // A page of no origin of ours (and under no policy of ours) frames the sign-in page.
  await page.setContent(`<iframe src="${baseURL}/signin" title="framed"></iframe>`);
  await expect.poll(() => problems.some((p) => /frame-ancestors/.test(p))).toBe(true);
  // The framed page never rendered: no sign-in button inside the frame.
  await expect(page.frameLocator("iframe").getByRole("button", { name: `Sign in as ${personas.employee.name}` })).toHaveCount(0);
});

for (const who of Object.keys(pagesOf) as Array<Persona | "visitor">) {
  test(`every ${who} page loads under the policy without a violation`, async ({ browser }) => {
    test.setTimeout(240_000);
    const context = await browser.newContext(who === "visitor" ? {} : { storageState: storedSession(who) });
    await context.addCookies([{ name: "NEXT_LOCALE", value: "en", url: "http://localhost" }]);
    const page = await context.newPage();
    const problems = await watchPolicy(page);
    const story = await demoStoryId(PUBLISHED);
    for (const path of pagesOf[who].map((p) => p.replace("{story}", story))) {
      await test.step(path, async () => {
        const response = await page.goto(path);
        expect(response?.headers()["content-security-policy"], path).toMatch(/'nonce-/);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        await page.waitForLoadState("networkidle");
        expect.soft(problems.splice(0), path).toEqual([]);
      });
    }
    await context.close();
  });
}

test.describe(() => {
  test.use({ storageState: storedSession("employee") });

  test("pages come alive under the policy: the composer's preview follows the typing", async ({ page }) => {
    const problems = await watchPolicy(page);
    await page.goto(`/compose?story=${await demoStoryId(PUBLISHED)}`);
    const text = page.getByRole("textbox", { name: /Your text for/ }).first();
    await expect(text).toBeEditable();
    const typed = `Typed under a strict policy ${Date.now().toString(36)}`;
    await text.fill(typed);
    await expect(page.getByTestId("preview-text").first()).toContainText(typed);
    expect(problems).toEqual([]);
  });
});

test.describe(() => {
  test.use({ storageState: storedSession("admin") });

  test("the queue dashboard works under its own policy and cannot be framed", async ({ page }) => {
    const problems = await watchPolicy(page);
    const response = await page.goto("/admin/queues");
    const policy = directives(response!.headers()["content-security-policy"] ?? "");
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("script-src")).toEqual(["'self'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    await expect(page).toHaveTitle("Ripple queues");
    // bull-board's own scripts ran: the UI lists the queues and opens one.
    await page.getByRole("link", { name: /publish-mastodon/ }).first().click();
    await expect(page).toHaveURL(/\/admin\/queues\/queue\/publish-mastodon/);
    await page.waitForLoadState("networkidle");
    expect(problems).toEqual([]);

    // The dashboard's own page (same site, so the session goes along) tries to frame it.
    await page.evaluate(() => {
      const frame = document.createElement("iframe");
      frame.src = "/admin/queues";
      document.body.append(frame);
    });
    await expect.poll(() => problems.some((p) => /frame-ancestors/.test(p))).toBe(true);
  });
});

test("single sign-on works before the page's scripts run: the form's redirect to the identity provider is allowed", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  await context.addCookies([{ name: "NEXT_LOCALE", value: "en", url: "http://localhost" }]);
  const page = await context.newPage();
  const problems = await watchPolicy(page);
  await page.goto("/signin");
  await page.getByRole("button", { name: /Nordlys SSO/ }).click();
  const issuer = new URL(JSON.parse(process.env.E2E_APP_ENV!).OIDC_ISSUER).origin;
  await expect(page).toHaveURL((url) => url.origin === issuer);
  expect(problems).toEqual([]);
  await context.close();
});

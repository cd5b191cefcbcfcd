import { expect, test, type Locator, type Page } from "@playwright/test";
import { expectAccessible, personas, preferEnglish, storedSession, uniqueEmail, waitForMail, linkIn, withDatabase } from "./support";

/**
 * Invitations that always arrive: the admin gets a copyable single-use link with every
 * invitation (mailed too, as mail is set up here), and can invite many people at once
 * from a CSV file after a dry run. Every test invites people of its own.
 */

test.use({ storageState: storedSession("admin") });

/**
 * At 360 px: nothing of `part` (or of the whole page) reaches past the screen's edge,
 * except inside a frame that scrolls on its own (a wide table). The members page as a
 * whole is named a known overflow in mobile.spec.ts, so on it only the new parts are held to this.
 */
async function fitsPhone(page: Page, label: string, part?: Locator) {
  await page.setViewportSize({ width: 360, height: 740 });
  const root = part ?? page.locator("body");
  const wide = await root.evaluate((top) => {
    const inFrame = (el: Element) => {
      for (let up = el.parentElement; up && up !== top.parentElement; up = up.parentElement) if (["auto", "scroll", "hidden"].includes(getComputedStyle(up).overflowX)) return true;
      return false;
    };
    const out = [top, ...top.querySelectorAll("*")].filter((el) => el.getBoundingClientRect().right > 360.5 && !inFrame(el));
    return out.length === 0 ? null : out.slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 4).join(".")} (${Math.round(el.getBoundingClientRect().right)} px)`).join("; ");
  });
  expect(wide, `${label} reaches past a 360 px screen`).toBeNull();
  if (!part) expect(await page.evaluate(() => document.documentElement.scrollWidth <= 360), `${label} scrolls sideways`).toBe(true);
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function membersNamed(emails: string[]) {
  return withDatabase((sql) => sql<{ email: string; status: string }[]>`select u.email, m.status from memberships m join users u on u.id = m.user_id where u.email in ${sql(emails)}`);
}

test("an admin invites someone and hands over the link; it signs them in once, in the organisation", async ({ page, browser }) => {
  const email = uniqueEmail("linked");
  await page.goto("/admin");
  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite a member" });
  await dialog.getByRole("textbox", { name: "Email" }).fill(email);
  await dialog.getByRole("textbox", { name: "Name (optional)" }).fill("Linda Link");
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog).toBeHidden();

  const links = page.getByRole("region", { name: "Invitation links" });
  const box = links.getByRole("textbox", { name: `Invitation link for ${email}` });
  await expect(box).toHaveValue(/\/invite\/[0-9A-Za-z]{43}$/);
  const link = await box.inputValue();
  await expect(links.getByRole("button", { name: `Copy the invitation link for ${email}` })).toBeVisible();
  await expectAccessible(page);
  await fitsPhone(page, "the invitation links", links);
  // Mail is set up in this run, so the same link went by mail too.
  expect(linkIn((await waitForMail(email)).text)).toBe(link);

  // The invitee opens it in a browser of their own and lands signed in, in Nordlys.
  const invitee = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const inviteePage = await invitee.newPage();
  await preferEnglish(inviteePage);
  await inviteePage.goto(link);
  await expect(inviteePage.getByRole("heading", { level: 1 })).toHaveText("Join Nordlys Energi A/S on Ripple");
  await expect(inviteePage.getByText(`You will be signed in as ${email}.`)).toBeVisible();
  await expectAccessible(inviteePage);
  await fitsPhone(inviteePage, "the invitation page");
  await inviteePage.getByRole("button", { name: "Sign in to Nordlys Energi A/S" }).click();
  await expect(inviteePage).toHaveURL(/\/feed$/);
  await expect(inviteePage.getByRole("heading", { level: 1 })).toHaveText("Stories to share");
  await invitee.close();
  expect(await membersNamed([email])).toEqual([{ email, status: "active" }]);

  // A second use, from yet another browser, is refused and says whom to ask.
  const again = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const againPage = await again.newPage();
  await preferEnglish(againPage);
  await againPage.goto(link);
  await expect(againPage.getByRole("heading", { level: 1 })).toHaveText("This invitation link no longer works");
  await expect(againPage.getByText("It has already been used")).toBeVisible();
  // Other specs may make more admins meanwhile: Mette is among those named.
  await expect(againPage.getByText(/^Ask an administrator of Nordlys Energi A\/S for a new link: /)).toContainText(personas.admin.name);
  await expect(againPage.getByRole("button", { name: /Sign in to/ })).toHaveCount(0);
  await expectAccessible(againPage);
  await again.close();

  // The admin sees them as active.
  await page.reload();
  await expect(page.getByRole("row").filter({ hasText: email })).toContainText("Active");
});

test("inviting again replaces the link: the old one no longer works", async ({ page, browser }) => {
  const email = uniqueEmail("again");
  await page.goto("/admin");
  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite a member" });
  await dialog.getByRole("textbox", { name: "Email" }).fill(email);
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  const box = page.getByRole("textbox", { name: `Invitation link for ${email}` });
  await expect(box).toHaveValue(/\/invite\//);
  const first = await box.inputValue();

  await page.getByRole("button", { name: `Invite again: ${email}` }).click();
  await expect(page.getByText(`${email} has a new invitation link; the old one no longer works.`)).toBeVisible();
  await expect(box).not.toHaveValue(first);

  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const visitor = await context.newPage();
  await preferEnglish(visitor);
  await visitor.goto(first);
  await expect(visitor.getByRole("heading", { level: 1 })).toHaveText("This invitation link no longer works");
  await expect(visitor.getByText("A newer invitation link has been made for you")).toBeVisible();
  await context.close();
});

test("a CSV import is previewed first; one bad line applies nothing; the fixed file invites everyone", async ({ page }) => {
  const [ida, ole] = [uniqueEmail("csv-ida"), uniqueEmail("csv-ole")];
  const bad = (team: string) =>
    ["email,name,team,roles", `${ida},Ida CSV,Salg/Salg Øst,employee;manager`, `${ole},Ole CSV,${team},employee`, ""].join("\n");
  await page.goto("/admin");
  const section = page.getByRole("region", { name: "Import members from a CSV file" });
  const file = section.getByLabel("CSV file");

  await file.setInputFiles({ name: "members.csv", mimeType: "text/csv", buffer: Buffer.from(bad("Salg/Nowhere")) });
  await section.getByRole("button", { name: "Check the file" }).click();
  const preview = section.getByTestId("import-preview");
  await expect(preview).toContainText("1 to invite, 0 to change, 0 unchanged, 1 refused.");
  await expect(preview).toContainText("Nothing will be applied while any line is refused.");
  const refused = preview.getByRole("table", { name: "Refused lines" });
  await expect(refused.getByRole("row").filter({ hasText: ole })).toContainText("3");
  await expect(refused).toContainText("No team “Salg/Nowhere” in this organisation.");
  await expect(preview.getByRole("table", { name: "To invite" })).toContainText(ida);
  await expect(section.getByRole("button", { name: "Apply" })).toBeDisabled();
  await expectAccessible(page);
  await fitsPhone(page, "the import preview", section);
  expect(await membersNamed([ida, ole])).toEqual([]);

  await file.setInputFiles({ name: "members.csv", mimeType: "text/csv", buffer: Buffer.from(bad("Salg/Salg Vest")) });
  await section.getByRole("button", { name: "Check the file" }).click();
  await expect(preview).toContainText("2 to invite, 0 to change, 0 unchanged, 0 refused.");
  await section.getByRole("button", { name: "Apply" }).click();
  await expect(section.getByText("2 members invited, 0 changed.")).toBeVisible();
  const links = section.getByRole("region", { name: "Invitation links" });
  await expect(links.getByRole("textbox", { name: `Invitation link for ${ida}` })).toHaveValue(/\/invite\//);
  await expect(links.getByRole("textbox", { name: `Invitation link for ${ole}` })).toHaveValue(/\/invite\//);
  await expect(links.getByRole("link", { name: "Download the links (CSV)" })).toHaveAttribute("download", "invitation-links.csv");
  await expectAccessible(page);
  await fitsPhone(page, "the imported links", section);

  expect((await membersNamed([ida, ole])).map((m) => m.status)).toEqual(["invited", "invited"]);
  await expect(page.getByRole("row").filter({ hasText: ida })).toContainText("Salg Øst");
  await expect(page.getByRole("row").filter({ hasText: ole })).toContainText("Salg Vest");
});

test("an expired link says so in Danish and names the organisation's admins to ask", async ({ page, browser }) => {
  const email = uniqueEmail("expired");
  await page.goto("/admin");
  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite a member" });
  await dialog.getByRole("textbox", { name: "Email" }).fill(email);
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  const box = page.getByRole("textbox", { name: `Invitation link for ${email}` });
  await expect(box).toHaveValue(/\/invite\//);
  const link = await box.inputValue();
  // Eight days on: the link's time is moved back rather than the clock forward.
  await withDatabase(
    (sql) => sql`update invitation_links set expires_at = now() - interval '1 day' where membership_id = (select m.id from memberships m join users u on u.id = m.user_id where u.email = ${email})`,
  );

  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const visitor = await context.newPage();
  await context.addCookies([{ name: "NEXT_LOCALE", value: "da", url: "http://localhost" }]);
  await visitor.goto(link);
  await expect(visitor.getByRole("heading", { level: 1 })).toHaveText("Dette invitationslink virker ikke længere");
  await expect(visitor.getByText(/^Det udløb .+: invitationslinks gælder i 7 dage\.$/)).toBeVisible();
  await expect(visitor.getByText(/^Bed en administrator i Nordlys Energi A\/S om et nyt link: /)).toContainText(personas.admin.name);
  await expect(visitor.getByRole("button", { name: /Log ind i/ })).toHaveCount(0);
  await expectAccessible(visitor);
  await fitsPhone(visitor, "the expired invitation page");
  await context.close();
  expect(await membersNamed([email])).toEqual([{ email, status: "invited" }]);
});

import { expect, test, type Browser, type Page } from "@playwright/test";
import { baseURL } from "./env";
import {
  createMember,
  expectAccessible,
  personas,
  preferEnglish,
  signInByMagicLink,
  storedSession,
  uniqueEmail,
  waitForMail,
  withDatabase,
} from "./support";

/**
 * Administration as Mette (admin) does it: inviting, editing, deactivating and
 * reactivating members, the team tree, and the audit log of all of it. Every test works
 * on people and teams it creates itself, so the personas keep their roles and status.
 */

test.use({ storageState: storedSession("admin") });

const tag = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

function memberRow(page: Page, email: string) {
  return page.getByRole("row").filter({ hasText: email });
}

function teamItem(page: Page, name: string) {
  // Names are unique per test run, so a substring match finds exactly one team.
  return page.getByRole("list", { name: "Teams" }).getByRole("listitem").filter({ hasText: name });
}

/** A second browser, signed in as someone else through the emailed link. */
async function signedInBrowser(browser: Browser, email: string) {
  // Empty, not the admin's stored session that new browsers in this file would inherit.
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await preferEnglish(page);
  await signInByMagicLink(page, email);
  return { context, page };
}

async function membershipId(email: string): Promise<string> {
  const rows = await withDatabase((sql) => sql<{ id: string }[]>`select m.id from memberships m join users u on u.id = m.user_id where u.email = ${email}`);
  expect(rows).toHaveLength(1);
  return rows[0]!.id;
}

async function teamId(name: string): Promise<string> {
  const rows = await withDatabase((sql) => sql<{ id: string }[]>`select id from teams where name = ${name}`);
  expect(rows).toHaveLength(1);
  return rows[0]!.id;
}

async function invite(page: Page, input: { email: string; name: string; roles: string[]; team: string }) {
  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite a member" });
  await expect(dialog).toBeVisible();
  await expectAccessible(page);
  await dialog.getByRole("textbox", { name: "Email" }).fill(input.email);
  await dialog.getByRole("textbox", { name: "Name (optional)" }).fill(input.name);
  for (const role of ["Admin", "Editor", "Manager", "Employee"]) {
    await dialog.getByRole("checkbox", { name: role }).setChecked(input.roles.includes(role));
  }
  await dialog.getByRole("combobox", { name: "Team" }).selectOption({ label: input.team });
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`${input.email} is invited and has been sent an email.`)).toBeVisible();
}

test("an admin invites a member who then signs in and shows as active", async ({ page, browser }) => {
  const email = uniqueEmail("invitee");
  const name = `Invitee ${tag()}`;
  await page.goto("/admin");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Members");
  await expectAccessible(page);

  await invite(page, { email, name, roles: ["Editor", "Employee"], team: "Kommunikation" });
  const row = memberRow(page, email);
  await expect(row).toContainText(name);
  await expect(row).toContainText("Invited");
  await expect(row).toContainText("Editor");
  await expect(row).toContainText("Employee");
  await expect(row).toContainText("Kommunikation");
  await expectAccessible(page);

  // The invitation, in the organisation's language (the invitee has none yet).
  const invitation = await waitForMail(email);
  expect(invitation.subject).toContain("Nordlys Energi A/S");
  expect(invitation.text).toContain("Mette Kjær");
  expect(invitation.text).toContain(`${baseURL}/invite/`);

  // The invitee asks for a sign-in link and lands on their first section.
  const invitee = await signedInBrowser(browser, email);
  await expect(invitee.page).toHaveURL(/\/feed$/);
  await expect(invitee.page.getByRole("heading", { level: 1 })).toHaveText("Stories to share");
  const nav = invitee.page.getByRole("navigation", { name: "Main" }).first();
  await expect(nav.getByRole("link", { name: "Feed" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Library" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Admin" })).toHaveCount(0);
  await invitee.context.close();

  await page.reload();
  await expect(memberRow(page, email)).toContainText("Active");
  await expect(memberRow(page, email)).toContainText("Joined");
});

test("the invite form explains what is wrong: an existing member, a bad address, no role", async ({ page }) => {
  await page.goto("/admin");
  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite a member" });
  const email = dialog.getByRole("textbox", { name: "Email" });
  await email.fill(personas.employee.email);
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("That person is already a member.");
  await expectAccessible(page);

  await email.fill("not an address");
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog.getByRole("alert").filter({ hasText: "Enter a valid email address." })).toBeVisible();
  await expect(dialog.getByRole("alert").filter({ hasText: "Some fields need attention." })).toBeVisible();

  // Nothing ticked under Roles.
  await email.fill(uniqueEmail("norole"));
  await dialog.getByRole("checkbox", { name: "Employee" }).uncheck();
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog.getByRole("group", { name: "Roles" }).getByRole("alert")).toHaveText("Choose at least one role.");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
});

test("a failed invitation keeps what the admin typed", async ({ page }) => {
  await page.goto("/admin");
  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite a member" });
  await dialog.getByRole("textbox", { name: "Email" }).fill("not an address");
  await dialog.getByRole("textbox", { name: "Name (optional)" }).fill("Typed Name");
  await dialog.getByRole("checkbox", { name: "Editor" }).check();
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog.getByRole("alert").filter({ hasText: "Enter a valid email address." })).toBeVisible();
  await expect(dialog.getByRole("textbox", { name: "Email" })).toHaveValue("not an address");
  await expect(dialog.getByRole("textbox", { name: "Name (optional)" })).toHaveValue("Typed Name");
  await expect(dialog.getByRole("checkbox", { name: "Editor" })).toBeChecked();
});

test("an admin edits a member, deactivates them (their session ends) and reactivates them", async ({ page, browser }) => {
  const email = uniqueEmail("edited");
  const name = `Edited ${tag()}`;
  await createMember(email, ["employee"], name);
  // The member is signed in in their own browser before anything changes.
  const member = await signedInBrowser(browser, email);
  await expect(member.page).toHaveURL(/\/feed$/);

  await page.goto("/admin");
  const row = memberRow(page, email);
  await expect(row).toContainText("Active");

  await row.getByRole("button", { name: `Edit ${name}` }).click();
  const dialog = page.getByRole("dialog", { name: `Edit ${name}` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("checkbox", { name: "Employee" })).toBeChecked();
  await expectAccessible(page);
  await dialog.getByRole("checkbox", { name: "Manager" }).check();
  await dialog.getByRole("combobox", { name: "Team" }).selectOption({ label: "Kundeservice" });
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`Saved changes to ${email}.`)).toBeVisible();
  await expect(row).toContainText("Manager");
  await expect(row).toContainText("Kundeservice");

  // The new role applies at once in the member's open session.
  await member.page.goto("/reports");
  await expect(member.page.getByRole("heading", { level: 1 })).toHaveText("Reports");

  await row.getByRole("button", { name: `Deactivate ${name}` }).click();
  const confirm = page.getByRole("alertdialog", { name: `Deactivate ${name}?` });
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText("They can no longer sign in or share.");
  await expectAccessible(page);
  await confirm.getByRole("button", { name: "Deactivate" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByText(`${email} is deactivated.`)).toBeVisible();
  await expect(row).toContainText("Deactivated");
  await expect(row.getByRole("button", { name: `Edit ${name}` })).toHaveCount(0);
  await expectAccessible(page);

  // Their existing session has ended: every page sends them to sign in, the API refuses it.
  const ended = await member.context.cookies();
  await member.page.goto("/feed");
  await expect(member.page).toHaveURL(/\/signin\?callbackUrl=%2Ffeed$/);
  await expect(member.page.getByRole("heading", { level: 1 })).toHaveText("Sign in to Ripple");
  expect((await member.page.request.get("/api/v1/me")).status()).toBe(401);

  await row.getByRole("button", { name: `Reactivate ${name}` }).click();
  await expect(page.getByText(`${email} is a member again.`)).toBeVisible();
  await expect(row).toContainText("Active");

  // Reactivation does not bring the old session back (its cookie, replayed, is still refused);
  // signing in again does.
  await member.context.addCookies(ended);
  await member.page.goto("/feed");
  await expect(member.page).toHaveURL(/\/signin\?callbackUrl=%2Ffeed$/);
  await signInByMagicLink(member.page, email);
  await member.page.goto("/feed");
  await expect(member.page).toHaveURL(/\/feed$/);
  await expect(member.page.getByRole("heading", { level: 1 })).toHaveText("Stories to share");
  await member.context.close();
});

test("each change's notice tells what just happened, also after an invitation", async ({ page }) => {
  const invited = uniqueEmail("notice-invited");
  const other = uniqueEmail("notice-other");
  const otherName = `Notice ${tag()}`;
  await createMember(other, ["employee"], otherName);
  await page.goto("/admin");
  await invite(page, { email: invited, name: `Invited ${tag()}`, roles: ["Employee"], team: "Salg" });

  const row = memberRow(page, other);
  await row.getByRole("button", { name: `Deactivate ${otherName}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Deactivate" }).click();
  await expect(row).toContainText("Deactivated");
  await expect(page.getByText(`${other} is deactivated.`)).toBeVisible();
  await expect(page.getByText(`${invited} is invited and has been sent an email.`)).toHaveCount(0);
});

test("an admin cannot deactivate themselves", async ({ page }) => {
  await page.goto("/admin");
  const own = memberRow(page, personas.admin.email);
  await expect(own.getByRole("button", { name: `Edit ${personas.admin.name}` })).toBeVisible();
  await expect(own.getByRole("button", { name: /Deactivate/ })).toHaveCount(0);
  // Everyone else has the button.
  await expect(memberRow(page, personas.editor.email).getByRole("button", { name: `Deactivate ${personas.editor.name}` })).toBeVisible();
});

test("an admin builds the team tree: create, sub-team, rename, move, managers, delete", async ({ page }) => {
  const id = tag();
  const parent = `E2E Team ${id}`;
  const child = `E2E Sub ${id}`;
  const renamed = `E2E Renamed ${id}`;
  await page.goto("/admin/teams");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Teams");
  await expectAccessible(page);
  const notice = (text: string) => page.getByText(text, { exact: true });

  // A top-level team.
  await page.getByRole("button", { name: "Add team" }).click();
  let dialog = page.getByRole("dialog", { name: "New team" });
  await expectAccessible(page);
  await dialog.getByRole("textbox", { name: "Name" }).fill(parent);
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog).toBeHidden();
  await expect(notice("Team created.")).toBeVisible();
  await expect(teamItem(page, parent)).toContainText("no members");

  // The same name again at the top level is refused.
  await page.getByRole("button", { name: "Add team" }).click();
  dialog = page.getByRole("dialog", { name: "New team" });
  await dialog.getByRole("textbox", { name: "Name" }).fill(parent);
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByText("A team with this name already exists there.")).toBeVisible();
  await expectAccessible(page);
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // A sub-team.
  await page.getByRole("button", { name: `Add sub-team to ${parent}` }).click();
  dialog = page.getByRole("dialog", { name: `New sub-team of ${parent}` });
  await dialog.getByRole("textbox", { name: "Name" }).fill(child);
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog).toBeHidden();
  await expect(teamItem(page, child)).toBeVisible();
  // A team with a sub-team cannot be deleted.
  await expect(page.getByRole("button", { name: `Delete ${parent}` })).toBeDisabled();

  // Rename the sub-team.
  await page.getByRole("button", { name: `Rename ${child}` }).click();
  dialog = page.getByRole("dialog", { name: `Rename ${child}` });
  await expect(dialog.getByRole("textbox", { name: "Name" })).toHaveValue(child);
  await dialog.getByRole("textbox", { name: "Name" }).fill(renamed);
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(notice("Team renamed.")).toBeVisible();
  await expect(teamItem(page, renamed)).toBeVisible();
  await expect(teamItem(page, child)).toHaveCount(0);

  // Move it to the top level; the parent then has no sub-team and may be deleted.
  await page.getByRole("button", { name: `Move ${renamed}` }).click();
  dialog = page.getByRole("dialog", { name: `Move ${renamed}` });
  const placeUnder = dialog.getByRole("combobox", { name: "Place under" });
  await expect(placeUnder).toHaveValue(await teamId(parent));
  // A team cannot be placed under itself.
  await expect(placeUnder.getByRole("option", { name: renamed })).toHaveCount(0);
  await expectAccessible(page);
  await placeUnder.selectOption({ label: "Top level (no parent)" });
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(notice("Team moved.")).toBeVisible();
  await expect(page.getByRole("button", { name: `Delete ${parent}` })).toBeEnabled();

  // A team with members cannot be deleted.
  const withMembers = page.getByRole("button", { name: "Delete Direktion" });
  await expect(withMembers).toBeDisabled();
  await expect(withMembers).toHaveAttribute("title", "Only an empty team without sub-teams can be deleted.");

  // Anne (a manager) manages the renamed team.
  await page.getByRole("button", { name: `Managers of ${renamed}` }).click();
  dialog = page.getByRole("dialog", { name: `Managers of ${renamed}` });
  await expect(dialog.getByRole("group", { name: "Members with the manager role" })).toBeVisible();
  await expectAccessible(page);
  await dialog.getByRole("checkbox", { name: personas.manager.name }).check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(notice("Managers saved.")).toBeVisible();
  await expect(teamItem(page, renamed)).toContainText(`Manager: ${personas.manager.name}`);

  // Delete the empty parent.
  await page.getByRole("button", { name: `Delete ${parent}` }).click();
  await expect(notice(`${parent} deleted.`)).toBeVisible();
  await expect(teamItem(page, parent)).toHaveCount(0);
  await page.reload();
  await expect(teamItem(page, parent)).toHaveCount(0);
  await expect(teamItem(page, renamed)).toContainText(`Manager: ${personas.manager.name}`);
  await expectAccessible(page);

  // Leave Anne's teams as they were.
  await page.getByRole("button", { name: `Managers of ${renamed}` }).click();
  dialog = page.getByRole("dialog", { name: `Managers of ${renamed}` });
  await dialog.getByRole("checkbox", { name: personas.manager.name }).uncheck();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(notice("Managers saved.")).toBeVisible();
  await page.getByRole("button", { name: `Delete ${renamed}` }).click();
  await expect(notice(`${renamed} deleted.`)).toBeVisible();
});

test("the audit log says in words who changed what, naming people and teams, with the fields that changed", async ({ page }) => {
  const email = uniqueEmail("audited");
  const name = `Audited ${tag()}`;
  const team = `E2E Audit ${tag()}`;

  // Some changes to look up afterwards.
  await page.goto("/admin/teams");
  await page.getByRole("button", { name: "Add team" }).click();
  const teamDialog = page.getByRole("dialog", { name: "New team" });
  await teamDialog.getByRole("textbox", { name: "Name" }).fill(team);
  await teamDialog.getByRole("button", { name: "Create" }).click();
  await expect(page.getByText("Team created.", { exact: true })).toBeVisible();

  await page.goto("/admin");
  await invite(page, { email, name, roles: ["Employee"], team: "Salg" });
  // A fresh page: the invitation's notice would otherwise come back (see the notice test).
  await page.reload();
  const row = memberRow(page, email);
  await row.getByRole("button", { name: `Edit ${name}` }).click();
  const edit = page.getByRole("dialog", { name: `Edit ${name}` });
  await edit.getByRole("checkbox", { name: "Editor" }).check();
  await edit.getByRole("combobox", { name: "Team" }).selectOption({ label: team });
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText(`Saved changes to ${email}.`)).toBeVisible();
  await row.getByRole("button", { name: `Deactivate ${name}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByText(`${email} is deactivated.`)).toBeVisible();

  const membership = await membershipId(email);
  const teamUuid = await teamId(team);

  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Audit log");
  await expectAccessible(page);

  const entry = (what: string, target: string) => page.getByRole("row").filter({ hasText: what }).filter({ hasText: target });

  for (const [what, target] of [
    ["Created a team", `Team: ${team}`],
    ["Invited a member", `Member: ${name}`],
    ["Changed a member's roles or team", `Member: ${name}`],
    ["Deactivated a member", `Member: ${name}`],
  ] as const) {
    await expect(entry(what, target), what).toHaveCount(1);
    await expect(entry(what, target).getByRole("cell").nth(1)).toHaveText(personas.admin.name);
  }
  // Newest first.
  const order = await page.getByRole("row").filter({ hasText: `Member: ${name}` }).allInnerTexts();
  expect(order.map((text) => /Deactivated a member|Changed a member's roles or team|Invited a member/.exec(text)?.[0])).toEqual([
    "Deactivated a member",
    "Changed a member's roles or team",
    "Invited a member",
  ]);

  // The fields that changed, old → new, with names where the log holds ids.
  const update = entry("Changed a member's roles or team", `Member: ${name}`);
  await expect(update).toContainText("Roles: employee → editor, employee");
  await expect(update).toContainText(`Team: Salg → ${team}`);
  await expect(entry("Deactivated a member", `Member: ${name}`)).toContainText("Status: invited → deactivated");
  await expect(entry("Invited a member", `Member: ${name}`)).toContainText(`Email: — → ${email}`);
  await expect(entry("Created a team", `Team: ${team}`)).toContainText(`Name: — → ${team}`);
  const table = page.getByRole("table", { name: "Audit log" });
  await expect(table).not.toContainText(teamUuid);
  await expect(table).not.toContainText(membership);

  // Filtered by action: only invitations.
  await page.getByRole("combobox", { name: "Action" }).selectOption({ label: "Invited a member" });
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/action=member\.invite/);
  await expect(entry("Invited a member", `Member: ${name}`)).toHaveCount(1);
  await expect(page.getByRole("row").filter({ hasText: "Deactivated a member" })).toHaveCount(0);
  const download = page.getByRole("link", { name: "Download CSV" });
  await expect(download).toHaveAttribute("href", "/admin/audit/export?action=member.invite");
  const csv = await page.request.get("/admin/audit/export?action=member.invite");
  expect(csv.headers()["content-type"]).toBe("text/csv; charset=utf-8");
  const text = await csv.text();
  expect(text).toContain(`Invited a member`);
  expect(text).toContain(name);
  expect(text).not.toContain("Deactivated a member");

  // On a phone the page does not scroll sideways; the table scrolls in its own frame.
  await page.setViewportSize({ width: 360, height: 740 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= 360)).toBe(true);
  await expectAccessible(page);
});

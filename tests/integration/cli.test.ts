import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { apiTokens, auditLog, memberships, organizations, users } from "@/db/schema";
import { verifyApiToken } from "@/lib/auth/api-tokens";
import { sha256Hex } from "@/lib/crypto";
import { db } from "@/lib/db";
import { makeMember, makeOrganization, uniqueEmail, uniqueSlug } from "../support/factories";
import { projectRoot } from "../support/processes";

/** `npm run ripple -- …` as an operator runs it: a real process, its output and exit code. */
const tsxCli = require.resolve("tsx/cli");

type Run = { code: number | null; stdout: string; stderr: string };

function ripple(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsxCli, "workers/cli.ts", ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

/** Empty databases on the local server for the commands that set a database up. */
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const created: string[] = [];

async function emptyDatabase(): Promise<string> {
  const name = `ripple_cli_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  created.push(name);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

afterAll(async () => {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    for (const name of created) await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
});

async function countRows(url: string, table: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`);
    return row!.n;
  } finally {
    await sql.end();
  }
}

// Each case spawns its own processes against its own organisation or database, so they run side by side.
describe.concurrent("ripple CLI", { timeout: 120_000 }, () => {
  it("migrates an empty database, then says it is up to date", async () => {
    const url = await emptyDatabase();

    const first = await ripple(["migrate"], { DATABASE_URL: url });
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/Applied \d+ migration\(s\)\./);
    expect(await countRows(url, "organizations")).toBe(0);

    const second = await ripple(["migrate"], { DATABASE_URL: url });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/up to date/);
    expect(await countRows(url, "drizzle.migrations")).toBe(Number(/Applied (\d+)/.exec(first.stdout)![1]));
  });

  // The seed plays six months of activity: migrate, seed and seed again take longer than the rest.
  it("seeds the demo organisation once, with its history; a second run changes nothing", { timeout: 300_000 }, async () => {
    const url = await emptyDatabase();
    expect((await ripple(["migrate"], { DATABASE_URL: url })).code).toBe(0);

    const first = await ripple(["seed"], { DATABASE_URL: url });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Seeded the demo organisation "nordlys"/);
    const counts = { organizations: await countRows(url, "organizations"), memberships: await countRows(url, "memberships"), stories: await countRows(url, "stories"), shares: await countRows(url, "shares"), clicks: await countRows(url, "click_events") };
    expect(counts.organizations).toBe(1);
    expect(counts.shares).toBeGreaterThan(0);
    expect(counts.clicks).toBeGreaterThan(0);
    expect(counts.memberships).toBeGreaterThan(0);
    expect(counts.stories).toBeGreaterThan(0);

    const second = await ripple(["seed"], { DATABASE_URL: url });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already exists; nothing changed/);
    expect({ organizations: await countRows(url, "organizations"), memberships: await countRows(url, "memberships"), stories: await countRows(url, "stories"), shares: await countRows(url, "shares"), clicks: await countRows(url, "click_events") }).toEqual(counts);
  });

  it("creates an organisation, audited as the CLI, and refuses a duplicate slug without changing it", async () => {
    const slug = uniqueSlug("cli");
    const first = await ripple(["org:create", "--name", "Havn og By A/S", "--slug", slug]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(slug);
    const [org] = await db().select().from(organizations).where(eq(organizations.slug, slug));
    expect(org).toMatchObject({ name: "Havn og By A/S", isDemo: false });
    const [entry] = await db().select().from(auditLog).where(and(eq(auditLog.orgId, org!.id), eq(auditLog.action, "org.create")));
    expect(entry).toMatchObject({ actorKind: "cli", actorUserId: null });

    const duplicate = await ripple(["org:create", "--name", "Someone Else", "--slug", slug]);
    expect(duplicate.code).not.toBe(0);
    expect(duplicate.stderr).toContain(`"${slug}" already exists`);
    expect(duplicate.stderr).not.toMatch(/^\s+at /m);
    const rows = await db().select({ id: organizations.id, name: organizations.name }).from(organizations).where(eq(organizations.slug, slug));
    expect(rows).toEqual([{ id: org!.id, name: "Havn og By A/S" }]);
  });

  it("refuses an invalid slug with a message naming it", async () => {
    const result = await ripple(["org:create", "--name", "Bad Slug", "--slug", "Not A Slug"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/slug/);
    expect(await db().select().from(organizations).where(eq(organizations.name, "Bad Slug"))).toEqual([]);
  });

  it("adds an active member, and refuses unknown roles with exit 64 naming --roles", async () => {
    const slug = uniqueSlug("cli");
    expect((await ripple(["org:create", "--name", "Roller ApS", "--slug", slug])).code).toBe(0);
    const email = uniqueEmail("cli");

    const bad = await ripple(["user:create", "--email", email, "--org", slug, "--roles", "admin,boss"]);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain("--roles");
    expect(await db().select().from(users).where(eq(users.email, email))).toEqual([]);

    const empty = await ripple(["user:create", "--email", email, "--org", slug, "--roles", ","]);
    expect(empty.code).toBe(64);
    expect(empty.stderr).toContain("--roles");

    const good = await ripple(["user:create", "--email", email.toUpperCase(), "--org", slug, "--roles", "employee, admin", "--name", "Ole Olsen"]);
    expect(good.code).toBe(0);
    const [row] = await db()
      .select({ roles: memberships.roles, status: memberships.status, name: users.name })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .innerJoin(organizations, eq(organizations.id, memberships.orgId))
      .where(and(eq(users.email, email), eq(organizations.slug, slug)));
    expect(row).toEqual({ roles: ["admin", "employee"], status: "active", name: "Ole Olsen" });
  });

  it("says which option is missing and which organisation is unknown, with exit 64", async () => {
    const missing = await ripple(["user:create", "--email", uniqueEmail(), "--roles", "employee"]);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain("--org");

    const unknownOrg = await ripple(["user:create", "--email", uniqueEmail(), "--org", uniqueSlug("nowhere"), "--roles", "employee"]);
    expect(unknownOrg.code).toBe(64);
    expect(unknownOrg.stderr).toMatch(/No organisation with the slug/);

    const unknownOption = await ripple(["org:create", "--name", "X", "--slug", uniqueSlug(), "--colour", "blue"]);
    expect(unknownOption.code).toBe(64);
    expect(unknownOption.stderr).toContain("--colour");
  });

  it("creates an API token, printed on the last line, that verifies and is stored only as a hash", async () => {
    const slug = uniqueSlug("cli");
    const email = uniqueEmail("integrator");
    expect((await ripple(["org:create", "--name", "Token ApS", "--slug", slug])).code).toBe(0);
    expect((await ripple(["user:create", "--email", email, "--org", slug, "--roles", "editor"])).code).toBe(0);

    const result = await ripple(["token:create", "--email", email, "--org", slug, "--name", "CMS"]);
    expect(result.code).toBe(0);
    const token = lines(result.stdout).at(-1)!;
    expect(token).toMatch(/^rpl_[0-9A-Za-z]{40}$/);
    expect(result.stderr).not.toContain(token);

    const identity = await verifyApiToken(db(), token);
    const [org] = await db().select().from(organizations).where(eq(organizations.slug, slug));
    const [user] = await db().select().from(users).where(eq(users.email, email));
    expect(identity).toMatchObject({ orgId: org!.id, userId: user!.id, roles: ["editor"] });

    const rows = await db().select().from(apiTokens).where(eq(apiTokens.orgId, org!.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(sha256Hex(token));
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));
    const audit = JSON.stringify(await db().select().from(auditLog).where(eq(auditLog.orgId, org!.id)));
    expect(audit).toContain("api_token.create");
    expect(audit).not.toContain(token.slice(4));
  });

  it("token:create honours --days up to a year and refuses more; token:list shows the organisation's tokens; token:revoke stops one", async () => {
    // The organisations and the member are made directly: the commands under test are the token ones.
    const home = await makeOrganization("Liste ApS");
    const slug = home.org.slug;
    const { user } = await makeMember(home.cli, ["employee"]);
    const email = user.email;
    const other = await makeOrganization("Anden ApS");
    const otherSlug = other.org.slug;
    await makeMember(other.cli, ["employee"], { email });

    const tooLong = await ripple(["token:create", "--email", email, "--org", slug, "--name", "x", "--days", "366"]);
    expect(tooLong.code).toBe(64);
    expect(tooLong.stderr).toContain("--days");

    const before = Date.now();
    const standard = await ripple(["token:create", "--email", email, "--org", slug, "--name", "Standard"]);
    const short = await ripple(["token:create", "--email", email, "--org", slug, "--name", "Kort", "--days", "7"]);
    const elsewhere = await ripple(["token:create", "--email", email, "--org", otherSlug, "--name", "Elsewhere"]);
    for (const run of [standard, short, elsewhere]) expect(run.code, run.stderr).toBe(0);
    const [org] = await db().select().from(organizations).where(eq(organizations.slug, slug));
    const rows = await db().select().from(apiTokens).where(eq(apiTokens.orgId, org!.id));
    expect(rows).toHaveLength(2);
    const days = (name: string) => Math.round((rows.find((r) => r.name === name)!.expiresAt!.getTime() - before) / 86_400_000);
    expect(days("Standard")).toBe(90);
    expect(days("Kort")).toBe(7);

    const listed = await ripple(["token:list", "--org", slug]);
    expect(listed.code).toBe(0);
    const table = lines(listed.stdout);
    expect(table[0]).toMatch(/^prefix\s+name\s+owner\s+created\s+last used\s+expires\s+status$/);
    expect(table).toHaveLength(3);
    const shortToken = lines(short.stdout).at(-1)!;
    const shortLine = table.find((l) => l.startsWith(shortToken.slice(0, 10)))!;
    expect(shortLine).toContain("Kort");
    expect(shortLine).toContain(email);
    expect(shortLine).toMatch(/active$/);
    expect(listed.stdout).not.toContain("Elsewhere");
    expect(listed.stdout).not.toContain(shortToken.slice(10));

    const unknown = await ripple(["token:revoke", "--org", slug, "--prefix", lines(elsewhere.stdout).at(-1)!.slice(0, 10)]);
    expect(unknown.code).toBe(65);
    expect(await verifyApiToken(db(), lines(elsewhere.stdout).at(-1)!)).not.toBeNull();

    expect(await verifyApiToken(db(), shortToken)).not.toBeNull();
    const revoked = await ripple(["token:revoke", "--org", slug, "--prefix", shortToken.slice(0, 10)]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain("Revoked");
    expect(await verifyApiToken(db(), shortToken)).toBeNull();
    const audit = await db().select().from(auditLog).where(and(eq(auditLog.orgId, org!.id), eq(auditLog.action, "api_token.revoke")));
    expect(audit).toMatchObject([{ actorKind: "cli" }]);

    const byId = await ripple(["token:revoke", "--org", slug, "--id", rows.find((r) => r.name === "Standard")!.id]);
    expect(byId.code, byId.stderr).toBe(0);
    expect(await verifyApiToken(db(), lines(standard.stdout).at(-1)!)).toBeNull();

    const neither = await ripple(["token:revoke", "--org", slug]);
    expect(neither.code).toBe(64);
  });

  it("refuses a token for someone who is not a member, creating nothing", async () => {
    const slug = uniqueSlug("cli");
    expect((await ripple(["org:create", "--name", "Ingen ApS", "--slug", slug])).code).toBe(0);
    const unknown = await ripple(["token:create", "--email", uniqueEmail(), "--org", slug, "--name", "x"]);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/No user with the email/);
    const [org] = await db().select().from(organizations).where(eq(organizations.slug, slug));
    expect(await db().select({ n: count() }).from(apiTokens).where(eq(apiTokens.orgId, org!.id))).toEqual([{ n: 0 }]);
  });

  it("answers an unknown command with the usage and exit 64", async () => {
    const result = await ripple(["frobnicate"]);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('Unknown command "frobnicate"');
    expect(result.stderr).toContain("Usage: npm run ripple");
    for (const command of ["migrate", "seed", "org:create", "user:create", "token:create", "token:list", "token:revoke"]) expect(result.stderr).toContain(command);
  });

  it("prints the usage on help, exit 0", async () => {
    const result = await ripple(["help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: npm run ripple");
  });

  it("names DATABASE_URL when it is missing, with exit 78 and no stack trace", async () => {
    const result = await ripple(["migrate"], { DATABASE_URL: undefined });
    expect(result.code).toBe(78);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain("DATABASE_URL");
  });
});

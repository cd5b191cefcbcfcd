import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { projectRoot, stopProcess, waitForHttp } from "../support/processes";
import { clearRedisPrefix } from "../support/test-env";

const run = promisify(execFile);

/**
 * The production runtime (issue 17, item 7): what a container holds is the build output and
 * the production dependencies, nothing else. This copies exactly what the Containerfile's
 * final stage copies — dist/ (the server roles `npm run build` compiles), .next without its
 * cache, public/, next.config.js, db/migrations, package.json — installs the dependencies
 * with `npm ci --omit=dev` (no tsx, no TypeScript), makes the directory read-only and starts
 * every role as a non-root user with plain node: the web answers /api/health, the
 * redirector /healthz, the workers keep running, and the CLI migrates.
 */

test.describe.configure({ mode: "serial" });
test.setTimeout(600_000);

const WEB_PORT = 3220;
const REDIRECTOR_PORT = 3221;
let bundle: string;
let prefix: string | undefined;
const children: ChildProcess[] = [];

function startRole(dir: string, role: string, env: Record<string, string>): ChildProcess {
  const asUser = process.getuid?.() === 0;
  const command = asUser ? "runuser" : process.execPath;
  const args = [...(asUser ? ["-u", "nobody", "--", process.execPath] : []), path.join(dir, "dist", `${role}.js`)];
  const child = spawn(command, args, { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: os.tmpdir(), NODE_ENV: "production", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (chunk: Buffer) => process.stdout.write(`[prod ${role}] ${chunk}`));
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[prod ${role}] ${chunk}`));
  children.push(child);
  return child;
}

test.beforeAll(async () => {
  if (!existsSync(path.join(projectRoot, "dist", "web.js"))) throw new Error("No server build: run `npm run build` (it compiles dist/) before this test.");
  bundle = mkdtempSync(path.join(os.tmpdir(), "ripple-prod-"));
  // What the Containerfile's final stage copies from the build (its node_modules come from
  // `npm ci --omit=dev`, done here too, with the lockfile); .next without the build cache.
  const containerfile = readFileSync(path.join(projectRoot, "Containerfile"), "utf8");
  const copied = [...containerfile.matchAll(/^COPY --from=build \/app\/(\S+) /gm)].map((m) => m[1]!);
  expect(copied).toContain("dist");
  for (const entry of [...copied, "package-lock.json"]) {
    cpSync(path.join(projectRoot, entry), path.join(bundle, entry), { recursive: true, filter: (source) => !source.startsWith(path.join(projectRoot, ".next", "cache")) });
  }
  await run("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: bundle, maxBuffer: 64 * 1024 * 1024, timeout: 480_000 });
  // Read-only for everyone: nothing at run time may write into the application's directory.
  for (const dir of [bundle]) {
    const walk = (p: string) => {
      const stat = statSync(p);
      if (stat.isDirectory()) for (const entry of readdirSync(p)) walk(path.join(p, entry));
      chmodSync(p, stat.isDirectory() ? 0o555 : 0o444 | (stat.mode & 0o111));
    };
    walk(dir);
  }
});

test.afterAll(async () => {
  await Promise.all(children.map((child) => stopProcess(child, 10_000)));
  if (prefix) await clearRedisPrefix(process.env.E2E_REDIS_URL!, prefix);
  if (bundle) {
    const walk = (p: string) => {
      chmodSync(p, 0o755);
      if (statSync(p).isDirectory()) for (const entry of readdirSync(p)) walk(path.join(p, entry));
    };
    walk(bundle);
    rmSync(bundle, { recursive: true, force: true });
  }
});

test("every role runs with plain node on the build output, devDependencies absent, as a non-root user from a read-only directory", async () => {
  // No TypeScript runner and no build or test tools (typescript and @playwright/test come
  // along as peers of production dependencies, valibot's and Next's; nothing runs them).
  for (const dev of ["tsx", "esbuild", "drizzle-kit", "vitest", "eslint"]) expect(existsSync(path.join(bundle, "node_modules", dev)), dev).toBe(false);

  const env = JSON.parse(process.env.E2E_APP_ENV!) as Record<string, string>;
  // Queues of their own: these roles must not take the e2e run's jobs.
  const common = { ...env, NODE_ENV: "production" as const, LOG_LEVEL: "warn", QUEUE_PREFIX: `ripple-prod-${Date.now().toString(36)}` };
  prefix = common.QUEUE_PREFIX;

  const web = startRole(bundle, "web", { ...common, PORT: String(WEB_PORT), APP_URL: `http://localhost:${WEB_PORT}`, RIPPLE_PROCESS: "web" });
  await waitForHttp(`http://localhost:${WEB_PORT}/api/health`, 120_000, (status) => status === 200);
  const health = (await (await fetch(`http://localhost:${WEB_PORT}/api/health`)).json()) as { status: string; postgres: { ok: boolean } };
  expect(health).toMatchObject({ status: "ok", postgres: { ok: true } });
  expect((await fetch(`http://localhost:${WEB_PORT}/signin`)).status).toBe(200);
  expect(web.exitCode).toBeNull();

  startRole(bundle, "redirector", { ...common, REDIRECTOR_PORT: String(REDIRECTOR_PORT), HOST: "127.0.0.1", RIPPLE_PROCESS: "redirector" });
  await waitForHttp(`http://127.0.0.1:${REDIRECTOR_PORT}/healthz`, 60_000, (status) => status === 200);

  const workers = startRole(bundle, "workers", { ...common, RIPPLE_PROCESS: "workers" });
  await new Promise((resolve) => setTimeout(resolve, 8_000));
  expect(workers.exitCode).toBeNull();

  const asUser = process.getuid?.() === 0;
  const cli = await run(asUser ? "runuser" : process.execPath, [...(asUser ? ["-u", "nobody", "--", process.execPath] : []), path.join(bundle, "dist", "cli.js"), "migrate"], {
    cwd: bundle,
    env: { PATH: process.env.PATH ?? "", ...common },
  });
  expect(cli.stdout).toContain("Database is up to date.");
});

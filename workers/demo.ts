import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { demoUsers } from "@/db/seed";
import { startEmbeddedPostgres } from "./embedded/postgres";
import { canListen, commandLine, exitDescription, isRunning, stopChild, withDeathSignal } from "./embedded/process";
import { findRedisServer, redisInstallHint, startEmbeddedRedis } from "./embedded/redis";
import { loadDemoSecrets, vapidPublicKeyFor } from "./embedded/secrets";

/**
 * `npm run demo`: Ripple on one machine with nothing configured. Children run in their own
 * process groups with a death signal, so Ctrl-C stops the apps before the services and a
 * SIGKILLed launcher leaves nothing running (docs/design-notes.md, "The demo launcher").
 */

const root = path.resolve(__dirname, "..");
const dataDir = path.join(root, ".data");
const lockFile = path.join(dataDir, "demo.pid");
const tsxCli = require.resolve("tsx/cli");
const nextCli = require.resolve("next/dist/bin/next");

/** Sources of the production build: when one is newer than .next/BUILD_ID, the demo rebuilds. */
const buildInputs = [
  "app", "components", "lib", "db", "messages", "public", "i18n",
  "next.config.js", "next.config.mjs", "next.config.ts", "postcss.config.mjs", "package.json", "package-lock.json", "tsconfig.json", "proxy.ts", "instrumentation.ts",
];

type Running = { name: string; stop: () => Promise<void> };

/** What has been started, stopped in reverse order. */
const running: Running[] = [];
/** A service being started: a shutdown waits for it, then stops it too. */
let starting: Promise<unknown> = Promise.resolve();
let stopping = false;
let lockClaimed = false;

function say(line: string) {
  process.stdout.write(`${line}\n`);
}

/** Never settles: once a shutdown has begun, the start-up sequence goes no further. */
function halted(): Promise<never> {
  return new Promise(() => {});
}

async function proceed<T>(work: Promise<T>): Promise<T> {
  const value = await work;
  if (stopping) return halted();
  return value;
}

async function shutdown(code: number, message?: string): Promise<void> {
  if (stopping) return; // Ctrl-C may arrive twice: from the terminal and relayed by tsx
  stopping = true;
  if (message) process.stderr.write(`${message}\n`);
  await starting.catch(() => {});
  if (running.length > 0) say("Stopping…");
  for (const item of [...running].reverse()) {
    try {
      await item.stop();
    } catch (error) {
      process.stderr.write(`Stopping ${item.name} failed: ${(error as Error).message}\n`);
      code ||= 1;
    }
  }
  if (lockClaimed) fs.rmSync(lockFile, { force: true });
  if (running.length > 0) say("Stopped.");
  process.exit(code);
}

/** Stops everything else when a process that should keep running ends. */
function watch(name: string, exited: Promise<string>) {
  void exited.then((how) => {
    if (!stopping) void shutdown(1, `${name} stopped unexpectedly (${how}); stopping everything else.`);
  });
}

/** Refuses to share .data/ with a demo still running from this directory. */
function claimDataDir() {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const other = Number(fs.existsSync(lockFile) ? fs.readFileSync(lockFile, "utf8").trim() : 0);
  if (other !== process.pid && isRunning(other) && commandLine(other)?.includes("demo.ts")) {
    throw new Error(`Another \`npm run demo\` (pid ${other}) is running from ${root}: stop it first.`);
  }
  fs.writeFileSync(lockFile, `${process.pid}\n`);
  lockClaimed = true;
}

function webPort(): number {
  const port = Number(process.env.PORT || 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`PORT must be a port number, not "${process.env.PORT}".`);
  return port;
}

async function startDatabase(password: string): Promise<string> {
  const pg = await startEmbeddedPostgres({
    dataDir,
    password,
    database: "ripple",
    port: 54329,
    onProblem: (line) => process.stderr.write(`[postgres] ${line}\n`),
    onInfo: say,
  });
  running.push({ name: "PostgreSQL", stop: pg.stop });
  watch("PostgreSQL", pg.exited);
  const data = path.join(pg.home, "data");
  const where = data.startsWith(`${dataDir}${path.sep}`) ? path.relative(root, data) : `${data} (user postgres cannot enter ${root}; .data/postgres links there)`;
  say(`PostgreSQL on 127.0.0.1:${pg.port}, data in ${where}, log in .data/postgres.log`);
  return pg.url;
}

async function startRedis(executable: string): Promise<string> {
  const redis = await startEmbeddedRedis({ executable, dataDir, port: 63799 });
  running.push({ name: "Redis", stop: redis.stop });
  watch("Redis", redis.exited);
  say(`Redis on ${redis.url.replace("redis://", "")}, log in .data/redis.log`);
  return redis.url;
}

/** Spawns node with `args` in a process group of its own, taken down with this process. */
function spawnNode(args: string[], env: NodeJS.ProcessEnv, stdio: "inherit" | "pipe"): ChildProcess {
  const [file, argv] = withDeathSignal("SIGTERM", process.execPath, args);
  return spawn(file, argv, { cwd: root, env, stdio: ["ignore", stdio, stdio], detached: true });
}

/** A command that must succeed before the next step: its output goes straight to the terminal. */
async function step(title: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  say(`${title}…`);
  const child = spawnNode(args, env, "inherit");
  const exited = exitDescription(child);
  const entry: Running = { name: title, stop: () => stopChild(child, exited, [["SIGTERM", 10_000], ["SIGKILL", 5_000]]) };
  running.push(entry);
  const how = await proceed(exited);
  running.splice(running.indexOf(entry), 1);
  if (how !== "exit code 0") throw new Error(`${title} failed (${how}).`);
}

/** The web or the workers: output tagged with the name, stopped with SIGTERM, and after 35 s with SIGKILL to its whole group. */
function startApp(name: string, script: string, env: NodeJS.ProcessEnv): Running {
  const child = spawnNode([tsxCli, script], { ...env, RIPPLE_PROCESS: name }, "pipe");
  const exited = exitDescription(child);
  for (const [input, output] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
    if (input) readline.createInterface({ input }).on("line", (line) => output.write(`[${name}] ${line}\n`));
  }
  watch(name, exited);
  return {
    name,
    stop: async () => {
      await stopChild(child, exited, [["SIGTERM", 35_000]]);
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL"); // what is left of its group, such as the script under tsx's launcher
      } catch {
        // the group is gone
      }
      await exited;
    },
  };
}

/** Whether anything under `file` (a file or a directory tree) changed after `since`. */
function changedSince(file: string, since: number): boolean {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return false;
  if (stat.mtimeMs > since) return true;
  if (!stat.isDirectory()) return false;
  return fs.readdirSync(file).some((entry) => entry !== "node_modules" && changedSince(path.join(file, entry), since));
}

function buildNeeded(): boolean {
  const built = fs.statSync(path.join(root, ".next", "BUILD_ID"), { throwIfNoEntry: false });
  return !built || buildInputs.some((input) => changedSince(path.join(root, input), built.mtimeMs));
}

/** Any HTTP answer counts: the point is that the web server (workers/web.ts) is serving. */
async function waitForWeb(port: number) {
  const url = `http://localhost:${port}/api/health`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await response.body?.cancel();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`The web app did not answer on http://localhost:${port} within 60 s (see the [web] lines above).`);
    }
    await proceed(new Promise((resolve) => setTimeout(resolve, 250)));
  }
}

/** The demo people by role: the sign-in page offers one button per role. */
function printBanner(appUrl: string) {
  say("");
  say(`Ripple is running: ${appUrl}`);
  say('Sign in with a button under "Demo sign-in" on the sign-in page (no password). The demo people by role:');
  for (const role of ["admin", "editor", "manager", "employee"] as const) {
    const names = demoUsers.filter((user) => user.roles.includes(role)).map((user) => user.name);
    const more = names.length > 3 ? ` and ${names.length - 3} more` : "";
    if (names.length > 0) say(`  ${`${role}:`.padEnd(10)} ${names.slice(0, 3).join(", ")}${more}`);
  }
  say("Press Ctrl-C to stop.");
  say("");
}

async function main() {
  claimDataDir();
  const port = webPort();
  if (!(await canListen(port))) throw new Error(`Port ${port} is in use: stop what uses it, or choose another port (PORT=${port + 1} npm run demo).`);
  const redisServer = process.env.REDIS_URL ? undefined : findRedisServer();
  if (!process.env.REDIS_URL && !redisServer) throw new Error(redisInstallHint);
  const secrets = loadDemoSecrets(path.join(dataDir, "secrets.json"));

  const databaseUrl = process.env.DATABASE_URL || (await proceed((starting = startDatabase(secrets.POSTGRES_PASSWORD))));
  const redisUrl = process.env.REDIS_URL || (await proceed((starting = startRedis(redisServer!))));
  const appUrl = process.env.APP_URL || `http://localhost:${port}`; // localhost, not 127.0.0.1: Auth.js builds its URLs on it
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    AUTH_SECRET: process.env.AUTH_SECRET || secrets.AUTH_SECRET,
    TOKEN_ENCRYPTION_KEY: process.env.TOKEN_ENCRYPTION_KEY || secrets.TOKEN_ENCRYPTION_KEY,
    // Push notifications on, with a key pair made for this data directory (or your own pair).
    ...(process.env.VAPID_PUBLIC_KEY && process.env.VAPID_PRIVATE_KEY
      ? {}
      : { VAPID_PRIVATE_KEY: secrets.VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY: vapidPublicKeyFor(secrets.VAPID_PRIVATE_KEY) }),
    APP_URL: appUrl,
    PORT: String(port),
    // The demo sign-in needs no password: serve it to this machine only, unless asked.
    HOST: process.env.HOST || "127.0.0.1",
    AUTH_TRUST_HOST: "true",
    DEMO_MODE: "true",
    NEXT_TELEMETRY_DISABLED: "1",
  };

  await step("Migrating the database", [tsxCli, "workers/cli.ts", "migrate"], env);
  await step("Seeding the demo organisation", [tsxCli, "workers/cli.ts", "seed"], env);
  if (buildNeeded()) await step("Building the app", [nextCli, "build"], env);

  say("Starting the web and the workers…");
  const web = startApp("web", "workers/web.ts", env);
  const workers = startApp("workers", "workers/index.ts", env);
  running.push({ name: "the web and the workers", stop: async () => void (await Promise.all([web.stop(), workers.stop()])) });
  await proceed(waitForWeb(port));
  printBanner(appUrl);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown(0));

// When the process that ran this one (tsx, npm) is killed, stop as if by Ctrl-C rather than run on orphaned.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown(1, "The process that started the demo went away.");
}, 1_000).unref();

main().catch((error: unknown) => {
  if (stopping) return; // the shutdown cut a step short
  // Our own errors and system errors explain themselves; a stack only helps with a bug.
  const text = error instanceof Error && error.constructor === Error ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  void shutdown(1, text);
});

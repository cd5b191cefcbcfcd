import { execFileSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/** Process and port helpers shared by the embedded PostgreSQL and Redis of `npm run demo`. */

const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((file) => fs.existsSync(file));

/**
 * Runs `command` under util-linux's setpriv so that the kernel sends it `signal` when
 * this process dies, whatever the cause; without setpriv (not Linux) it runs as is.
 */
export function withDeathSignal(signal: NodeJS.Signals, command: string, args: string[]): [string, string[]] {
  return setpriv ? [setpriv, ["--pdeathsig", signal, "--", command, ...args]] : [command, args];
}

/** `name` on PATH or in the usual system directories. */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/local/bin", "/usr/bin", "/usr/sbin", "/bin", "/sbin"];
  for (const dir of dirs) {
    const file = path.join(dir || ".", name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether a listener could be opened on `port` (on every interface when no host is given). */
export function canListen(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The first port from `from` that is free on 127.0.0.1. */
export async function firstFreePort(from: number): Promise<number> {
  for (let port = from; port < from + 100 && port <= 65_535; port++) if (await canListen(port, "127.0.0.1")) return port;
  throw new Error(`No free port on 127.0.0.1 between ${from} and ${from + 99}.`);
}

/** Whether `pid` is a live process (a zombie, exited but not reaped, is not). */
export function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.charAt(stat.lastIndexOf(")") + 2);
    return state !== "Z" && state !== "X";
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM";
    }
  }
}

/** The command line of a process (from /proc, else ps), to tell our servers from a reused pid. */
export function commandLine(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    try {
      return execFileSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

/** Sends `signal` to a process that is not our child and polls until it is gone; false on timeout. */
export async function signalAndWait(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch {
    return !isRunning(pid);
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isRunning(pid);
}

/** Settles when the child ends: "exit code N" or "signal S" (or the spawn error). */
export function exitDescription(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once("error", (error) => resolve(`could not start: ${error.message}`));
    child.once("exit", (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
  });
}

/** Tries each signal in turn until the child has exited, waiting up to its time. */
export async function stopChild(child: ChildProcess, exited: Promise<string>, steps: [NodeJS.Signals, number][]): Promise<void> {
  for (const [signal, waitMs] of steps) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), waitMs)))]);
    clearTimeout(timer);
    if (!timedOut) return;
  }
}

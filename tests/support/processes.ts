import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export const projectRoot = path.resolve(__dirname, "..", "..");

/**
 * Starts a TypeScript entry point of the project (workers/*.ts) with tsx, output prefixed.
 * One process (node --import tsx), not tsx's launcher with the script in a child of its
 * own: a signal to the returned process, SIGKILL included, reaches the script itself.
 * PROFILE_DIR set (a bench run): each process writes a V8 CPU profile there when it exits
 * (node refuses --cpu-prof in NODE_OPTIONS, so it is passed here).
 */
export function startScript(script: string, env: Record<string, string>, tag: string): ChildProcess {
  const profile = process.env.PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", script], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const forward = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) =>
    stream.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line.trim()) out.write(`[${tag}] ${line}\n`);
    });
  if (child.stdout) forward(child.stdout, process.stdout);
  if (child.stderr) forward(child.stderr, process.stderr);
  return child;
}

/** Runs a script to its end (a start-up that should refuse): its exit code and what it wrote to stderr. An env value undefined removes the variable. */
export function runScript(script: string, env: Record<string, string | undefined>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(process.env.PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.PROFILE_DIR}`] : []), "--import", "tsx", script], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

/** SIGTERM, then SIGKILL if the process is still there after the grace period. */
export async function stopProcess(child: ChildProcess, graceMs = 35_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill("SIGTERM");
  });
}

/** Polls a URL until it answers (any status) or the time is up. */
export async function waitForHttp(url: string, timeoutMs = 60_000, accept: (status: number) => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (accept(response.status)) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up within ${timeoutMs} ms (${last})`);
}

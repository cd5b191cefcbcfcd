import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { commandLine, exitDescription, findExecutable, firstFreePort, isRunning, signalAndWait, stopChild, withDeathSignal } from "./process";

/**
 * A private Redis for `npm run demo`. No npm package ships a Redis that runs everywhere,
 * so this starts the system's `redis-server` on a port of its own, without persistence
 * (the queues of a demo may be lost), logging to `.data/redis.log`.
 */

export const redisInstallHint = "Redis is needed: install it with `sudo apt-get install -y redis-server` or set REDIS_URL=redis://host:6379";

export type EmbeddedRedis = {
  url: string;
  /** Settles, with a description, when the server process ends for whatever reason. */
  exited: Promise<string>;
  stop(): Promise<void>;
};

export function findRedisServer(): string | undefined {
  return findExecutable("redis-server");
}

export async function startEmbeddedRedis(options: { executable: string; dataDir: string; port: number }): Promise<EmbeddedRedis> {
  const dir = path.join(options.dataDir, "redis");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pidFile = path.join(dir, "redis.pid");
  await stopStaleServer(pidFile);

  const port = await firstFreePort(options.port);
  const logFile = path.join(options.dataDir, "redis.log");
  const log = fs.openSync(logFile, "a", 0o600);
  const [file, args] = withDeathSignal("SIGTERM", options.executable, [
    "--port", String(port),
    "--bind", "127.0.0.1",
    "--save", "",
    "--appendonly", "no",
    "--dir", dir,
    "--daemonize", "no",
  ]);
  // Its own process group, so that Ctrl-C reaches only the launcher, which stops Redis last.
  const child = spawn(file, args, { cwd: dir, stdio: ["ignore", log, log], detached: true });
  fs.closeSync(log);
  const exited = exitDescription(child);
  if (child.pid) fs.writeFileSync(pidFile, String(child.pid), { mode: 0o600 });
  const stop = async () => {
    await stopChild(child, exited, [["SIGTERM", 10_000], ["SIGKILL", 5_000]]);
    fs.rmSync(pidFile, { force: true });
  };

  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    const ended = await Promise.race([exited, new Promise<undefined>((resolve) => setTimeout(resolve, 100))]);
    if (ended || Date.now() > deadline) {
      await stop();
      const tail = fs.readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-10).join("\n");
      throw new Error(`redis-server ${ended ? `stopped (${ended})` : "did not answer within 10 s"}:\n${tail}`);
    }
  }
  return { url: `redis://127.0.0.1:${port}`, exited, stop };
}

/** Stops a redis-server that a run killed with SIGKILL left running (when the death signal could not be used). */
async function stopStaleServer(pidFile: string) {
  const pid = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, "utf8").trim() : 0);
  if (isRunning(pid) && commandLine(pid)?.includes("redis-server")) {
    if (!(await signalAndWait(pid, "SIGTERM", 10_000))) await signalAndWait(pid, "SIGKILL", 5_000);
  }
  fs.rmSync(pidFile, { force: true });
}

async function answersPing(port: number): Promise<boolean> {
  const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

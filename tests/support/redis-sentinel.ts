import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";

/**
 * A Redis Sentinel set on private ports for the failover tests: one master, one replica and
 * three Sentinels watching them under the name "ripple" (quorum 2, a master down after one
 * second). `killMaster` kills the current master's process (SIGKILL): the Sentinels promote
 * the replica; `masterPort` asks them which one is master now.
 */
export type SentinelSet = {
  name: string;
  /** For REDIS_SENTINELS. */
  sentinels: string;
  masterPort(): Promise<number>;
  killMaster(): Promise<number>;
  /** Resolves once the Sentinels name a master other than `oldPort`. */
  failedOver(oldPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
};

const NAME = "ripple";

async function waitForPing(port: number, timeoutMs = 10_000) {
  const started = Date.now();
  for (;;) {
    const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on("error", () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === "PONG") return;
    } catch {
      // not yet
    } finally {
      client.disconnect();
    }
    if (Date.now() - started > timeoutMs) throw new Error(`redis on port ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Below the ephemeral ports (32768 and up), which a client's own end of a connection may hold.
export async function startSentinelSet(basePort = 23_000 + Math.floor(Math.random() * 150) * 10): Promise<SentinelSet> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ripple-sentinel-"));
  const processes = new Map<number, ChildProcess>();
  const start = (port: number, args: string[]) => {
    const child = spawn("redis-server", args, { stdio: "ignore" });
    processes.set(port, child);
    return child;
  };
  const [masterPort, replicaPort] = [basePort, basePort + 1];
  const common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir];
  start(masterPort, ["--port", String(masterPort), ...common]);
  await waitForPing(masterPort);
  start(replicaPort, ["--port", String(replicaPort), "--replicaof", "127.0.0.1", String(masterPort), ...common]);
  await waitForPing(replicaPort);
  const sentinelPorts = [basePort + 2, basePort + 3, basePort + 4];
  for (const port of sentinelPorts) {
    const file = path.join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      file,
      [
        `port ${port}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor ${NAME} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${NAME} 1000`,
        `sentinel failover-timeout ${NAME} 5000`,
        `sentinel parallel-syncs ${NAME} 1`,
        "",
      ].join("\n"),
    );
    start(port, [file, "--sentinel"]);
    await waitForPing(port);
  }

  const askSentinel = async (): Promise<number> => {
    for (const port of sentinelPorts) {
      const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on("error", () => undefined);
      try {
        await client.connect();
        const answer = (await client.call("SENTINEL", "get-master-addr-by-name", NAME)) as [string, string] | null;
        if (answer) return Number(answer[1]);
      } catch {
        // ask the next one
      } finally {
        client.disconnect();
      }
    }
    throw new Error("no Sentinel answered");
  };

  return {
    name: NAME,
    sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(","),
    masterPort: askSentinel,
    async killMaster() {
      const port = await askSentinel();
      processes.get(port)?.kill("SIGKILL");
      processes.delete(port);
      return port;
    },
    async failedOver(oldPort, timeoutMs = 30_000) {
      const started = Date.now();
      for (;;) {
        const port = await askSentinel().catch(() => oldPort);
        if (port !== oldPort) return port;
        if (Date.now() - started > timeoutMs) throw new Error("the Sentinels did not fail over in time");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async stop() {
      for (const child of processes.values()) child.kill("SIGKILL");
      processes.clear();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";

/**
 * A Redis Cluster on private ports for the scale-out tests: six redis-server processes in
 * cluster mode, made into three masters with a replica each by `redis-cli --cluster create`
 * (slots in thirds: 0–5460, 5461–10922, 10923–16383). A node is down for the cluster after
 * one second (cluster-node-timeout), when its replica takes over. `killMasterOf` kills the
 * master that holds a key's slot (SIGKILL); `failedOver` waits until another node serves the
 * slot; `restart` brings a killed node back (it rejoins as a replica of its successor).
 */
export type RedisClusterSet = {
  /** For REDIS_CLUSTER_NODES: every node, as an operator would list them. */
  nodes: string;
  ports: number[];
  /** The port of the master serving the slot of `key`. */
  masterOf(key: string): Promise<number>;
  killMasterOf(key: string): Promise<number>;
  failedOver(key: string, oldPort: number, timeoutMs?: number): Promise<number>;
  restart(port: number): Promise<void>;
  stop(): Promise<void>;
};

const calculateSlot = createRequire(import.meta.url)("cluster-key-slot") as (key: string) => number;

function client(port: number): Redis {
  const redis = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, connectTimeout: 1_000 });
  redis.on("error", () => undefined);
  return redis;
}

async function ask<T>(port: number, question: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = client(port);
  try {
    await redis.connect();
    return await question(redis);
  } finally {
    redis.disconnect();
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type ClusterNode = { port: number; master: boolean; failed: boolean; slots: Array<[number, number]> };

/** CLUSTER NODES as one node sees it. */
async function clusterNodes(port: number): Promise<ClusterNode[]> {
  const text = await ask(port, (redis) => redis.call("CLUSTER", "NODES") as Promise<string>);
  return text
    .trim()
    .split("\n")
    .map((line) => {
      const [, address, flags, , , , , , ...slots] = line.split(" ");
      return {
        port: Number(/:(\d+)@/.exec(address!)![1]),
        master: flags!.includes("master"),
        failed: flags!.includes("fail"),
        slots: slots.filter((s) => /^\d/.test(s)).map((s) => {
          const [from, to] = s.split("-").map(Number);
          return [from!, to ?? from!] as [number, number];
        }),
      };
    });
}

// Below the ephemeral ports (32768 and up), as each node's cluster bus port is its port + 10000.
export async function startRedisCluster(basePort = 20_000 + Math.floor(Math.random() * 250) * 10): Promise<RedisClusterSet> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ripple-cluster-"));
  const ports = Array.from({ length: 6 }, (_, i) => basePort + i);
  const processes = new Map<number, ChildProcess>();
  const start = (port: number) => {
    const nodeDir = path.join(dir, String(port));
    mkdirSync(nodeDir, { recursive: true });
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
        // A replica takes over however long since it last heard its master; replicas sync without a file.
        "--cluster-replica-validity-factor", "0", "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0", "--save", "", "--appendonly", "no", "--dir", nodeDir],
      { stdio: "ignore" },
    );
    processes.set(port, child);
  };
  for (const port of ports) start(port);
  for (const port of ports) await waitFor(`redis on port ${port}`, () => ask(port, async (r) => ((await r.ping()) === "PONG" ? true : undefined)), 10_000);
  const made = spawnSync("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "1", "--cluster-yes"], { encoding: "utf8", timeout: 60_000 });
  if (made.status !== 0) throw new Error(`redis-cli --cluster create failed: ${made.stdout}${made.stderr}`);
  // Every node agrees the cluster is whole.
  for (const port of ports) {
    await waitFor("the cluster to be ready", () => ask(port, async (r) => (String(await r.call("CLUSTER", "INFO")).includes("cluster_state:ok") ? true : undefined)), 30_000);
  }

  // Every replica has its master's data (a replica that never synced will not take over).
  for (const port of ports) {
    await waitFor("the replicas to sync", () => ask(port, async (r) => {
      const info = await r.info("replication");
      return info.includes("role:master") || info.includes("master_link_status:up") ? true : undefined;
    }), 30_000);
  }

  const alive = () => ports.filter((port) => processes.has(port));
  const masterOf = async (key: string) => {
    const slot = calculateSlot(key);
    for (const port of alive()) {
      const nodes = await clusterNodes(port).catch(() => undefined);
      const owner = nodes?.find((n) => n.master && !n.failed && n.slots.some(([from, to]) => slot >= from && slot <= to));
      if (owner) return owner.port;
    }
    throw new Error(`no node serves slot ${slot}`);
  };

  return {
    nodes: ports.map((port) => `127.0.0.1:${port}`).join(","),
    ports,
    masterOf,
    async killMasterOf(key) {
      const port = await masterOf(key);
      processes.get(port)?.kill("SIGKILL");
      processes.delete(port);
      return port;
    },
    async failedOver(key, oldPort, timeoutMs = 30_000) {
      return waitFor(
        "the failover",
        async () => {
          const port = await masterOf(key);
          if (port === oldPort) return undefined;
          const info = String(await ask(port, (r) => r.call("CLUSTER", "INFO")));
          return info.includes("cluster_state:ok") ? port : undefined;
        },
        timeoutMs,
      );
    },
    async restart(port) {
      start(port);
      await waitFor(`redis on port ${port} again`, () => ask(port, async (r) => ((await r.ping()) === "PONG" ? true : undefined)), 10_000);
    },
    async stop() {
      for (const child of processes.values()) child.kill("SIGKILL");
      processes.clear();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

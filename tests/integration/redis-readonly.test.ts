import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeQueues, redis } from "@/lib/queue";
import { envOverride } from "../support/env-override";
import { startShareTaking } from "../support/share-takers";

/**
 * A primary demoted to a replica while Ripple stays connected to it (issue 17, item 3): what
 * a managed Redis does behind one address (a failover endpoint that moves to the new
 * primary, while connections already open stay with the old one). Here that address is a
 * TCP relay in front of two real redis-servers, A (primary) and B (its replica). The
 * failover promotes B, makes A a replica of B and points the relay's new connections at
 * B: the web's and the worker's open connections are still on A, whose writes now answer
 * READONLY. Ripple reconnects on READONLY (lib/queue createRedis, reconnectOnReadonly) and
 * sends the command again, so the shares made after the switch are queued at once on B,
 * and the worker takes every share exactly once.
 */

type Server = { port: number; child: ChildProcess };

const base = 24_600 + Math.floor(Math.random() * 150) * 4;
const dir = mkdtempSync(path.join(os.tmpdir(), "ripple-readonly-"));
const servers: Server[] = [];
let target = base;
const relay = net.createServer((client) => {
  const upstream = net.connect(target, "127.0.0.1");
  client.pipe(upstream).pipe(client);
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
});
const relayPort = base + 2;
const { set: setEnv, restore: restoreEnv } = envOverride();

function startServer(port: number, args: string[] = []): Server {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, ...args], { stdio: "ignore" });
  const server = { port, child };
  servers.push(server);
  return server;
}

async function admin<T>(port: number, ...command: [string, ...(string | number)[]]): Promise<T> {
  const client = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0, retryStrategy: (times) => (times > 50 ? null : 100) });
  client.on("error", () => undefined);
  try {
    return (await client.call(...command)) as T;
  } finally {
    client.disconnect();
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const role = async (port: number) => (await admin<[string]>(port, "ROLE"))[0];

beforeAll(async () => {
  startServer(base);
  startServer(base + 1, ["--replicaof", "127.0.0.1", String(base)]);
  await until("the replica to sync", async () => (await admin<string>(base + 1, "INFO", "replication")).includes("master_link_status:up"));
  await new Promise<void>((resolve) => relay.listen(relayPort, "127.0.0.1", resolve));
  await closeQueues();
  setEnv({ REDIS_URL: `redis://127.0.0.1:${relayPort}`, QUEUE_PREFIX: `ripple-readonly-${randomBytes(3).toString("hex")}` });
}, 60_000);

afterAll(async () => {
  await closeQueues();
  restoreEnv();
  await new Promise((resolve) => relay.close(resolve));
  for (const server of servers) server.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("Redis behind one address that fails over", () => {
  it("follows a primary demoted to a replica (READONLY): shares made after the switch are queued at once, and each is taken exactly once", async () => {
    const [a, b] = [base, base + 1];
    const scene = await startShareTaking("Kattegat Færger A/S");
    try {
      const first = [];
      for (let i = 0; i < 10; i++) first.push(await scene.shareFrom(i, 1));
      expect(first.every((share) => share.queued)).toBe(true);
      await scene.waitTaken(10);

      // The failover: B has everything A had (its replica), becomes primary, A becomes B's
      // replica, and new connections to the one address reach B. The open ones stay on A.
      await until("B to have A's writes", async () => (await admin<number>(a, "DBSIZE")) === (await admin<number>(b, "DBSIZE")));
      await admin(b, "REPLICAOF", "NO", "ONE");
      target = b;
      await admin(a, "REPLICAOF", "127.0.0.1", b);
      await until("A to be B's replica", async () => (await role(a)) === "slave");
      // The web's connection is still A's, and A refuses writes.
      expect(await redis().call("ROLE").then((answer) => (answer as [string])[0])).toBe("slave");
      await expect(admin(a, "SET", "ripple-readonly-probe", "1")).rejects.toThrow(/^READONLY/);

      const second = [];
      for (let i = 10; i < 20; i++) second.push(await scene.shareFrom(i, 2));
      // Not "saved, will be queued": the write that met READONLY was sent again to B.
      expect(second.map((share) => share.queued)).toEqual(Array(10).fill(true));
      expect(await redis().call("ROLE").then((answer) => (answer as [string])[0])).toBe("master");
      await scene.waitTaken(20);

      const ours = scene.ours();
      expect(ours).toHaveLength(20);
      expect(new Set(ours).size).toBe(20);
    } finally {
      await scene.close();
    }
  }, 120_000);
});

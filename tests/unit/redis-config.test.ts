import type { Cluster, Redis } from "ioredis";
import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "@/lib/log";
import { boundedErrorLog, createRedis, redisReplicas } from "@/lib/queue";

/**
 * How each process reaches Redis from its configuration (lib/queue/index.ts): the credentials
 * and TLS of a Sentinel set or a cluster, how many replicas a click waits for, and how little a
 * connection in trouble logs.
 */

const oneServer = { REDIS_URL: "redis://127.0.0.1:6379", REDIS_SENTINELS: undefined, REDIS_SENTINEL_NAME: undefined, REDIS_CLUSTER_NODES: undefined };
const sentinels = { ...oneServer, REDIS_URL: undefined, REDIS_SENTINELS: "127.0.0.1:1,127.0.0.1:2", REDIS_SENTINEL_NAME: "ripple" };
// Nothing listens on port 1: the clients below are inspected, never used.
const cluster = { ...oneServer, REDIS_URL: undefined, REDIS_CLUSTER_NODES: "127.0.0.1:1" };
const credentials = { REDIS_USERNAME: "ripple", REDIS_PASSWORD: "redis-secret", REDIS_SENTINEL_PASSWORD: "sentinel-secret", REDIS_TLS: "true" };

function configure(variables: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("Redis credentials and TLS (REDIS_USERNAME, REDIS_PASSWORD, REDIS_SENTINEL_PASSWORD, REDIS_TLS)", () => {
  it("reach the master and the Sentinels of a Sentinel set, each with its own password, over TLS", () => {
    configure({ ...sentinels, ...credentials });
    const client = createRedis("client", { lazyConnect: true }) as Redis;
    try {
      expect(client.options).toMatchObject({
        sentinels: [
          { host: "127.0.0.1", port: 1 },
          { host: "127.0.0.1", port: 2 },
        ],
        name: "ripple",
        username: "ripple",
        password: "redis-secret",
        sentinelPassword: "sentinel-secret",
        tls: {},
        sentinelTLS: {},
        enableTLSForSentinelMode: true,
      });
    } finally {
      client.disconnect();
    }
  });

  it("reach every node of a cluster, and no TLS or password is used where none is set", () => {
    configure({ ...cluster, ...credentials });
    const client = createRedis("worker") as Cluster;
    client.on("error", () => undefined);
    try {
      expect(client.options.redisOptions).toMatchObject({ username: "ripple", password: "redis-secret", tls: {}, maxRetriesPerRequest: null });
    } finally {
      client.disconnect();
    }
    configure({ ...cluster, REDIS_USERNAME: undefined, REDIS_PASSWORD: undefined, REDIS_SENTINEL_PASSWORD: undefined, REDIS_TLS: undefined });
    const plain = createRedis("worker") as Cluster;
    plain.on("error", () => undefined);
    try {
      expect(plain.options.redisOptions).not.toHaveProperty("password");
      expect(plain.options.redisOptions).not.toHaveProperty("tls");
    } finally {
      plain.disconnect();
    }
  });
});

describe("the replicas a click waits for (WAIT)", () => {
  it("is one with Sentinels or a cluster, which have replicas, and none with one server", () => {
    configure(oneServer);
    expect(redisReplicas()).toBe(0);
    configure(sentinels);
    expect(redisReplicas()).toBe(1);
    configure(cluster);
    expect(redisReplicas()).toBe(1);
  });
});

describe("a connection in trouble", () => {
  it("logs at most once every ten seconds, saying how many errors it left out", () => {
    vi.useFakeTimers({ now: new Date("2026-12-07T10:00:00Z") });
    const warn = vi.spyOn(log, "warn").mockImplementation(() => undefined);
    const onError = boundedErrorLog("redis connection error; reconnecting");
    for (let i = 0; i < 50; i++) {
      onError(new Error(`connect ECONNREFUSED (${i})`));
      vi.advanceTimersByTime(100);
    }
    // 50 errors over 5 s: the first is logged, the other 49 are counted.
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatchObject({ reason: "connect ECONNREFUSED (0)", leftOut: 0 });
    vi.advanceTimersByTime(5_000);
    onError(new Error("connect ECONNREFUSED (50)"));
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1]![0]).toMatchObject({ reason: "connect ECONNREFUSED (50)", leftOut: 49 });
    onError(new Error("connect ECONNREFUSED (51)"));
    expect(warn).toHaveBeenCalledTimes(2);
  });
});

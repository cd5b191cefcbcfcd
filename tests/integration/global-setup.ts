import type { TestProject } from "vitest/node";
import { createTestDatabase } from "../support/database";
import { startRedisCluster } from "../support/redis-cluster";
import { startSentinelSet } from "../support/redis-sentinel";
import { baseTestEnv, clearRedisPrefix } from "../support/test-env";

/**
 * One fresh database and one queue prefix for the whole integration run. The projects
 * integration-cluster and integration-sentinel (vitest.config.mts) run the publishing and
 * click tests again on a Redis Cluster or a Sentinel set started here: REDIS_URL is then
 * empty (not set) and the other form names the servers.
 */
export async function setupFor(project: TestProject, redisForm: "single" | "cluster" | "sentinel") {
  const env = baseTestEnv();
  const database = await createTestDatabase("it");
  const cluster = redisForm === "cluster" ? await startRedisCluster() : undefined;
  const sentinels = redisForm === "sentinel" ? await startSentinelSet() : undefined;
  const redis: Record<string, string> = cluster
    ? { REDIS_URL: "", REDIS_CLUSTER_NODES: cluster.nodes }
    : sentinels
      ? { REDIS_URL: "", REDIS_SENTINELS: sentinels.sentinels, REDIS_SENTINEL_NAME: sentinels.name }
      : {};
  const values: Record<string, string> = { ...env, ...redis, DATABASE_URL: database.url, APP_URL: "http://localhost:3999", DEMO_MODE: "true" };
  project.provide("testEnv", values);
  return async () => {
    if (redisForm === "single") await clearRedisPrefix(values.REDIS_URL, values.QUEUE_PREFIX!);
    await Promise.all([cluster?.stop(), sentinels?.stop()]);
    await database.drop();
  };
}

export default function setup(project: TestProject) {
  return setupFor(project, "single");
}

declare module "vitest" {
  export interface ProvidedContext {
    testEnv: Record<string, string>;
  }
}

import type { TestProject } from "vitest/node";
import { createTestDatabase } from "../support/database";
import { baseTestEnv, clearRedisPrefix } from "../support/test-env";

/** One fresh database and one queue prefix for the whole integration run. */
export default async function setup(project: TestProject) {
  const env = baseTestEnv();
  const database = await createTestDatabase("it");
  const values = { ...env, DATABASE_URL: database.url, APP_URL: "http://localhost:3999", DEMO_MODE: "true" };
  project.provide("testEnv", values);
  return async () => {
    await clearRedisPrefix(values.REDIS_URL, values.QUEUE_PREFIX);
    await database.drop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    testEnv: Record<string, string>;
  }
}

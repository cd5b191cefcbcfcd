import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/integration/global-setup.ts"],
          setupFiles: ["tests/integration/setup.ts"],
          pool: "forks",
          // next-auth imports "next/server" without an extension, which only a bundler
          // resolves: let vite transform it so route handlers can be called directly.
          server: { deps: { inline: ["next-auth"] } },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      // The publishing and click tests again, on a Redis Cluster and on a Sentinel set
      // (tests/integration/global-setup.ts starts them): each form of REDIS_* takes the same path.
      ...(["cluster", "sentinel"] as const).map((form) => ({
        extends: true,
        test: {
          name: `integration-${form}`,
          include: ["tests/integration/publishing.test.ts", "tests/integration/clicks-redirect.test.ts"],
          environment: "node",
          globalSetup: [`tests/integration/global-setup-${form}.ts`],
          setupFiles: ["tests/integration/setup.ts"],
          pool: "forks",
          server: { deps: { inline: ["next-auth"] } },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      })),
      {
        extends: true,
        test: {
          // Workers as real processes against private Redis and PostgreSQL servers that the
          // tests flush, kill and restart: one file at a time, minutes per test.
          name: "faults",
          include: ["tests/faults/**/*.test.ts"],
          environment: "node",
          pool: "forks",
          fileParallelism: false,
          testTimeout: 360_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

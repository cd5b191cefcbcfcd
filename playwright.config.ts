import { defineConfig } from "@playwright/test";
import { baseURL } from "./tests/e2e/env";

export default defineConfig({
  testDir: "tests/e2e",
  globalSetup: "./tests/e2e/global-setup.ts",
  // Two cores run the web, the workers, a local AT Protocol network and three browsers: the
  // longest admin flows took 55 s of the old 60 s on a quiet machine and over 60 s under load.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  // Three on two cores: the browsers are the busiest processes, and the longest tests mostly
  // wait for the clock (a story's publish and expiry minutes), so a third keeps both cores busy.
  workers: 3,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    baseURL,
    // DOM snapshots for a failure's trace; the screencast cost the suite a sixth of its time.
    trace: { mode: "retain-on-failure", screenshots: false, sources: false },
    launchOptions: {
      // Debian's Chromium; Playwright downloads no browser here.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
      ],
    },
  },
  projects: [
    // Signs each persona in once and stores the session (tests/e2e/.auth/, gitignored);
    // specs start from it with test.use({ storageState: storedSession(persona) }).
    { name: "setup", testMatch: "**/*.setup.ts" },
    { name: "chromium", testMatch: "**/*.spec.ts", dependencies: ["setup"] },
    // Tests that upset what every other test relies on (a queue refusing jobs), after all of them, one at a time.
    { name: "alone", testMatch: "**/*.alone.ts", dependencies: ["chromium"], fullyParallel: false },
  ],
});

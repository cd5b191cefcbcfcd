import { spawn } from "node:child_process";
import path from "node:path";
import { stripVTControlCharacters as plain } from "node:util";

/**
 * `npm test`: lint, type check, unit tests, the install of the local AT Protocol network
 * (skipped while up to date), integration tests on the real PostgreSQL and Redis, the
 * fault tests (workers killed, Redis flushed, PostgreSQL restarted, a 429 storm), the
 * production build and the Playwright suite in Chromium, in that order. Every step runs
 * even when an earlier one failed, except those that need a failed step (integration and
 * e2e need the network, e2e the build); each step's time is printed as it ends, and the
 * last line sums it all up.
 */
const root = path.resolve(__dirname, "..");
const bin = (pkg: string, file: string) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);

type Step = {
  name: string;
  /** The program; node (this one) unless set. */
  command?: string;
  args: string[];
  /** Steps that must have passed for this one to run. */
  needs?: string[];
  count?: (output: string) => string | undefined;
};

/** "12 passed (12)" from vitest's summary. */
const vitestCount = (output: string) => /^\s*Tests\s+(.+)$/m.exec(plain(output))?.[1]?.trim();
/** "5 passed, 1 failed" from Playwright's list reporter. */
const playwrightCount = (output: string) => {
  const clean = plain(output);
  const parts = ["passed", "failed", "flaky", "skipped", "did not run"].flatMap((kind) => {
    const n = new RegExp(`^\\s+(\\d+) ${kind}`, "m").exec(clean)?.[1];
    return n ? [`${n} ${kind}`] : [];
  });
  return parts.length ? parts.join(", ") : undefined;
};

const steps: Step[] = [
  { name: "lint", args: [bin("eslint", "bin/eslint.js"), "--max-warnings", "0", "."] },
  { name: "typecheck", args: [bin("typescript", "bin/tsc"), "--noEmit", "-p", "."] },
  { name: "unit", args: [bin("vitest", "vitest.mjs"), "run", "--project", "unit"], count: vitestCount },
  // The Bluesky tests' network (Node 22 + @atproto/dev-env, about 2 min cold); the script
  // returns at once while its stamp matches.
  { name: "atproto", command: "bash", args: [path.join(root, "tests/support/atproto/install.sh")] },
  { name: "integration", args: [bin("vitest", "vitest.mjs"), "run", "--project", "integration"], needs: ["atproto"], count: vitestCount },
  // The publishing and click tests again on a local Redis Cluster (3 masters, 3 replicas) and Sentinel set.
  { name: "integration-cluster", args: [bin("vitest", "vitest.mjs"), "run", "--project", "integration-cluster"], count: vitestCount },
  { name: "integration-sentinel", args: [bin("vitest", "vitest.mjs"), "run", "--project", "integration-sentinel"], count: vitestCount },
  { name: "faults", args: [bin("vitest", "vitest.mjs"), "run", "--project", "faults"], count: vitestCount },
  { name: "build", args: [bin("next", "dist/bin/next"), "build"] },
  // The server roles as plain JavaScript (dist/), as `npm run build` makes them: production-runtime.spec runs them.
  { name: "build-server", args: [path.join(root, "scripts/build-server.mjs")] },
  { name: "e2e", args: [bin("@playwright/test", "cli.js"), "test"], needs: ["build", "build-server", "atproto"], count: playwrightCount },
];

function run(step: Step): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(step.command ?? process.execPath, step.args, {
      cwd: root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", FORCE_COLOR: process.env.FORCE_COLOR ?? "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on("error", (error) => {
      console.error(`${step.name}: ${error.message}`);
      resolve({ ok: false, output: output + String(error) });
    });
    child.on("close", (code) => resolve({ ok: code === 0, output }));
  });
}

async function main() {
  const started = Date.now();
  const results: Array<{ name: string; status: "passed" | "failed" | "not run"; seconds: number; count?: string }> = [];
  for (const step of steps) {
    const missing = (step.needs ?? []).filter((name) => results.find((r) => r.name === name)?.status !== "passed");
    if (missing.length) {
      const why = `needs ${missing.join(" and ")}, which did not pass`;
      console.log(`\n── ${step.name} not run: ${why} (see above)`);
      results.push({ name: step.name, status: "not run", seconds: 0, count: why });
      continue;
    }
    console.log(`\n── ${step.name} ${"─".repeat(Math.max(0, 60 - step.name.length))}`);
    const t0 = Date.now();
    const { ok, output } = await run(step);
    const result = { name: step.name, status: ok ? "passed" : "failed", seconds: Math.round((Date.now() - t0) / 1000), count: step.count?.(output) } as const;
    results.push(result);
    console.log(`── ${step.name} ${result.status} in ${result.seconds} s${result.count ? ` (${result.count})` : ""}`);
  }
  console.log("\n── summary " + "─".repeat(53));
  for (const r of results) console.log(`${r.status.padEnd(8)} ${r.name.padEnd(12)} ${String(r.seconds).padStart(4)} s${r.count ? `  (${r.count})` : ""}`);
  const failed = results.filter((r) => r.status !== "passed");
  const total = Math.round((Date.now() - started) / 1000);
  console.log(
    failed.length === 0
      ? `Summary: all ${results.length} steps passed in ${total} s (${results.filter((r) => r.count).map((r) => `${r.name}: ${r.count}`).join("; ")})`
      : `Summary: FAILED ${failed.map((r) => `${r.name} (${r.status})`).join(", ")} after ${total} s`,
  );
  process.exit(failed.length === 0 ? 0 : 1);
}

void main();

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { chromium } from "@playwright/test";
import { createDatabase } from "@/db/client";
import { seedDemo } from "@/db/seed";
import { demoHistory } from "@/lib/demo/history";
import { createTestDatabase } from "../support/database";
import { projectRoot, stopProcess, waitForHttp } from "../support/processes";
import { baseTestEnv, clearRedisPrefix } from "../support/test-env";

/**
 * The feed page over HTTP, as the demo employee (Jonas) reads it: the production build served
 * by `npm start` (our web server in front of Next: body and header limits, the client's
 * address, security headers, the nonce-based CSP, the session check), on the seeded demo with
 * six months of history. 16 connections, BENCH_DURATION_S seconds (default 15) a round, three
 * rounds; p50/p95/p99 are the median round's.
 *
 * Baseline in the same run: the same server's /api/health (the cheapest answer that still
 * passes the front server and Next's routing). With BENCH_COMPARE_DIR (another checkout with
 * its own `npm run build`, for instance main before a change), that checkout's server is
 * measured too, on the same database, the two alternating round by round, and the line says
 * how much the feed page's p95 moved.
 *
 * Needs `npm run build` first. Last line: {"feed_p95_ms", "feed_p99_ms", "health_p95_ms",
 * "compare_feed_p95_ms", "compare_feed_p99_ms", "p95_change"}.
 */

const CONNECTIONS = 16;
const ROUNDS = 3;
const SECONDS = Number(process.env.BENCH_DURATION_S ?? 15);
const PERSONA = "Jonas Berg";

type Run = { rps: number; p50: number; p95: number; p99: number; ok: number; other: number; errors: number };

async function load(url: string, cookie: string, seconds: number): Promise<Run> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers: { cookie, "accept-language": "en" } });
  const counts = result as unknown as Record<string, number>;
  const latency = result.latency as unknown as Record<string, number>;
  return {
    rps: result.requests.average,
    p50: latency.p50!,
    // autocannon reports p97.5 but not p95: the two neighbours' mean is close enough and
    // the same for every server measured.
    p95: latency.p95 ?? (latency.p90! + latency.p97_5!) / 2,
    p99: latency.p99!,
    ok: counts["2xx"] ?? 0,
    other: (counts["1xx"] ?? 0) + (counts["3xx"] ?? 0) + (counts["4xx"] ?? 0) + (counts["5xx"] ?? 0),
    errors: result.errors + result.timeouts,
  };
}

function median(runs: Run[]): Run {
  const mid = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  return {
    rps: runs.reduce((sum, run) => sum + run.rps, 0) / runs.length,
    p50: mid(runs.map((r) => r.p50)),
    p95: mid(runs.map((r) => r.p95)),
    p99: mid(runs.map((r) => r.p99)),
    ok: runs.reduce((sum, run) => sum + run.ok, 0),
    other: runs.reduce((sum, run) => sum + run.other, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}

/** Signs the persona in through the demo sign-in in Chromium, as a person would; the cookies as one header. */
async function signIn(baseUrl: string): Promise<string> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--disable-gpu"] });
  try {
    const page = await browser.newPage();
    await page.context().addCookies([{ name: "NEXT_LOCALE", value: "en", url: baseUrl }]);
    await page.goto(`${baseUrl}/signin`);
    await page.getByRole("button", { name: `Sign in as ${PERSONA}` }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/signin"), { timeout: 30_000 });
    const cookies = await page.context().cookies(baseUrl);
    return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  } finally {
    await browser.close();
  }
}

function startWeb(dir: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "workers/web.ts"], { cwd: dir, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[web ${path.basename(dir)}] ${chunk}`));
  return child;
}

export default async function run() {
  const compareDir = process.env.BENCH_COMPARE_DIR ? path.resolve(process.env.BENCH_COMPARE_DIR) : null;
  for (const dir of [projectRoot, ...(compareDir ? [compareDir] : [])]) {
    if (!existsSync(path.join(dir, ".next", "BUILD_ID"))) throw new Error(`No production build in ${dir}: run \`npm run build\` there first.`);
  }
  const database = await createTestDatabase("bench-feed-page");
  const storageDir = mkdtempSync(path.join(os.tmpdir(), "ripple-bench-feed-"));
  const base = baseTestEnv();
  const servers: Array<{ name: string; dir: string; port: number; child?: ChildProcess; cookie?: string }> = [
    { name: "this checkout", dir: projectRoot, port: 3291 },
    ...(compareDir ? [{ name: `compare (${compareDir})`, dir: compareDir, port: 3292 }] : []),
  ];
  try {
    const appUrl = `http://localhost:${servers[0]!.port}`;
    process.env.APP_URL = appUrl;
    process.env.STORAGE_DIR = storageDir;
    const handle = createDatabase(database.url, { max: 4 });
    const started = Date.now();
    await seedDemo(handle.db, { history: demoHistory });
    await handle.close();
    console.log(`demo seeded with its history in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    for (const server of servers) {
      server.child = startWeb(server.dir, {
        ...base,
        NODE_ENV: "production",
        DATABASE_URL: database.url,
        APP_URL: `http://localhost:${server.port}`,
        PORT: String(server.port),
        HOST: "127.0.0.1",
        STORAGE_DIR: storageDir,
        DEMO_MODE: "true",
        AUTH_TRUST_HOST: "true",
        NEXT_TELEMETRY_DISABLED: "1",
        LOG_LEVEL: "error",
      });
      await waitForHttp(`http://localhost:${server.port}/api/health`, 90_000, (status) => status === 200);
      server.cookie = await signIn(`http://localhost:${server.port}`);
      // Warm-up: Next compiles nothing in production, but the first requests fill caches.
      await load(`http://localhost:${server.port}/feed`, server.cookie, 3);
    }

    const feed = new Map<string, Run[]>(servers.map((s) => [s.name, []]));
    const health: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
        const result = await load(`http://localhost:${server.port}/feed`, server.cookie!, SECONDS);
        if (result.ok === 0 || result.other > 0) throw new Error(`${server.name}: the feed answered ${result.other} non-2xx of ${result.ok + result.other}`);
        feed.get(server.name)!.push(result);
      }
      health.push(await load(`http://localhost:${servers[0]!.port}/api/health`, servers[0]!.cookie!, Math.min(SECONDS, 5)));
    }

    const line = (label: string, r: Run) =>
      `${label.padEnd(44)} ${r.rps.toFixed(1).padStart(7)} req/s   p50 ${r.p50} ms   p95 ${r.p95.toFixed(1)} ms   p99 ${r.p99} ms   2xx ${r.ok}, other ${r.other}, errors ${r.errors}`;
    const h = median(health);
    console.log(line("baseline: /api/health (this checkout)", h));
    const results = servers.map((s) => ({ name: s.name, run: median(feed.get(s.name)!) }));
    for (const { name, run } of results) console.log(line(`/feed as ${PERSONA}, ${name}`, run));
    const [self, other] = results;
    const change = other ? (self!.run.p95 - other.run.p95) / other.run.p95 : null;
    if (change !== null) console.log(`feed p95 ${self!.run.p95.toFixed(1)} ms vs ${other!.run.p95.toFixed(1)} ms: ${(change * 100).toFixed(1)} % (p99 ${self!.run.p99} vs ${other!.run.p99} ms)`);
    console.log(
      JSON.stringify({
        feed_p95_ms: Math.round(self!.run.p95 * 10) / 10,
        feed_p99_ms: self!.run.p99,
        health_p95_ms: Math.round(h.p95 * 10) / 10,
        compare_feed_p95_ms: other ? Math.round(other.run.p95 * 10) / 10 : null,
        compare_feed_p99_ms: other ? other.run.p99 : null,
        p95_change: change === null ? null : Math.round(change * 1000) / 1000,
      }),
    );
  } finally {
    for (const server of servers) if (server.child) await stopProcess(server.child, 10_000);
    await clearRedisPrefix(base.REDIS_URL, base.QUEUE_PREFIX);
    await database.drop();
    rmSync(storageDir, { recursive: true, force: true });
  }
}

import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { createDatabase } from "@/db/client";
import { resetEnvForTests } from "@/lib/env";
import { clickStreamKey } from "@/lib/links/click-stream";
import { ClickConsumer } from "@/workers/processors/clicks";
import { createTestDatabase } from "../support/database";
import { projectRoot, stopProcess, waitForHttp } from "../support/processes";
import { baseTestEnv, clearRedisPrefix } from "../support/test-env";
import { seedLinks } from "./_click-seed";

/**
 * GET /r/<code> on the standalone redirector (workers/redirector.ts, run as its own child
 * process, exactly as `npm run redirector` runs it) against a bare node:http server
 * answering 302 from a Map (a child process too), both on loopback, in the same run.
 *
 * BENCH_LINKS links (default 10,000) in a fresh database. Load: autocannon in this
 * process, 64 connections, BENCH_DURATION_S seconds (default 12) for each server, in three
 * rounds taking turns (so both meet the same background load), after a 3-second warm-up
 * of each (which fills the redirector's LRU: the figures are the steady state of a busy
 * redirector). requests/s: the rounds' mean; p50/p99: the median round's. Requests cycle through 5,000 codes; one in ten carries a
 * LinkedIn previewer's user agent, the rest a browser's.
 *
 * After the run the redirector is stopped with SIGTERM (it flushes its XADD buffer), the
 * click consumer drains the stream into Postgres, and click_events is counted:
 * lost = 302s the redirector sent (its own count, which includes answers autocannon
 * stopped waiting for at the end; autocannon's count is printed beside it) − rows stored.
 *
 * Last line: {"rps", "p99_ms", "baseline_rps", "baseline_p99_ms", "ratio", "lost"}.
 */

const CONNECTIONS = 64;
const ROUNDS = 3;
const WARMUP_S = 3;
const CYCLE = 5_000;
const BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const PREVIEWER = "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)";

const positiveInt = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The baseline: node:http, a Map from code to destination, 302 or 404. Nothing else. */
const BASELINE_SERVER = `
const http = require("node:http");
const links = new Map(JSON.parse(require("node:fs").readFileSync(process.env.BENCH_LINKS_FILE, "utf8")));
const server = http.createServer((req, res) => {
  const q = req.url.indexOf("?");
  const code = req.url.slice(3, q === -1 ? undefined : q);
  const destination = req.url.startsWith("/r/") ? links.get(code) : undefined;
  if (destination) {
    res.writeHead(302, { location: destination, "cache-control": "private, no-store", "content-length": "0" });
    res.end();
  } else {
    res.writeHead(404, { "content-type": "text/plain", "content-length": "10" });
    res.end("not found\\n");
  }
});
server.keepAliveTimeout = 65000;
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("ready"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

type Run = { rps: number; p99: number; p50: number; threexx: number; other: number; errors: number };

async function load(port: number, codes: string[], seconds: number): Promise<Run> {
  const requests = codes.slice(0, CYCLE).map((code, i) => ({ method: "GET" as const, path: `/r/${code}`, headers: { "user-agent": i % 10 === 9 ? PREVIEWER : BROWSER } }));
  const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: seconds, requests });
  const counts = result as unknown as Record<string, number>;
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    p50: result.latency.p50,
    threexx: counts["3xx"] ?? 0,
    other: (counts["1xx"] ?? 0) + (counts["2xx"] ?? 0) + (counts["4xx"] ?? 0) + (counts["5xx"] ?? 0),
    errors: result.errors + result.timeouts,
  };
}

/** Rounds together: mean requests/s, the median round's latencies, counts summed. */
function combine(runs: Run[]): Run {
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  return {
    rps: runs.reduce((sum, run) => sum + run.rps, 0) / runs.length,
    p99: median(runs.map((run) => run.p99)),
    p50: median(runs.map((run) => run.p50)),
    threexx: runs.reduce((sum, run) => sum + run.threexx, 0),
    other: runs.reduce((sum, run) => sum + run.other, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}

/** CPU seconds used so far by a process (user + system), from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function spawnLogged(args: string[], env: Record<string, string>, tag: string, lines: string[]): ChildProcess {
  const profile = process.env.PROFILE_DIR && args[0] === "--import" ? ["--cpu-prof", `--cpu-prof-dir=${process.env.PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, ...args], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffer = "";
    stream.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let at;
      while ((at = buffer.indexOf("\n")) !== -1) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 1);
        lines.push(line);
        if (/"level":(40|50|60)/.test(line)) process.stderr.write(`[${tag}] ${line}\n`);
      }
    });
  }
  return child;
}

export default async function main() {
  const started = performance.now();
  const linkCount = positiveInt("BENCH_LINKS", 10_000);
  const seconds = positiveInt("BENCH_DURATION_S", 12);
  const base = baseTestEnv();
  const database = await createTestDatabase("bench");
  const env: Record<string, string> = { ...base, DATABASE_URL: database.url, LOG_LEVEL: "info", RIPPLE_PROCESS: "redirector" };
  Object.assign(process.env, { ...env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" });
  resetEnvForTests();
  const handle = createDatabase(database.url, { max: 4, applicationName: "ripple-bench" });
  const redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  const dir = mkdtempSync(path.join(tmpdir(), "ripple-bench-redirect-"));
  const children: ChildProcess[] = [];
  try {
    const links = await seedLinks(handle.db, linkCount);
    // Requests in an order unrelated to creation, the same for both servers.
    const codes = links.map((l) => l.code).sort();
    const linksFile = path.join(dir, "links.json");
    writeFileSync(linksFile, JSON.stringify(links.map((l) => [l.code, l.destination])));
    console.log(`seeded ${links.length} tracked links in ${Math.round(performance.now() - started)} ms (database ${database.name})`);

    // Both servers up and warmed (the redirector's LRU filled by the warm-up).
    const basePort = await freePort();
    const baseline = spawnLogged(["-e", BASELINE_SERVER], { PORT: String(basePort), BENCH_LINKS_FILE: linksFile }, "baseline", []);
    children.push(baseline);
    const port = await freePort();
    const lines: string[] = [];
    const redirector = spawnLogged(["--import", "tsx", "workers/redirector.ts"], { ...env, REDIRECTOR_PORT: String(port), HOST: "127.0.0.1" }, "redirector", lines);
    children.push(redirector);
    await Promise.all([waitForHttp(`http://127.0.0.1:${basePort}/r/x`, 30_000), waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000)]);
    await load(basePort, codes, WARMUP_S);
    const warm = await load(port, codes, WARMUP_S);

    // Rounds taking turns, so both meet the same machine (others' load comes and goes).
    const roundSeconds = Math.max(1, Math.round(seconds / ROUNDS));
    const baseRuns: Run[] = [];
    const runs: Run[] = [];
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info("server"))?.[1]);
    let baseCpu = 0;
    let cpu = 0;
    let redisCpu = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let before = cpuSeconds(baseline.pid);
      baseRuns.push(await load(basePort, codes, roundSeconds));
      baseCpu += cpuSeconds(baseline.pid) - before;
      before = cpuSeconds(redirector.pid);
      const redisBefore = cpuSeconds(redisPid);
      runs.push(await load(port, codes, roundSeconds));
      cpu += cpuSeconds(redirector.pid) - before;
      redisCpu += cpuSeconds(redisPid) - redisBefore;
    }
    const b = combine(baseRuns);
    const r = combine(runs);
    await stopProcess(baseline, 5_000);
    const exitCode = await stopProcess(redirector, 30_000);
    children.length = 0;
    const final = lines.map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return null; } }).find((l) => l?.msg === "redirector stopped");
    if (!final) throw new Error(`the redirector did not report its figures (exit ${exitCode})`);
    const sent = Number(final.redirects);

    // Everything recorded, into Postgres.
    const key = clickStreamKey(base.QUEUE_PREFIX);
    const waiting = await redis.xlen(key);
    const consumer = new ClickConsumer({ db: handle.db, redis, key });
    const t0 = performance.now();
    await consumer.drain();
    const drainMs = performance.now() - t0;
    const [stored] = await handle.db.execute<{ n: number; bots: number }>(sql`select count(*)::int as n, count(*) filter (where is_bot)::int as bots from click_events`);
    // Loopback is one client: its clicks past the per-address limit are dropped on purpose.
    const lost = sent - stored!.n - consumer.stats.throttled;

    const ratio = r.rps / b.rps;
    const f1 = (n: number) => n.toFixed(1);
    console.log(`\n/r/<code>, ${CONNECTIONS} connections on loopback, ${ROUNDS} rounds of ${roundSeconds} s each, taking turns, after a ${WARMUP_S} s warm-up, cycling ${Math.min(CYCLE, codes.length)} of ${codes.length} codes (1 in 10 a LinkedIn preview)`);
    console.log(`baseline (node:http + Map)   ${f1(b.rps).padStart(9)} req/s   p50 ${b.p50} ms   p99 ${b.p99} ms   3xx ${b.threexx}, other ${b.other}, errors ${b.errors}   CPU ${f1((100 * baseCpu) / (ROUNDS * roundSeconds))} %`);
    console.log(`redirector (workers/redirector.ts)  ${f1(r.rps).padStart(9)} req/s   p50 ${r.p50} ms   p99 ${r.p99} ms   3xx ${r.threexx}, other ${r.other}, errors ${r.errors}   CPU ${f1((100 * cpu) / (ROUNDS * roundSeconds))} %`);
    console.log(`Redis CPU while the redirector was measured (the XADDs; Redis shares these 2 cores): ${f1((100 * redisCpu) / (ROUNDS * roundSeconds))} %`);
    console.log(`redirector's own figures: ${JSON.stringify(final, ["redirects", "notFound", "recorded", "unrecorded", "buffered", "written", "dropped", "failedFlushes"])}`);
    console.log(`302s counted by autocannon (warm-up + run): ${warm.threexx + r.threexx}; by the redirector: ${sent}`);
    console.log(`stream after shutdown: ${waiting} entries; drained by the consumer in ${Math.round(drainMs)} ms; click_events: ${stored!.n} rows (${stored!.bots} bots); ${consumer.stats.throttled} past the per-address click limit, not stored`);
    console.log(`ratio ${ratio.toFixed(3)} (goal ≥ 0.8)   p99 ${r.p99} ms vs ${b.p99} ms baseline (goal ≤ ${f1(b.p99 * 1.5)} ms)   lost ${lost} (goal 0)`);
    console.log(`whole run ${Math.round((performance.now() - started) / 1000)} s`);
    console.log(JSON.stringify({ rps: Math.round(r.rps), p99_ms: r.p99, baseline_rps: Math.round(b.rps), baseline_p99_ms: b.p99, ratio: Math.round(ratio * 1000) / 1000, lost }));
  } finally {
    await Promise.all(children.map((child) => stopProcess(child, 10_000)));
    redis.disconnect();
    await handle.close();
    await clearRedisPrefix(base.REDIS_URL, base.QUEUE_PREFIX);
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

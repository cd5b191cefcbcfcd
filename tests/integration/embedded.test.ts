import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgresOptions } from "@/workers/embedded/postgres";
import { isRunning } from "@/workers/embedded/process";
import { findRedisServer, startEmbeddedRedis } from "@/workers/embedded/redis";

/**
 * The services of `npm run demo` against the real binaries, including what a launcher
 * killed with SIGKILL leaves behind. As root the project sits in a 0700 directory, as
 * under /root, which user postgres cannot enter.
 */

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ripple-embedded-"));
fs.chmodSync(scratch, 0o700);
const dataDir = path.join(scratch, "project", ".data");
fs.mkdirSync(dataDir, { recursive: true });
const homes = new Set<string>();

const infos: string[] = [];
const options: EmbeddedPostgresOptions = {
  dataDir,
  password: "demo-test-password",
  database: "ripple",
  port: 54_400,
  onProblem: () => {},
  onInfo: (line) => infos.push(line),
};

afterAll(() => {
  for (const dir of [scratch, ...homes]) fs.rmSync(dir, { recursive: true, force: true });
});

async function currentDatabase(url: string): Promise<string | undefined> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ name: string }[]>`select current_database() as name`;
    return row?.name;
  } finally {
    await sql.end();
  }
}

describe("embedded PostgreSQL", () => {
  it("initialises once, serves the database, stops and starts again", async () => {
    const first = await startEmbeddedPostgres(options);
    homes.add(first.home);
    expect(await currentDatabase(first.url)).toBe("ripple");
    await first.stop();
    expect(await first.exited).toBe("exit code 0");
    expect(infos.filter((line) => line.startsWith("Initialising"))).toHaveLength(1);

    const second = await startEmbeddedPostgres(options);
    expect(infos.filter((line) => line.startsWith("Initialising"))).toHaveLength(1);
    expect(await currentDatabase(second.url)).toBe("ripple");
    await second.stop();
    if (process.getuid?.() === 0) expect(fs.readlinkSync(path.join(dataDir, "postgres"))).toBe(first.home);
  }, 60_000);

  it("starts after a launcher was killed with SIGKILL", async () => {
    // A bare node process (no tsx parent in between), so that SIGKILL hits the one that started PostgreSQL.
    const tsx = createRequire(import.meta.url).resolve("tsx/cjs");
    const module = fileURLToPath(new URL("../../workers/embedded/postgres.ts", import.meta.url));
    const launcher = spawn(process.execPath, ["--require", tsx, "-e", `
      require(${JSON.stringify(module)}).startEmbeddedPostgres({ ...${JSON.stringify(options)}, onProblem() {}, onInfo() {} })
        .then(() => console.log("ready"), (error) => { console.error(error); process.exit(1); });
    `], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      readline.createInterface({ input: launcher.stdout! }).on("line", (line) => line === "ready" && resolve());
      launcher.once("exit", (code) => reject(new Error(`launcher exited with ${code}`)));
    });
    launcher.kill("SIGKILL");

    const pg = await startEmbeddedPostgres(options);
    expect(await currentDatabase(pg.url)).toBe("ripple");
    await pg.stop();
  }, 60_000);

  it("stops a server an earlier run left running (no death signal without setpriv)", async () => {
    const leftOver = await startEmbeddedPostgres(options);
    const pg = await startEmbeddedPostgres(options);
    expect(await leftOver.exited).toBe("exit code 0");
    expect(infos.at(-1)).toMatch(/^Stopping the PostgreSQL server an earlier run left behind/);
    expect(await currentDatabase(pg.url)).toBe("ripple");
    await pg.stop();
  }, 60_000);

  it("removes the postmaster.pid of a server that is gone", async () => {
    const pg = await startEmbeddedPostgres(options);
    await pg.stop();
    const pidFile = path.join(pg.home, "data", "postmaster.pid");
    let dead = 999_999;
    while (isRunning(dead)) dead--;
    fs.writeFileSync(pidFile, `${dead}\n${path.join(pg.home, "data")}\n`);

    const again = await startEmbeddedPostgres(options);
    expect(await currentDatabase(again.url)).toBe("ripple");
    await again.stop();
  }, 60_000);
});

describe.skipIf(!findRedisServer())("embedded Redis", () => {
  it("starts, stops, and stops a server an earlier run left behind", async () => {
    const redisOptions = { executable: findRedisServer()!, dataDir, port: 63_900 };
    const leftOver = await startEmbeddedRedis(redisOptions);
    // As after a SIGKILL without a death signal: the pid file stays, the server runs on.
    const pid = Number(fs.readFileSync(path.join(dataDir, "redis", "redis.pid"), "utf8"));
    expect(isRunning(pid)).toBe(true);

    const redis = await startEmbeddedRedis(redisOptions);
    expect(await leftOver.exited).toBe("exit code 0");
    expect(redis.url).toBe("redis://127.0.0.1:63900");
    await redis.stop();
    expect(fs.existsSync(path.join(dataDir, "redis", "redis.pid"))).toBe(false);
  }, 30_000);
});

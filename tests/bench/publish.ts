import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { performance } from "node:perf_hooks";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { sql } from "drizzle-orm";
import { createDatabase, type Database } from "@/db/client";
import { memberships, networkApps, organizations, shares, socialConnections, stories, trackedLinks, users } from "@/db/schema";
import { encryptSecret } from "@/lib/crypto";
import { redirectUriFor } from "@/lib/connections/clients";
import { encryptTokens, secretContext } from "@/lib/connections/secrets";
import { envFor, resetEnvForTests } from "@/lib/env";
import { newLinkCode, trackedUrl, withUtm } from "@/lib/links/tracked-links";
import type { TokenSet } from "@/lib/networks/types";
import { closeQueues } from "@/lib/queue";
import { heartbeatKey } from "@/lib/queue/heartbeat";
import { enqueuePublish, PUBLISH_ATTEMPTS } from "@/lib/queue/publish";
import { createTestDatabase } from "../support/database";
import { startFakeLinkedIn, type FakeLinkedIn } from "../fakes/linkedin";
import { startFakeMastodon, type FakeMastodon } from "../fakes/mastodon";
import { startFakeX, type FakeX } from "../fakes/x";
import { projectRoot, startScript, stopProcess } from "../support/processes";
import { baseTestEnv, clearRedisPrefix } from "../support/test-env";

/**
 * The publishing engine under a burst: 10,000 shares due at the same moment T, published
 * by the real workers (`workers/index.ts`, one child process unless BENCH_WORKERS says
 * more) to the fake LinkedIn, X and Mastodon, which wait 20 ms before every answer, on a
 * fresh database and queue prefix.
 *
 * 1,000 employees, each with a LinkedIn, an X and a Mastodon account, share 4 stories on
 * LinkedIn and 3 each on X and Mastodon: 4,000 + 3,000 + 3,000 shares, every one with its
 * own tracked link, so no per-account window of lib/shares/rate-limit.ts throttles (X 3
 * per account of 95 per 15 min and 3,000 of the app's 9,500 a day; Mastodon 3 of 250 per
 * 5 min; LinkedIn 4 of 150 a day). They are queued as the app queues them (enqueuePublish).
 *
 * Figures: publishes per second from the first to the last publishedAt (and, shown
 * beside it, from T to the last); lateness per share = publishedAt − scheduledAt from the
 * database; duplicates and lost counted both at the fakes (posts per tracked link) and in
 * the database (every share published once, with its post's id); the reach polls scheduled.
 * The baseline, in the same run and on the same Redis: a bare BullMQ worker with a no-op
 * processor, in as many processes and with the same concurrency, over 10,000 jobs of one
 * queue due at one moment (jobs per second from the first to the last completion; the
 * median of three rounds). To show where the time goes: CPU per published share of the
 * workers, their PostgreSQL connections, Redis and this process (the fakes), database
 * transactions per share, and the requests the fakes received.
 *
 * Settings from the environment: PUBLISH_CONCURRENCY and DATABASE_POOL_MAX (passed to the
 * workers; the app's defaults otherwise), BENCH_WORKERS (worker processes, default 1),
 * BENCH_TIMEOUT_S (how long to wait for the burst, default 270).
 *
 * Last line: {"publishes_per_s", "lateness_p50_ms", "lateness_p99_ms", "duplicates",
 * "lost", "baseline_per_s", "ratio"}.
 */

const MEMBERS = 1_000;
const SHARES_PER_MEMBER = { linkedin: 4, x: 3, mastodon: 3 } as const;
const SHARES = MEMBERS * (SHARES_PER_MEMBER.linkedin + SHARES_PER_MEMBER.x + SHARES_PER_MEMBER.mastodon);
const STORIES = 10;
const LATENCY_MS = 20;
/** T is this far ahead of the moment the shares are queued (queueing 10,000 takes a few seconds). */
const LEAD_MS = 8_000;
const BASELINE_LEAD_MS = 3_000;
const BASELINE_ROUNDS = 3;
const ENQUEUE_PARALLEL = 100;
const X_CLIENT = { clientId: "bench-x-client", clientSecret: "bench-x-secret-0123456789" };
const LINKEDIN_CLIENT = { clientId: "bench-linkedin-client", clientSecret: "bench-linkedin-secret-0123456789" };
const BASELINE_QUEUE = "bench-noop";

type Network = keyof typeof SHARES_PER_MEMBER;
type Fakes = { linkedin: FakeLinkedIn; x: FakeX; mastodon: FakeMastodon };

const positiveInt = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
};

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inParallel<T>(items: T[], parallel: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

const codeOf = (text: string | undefined) => /\/r\/([0-9A-Za-z]+)/.exec(text ?? "")?.[1];

// ---------------------------------------------------------------------------------------
// Seeding

async function seed(db: Database, fakes: Fakes) {
  const [org] = await db.insert(organizations).values({ name: "Bench A/S", slug: `bench-${randomBytes(3).toString("hex")}` }).returning();
  const orgId = org!.id;
  const people = Array.from({ length: MEMBERS }, (_, i) => ({ id: randomUUID(), email: `bench.${i}@example.test`, name: `Medarbejder ${i + 1}` }));
  for (let i = 0; i < people.length; i += 500) {
    const chunk = people.slice(i, i + 500);
    await db.insert(users).values(chunk);
    await db.insert(memberships).values(chunk.map((p) => ({ orgId, userId: p.id, roles: ["employee" as const], status: "active" as const, joinedAt: new Date() })));
  }
  const hourAgo = new Date(Date.now() - 3_600_000);
  const storyRows = await db
    .insert(stories)
    .values(Array.from({ length: STORIES }, (_, i) => ({
      orgId,
      slug: `historie-${i + 1}`,
      title: `Nordlys åbner fabrik nr. ${i + 1}`,
      summary: "200 nye job i vindmølleindustrien",
      language: "da" as const,
      status: "published" as const,
      canonicalUrl: `https://nordlys.example/nyheder/${i + 1}`,
      publishAt: hourAgo,
      publishedAt: hourAgo,
    })))
    .returning();

  // Ripple's registration on the Mastodon instance, as connecting would have cached it.
  const appId = randomUUID();
  await db.insert(networkApps).values({
    id: appId,
    network: "mastodon",
    instanceUrl: fakes.mastodon.url,
    redirectUri: redirectUriFor("mastodon"),
    clientId: "fake-test-client",
    clientSecretEnc: encryptSecret("fake-test-secret", secretContext.clientSecret(appId)),
    scopes: "read write",
  });

  // One account per network per employee, with real tokens of the fakes, encrypted.
  const connections = people.flatMap((person, i) => {
    const username = `medarbejder-${i + 1}`;
    const rows = [] as Array<typeof socialConnections.$inferInsert & { id: string; network: Network }>;
    const add = (network: Network, externalId: string, tokens: Omit<TokenSet, "refreshExpiresAt">, instanceUrl: string | null = null) => {
      const id = randomUUID();
      rows.push({
        id, orgId, userId: person.id, network, externalId, handle: `@${username}`, instanceUrl, status: "active",
        ...encryptTokens(id, { ...tokens, refreshExpiresAt: null }),
      });
    };
    const hours = (n: number) => new Date(Date.now() + n * 3_600_000);
    add("linkedin", fakes.linkedin.member(username).sub, { accessToken: fakes.linkedin.createToken(username), refreshToken: null, expiresAt: hours(60 * 24), scopes: ["openid", "profile", "w_member_social"] });
    // X's access tokens last two hours and come with a refresh token (offline.access); this
    // one is never spent (nothing here is due for renewal), but without one the account
    // would count as expiring and the connection check would mail every employee mid-burst.
    add("x", fakes.x.user(username).id, { accessToken: fakes.x.createToken(username), refreshToken: `bench-unused-${randomBytes(8).toString("hex")}`, expiresAt: hours(2), scopes: ["tweet.read", "tweet.write", "users.read", "offline.access"] });
    add("mastodon", fakes.mastodon.account(username).id, { accessToken: fakes.mastodon.createToken(username), refreshToken: null, expiresAt: null, scopes: ["read", "write"] }, fakes.mastodon.url);
    return rows;
  });
  for (let i = 0; i < connections.length; i += 1_000) await db.insert(socialConnections).values(connections.slice(i, i + 1_000));

  // The shares, scheduled an hour ahead until T is set (just before they are queued).
  const later = new Date(Date.now() + 3_600_000);
  const shareRows: Array<typeof shares.$inferInsert & { id: string; network: Network }> = [];
  const linkRows: Array<typeof trackedLinks.$inferInsert> = [];
  connections.forEach((connection, c) => {
    const member = Math.floor(c / 3);
    const offset = connection.network === "linkedin" ? 0 : connection.network === "x" ? SHARES_PER_MEMBER.linkedin : SHARES_PER_MEMBER.linkedin + SHARES_PER_MEMBER.x;
    for (let k = 0; k < SHARES_PER_MEMBER[connection.network]; k++) {
      const story = storyRows[(offset + k + member) % STORIES]!;
      const id = randomUUID();
      const code = newLinkCode();
      shareRows.push({
        id, orgId, storyId: story.id, userId: connection.userId, connectionId: connection.id, network: connection.network, mode: "api", status: "scheduled", scheduledAt: later,
        text: `${story.title} (${connection.network}) — læs mere: ${trackedUrl(code)} #grøntskifte`,
      });
      linkRows.push({ orgId, code, shareId: id, storyId: story.id, destination: withUtm(story.canonicalUrl!, { network: connection.network, storySlug: story.slug, shareId: id }) });
    }
  });
  for (let i = 0; i < shareRows.length; i += 1_000) {
    await db.insert(shares).values(shareRows.slice(i, i + 1_000));
    await db.insert(trackedLinks).values(linkRows.slice(i, i + 1_000));
  }
  await db.execute(sql`analyze`);
  return shareRows;
}

// ---------------------------------------------------------------------------------------
// Processes

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** `npm run workers` as child processes; resolves once the first heartbeat is in Redis. */
async function startWorkers(count: number, env: Record<string, string>, redis: Redis, prefix: string, children: ChildProcess[]) {
  for (let i = 0; i < count; i++) children.push(startScript("workers/index.ts", env, `workers ${i + 1}`));
  await waitFor("the workers' heartbeat", () => redis.get(heartbeatKey(prefix)), 60_000);
  // The heartbeat comes from whichever started first: give the others their start-up too.
  if (count > 1) await sleep(3_000);
}

/**
 * The baseline worker: BullMQ's Worker with a no-op processor and the options the app's
 * publish workers get (workers/runtime.ts), minus the limiter. It prints {"ready":true}
 * when connected; on a "report" line {"first","last","done"} (completion times in ms since
 * the last report), on "quit" it closes.
 */
const BASELINE_WORKER = `
const { Worker } = require("bullmq");
const { Redis } = require("ioredis");
const connection = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const worker = new Worker(process.env.BENCH_QUEUE, async () => undefined, {
  connection, prefix: process.env.QUEUE_PREFIX, concurrency: Number(process.env.BENCH_CONCURRENCY),
  lockDuration: 30000, maxStalledCount: 1,
  removeOnComplete: { age: 86400, count: 1000 }, removeOnFail: { age: 14 * 86400, count: 10000 },
});
let first = 0, last = 0, done = 0;
worker.on("completed", () => { const now = Date.now(); if (done++ === 0) first = now; last = now; });
worker.waitUntilReady().then(() => console.log(JSON.stringify({ ready: true })));
require("node:readline").createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line === "report") {
    console.log(JSON.stringify({ first, last, done }));
    first = last = done = 0;
    return;
  }
  await worker.close();
  connection.disconnect();
  process.exit(0);
});
`;

type BaselineReport = { first: number; last: number; done: number };

function startBaselineWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ["-e", BASELINE_WORKER], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "inherit"] });
  const lines: Array<Record<string, unknown>> = [];
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let at;
    while ((at = buffer.indexOf("\n")) !== -1) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        process.stdout.write(`[baseline] ${line}\n`);
      }
    }
  });
  return {
    child,
    ready: () => waitFor("the baseline worker", async () => lines.some((l) => l.ready), 30_000),
    report: async (): Promise<BaselineReport> => {
      child.stdin!.write("report\n");
      const at = await waitFor("the baseline report", async () => lines.findIndex((l) => "done" in l) + 1, 30_000);
      return lines.splice(at - 1, 1)[0] as BaselineReport;
    },
    quit: () => child.stdin!.write("quit\n"),
  };
}

/**
 * The baseline in BASELINE_ROUNDS rounds of 10,000 jobs due at one moment, in as many
 * processes with the same concurrency as the workers; the median round counts (the
 * machine is shared: one round alone varies by half).
 */
async function measureBaseline(env: Record<string, string>, processes: number, concurrency: number, redis: Redis, prefix: string, children: ChildProcess[]) {
  const workers = Array.from({ length: processes }, () => startBaselineWorker({ ...env, BENCH_QUEUE: BASELINE_QUEUE, BENCH_CONCURRENCY: String(concurrency) }));
  children.push(...workers.map((w) => w.child));
  await Promise.all(workers.map((w) => w.ready()));
  const queue = new Queue(BASELINE_QUEUE, { connection: redis.duplicate(), prefix });
  const rounds: Array<{ done: number; perSecond: number; fromDuePerSecond: number; queuedLate: number }> = [];
  try {
    for (let round = 0; round < BASELINE_ROUNDS; round++) {
      // The same job shape as a publish job: an id in the data, delayed to one moment, with retries.
      const due = Date.now() + BASELINE_LEAD_MS;
      for (let i = 0; i < SHARES; i += 1_000) {
        await queue.addBulk(Array.from({ length: Math.min(1_000, SHARES - i) }, (_, k) => ({
          name: "share.publish",
          data: { shareId: randomUUID() },
          opts: { jobId: `noop-${round}-${i + k}`, delay: Math.max(0, due - Date.now()), attempts: PUBLISH_ATTEMPTS, backoff: { type: "exponential", delay: 30_000 } },
        })));
      }
      const queuedLate = Date.now() - due;
      await sleep(Math.max(0, due - Date.now()));
      await waitFor("the baseline jobs", async () => {
        const counts = await queue.getJobCounts("wait", "delayed", "active", "prioritized");
        return Object.values(counts).every((n) => n === 0);
      }, 120_000, 50);
      const reports = await Promise.all(workers.map((w) => w.report()));
      const ran = reports.filter((r) => r.done > 0);
      const first = Math.min(...ran.map((r) => r.first));
      const last = Math.max(...ran.map((r) => r.last));
      const done = reports.reduce((sum, r) => sum + r.done, 0);
      rounds.push({ done, perSecond: done / Math.max(0.001, (last - first) / 1000), fromDuePerSecond: done / Math.max(0.001, (last - due) / 1000), queuedLate });
    }
  } finally {
    for (const w of workers) w.quit();
    await queue.close();
    await (queue.opts.connection as Redis).quit();
    await Promise.all(workers.map((w) => stopProcess(w.child, 10_000)));
  }
  const median = [...rounds].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(rounds.length / 2)]!;
  return { ...median, rounds: rounds.map((r) => r.perSecond) };
}

// ---------------------------------------------------------------------------------------
// Where the CPU goes (Linux's /proc; elsewhere the line is left out)

/** utime + stime of a process in ms (clock ticks of 10 ms), undefined when unreadable. */
function cpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(")").pop()!.trim().split(/\s+/);
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** A process and its descendants: tsx runs the script in a child process of its own. */
function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // gone, or not Linux
  }
  return [pid, ...children.flatMap(processTree)];
}

type CpuSnapshot = { workers: number | undefined; backends: Map<number, number>; redisMs: number; selfMs: number };

async function cpuSnapshot(db: Database, workers: ChildProcess[], redis: Redis): Promise<CpuSnapshot> {
  const workerMs = workers.flatMap((w) => processTree(w.pid!)).map(cpuMs);
  const rows = await db.execute<{ pid: number }>(sql`select pid from pg_stat_activity where datname = current_database() and application_name = 'ripple-workers'`);
  const backends = new Map(rows.flatMap((r) => {
    const ms = cpuMs(r.pid);
    return ms === undefined ? [] : [[r.pid, ms] as const];
  }));
  const info = await redis.info("cpu");
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? NaN);
  const { user, system } = process.cpuUsage();
  return {
    workers: workerMs.some((ms) => ms === undefined) ? undefined : workerMs.reduce<number>((sum, ms) => sum + ms!, 0),
    backends,
    redisMs: (seconds("used_cpu_sys") + seconds("used_cpu_user")) * 1000,
    selfMs: (user + system) / 1000,
  };
}

/** CPU ms per published share between two snapshots, by process. */
function cpuPerShare(before: CpuSnapshot, after: CpuSnapshot, published: number) {
  const per = (ms: number) => (ms / Math.max(1, published)).toFixed(2);
  const postgres = [...after.backends].reduce((sum, [pid, ms]) => sum + ms - (before.backends.get(pid) ?? 0), 0);
  const workers = before.workers === undefined || after.workers === undefined ? "?" : per(after.workers - before.workers);
  return `workers ${workers} ms, PostgreSQL (their connections) ${per(postgres)} ms, Redis (the whole server) ${per(after.redisMs - before.redisMs)} ms, this process (the fakes) ${per(after.selfMs - before.selfMs)} ms`;
}

// ---------------------------------------------------------------------------------------
// Checking the outcome

type ShareOutcome = { id: string; network: Network; status: string; errorCode: string | null; scheduledAt: Date; publishedAt: Date | null; externalId: string | null; code: string };

/** The posts at the fakes, by the tracked link they carry: network and post id. */
function postsAtFakes(fakes: Fakes) {
  const byCode = new Map<string, Array<{ network: Network; id: string }>>();
  let unknown = 0;
  const add = (network: Network, id: string, code: string | undefined) => {
    if (!code) return void unknown++;
    byCode.set(code, [...(byCode.get(code) ?? []), { network, id }]);
  };
  for (const post of fakes.linkedin.posts) {
    const article = (post.body.content as { article?: { source?: string } } | undefined)?.article?.source;
    add("linkedin", post.urn, codeOf(article ?? post.commentary));
  }
  for (const tweet of fakes.x.tweets) add("x", tweet.id, codeOf(tweet.sentText));
  for (const status of fakes.mastodon.statuses.values()) add("mastodon", status.id, codeOf(status.text));
  return { byCode, unknown, total: fakes.linkedin.posts.length + fakes.x.tweets.length + fakes.mastodon.statuses.size };
}

function check(outcomes: ShareOutcome[], fakes: Fakes) {
  const posts = postsAtFakes(fakes);
  const known = new Set(outcomes.map((o) => o.code));
  let duplicates = posts.unknown;
  for (const [code, list] of posts.byCode) duplicates += known.has(code) ? list.length - 1 : list.length;
  const perNetwork = new Map<Network, { shares: number; published: number; atNetwork: number; notPublished: number; missingAtNetwork: number; idMismatch: number }>();
  for (const o of outcomes) {
    const row = perNetwork.get(o.network) ?? { shares: 0, published: 0, atNetwork: 0, notPublished: 0, missingAtNetwork: 0, idMismatch: 0 };
    perNetwork.set(o.network, row);
    row.shares++;
    const found = posts.byCode.get(o.code) ?? [];
    row.atNetwork += found.length;
    if (o.status !== "published") row.notPublished++;
    else if (found.length === 0) row.missingAtNetwork++;
    else if (!found.some((p) => p.network === o.network && p.id === o.externalId)) row.idMismatch++;
    else row.published++;
  }
  const lost = outcomes.length - [...perNetwork.values()].reduce((sum, r) => sum + r.published, 0);
  return { duplicates, lost, perNetwork, postsAtFakes: posts.total };
}

// ---------------------------------------------------------------------------------------

export default async function main() {
  const started = performance.now();
  const workerProcesses = positiveInt("BENCH_WORKERS", 1);
  const timeoutMs = positiveInt("BENCH_TIMEOUT_S", 270) * 1000;
  const base = baseTestEnv();
  const prefix = base.QUEUE_PREFIX;
  const database = await createTestDatabase("bench");
  const children: ChildProcess[] = [];
  let fakes: Fakes | undefined;
  const handle = createDatabase(database.url, { max: 4, applicationName: "ripple-bench" });
  const redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const [linkedin, x, mastodon] = await Promise.all([
      startFakeLinkedIn({ ...LINKEDIN_CLIENT, latencyMs: LATENCY_MS }),
      startFakeX({ ...X_CLIENT, latencyMs: LATENCY_MS }),
      startFakeMastodon({ latencyMs: LATENCY_MS }),
    ]);
    fakes = { linkedin, x, mastodon };
    const env: Record<string, string> = {
      ...base,
      DATABASE_URL: database.url,
      APP_URL: "https://ripple.example",
      // A sign-in method is required configuration; nothing here sends mail.
      SMTP_URL: "smtp://127.0.0.1:2525",
      RIPPLE_PROCESS: "workers",
      FETCH_ALLOW_HOSTS: [linkedin.url, x.url, mastodon.url].map((u) => new URL(u).host).join(","),
      LINKEDIN_API_URL: linkedin.url,
      LINKEDIN_AUTH_URL: linkedin.url,
      LINKEDIN_CLIENT_ID: LINKEDIN_CLIENT.clientId,
      LINKEDIN_CLIENT_SECRET: LINKEDIN_CLIENT.clientSecret,
      X_API_URL: x.url,
      X_CLIENT_ID: X_CLIENT.clientId,
      X_CLIENT_SECRET: X_CLIENT.clientSecret,
      ...(process.env.PUBLISH_CONCURRENCY && { PUBLISH_CONCURRENCY: process.env.PUBLISH_CONCURRENCY }),
      ...(process.env.DATABASE_POOL_MAX && { DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX }),
    };
    // The fakes answer many requests at once, each waiting on the same abort signal.
    EventEmitter.defaultMaxListeners = 1_000;
    // This process queues the shares and encrypts their tokens: the same configuration.
    Object.assign(process.env, env);
    resetEnvForTests();
    const { PUBLISH_CONCURRENCY: concurrency, DATABASE_POOL_MAX: poolMax } = envFor(["PUBLISH_CONCURRENCY", "DATABASE_POOL_MAX"]);

    // The workers first, so their start-up (and the reconciler's first run) is over before the burst.
    const db = handle.db;
    const [shareRows] = await Promise.all([seed(db, fakes), startWorkers(workerProcesses, env, redis, prefix, children)]);
    console.log(`seeded ${shareRows.length} shares of ${MEMBERS} employees on 3 networks and started ${workerProcesses} worker process(es) in ${Math.round(performance.now() - started)} ms (database ${database.name})`);

    // T, then queue every share as the app does; publishing starts at T.
    const [before] = await db.execute<{ n: number }>(sql`select xact_commit::bigint::int as n from pg_stat_database where datname = current_database()`);
    const cpuBefore = await cpuSnapshot(db, children, redis);
    const enqueueStarted = Date.now();
    const T = new Date(enqueueStarted + LEAD_MS);
    await db.update(shares).set({ scheduledAt: T });
    await inParallel(shareRows, ENQUEUE_PARALLEL, async (share) => {
      if (!(await enqueuePublish({ ...share, mode: "api", status: "scheduled", scheduledAt: T }))) throw new Error(`share ${share.id} was not queued`);
    });
    const enqueueMs = Date.now() - enqueueStarted;
    if (Date.now() > T.getTime()) console.warn(`warning: queueing took ${enqueueMs} ms, past T: the first shares start late`);

    // Wait for the burst: every share out of scheduled/publishing, or the time is up.
    let polls = 0;
    let lastProgress = Date.now();
    let open = SHARES;
    const deadline = T.getTime() + timeoutMs;
    while (Date.now() < deadline) {
      const [row] = await db.execute<{ open: number; published: number }>(
        sql`select count(*) filter (where status in ('scheduled', 'publishing'))::int as open, count(*) filter (where status = 'published')::int as published from shares`,
      );
      polls++;
      open = row!.open;
      if (open === 0) break;
      if (Date.now() - lastProgress >= 15_000) {
        lastProgress = Date.now();
        console.log(`  T+${Math.round((Date.now() - T.getTime()) / 1000)} s: ${row!.published} published, ${open} to go`);
      }
      await sleep(250);
    }
    if (open > 0) console.warn(`warning: ${open} shares still scheduled or publishing after ${timeoutMs / 1000} s: counted as lost`);
    else console.log(`burst over at T+${((Date.now() - T.getTime()) / 1000).toFixed(1)} s`);
    const cpuAfter = await cpuSnapshot(db, children, redis);
    // A late second post of a share would show here.
    await sleep(1_000);
    await Promise.all(children.splice(0).map((child) => stopProcess(child)));
    const [after] = await db.execute<{ n: number }>(sql`select xact_commit::bigint::int as n from pg_stat_database where datname = current_database()`);
    // Less this process's own: the first count, the two CPU snapshots, setting T, and the polls.
    const transactions = after!.n - before!.n - polls - 4;

    const outcomes = (await db.execute<{ id: string; network: Network; status: string; error_code: string | null; scheduled_at: string; published_at: string | null; external_id: string | null; code: string }>(sql`
      select s.id, s.network, s.status, s.error_code, s.scheduled_at, s.published_at, s.external_id, l.code
      from shares s join tracked_links l on l.share_id = s.id`)).map((r): ShareOutcome => ({
      id: r.id, network: r.network, status: r.status, errorCode: r.error_code, scheduledAt: new Date(r.scheduled_at), publishedAt: r.published_at ? new Date(r.published_at) : null, externalId: r.external_id, code: r.code,
    }));
    const result = check(outcomes, fakes);
    const [scheduledPolls] = await db.execute<{ n: number }>(sql`select count(*)::int as n from reach_polls where poll = 0`);
    const publishedTimes = outcomes.flatMap((o) => (o.publishedAt ? [o.publishedAt.getTime()] : [])).sort((a, b) => a - b);
    const lateness = outcomes.flatMap((o) => (o.publishedAt ? [o.publishedAt.getTime() - o.scheduledAt.getTime()] : [])).sort((a, b) => a - b);
    const firstAt = publishedTimes[0] ?? NaN;
    const lastAt = publishedTimes.at(-1) ?? NaN;
    const publishesPerS = publishedTimes.length / Math.max(0.001, (lastAt - firstAt) / 1000);
    const fromTPerS = publishedTimes.length / Math.max(0.001, (lastAt - T.getTime()) / 1000);
    const statuses = new Map<string, number>();
    for (const o of outcomes) {
      const key = o.errorCode ? `${o.status} (${o.errorCode})` : o.status;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    const requests = (server: { requests: Array<{ method: string; path: string }> }) => {
      const counts = new Map<string, number>();
      for (const r of server.requests) {
        const key = `${r.method} ${r.path.replace(/\/\d+(?=\/|$)/g, "/:id")}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return [...counts].map(([k, n]) => `${k} ×${n}`).join(", ");
    };

    // The baseline, on the same Redis with the same concurrency and number of processes.
    const baseline = await measureBaseline(env, workerProcesses, concurrency, redis, prefix, children);
    const ratio = publishesPerS / baseline.perSecond;

    const pad = (s: string | number, n: number) => String(s).padStart(n);
    console.log(`\npublish burst: ${SHARES} shares due at T, fakes with ${LATENCY_MS} ms latency; ${workerProcesses} worker process(es), PUBLISH_CONCURRENCY ${concurrency} per network queue, DATABASE_POOL_MAX ${poolMax}`);
    console.log(`queued in ${enqueueMs} ms (T was ${LEAD_MS} ms after queueing began)`);
    console.log(`${"network".padEnd(10)}${pad("shares", 8)}${pad("ok", 8)}${pad("posts", 8)}${pad("not pub.", 10)}${pad("no post", 9)}${pad("id diff", 9)}`);
    for (const [network, r] of result.perNetwork) {
      console.log(`${network.padEnd(10)}${pad(r.shares, 8)}${pad(r.published, 8)}${pad(r.atNetwork, 8)}${pad(r.notPublished, 10)}${pad(r.missingAtNetwork, 9)}${pad(r.idMismatch, 9)}`);
    }
    console.log(`first reach polls scheduled: ${scheduledPolls!.n} of ${outcomes.filter((o) => o.status === "published").length}`);
    console.log(`share statuses: ${[...statuses].map(([k, n]) => `${k} ${n}`).join(", ")}`);
    console.log(`requests at the fakes: LinkedIn ${requests(linkedin)}; X ${requests(x)}; Mastodon ${requests(mastodon)}`);
    console.log(`CPU per published share, from T−${LEAD_MS / 1000} s to the end of the burst: ${cpuPerShare(cpuBefore, cpuAfter, publishedTimes.length)}`);
    console.log(`database transactions per published share: ${(transactions / Math.max(1, publishedTimes.length)).toFixed(1)} (${transactions} in all, workers' own jobs included)`);
    console.log(`publishes/s, first to last publishedAt    ${publishesPerS.toFixed(1).padStart(9)}   (${((lastAt - firstAt) / 1000).toFixed(2)} s)`);
    console.log(`publishes/s, T to last publishedAt        ${fromTPerS.toFixed(1).padStart(9)}   (${((lastAt - T.getTime()) / 1000).toFixed(2)} s)`);
    console.log(`lateness (publishedAt − scheduledAt)      p50 ${percentile(lateness, 50).toFixed(0)} ms   p99 ${percentile(lateness, 99).toFixed(0)} ms   max ${(lateness.at(-1) ?? NaN).toFixed(0)} ms`);
    console.log(`duplicates ${result.duplicates}   lost ${result.lost}   (posts at the fakes: ${result.postsAtFakes})`);
    console.log(`baseline: bare BullMQ worker, no-op, concurrency ${concurrency} ×${workerProcesses} process(es), median of ${BASELINE_ROUNDS} rounds of ${SHARES} jobs: ${baseline.perSecond.toFixed(1)} jobs/s first to last completion (${baseline.fromDuePerSecond.toFixed(1)} from the due moment; rounds ${baseline.rounds.map((r) => r.toFixed(0)).join(", ")})${baseline.done < SHARES ? `, only ${baseline.done} jobs completed` : ""}${baseline.queuedLate > 0 ? `, queued ${baseline.queuedLate} ms late` : ""}`);
    console.log(`ratio (publishes/s ÷ baseline jobs/s, both first to last): ${ratio.toFixed(3)}   goal ≥ 0.3 with 0 duplicates and 0 lost`);
    console.log(`whole run ${Math.round((performance.now() - started) / 1000)} s`);
    const r1 = (n: number) => Math.round(n * 10) / 10;
    console.log(
      JSON.stringify({
        publishes_per_s: r1(publishesPerS),
        lateness_p50_ms: Math.round(percentile(lateness, 50)),
        lateness_p99_ms: Math.round(percentile(lateness, 99)),
        duplicates: result.duplicates,
        lost: result.lost,
        baseline_per_s: r1(baseline.perSecond),
        ratio: Math.round(ratio * 1000) / 1000,
      }),
    );
  } finally {
    await Promise.all(children.map((child) => stopProcess(child, 10_000)));
    await closeQueues();
    redis.disconnect();
    await Promise.all([fakes?.linkedin.close(), fakes?.x.close(), fakes?.mastodon.close()]);
    await handle.close();
    await clearRedisPrefix(base.REDIS_URL, prefix);
    await database.drop();
  }
}

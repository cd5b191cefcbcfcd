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
import { closeQueues, getQueue, publishQueueFor } from "@/lib/queue";
import { heartbeatKey } from "@/lib/queue/heartbeat";
import { bullPrefix, keyBase, redisKeys } from "@/lib/queue/keys";
import { enqueuePublish, PUBLISH_ATTEMPTS, publishJobId } from "@/lib/queue/publish";
import { USER_AGENT } from "@/lib/net/safe-fetch";
import { createTestDatabase } from "../support/database";
import { startFakeLinkedIn, type FakeLinkedIn } from "../fakes/linkedin";
import { startFakeMastodon, type FakeMastodon } from "../fakes/mastodon";
import { startFakeX, type FakeX } from "../fakes/x";
import { projectRoot, startScript, stopProcess } from "../support/processes";
import { baseTestEnv, clearRedisPrefix } from "../support/test-env";

/**
 * The publishing engine under a burst: 10,000 shares due at the same moment T, published to
 * the fake LinkedIn, X and Mastodon, which wait 20 ms before every answer, on a fresh database
 * and queue prefix, next to baselines measured in the same run on the same PostgreSQL, Redis
 * and fakes.
 *
 * 1,000 employees, each with a LinkedIn, an X and a Mastodon account, share 4 stories on
 * LinkedIn and 3 each on X and Mastodon: 4,000 + 3,000 + 3,000 shares, every one with its
 * own tracked link, so no per-account window of lib/shares/rate-limit.ts throttles (X 3
 * per account of 95 per 15 min and 3,000 of the app's 9,500 a day; Mastodon 3 of 250 per
 * 5 min; LinkedIn 4 of 150 a day).
 *
 * Measured runs, each on a fresh batch of 10,000 scheduled shares (new stories, shares and
 * tracked links for the same people and accounts; before each run the fakes' posts and
 * request logs and Ripple's post windows in Redis are emptied, so every run starts as the
 * first did, and no run's shares exist while another runs):
 * - "ripple ×1": the real workers (`workers/index.ts`), one child process, the shares queued
 *   as the app queues them (enqueuePublish);
 * - "ripple ×N": the same with BENCH_WORKERS processes (default 2); `scaling` = its
 *   publishes/s ÷ one process's, goal ≥ 1.6;
 * - "minimal": the minimal exactly-once loop, one child process (MINIMAL_WORKER below): a
 *   bare BullMQ Worker per network queue with the workers' concurrency and lock settings
 *   (no limiter), whose job claims the share with one guarded UPDATE (scheduled → publishing,
 *   reading the account, tracked link and story in the same statement; no row, nothing
 *   done), sends the request Ripple's adapter sends for that network to the same fake, and
 *   marks the share published (published_at, external_id, external_url) in one UPDATE, with a
 *   postgres.js pool of DATABASE_POOL_MAX. `ratio` = ripple ×1 ÷ minimal, goal ≥ 0.5 with 0
 *   duplicates and 0 lost.
 * The three take turns in BENCH_ROUNDS rounds (default 2; every other round in reverse
 * order, so drift on a shared machine hits both sides); each figure is the median of its
 * rounds, duplicates and lost are summed. Last, the no-op baseline of old, kept for history
 * as `noop_ratio`: a bare BullMQ worker with a no-op processor, one process, the same
 * concurrency, 10,000 jobs of one queue due at one moment (the median of three rounds).
 * Both baselines run in one process.
 *
 * Figures per run: publishes per second from the first to the last publishedAt (and, shown
 * beside it, from T to the last); lateness per share = publishedAt − scheduledAt; duplicates
 * and lost counted both at the fakes (posts per tracked link) and in the database (every
 * share published once, with its post's id); the reach polls scheduled (Ripple's runs). To
 * show where the time goes: CPU per published share of the worker processes, their
 * PostgreSQL connections, Redis and this process (the fakes), from the end of queueing to
 * the end of the burst; database transactions per share; the requests the fakes received.
 *
 * Settings from the environment: PUBLISH_CONCURRENCY and DATABASE_POOL_MAX (given to the
 * workers and used by the minimal loop; the app's defaults otherwise), BENCH_WORKERS
 * (processes of the scaling run, default 2), BENCH_ROUNDS (default 2), BENCH_TIMEOUT_S (how
 * long to wait for one burst, default 270).
 *
 * Last line: {"ratio", "noop_ratio", "one_worker_per_s", "two_workers_per_s", "scaling",
 * "minimal_per_s", "baseline_per_s" (the no-op), "publishes_per_s" (= one_worker_per_s),
 * "lateness_p50_ms", "lateness_p99_ms" (one process), "duplicates" and "lost" (all runs),
 * "<run>_duplicates" and "<run>_lost" for one_worker, two_workers and minimal,
 * "scale_workers", "rounds"}.
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
/** The minimal loop's queues, one per network as the app's; its connections' application_name. */
const minimalQueue = (network: Network) => `bench-minimal-${network}`;
const MINIMAL_APPLICATION = "bench-minimal";
const NETWORKS = Object.keys(SHARES_PER_MEMBER) as Network[];

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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inParallel<T>(items: T[], parallel: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/** A uuid[] as one parameter (drizzle spreads a JS array into a row of parameters). */
const uuids = (list: string[]) => sql`${`{${list.join(",")}}`}::uuid[]`;

const codeOf = (text: string | undefined) => /\/r\/([0-9A-Za-z]+)/.exec(text ?? "")?.[1];

// ---------------------------------------------------------------------------------------
// Seeding

type Connection = { id: string; userId: string; network: Network; accessToken: string };
type People = { orgId: string; connections: Connection[] };
type ShareRow = typeof shares.$inferInsert & { id: string; network: Network };

/** The organisation, its 1,000 employees and their 3,000 accounts, once for every run. */
async function seedPeople(db: Database, fakes: Fakes): Promise<People> {
  const [org] = await db.insert(organizations).values({ name: "Bench A/S", slug: `bench-${randomBytes(3).toString("hex")}` }).returning();
  const orgId = org!.id;
  const people = Array.from({ length: MEMBERS }, (_, i) => ({ id: randomUUID(), email: `bench.${i}@example.test`, name: `Medarbejder ${i + 1}` }));
  for (let i = 0; i < people.length; i += 500) {
    const chunk = people.slice(i, i + 500);
    await db.insert(users).values(chunk);
    await db.insert(memberships).values(chunk.map((p) => ({ orgId, userId: p.id, roles: ["employee" as const], status: "active" as const, joinedAt: new Date() })));
  }

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
  const connections: Connection[] = [];
  const rows = people.flatMap((person, i) => {
    const username = `medarbejder-${i + 1}`;
    const list = [] as Array<typeof socialConnections.$inferInsert>;
    const add = (network: Network, externalId: string, tokens: Omit<TokenSet, "refreshExpiresAt">, instanceUrl: string | null = null) => {
      const id = randomUUID();
      connections.push({ id, userId: person.id, network, accessToken: tokens.accessToken });
      list.push({
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
    return list;
  });
  for (let i = 0; i < rows.length; i += 1_000) await db.insert(socialConnections).values(rows.slice(i, i + 1_000));
  return { orgId, connections };
}

/**
 * One run's batch: 10 new stories and 10,000 shares of them with their tracked links,
 * scheduled an hour ahead until T is set (just before they are queued).
 */
async function seedBatch(db: Database, people: People, batch: number): Promise<{ shareRows: ShareRow[]; storyIds: string[] }> {
  const hourAgo = new Date(Date.now() - 3_600_000);
  const storyRows = await db
    .insert(stories)
    .values(Array.from({ length: STORIES }, (_, i) => ({
      orgId: people.orgId,
      slug: `historie-${batch}-${i + 1}`,
      title: `Nordlys åbner fabrik nr. ${batch * STORIES + i + 1}`,
      summary: "200 nye job i vindmølleindustrien",
      language: "da" as const,
      status: "published" as const,
      canonicalUrl: `https://nordlys.example/nyheder/${batch}/${i + 1}`,
      publishAt: hourAgo,
      publishedAt: hourAgo,
    })))
    .returning();
  const later = new Date(Date.now() + 3_600_000);
  const shareRows: ShareRow[] = [];
  const linkRows: Array<typeof trackedLinks.$inferInsert> = [];
  people.connections.forEach((connection, c) => {
    const member = Math.floor(c / 3);
    const offset = connection.network === "linkedin" ? 0 : connection.network === "x" ? SHARES_PER_MEMBER.linkedin : SHARES_PER_MEMBER.linkedin + SHARES_PER_MEMBER.x;
    for (let k = 0; k < SHARES_PER_MEMBER[connection.network]; k++) {
      const story = storyRows[(offset + k + member) % STORIES]!;
      const id = randomUUID();
      const code = newLinkCode();
      shareRows.push({
        id, orgId: people.orgId, storyId: story.id, userId: connection.userId, connectionId: connection.id, network: connection.network, mode: "api", status: "scheduled", scheduledAt: later,
        text: `${story.title} (${connection.network}) — læs mere: ${trackedUrl(code)} #grøntskifte`,
      });
      linkRows.push({ orgId: people.orgId, code, shareId: id, storyId: story.id, destination: withUtm(story.canonicalUrl!, { network: connection.network, storySlug: story.slug, shareId: id }) });
    }
  });
  for (let i = 0; i < shareRows.length; i += 1_000) {
    await db.insert(shares).values(shareRows.slice(i, i + 1_000));
    await db.insert(trackedLinks).values(linkRows.slice(i, i + 1_000));
  }
  await db.execute(sql`analyze`);
  return { shareRows, storyIds: storyRows.map((s) => s.id) };
}

/** Every run starts as the first did: no posts at the fakes, empty request logs and windows. */
async function freshStart(fakes: Fakes, redis: Redis, prefix: string, people: People) {
  fakes.linkedin.posts.splice(0);
  fakes.linkedin.comments.splice(0);
  fakes.x.tweets.splice(0);
  fakes.mastodon.statuses.clear();
  for (const fake of [fakes.linkedin, fakes.x, fakes.mastodon]) fake.requests.splice(0);
  fakes.x.resetRateLimits();
  fakes.mastodon.resetRateLimits();
  // Ripple's post windows (lib/shares/rate-limit.ts): the app's and every account's.
  const base = keyBase(prefix);
  const keys = [
    ...NETWORKS.map((network) => redisKeys.postWindowApp(network, base)),
    ...people.connections.flatMap((c) => [redisKeys.postWindowAccount(c.network, c.id, base), redisKeys.postBlock(c.network, c.id, base)]),
  ];
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
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

/**
 * `npm run workers` as child processes; resolves once their heartbeat is in Redis and every
 * process has its publish workers on the bench's three queues.
 */
async function startWorkers(count: number, env: Record<string, string>, redis: Redis, prefix: string, children: ChildProcess[]) {
  await redis.del(heartbeatKey(prefix));
  for (let i = 0; i < count; i++) children.push(startScript("workers/index.ts", env, `workers ${i + 1}`));
  await waitFor("the workers' heartbeat", () => redis.get(heartbeatKey(prefix)), 60_000);
  await waitFor(`${count} worker process(es) on every publish queue`, async () => {
    const counts = await Promise.all(NETWORKS.map((network) => getQueue(publishQueueFor(network)).getWorkersCount()));
    return counts.every((n) => n >= count);
  }, 60_000, 250);
  // The start-up's own work (the reconciler's first run, schedules) out of the way, as long for every run.
  await sleep(2_000);
}

/**
 * A worker script of this file in a child process (`node -e`, the project's node_modules),
 * speaking JSON lines: it prints {"ready":true} when connected, and other lines as asked.
 */
function startInlineWorker(script: string, env: Record<string, string>, tag: string) {
  const child = spawn(process.execPath, ["-e", script], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "inherit"] });
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
        process.stdout.write(`[${tag}] ${line}\n`);
      }
    }
  });
  return {
    child,
    lines,
    ready: () => waitFor(`the ${tag} worker`, async () => child.exitCode === null && lines.some((l) => l.ready), 30_000),
    send: (line: string) => child.stdin!.write(`${line}\n`),
  };
}

/**
 * The no-op baseline worker: BullMQ's Worker with a no-op processor and the options the app's
 * workers get (workers/runtime.ts), minus the limiter. On a "report" line it prints
 * {"first","last","done"} (completion times in ms since the last report), on "quit" it closes.
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

/**
 * The minimal exactly-once loop: one BullMQ Worker per network queue (BENCH_QUEUES: name and
 * prefix), the publish workers' concurrency and lock settings (workers/processors/publish.ts)
 * minus the limiter, and a postgres.js pool of BENCH_POOL_MAX. Per job:
 * 1. one guarded UPDATE claims the share (scheduled, api and due → publishing, the columns
 *    lib/shares/publish.ts sets) and, in the same statement, reads what the post needs from
 *    the account, the tracked link and the story; no row: someone else has it, nothing done;
 * 2. the request Ripple's adapter sends (lib/networks/{linkedin,x,mastodon}.ts: URL, headers
 *    with Authorization, body) to the same fake, over node:http with a fresh connection per
 *    request as lib/net/safe-fetch.ts does. Simplified: the access token is the plaintext one
 *    the bench seeded (given on stdin as {"tokens":{connectionId: token}}); Ripple decrypts
 *    the stored one. The fakes accept either, since they are the same token;
 * 3. one UPDATE marks it published (published_at, external_id, external_url, as Ripple's).
 * A request that fails leaves the share needing attention (the outcome is unknown: never a
 * second post), so the bench counts it as lost. Prints {"ready":true} once it has the tokens
 * and its workers are connected; "quit" closes it.
 * String.raw: the regular expressions are copies of lib/networks/linkedin.ts's, as written there.
 */
const MINIMAL_WORKER = String.raw`
const http = require("node:http");
const { Worker } = require("bullmq");
const { Redis } = require("ioredis");
const postgres = require("postgres");
const env = process.env;
const sql = postgres(env.DATABASE_URL, { max: Number(env.BENCH_POOL_MAX), prepare: true, idle_timeout: 60, onnotice: () => {}, connection: { application_name: env.BENCH_APPLICATION } });
let tokens = new Map();

// linkedinCommentary (lib/networks/linkedin.ts): hashtags as LinkedIn's template, the rest escaped.
const LITTLE_RESERVED = /[\\|{}@[\]()<>#*_~]/g;
const HASHTAG = /(?<=^|[\s([{"'“‘«])#((?=[\p{L}\p{M}\p{N}_]*\p{L})[\p{L}\p{M}\p{N}_]+)/gu;
const escapeLittleText = (text) => text.replace(LITTLE_RESERVED, (c) => "\\" + c);
function commentary(text) {
  let out = "", last = 0;
  for (const match of text.matchAll(HASHTAG)) {
    out += escapeLittleText(text.slice(last, match.index)) + "{hashtag|\\#|" + escapeLittleText(match[1]) + "}";
    last = match.index + match[0].length;
  }
  return out + escapeLittleText(text.slice(last));
}

function postJson(url, headers, body) {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: "POST", agent: false, timeout: 10000,
      headers: { "user-agent": env.BENCH_USER_AGENT, accept: "application/json", "accept-encoding": "gzip, deflate, br", "content-type": "application/json", "content-length": Buffer.byteLength(data), ...headers },
    }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (response.statusCode < 200 || response.statusCode >= 300) return reject(new Error(url + " answered " + response.statusCode + ": " + text.slice(0, 300)));
        resolve({ headers: response.headers, body: text ? JSON.parse(text) : null });
      });
    });
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", reject);
    request.end(data);
  });
}

const trim = (base) => base.replace(/\/+$/, "");
const send = {
  async linkedin(s, bearer) {
    const link = env.BENCH_LINK_BASE + s.code;
    const response = await postJson(trim(env.LINKEDIN_API_URL) + "/rest/posts", { authorization: bearer, "LinkedIn-Version": env.LINKEDIN_VERSION, "X-Restli-Protocol-Version": "2.0.0", "X-RestLi-Method": "create" }, {
      author: "urn:li:person:" + s.external_id,
      commentary: commentary(s.text),
      visibility: "PUBLIC",
      distribution: { feedDistribution: "MAIN_FEED", targetEntities: [], thirdPartyDistributionChannels: [] },
      content: { article: { source: link, title: s.title, description: s.summary } },
      lifecycleState: "PUBLISHED",
      isReshareDisabledByAuthor: false,
    });
    const urn = response.headers["x-restli-id"];
    if (!urn) throw new Error("no x-restli-id");
    return { id: urn, url: "https://www.linkedin.com/feed/update/" + urn + "/" };
  },
  async x(s, bearer) {
    const response = await postJson(trim(env.X_API_URL) + "/2/tweets", { authorization: bearer }, { text: s.text });
    const id = response.body.data.id;
    return { id, url: "https://x.com/" + encodeURIComponent(s.handle.replace(/^@/, "")) + "/status/" + id };
  },
  async mastodon(s, bearer) {
    const response = await postJson(trim(s.instance_url) + "/api/v1/statuses", { authorization: bearer, "idempotency-key": s.id }, { status: s.text, visibility: "public", language: s.language });
    return { id: response.body.id, url: response.body.url ?? null };
  },
};

async function publish(shareId) {
  const now = new Date();
  const [s] = await sql.unsafe(
    "update shares s set status = 'publishing', publishing_started_at = $2::timestamptz, updated_at = $2::timestamptz, first_attempt_at = coalesce(s.first_attempt_at, $2::timestamptz), attempts = s.attempts + 1 " +
      "from social_connections c, tracked_links l, stories st " +
      "where s.id = $1 and s.mode = 'api' and s.status = 'scheduled' and s.scheduled_at <= $3::timestamptz " +
      "and c.id = s.connection_id and l.share_id = s.id and st.id = s.story_id " +
      "returning s.id, s.network, s.text, s.connection_id, c.external_id, c.handle, c.instance_url, l.code, st.title, st.summary, st.language",
    [shareId, now.toISOString(), new Date(now.getTime() + 2000).toISOString()],
    { prepare: true },
  );
  if (!s) return;
  let post;
  try {
    post = await send[s.network](s, "Bearer " + tokens.get(s.connection_id));
  } catch (error) {
    await sql.unsafe("update shares set status = 'needs_attention', error_code = 'outcome_unknown', last_error = $2 where id = $1 and status = 'publishing'", [s.id, String(error.message).slice(0, 1000)], { prepare: true });
    return;
  }
  await sql.unsafe(
    "update shares set status = 'published', published_at = $2::timestamptz, external_id = $3, external_url = $4, error_code = null, last_error = null where id = $1 and status = 'publishing'",
    [s.id, new Date().toISOString(), post.id, post.url],
    { prepare: true },
  );
}

const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
let workers = [];
require("node:readline").createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line.startsWith("{")) {
    tokens = new Map(Object.entries(JSON.parse(line).tokens));
    workers = JSON.parse(env.BENCH_QUEUES).map((queue) => new Worker(queue.name, (job) => publish(job.data.shareId), {
      connection, prefix: queue.prefix, concurrency: Number(env.BENCH_CONCURRENCY),
      lockDuration: 15000, stalledInterval: 5000, maxStalledCount: 1,
      removeOnComplete: { age: 86400, count: 1000 }, removeOnFail: { age: 14 * 86400, count: 10000 },
    }));
    for (const worker of workers) worker.on("failed", (job, error) => console.error("minimal: job failed", job && job.id, error && error.message));
    await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    console.log(JSON.stringify({ ready: true }));
    return;
  }
  await Promise.all(workers.map((worker) => worker.close()));
  connection.disconnect();
  await sql.end({ timeout: 5 });
  process.exit(0);
});
`;

type BaselineReport = { first: number; last: number; done: number };

function startBaselineWorker(env: Record<string, string>) {
  const worker = startInlineWorker(BASELINE_WORKER, env, "baseline");
  return {
    ...worker,
    report: async (): Promise<BaselineReport> => {
      worker.send("report");
      const at = await waitFor("the baseline report", async () => worker.lines.findIndex((l) => "done" in l) + 1, 30_000);
      return worker.lines.splice(at - 1, 1)[0] as BaselineReport;
    },
    quit: () => worker.send("quit"),
  };
}

/**
 * The no-op baseline in BASELINE_ROUNDS rounds of 10,000 jobs due at one moment, in as many
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
  const middle = [...rounds].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(rounds.length / 2)]!;
  return { ...middle, rounds: rounds.map((r) => r.perSecond) };
}

// ---------------------------------------------------------------------------------------
// One measured run

type RunSpec = { key: "one_worker" | "two_workers" | "minimal"; kind: "ripple" | "minimal"; processes: number };

type RunContext = {
  db: Database;
  redis: Redis;
  prefix: string;
  env: Record<string, string>;
  fakes: Fakes;
  people: People;
  concurrency: number;
  poolMax: number;
  timeoutMs: number;
  children: ChildProcess[];
};

type RunResult = {
  spec: RunSpec;
  round: number;
  perSecond: number;
  fromTPerSecond: number;
  spanS: number;
  fromTSpanS: number;
  lateness: number[];
  duplicates: number;
  lost: number;
  lines: string[];
};

const runName = (spec: RunSpec) => (spec.kind === "minimal" ? `minimal loop ×${spec.processes}` : `ripple ×${spec.processes}`);

let batches = 0;

async function measureRun(spec: RunSpec, round: number, ctx: RunContext): Promise<RunResult> {
  const { db, redis, prefix, env, fakes, people, children } = ctx;
  const batch = await seedBatch(db, people, ++batches);
  const ids = batch.shareRows.map((s) => s.id);
  await freshStart(fakes, redis, prefix, people);
  const processes: ChildProcess[] = [];
  const application = spec.kind === "ripple" ? "ripple-workers" : MINIMAL_APPLICATION;
  const minimalQueues = NETWORKS.map((network) => ({ network, name: minimalQueue(network), prefix: bullPrefix(minimalQueue(network), keyBase(prefix)) }));
  const queues: Queue[] = [];
  let quit = () => {};
  let polls = 0;
  let enqueueMs: number | undefined;
  let T = new Date();
  let cpuBefore: CpuSnapshot | undefined;
  let cpuAfter: CpuSnapshot | undefined;
  let transactions: number | undefined;
  let open = SHARES;
  try {
    if (spec.kind === "ripple") {
      await startWorkers(spec.processes, env, redis, prefix, processes);
    } else {
      const tokens = Object.fromEntries(people.connections.map((c) => [c.id, c.accessToken]));
      const workers = Array.from({ length: spec.processes }, (_, i) =>
        startInlineWorker(MINIMAL_WORKER, {
          ...env,
          BENCH_QUEUES: JSON.stringify(minimalQueues.map(({ name, prefix: p }) => ({ name, prefix: p }))),
          BENCH_CONCURRENCY: String(ctx.concurrency),
          BENCH_POOL_MAX: String(ctx.poolMax),
          BENCH_APPLICATION: MINIMAL_APPLICATION,
          BENCH_LINK_BASE: trackedUrl(""),
          BENCH_USER_AGENT: USER_AGENT,
          LINKEDIN_VERSION: envFor(["LINKEDIN_VERSION"]).LINKEDIN_VERSION,
        }, `minimal ${i + 1}`),
      );
      processes.push(...workers.map((w) => w.child));
      for (const w of workers) w.send(JSON.stringify({ tokens }));
      await Promise.all(workers.map((w) => w.ready()));
      quit = () => workers.forEach((w) => w.send("quit"));
      for (const q of minimalQueues) queues.push(new Queue(q.name, { connection: redis.duplicate(), prefix: q.prefix }));
    }
    children.push(...processes);

    // T, then queue every share: Ripple's as the app does, the minimal loop's with the same job options.
    const enqueueStarted = Date.now();
    T = new Date(enqueueStarted + LEAD_MS);
    await db.update(shares).set({ scheduledAt: T }).where(sql`${shares.id} = any(${uuids(ids)})`);
    if (spec.kind === "ripple") {
      await inParallel(batch.shareRows, ENQUEUE_PARALLEL, async (share) => {
        if (!(await enqueuePublish({ ...share, mode: "api", status: "scheduled", scheduledAt: T }))) throw new Error(`share ${share.id} was not queued`);
      });
    } else {
      for (const [n, network] of NETWORKS.entries()) {
        const rows = batch.shareRows.filter((s) => s.network === network);
        for (let i = 0; i < rows.length; i += 1_000) {
          await queues[n]!.addBulk(rows.slice(i, i + 1_000).map((share) => ({
            name: "share.publish",
            data: { shareId: share.id },
            opts: { jobId: publishJobId(share.id), delay: Math.max(0, T.getTime() - Date.now()), attempts: PUBLISH_ATTEMPTS, backoff: { type: "exponential", delay: 30_000 } },
          })));
        }
      }
    }
    enqueueMs = Date.now() - enqueueStarted;
    if (Date.now() > T.getTime()) console.warn(`warning: queueing took ${enqueueMs} ms, past T: the first shares start late`);
    const [before] = await db.execute<{ n: number }>(sql`select xact_commit::bigint::int as n from pg_stat_database where datname = current_database()`);
    cpuBefore = await cpuSnapshot(db, processes, redis, application);

    // Wait for the burst: every share of the batch out of scheduled/publishing, or the time is up.
    let lastProgress = Date.now();
    const deadline = T.getTime() + ctx.timeoutMs;
    while (Date.now() < deadline) {
      const [row] = await db.execute<{ open: number; published: number }>(sql`
        select count(*) filter (where status in ('scheduled', 'publishing'))::int as open, count(*) filter (where status = 'published')::int as published
        from shares where story_id = any(${uuids(batch.storyIds)})`);
      polls++;
      open = row!.open;
      if (open === 0) break;
      if (Date.now() - lastProgress >= 15_000) {
        lastProgress = Date.now();
        console.log(`  ${runName(spec)}: T+${Math.round((Date.now() - T.getTime()) / 1000)} s: ${row!.published} published, ${open} to go`);
      }
      await sleep(250);
    }
    if (open > 0) console.warn(`warning: ${open} shares still scheduled or publishing after ${ctx.timeoutMs / 1000} s: counted as lost`);
    cpuAfter = await cpuSnapshot(db, processes, redis, application);
    // A late second post of a share would show here.
    await sleep(1_000);
    quit();
    await Promise.all(processes.map((child) => stopProcess(child, 10_000)));
    const [after] = await db.execute<{ n: number }>(sql`select xact_commit::bigint::int as n from pg_stat_database where datname = current_database()`);
    // Less this process's own: the CPU snapshots and the polls.
    transactions = after!.n - before!.n - polls - 2;
  } finally {
    quit();
    await Promise.all(processes.map((child) => stopProcess(child, 10_000)));
    for (const q of queues) {
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
      await (q.opts.connection as Redis).quit();
    }
  }

  const outcomes = (await db.execute<{ id: string; network: Network; status: string; error_code: string | null; scheduled_at: string; published_at: string | null; external_id: string | null; code: string }>(sql`
    select s.id, s.network, s.status, s.error_code, s.scheduled_at, s.published_at, s.external_id, l.code
    from shares s join tracked_links l on l.share_id = s.id where s.story_id = any(${uuids(batch.storyIds)})`)).map((r): ShareOutcome => ({
    id: r.id, network: r.network, status: r.status, errorCode: r.error_code, scheduledAt: new Date(r.scheduled_at), publishedAt: r.published_at ? new Date(r.published_at) : null, externalId: r.external_id, code: r.code,
  }));
  const result = check(outcomes, fakes);
  const [scheduledPolls] = await db.execute<{ n: number }>(sql`select count(*)::int as n from reach_polls where poll = 0 and share_id = any(${uuids(ids)})`);
  const publishedTimes = outcomes.flatMap((o) => (o.publishedAt ? [o.publishedAt.getTime()] : [])).sort((a, b) => a - b);
  const lateness = outcomes.flatMap((o) => (o.publishedAt ? [o.publishedAt.getTime() - o.scheduledAt.getTime()] : [])).sort((a, b) => a - b);
  const firstAt = publishedTimes[0] ?? NaN;
  const lastAt = publishedTimes.at(-1) ?? NaN;
  const perSecond = publishedTimes.length / Math.max(0.001, (lastAt - firstAt) / 1000);
  const fromTPerSecond = publishedTimes.length / Math.max(0.001, (lastAt - T.getTime()) / 1000);
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

  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const lines = [
    `\n${runName(spec)} (round ${round}): ${SHARES} shares due at T, ${spec.processes} process(es), concurrency ${ctx.concurrency} per network queue, DATABASE_POOL_MAX ${ctx.poolMax}; queued in ${enqueueMs ?? NaN} ms (T was ${LEAD_MS} ms after queueing began)`,
    `${"network".padEnd(10)}${pad("shares", 8)}${pad("ok", 8)}${pad("posts", 8)}${pad("not pub.", 10)}${pad("no post", 9)}${pad("id diff", 9)}`,
    ...[...result.perNetwork].map(([network, r]) => `${network.padEnd(10)}${pad(r.shares, 8)}${pad(r.published, 8)}${pad(r.atNetwork, 8)}${pad(r.notPublished, 10)}${pad(r.missingAtNetwork, 9)}${pad(r.idMismatch, 9)}`),
    ...(spec.kind === "ripple" ? [`first reach polls scheduled: ${scheduledPolls!.n} of ${publishedTimes.length}`] : []),
    `share statuses: ${[...statuses].map(([k, n]) => `${k} ${n}`).join(", ")}`,
    `requests at the fakes: LinkedIn ${requests(fakes.linkedin) || "none"}; X ${requests(fakes.x) || "none"}; Mastodon ${requests(fakes.mastodon) || "none"}`,
    `CPU per published share, from the end of queueing to the end of the burst: ${cpuPerShare(cpuBefore!, cpuAfter!, publishedTimes.length, spec.kind === "ripple" ? "workers" : "minimal loop")}`,
    `database transactions per published share: ${((transactions ?? NaN) / Math.max(1, publishedTimes.length)).toFixed(1)} (${transactions ?? NaN} in all${spec.kind === "ripple" ? ", workers' own jobs included" : ""})`,
    `publishes/s, first to last publishedAt    ${perSecond.toFixed(1).padStart(9)}   (${((lastAt - firstAt) / 1000).toFixed(2)} s)`,
    `publishes/s, T to last publishedAt        ${fromTPerSecond.toFixed(1).padStart(9)}   (${((lastAt - T.getTime()) / 1000).toFixed(2)} s)`,
    `lateness (publishedAt − scheduledAt)      p50 ${percentile(lateness, 50).toFixed(0)} ms   p99 ${percentile(lateness, 99).toFixed(0)} ms   max ${(lateness.at(-1) ?? NaN).toFixed(0)} ms`,
    `duplicates ${result.duplicates}   lost ${result.lost}   (posts at the fakes: ${result.postsAtFakes})`,
  ];
  for (const line of lines) console.log(line);
  // Gone before the next run, which then meets the same tables (and no published shares of
  // this run for its reconciler to count): links, polls and snapshots go with them.
  await db.execute(sql`delete from ${shares} where story_id = any(${uuids(batch.storyIds)})`);
  await db.execute(sql`vacuum analyze shares, tracked_links, reach_polls`);
  return { spec, round, perSecond, fromTPerSecond, spanS: (lastAt - firstAt) / 1000, fromTSpanS: (lastAt - T.getTime()) / 1000, lateness, duplicates: result.duplicates, lost: result.lost, lines };
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

/** `application`: the application_name of the workers' PostgreSQL connections. */
async function cpuSnapshot(db: Database, workers: ChildProcess[], redis: Redis, application: string): Promise<CpuSnapshot> {
  const workerMs = workers.flatMap((w) => processTree(w.pid!)).map(cpuMs);
  const rows = await db.execute<{ pid: number }>(sql`select pid from pg_stat_activity where datname = current_database() and application_name = ${application}`);
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
function cpuPerShare(before: CpuSnapshot, after: CpuSnapshot, published: number, label: string) {
  const per = (ms: number) => (ms / Math.max(1, published)).toFixed(2);
  const postgres = [...after.backends].reduce((sum, [pid, ms]) => sum + ms - (before.backends.get(pid) ?? 0), 0);
  const workers = before.workers === undefined || after.workers === undefined ? "?" : per(after.workers - before.workers);
  return `${label} ${workers} ms, PostgreSQL (their connections) ${per(postgres)} ms, Redis (the whole server) ${per(after.redisMs - before.redisMs)} ms, this process (the fakes) ${per(after.selfMs - before.selfMs)} ms`;
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
  const scaleWorkers = positiveInt("BENCH_WORKERS", 2);
  const roundCount = positiveInt("BENCH_ROUNDS", 2);
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

    const db = handle.db;
    const people = await seedPeople(db, fakes);
    console.log(`seeded ${MEMBERS} employees with ${people.connections.length} accounts on 3 networks in ${Math.round(performance.now() - started)} ms (database ${database.name}); ${roundCount} round(s) of ripple ×1, ripple ×${scaleWorkers} and the minimal loop ×1, ${SHARES} fresh shares each`);
    const ctx: RunContext = { db, redis, prefix, env, fakes, people, concurrency, poolMax, timeoutMs, children };
    const specs: RunSpec[] = [
      { key: "one_worker", kind: "ripple", processes: 1 },
      { key: "two_workers", kind: "ripple", processes: scaleWorkers },
      { key: "minimal", kind: "minimal", processes: 1 },
    ];
    const results: RunResult[] = [];
    for (let round = 1; round <= roundCount; round++) {
      for (const spec of round % 2 ? specs : [...specs].reverse()) results.push(await measureRun(spec, round, ctx));
    }

    // The no-op baseline of old, on the same Redis with the same concurrency, one process.
    const baseline = await measureBaseline(env, 1, concurrency, redis, prefix, children);

    const of = (key: RunSpec["key"]) => results.filter((r) => r.spec.key === key);
    const perS = (key: RunSpec["key"]) => median(of(key).map((r) => r.perSecond));
    const sum = (key: RunSpec["key"], field: "duplicates" | "lost") => of(key).reduce((n, r) => n + r[field], 0);
    const one = perS("one_worker");
    const two = perS("two_workers");
    const minimal = perS("minimal");
    const ratio = one / minimal;
    const noopRatio = one / baseline.perSecond;
    const scaling = two / one;
    const oneLateness = median(of("one_worker").map((r) => percentile(r.lateness, 50)));
    const oneLatenessP99 = median(of("one_worker").map((r) => percentile(r.lateness, 99)));
    const duplicates = results.reduce((n, r) => n + r.duplicates, 0);
    const lost = results.reduce((n, r) => n + r.lost, 0);
    const rounds = (key: RunSpec["key"]) => of(key).map((r) => r.perSecond.toFixed(1)).join(", ");
    const dl = (key: RunSpec["key"]) => `duplicates ${sum(key, "duplicates")}, lost ${sum(key, "lost")}`;

    console.log(`\nsummary: ${SHARES} shares a run, fakes with ${LATENCY_MS} ms latency, concurrency ${concurrency} per network queue, DATABASE_POOL_MAX ${poolMax} per process, ${roundCount} round(s); publishes/s first to last publishedAt, median of the rounds`);
    console.log(`ripple, 1 worker process                 ${one.toFixed(1).padStart(9)}   (rounds ${rounds("one_worker")}; ${dl("one_worker")})`);
    console.log(`ripple, ${scaleWorkers} worker processes                ${two.toFixed(1).padStart(9)}   (rounds ${rounds("two_workers")}; ${dl("two_workers")})`);
    console.log(`minimal exactly-once loop, 1 process     ${minimal.toFixed(1).padStart(9)}   (rounds ${rounds("minimal")}; ${dl("minimal")})`);
    console.log(`no-op BullMQ worker, 1 process           ${baseline.perSecond.toFixed(1).padStart(9)}   jobs/s (median of ${BASELINE_ROUNDS} rounds: ${baseline.rounds.map((r) => r.toFixed(0)).join(", ")})${baseline.done < SHARES ? `, only ${baseline.done} jobs completed` : ""}${baseline.queuedLate > 0 ? `, queued ${baseline.queuedLate} ms late` : ""}`);
    console.log(`lateness, 1 worker process               p50 ${oneLateness.toFixed(0)} ms   p99 ${oneLatenessP99.toFixed(0)} ms`);
    console.log(`ratio (ripple ×1 ÷ minimal loop): ${ratio.toFixed(3)}   goal ≥ 0.5 with 0 duplicates and 0 lost (all runs: duplicates ${duplicates}, lost ${lost})`);
    console.log(`scaling (ripple ×${scaleWorkers} ÷ ripple ×1): ${scaling.toFixed(3)}   goal ≥ 1.6`);
    console.log(`noop_ratio (ripple ×1 ÷ no-op worker): ${noopRatio.toFixed(3)}   the old figure, kept for history (its goal was ≥ 0.3)`);
    console.log(`whole run ${Math.round((performance.now() - started) / 1000)} s`);
    const r1 = (n: number) => Math.round(n * 10) / 10;
    const r3 = (n: number) => Math.round(n * 1000) / 1000;
    console.log(
      JSON.stringify({
        ratio: r3(ratio),
        noop_ratio: r3(noopRatio),
        one_worker_per_s: r1(one),
        two_workers_per_s: r1(two),
        scaling: r3(scaling),
        minimal_per_s: r1(minimal),
        baseline_per_s: r1(baseline.perSecond),
        publishes_per_s: r1(one),
        lateness_p50_ms: Math.round(oneLateness),
        lateness_p99_ms: Math.round(oneLatenessP99),
        duplicates,
        lost,
        one_worker_duplicates: sum("one_worker", "duplicates"),
        one_worker_lost: sum("one_worker", "lost"),
        two_workers_duplicates: sum("two_workers", "duplicates"),
        two_workers_lost: sum("two_workers", "lost"),
        minimal_duplicates: sum("minimal", "duplicates"),
        minimal_lost: sum("minimal", "lost"),
        scale_workers: scaleWorkers,
        rounds: roundCount,
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

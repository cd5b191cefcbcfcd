import type { ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { migrateDatabase } from "@/db/migrate";
import { saveOrgNetworkApp } from "@/lib/connections/org-apps";
import { shares, trackedLinks, type NetworkId } from "@/db/schema";
import { closeDb, db } from "@/lib/db";
import type { Scope } from "@/lib/tenant";
import { newLinkCode, trackedUrl, withUtm } from "@/lib/links/tracked-links";
import { closeQueues, getQueue, publishQueueFor } from "@/lib/queue";
import { heartbeatKey } from "@/lib/queue/heartbeat";
import { enqueuePublish } from "@/lib/queue/publish";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "@/workers/embedded/postgres";
import { findRedisServer, redisInstallHint, startEmbeddedRedis } from "@/workers/embedded/redis";
import { startFakeLinkedIn, type FakeLinkedIn } from "../fakes/linkedin";
import { startFakeMastodon, type FakeMastodon } from "../fakes/mastodon";
import { startFakeThreads, type FakeThreads } from "../fakes/threads";
import { startFakeX, type FakeX } from "../fakes/x";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { envOverride } from "../support/env-override";
import { connectFakeAccount } from "../support/fake-accounts";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";
import { startScript, stopProcess } from "../support/processes";
import { baseTestEnv } from "../support/test-env";

/**
 * What the fault tests share: private Redis and PostgreSQL servers they may flush, stop
 * and start, the fake networks, a thousand shares spread over many accounts, the workers
 * as real processes (and a real SIGKILL), and the exactly-once count made at the fakes.
 */

export type Network = "x" | "mastodon" | "linkedin" | "threads";
export const NETWORKS: Network[] = ["x", "mastodon", "linkedin", "threads"];

/** A real top-level domain: X's fake wraps the tracked links in t.co, as X does. */
export const APP_URL = "https://ripple.dk";
const X_CLIENT = { clientId: "ripple-x-client", clientSecret: "ripple-x-secret-0123456789" };
const LINKEDIN_CLIENT = { clientId: "ripple-linkedin-client", clientSecret: "ripple-linkedin-secret-0123456789" };
/** The seeded organisation's own Threads app. */
const THREADS_APP = { clientId: "1234567890123456", clientSecret: "ripple-threads-secret-0123456789" };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it gives a value (an error counts as not yet); fails after `timeoutMs` naming `what` and the last error. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error; // a server being restarted: ask again
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
    await sleep(intervalMs);
  }
}

// --- private servers ------------------------------------------------------------------------

/** A redis-server of the test file's own, on a free port: a FLUSHALL there harms no other run. */
async function startPrivateRedis() {
  const executable = findRedisServer();
  if (!executable) throw new Error(redisInstallHint);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ripple-faults-redis-"));
  const server = await startEmbeddedRedis({ executable, dataDir, port: 6_400 + Math.floor(Math.random() * 400) });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A PostgreSQL server of the test file's own (the embedded one of `npm run demo`), which the
 * test may stop and start again on the same port; the shared server on 5432 is left alone.
 */
async function startPrivatePostgres() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ripple-faults-pg-"));
  const options = {
    dataDir,
    password: randomBytes(12).toString("hex"),
    database: "ripple_faults",
    port: 55_400 + Math.floor(Math.random() * 400),
    // Connections refused while it is down are the point of the test.
    onProblem: () => {},
    onInfo: () => {},
  };
  let server: EmbeddedPostgres | undefined = await startEmbeddedPostgres(options);
  const { url, port, home } = server;
  return {
    url,
    /** A fast shutdown (SIGINT): open connections are cut, as in a restart. */
    stop: async () => {
      await server?.stop();
      server = undefined;
    },
    /** Starts it again with the same data on the same port. */
    start: async () => {
      server = await startEmbeddedPostgres({ ...options, port });
      if (server.port !== port) throw new Error(`PostgreSQL came back on port ${server.port}, not ${port}`);
    },
    destroy: async () => {
      await server?.stop();
      for (const dir of [home, dataDir]) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// --- the fake networks ------------------------------------------------------------------------

export type Fakes = {
  x: FakeX;
  mastodon: FakeMastodon;
  linkedin: FakeLinkedIn;
  threads: FakeThreads;
  /** What the workers need to reach them. */
  env: Record<string, string>;
  close: () => Promise<void>;
};

async function startFakes(options: { latencyMs?: number } = {}): Promise<Fakes> {
  const { latencyMs } = options;
  const [x, mastodon, linkedin, threads] = await Promise.all([
    startFakeX({ ...X_CLIENT, latencyMs }),
    startFakeMastodon({ latencyMs }),
    startFakeLinkedIn({ ...LINKEDIN_CLIENT, latencyMs }),
    startFakeThreads({ appId: THREADS_APP.clientId, appSecret: THREADS_APP.clientSecret, latencyMs }),
  ]);
  const host = (url: string) => new URL(url).host;
  return {
    x,
    mastodon,
    linkedin,
    threads,
    env: {
      FETCH_ALLOW_HOSTS: [x.url, mastodon.url, linkedin.url, threads.url].map(host).join(","),
      X_API_URL: x.url,
      LINKEDIN_API_URL: linkedin.url,
      LINKEDIN_AUTH_URL: linkedin.url,
      THREADS_API_URL: threads.url,
    },
    close: async () => {
      await Promise.all([x.close(), mastodon.close(), linkedin.close(), threads.close()]);
    },
  };
}

// --- the scene -------------------------------------------------------------------------------

export type Scene = {
  fakes: Fakes;
  /** The workers' environment (and this process's, for lib). */
  env: Record<string, string>;
  redisUrl: string;
  /** Set with `privatePostgres`: the server the test may stop and start. */
  postgres: Awaited<ReturnType<typeof startPrivatePostgres>> | undefined;
  /** Worker processes started; stopped after the test, whatever happened. */
  workers: ChildProcess[];
};

/**
 * A test file's world, made before its test and taken down after it: a private Redis, a
 * database (fresh on the shared server, or on a private server with `privatePostgres`), the
 * fake networks with `latencyMs`, and the environment workers and lib run with.
 */
export function faultScene(name: string, options: { latencyMs: number; privatePostgres?: boolean }): Scene {
  const scene = { workers: [] as ChildProcess[] } as Scene;
  const environment = envOverride();
  let redis: Awaited<ReturnType<typeof startPrivateRedis>> | undefined;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    let databaseUrl: string;
    [redis, scene.fakes] = await Promise.all([startPrivateRedis(), startFakes({ latencyMs: options.latencyMs })]);
    if (options.privatePostgres) {
      scene.postgres = await startPrivatePostgres();
      await migrateDatabase(scene.postgres.url);
      databaseUrl = scene.postgres.url;
    } else {
      database = await createTestDatabase(`faults_${name}`);
      databaseUrl = database.url;
    }
    scene.redisUrl = redis.url;
    scene.env = { ...baseTestEnv(), REDIS_URL: redis.url, DATABASE_URL: databaseUrl, APP_URL, DEMO_MODE: "true", ...scene.fakes.env };
    environment.set(scene.env);
  });
  afterAll(async () => {
    await stopWorkers(scene.workers);
    await closeQueues();
    await closeDb();
    environment.restore();
    await Promise.all([scene.fakes?.close(), redis?.stop(), database?.drop(), scene.postgres?.destroy()]);
  });
  return scene;
}

// --- accounts and shares --------------------------------------------------------------------

export type Account = { connectionId: string; userId: string; network: Network; accessToken: string; externalId: string };
export type SeededShare = { id: string; code: string; network: Network; connectionId: string };

/** An account at a fake network and its connection row. */
async function connect(fakes: Fakes, cli: Scope, userId: string, network: Network): Promise<Account> {
  const { connection, accessToken, externalId } = await connectFakeAccount(fakes, cli, userId, network, `ansat_${randomBytes(4).toString("hex")}`);
  return { connectionId: connection.id, userId, network, accessToken, externalId };
}

/**
 * An organisation, a published story, employees with `accounts[network]` accounts each
 * per network (one employee per account index), and `count` shares of the story due at
 * `scheduledAt`, dealt round the accounts in turn. Each text carries the share's own
 * tracked link, as sharing writes it; the rows are written in bulk (sharing spaces
 * colleagues' shares of one story apart, which is not what is tested here).
 */
export async function seedShares(fakes: Fakes, options: { accounts: Partial<Record<Network, number>>; count: number; scheduledAt: Date }) {
  const { cli } = await makeOrganization("Vindmølle A/S");
  const story = await makePublishedStory(cli, {
    title: "Ny fabrik i Esbjerg",
    summary: "200 nye job i vindmølleindustrien",
    canonicalUrl: "https://vindmoelle.example/nyheder/fabrik",
  });
  const people = Math.max(...Object.values(options.accounts));
  const employees = [];
  for (let i = 0; i < people; i++) employees.push(await makeMember(cli, ["employee"], { name: `Ansat ${i + 1}` }));
  if (options.accounts.threads) await saveOrgNetworkApp(db(), cli, { network: "threads", ...THREADS_APP });
  const accounts: Account[] = [];
  for (const network of NETWORKS) {
    for (let i = 0; i < (options.accounts[network] ?? 0); i++) accounts.push(await connect(fakes, cli, employees[i]!.user.id, network));
  }

  const seeded: SeededShare[] = [];
  const rows = Array.from({ length: options.count }, (_, i) => {
    const account = accounts[i % accounts.length]!;
    const id = randomUUID();
    const code = newLinkCode();
    seeded.push({ id, code, network: account.network, connectionId: account.connectionId });
    return {
      share: {
        id,
        orgId: cli.orgId,
        storyId: story.id,
        userId: account.userId,
        connectionId: account.connectionId,
        network: account.network as NetworkId,
        mode: "api" as const,
        text: `Vi åbner en ny fabrik i Esbjerg (nr. ${i + 1}): ${trackedUrl(code)}`,
        status: "scheduled" as const,
        scheduledAt: options.scheduledAt,
      },
      link: { orgId: cli.orgId, code, shareId: id, storyId: story.id, destination: withUtm(story.canonicalUrl!, { network: account.network, storySlug: story.slug, shareId: id }) },
    };
  });
  for (let i = 0; i < rows.length; i += 250) {
    const chunk = rows.slice(i, i + 250);
    await db().insert(shares).values(chunk.map((r) => r.share));
    await db().insert(trackedLinks).values(chunk.map((r) => r.link));
  }
  return { shares: seeded, accounts };
}

/** Queues every share's publish job as creating a share does; returns how many jobs the publish queues then hold. */
export async function enqueueAll(seeded: SeededShare[], scheduledAt: Date): Promise<number> {
  for (let i = 0; i < seeded.length; i += 100) {
    await Promise.all(seeded.slice(i, i + 100).map((s) => enqueuePublish({ id: s.id, network: s.network, mode: "api", status: "scheduled", scheduledAt })));
  }
  const counts = await Promise.all(NETWORKS.map((n) => getQueue(publishQueueFor(n)).getJobCountByTypes("waiting", "delayed", "prioritized", "active")));
  return counts.reduce((a, b) => a + b, 0);
}

// --- the workers ----------------------------------------------------------------------------

/** `npm run workers` as a real process; resolves once it has registered its schedules and beaten. */
export async function startWorkers(env: Record<string, string>, tag: string): Promise<ChildProcess> {
  const since = Date.now();
  const child = startScript("workers/index.ts", { ...env, RIPPLE_PROCESS: "workers" }, tag);
  const redis = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: 1 });
  try {
    await waitUntil(
      `the ${tag} heartbeat`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${tag} exited (${child.exitCode ?? child.signalCode})`);
        return Number(await redis.get(heartbeatKey(env.QUEUE_PREFIX))) >= since;
      },
      60_000,
      200,
    );
  } finally {
    redis.disconnect();
  }
  if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${tag} exited before it was ready`);
  return child;
}

/** kill -9 of the worker process. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) throw new Error("the worker process is not running");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

/** SIGTERM (the workers' own shutdown takes at most 30 s); a worker still there after that is killed, not left behind. */
async function stopWorkers(children: ChildProcess[]) {
  await Promise.all(children.map((child) => stopProcess(child, 35_000)));
}

// --- outcomes -------------------------------------------------------------------------------

const CODE_IN_TEXT = /\/r\/([0-9A-Za-z]{8,32})\b/;
const POST_PATH: Record<Network, RegExp> = { x: /^\/2\/tweets$/, mastodon: /^\/api\/v1\/statuses$/, linkedin: /^\/rest\/posts$/, threads: /^\/v1\.0\/[^/]+\/threads_publish$/ };

/** Whether a request is a create-post call on its network (Threads: publishing a container). */
export const isPost = (network: Network) => (req: { method: string; path: string }) => req.method === "POST" && POST_PATH[network].test(req.path);

/** Create-post requests the fakes have received (faults included). */
export function postRequestCount(fakes: Fakes): number {
  return NETWORKS.reduce((n, network) => n + fakes[network].requests.filter(isPost(network)).length, 0);
}

/** Every post that exists at the fakes, by the tracked-link code in its text. */
export function postsByCode(fakes: Fakes): Map<string, Array<{ network: Network; externalId: string }>> {
  const posts = new Map<string, Array<{ network: Network; externalId: string }>>();
  const add = (network: Network, text: string, externalId: string) => {
    const code = CODE_IN_TEXT.exec(text)?.[1];
    if (!code) return;
    posts.set(code, [...(posts.get(code) ?? []), { network, externalId }]);
  };
  for (const t of fakes.x.tweets) if (!t.deleted) add("x", t.sentText, t.id);
  for (const s of fakes.mastodon.statuses.values()) add("mastodon", s.text, s.id);
  for (const p of fakes.linkedin.posts) if (!p.deleted) add("linkedin", p.commentary, p.urn);
  for (const p of fakes.threads.posts) add("threads", p.text, p.id);
  return posts;
}

/** How many shares there are per status. */
export async function statusCounts(): Promise<Record<string, number>> {
  const rows = await db().select({ status: shares.status, n: sql<number>`count(*)::int` }).from(shares).groupBy(shares.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Waits until no share is scheduled or publishing any more; the counts per status then. */
export async function settled(timeoutMs: number): Promise<Record<string, number>> {
  let last: Record<string, number> = {};
  try {
    return await waitUntil(
      "every share to be published or to fail",
      async () => {
        last = await statusCounts();
        return !last.scheduled && !last.publishing && last;
      },
      timeoutMs,
      1_000,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; shares per status: ${JSON.stringify(last)}`, { cause: error });
  }
}

/**
 * Shares left in "publishing" whose post exists at the fakes: posted, the answer lost before
 * "published" was written (a dead worker, a database gone). The hard case for exactly once.
 */
export async function postedButUnrecorded(fakes: Fakes, seeded: SeededShare[]): Promise<SeededShare[]> {
  const posted = postsByCode(fakes);
  const left = new Set((await db().select({ id: shares.id }).from(shares).where(eq(shares.status, "publishing"))).map((row) => row.id));
  return seeded.filter((share) => left.has(share.id) && posted.has(share.code));
}

/**
 * Exactly once, counted where it shows: the posts at the fakes. A duplicate is a post beyond
 * the first for a share; a lost share has no post or is not recorded published; and a
 * published share must name its one post.
 */
export async function exactlyOnce(fakes: Fakes, seeded: SeededShare[]) {
  const posts = postsByCode(fakes);
  const rows = new Map((await db().select({ id: shares.id, status: shares.status, externalId: shares.externalId, errorCode: shares.errorCode }).from(shares)).map((r) => [r.id, r]));
  const duplicates: string[] = [];
  const lost: string[] = [];
  const wrongIds: string[] = [];
  for (const share of seeded) {
    const made = posts.get(share.code) ?? [];
    const row = rows.get(share.id);
    if (made.length > 1) duplicates.push(`${share.network} ${share.id}: ${made.length} posts`);
    if (made.length === 0 || row?.status !== "published") lost.push(`${share.network} ${share.id}: ${made.length} posts, ${row?.status ?? "no row"} ${row?.errorCode ?? ""}`.trim());
    else if (!made.some((p) => p.network === share.network && p.externalId === row.externalId)) wrongIds.push(`${share.network} ${share.id}: ${row.externalId}`);
  }
  const postsMade = [...posts.values()].reduce((n, list) => n + list.length, 0);
  return { shares: seeded.length, postsMade, duplicates, lost, wrongIds };
}

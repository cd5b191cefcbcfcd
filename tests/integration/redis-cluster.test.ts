import { randomBytes } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clickEvents, organizations, shares, trackedLinks } from "@/db/schema";
import { db } from "@/lib/db";
import { ConfigError, parseEnv } from "@/lib/env";
import { createClickRecorder } from "@/lib/links/record-click";
import { updateGovernance } from "@/lib/orgs/governance";
import { bullPrefix, closeQueues, createRedis, publishQueueFor, redis, redisKeys, redisMistake } from "@/lib/queue";
import { createShares } from "@/lib/shares";
import { reconcileShares } from "@/lib/shares/reconcile";
import { ClickConsumer } from "@/workers/processors/clicks";
import { publishProcessors, publishWorkerConfig } from "@/workers/processors/publish";
import { startWorker } from "@/workers/runtime";
import { startFakeLinkedIn, type FakeLinkedIn } from "../fakes/linkedin";
import { envOverride } from "../support/env-override";
import { connectFakeAccount } from "../support/fake-accounts";
import { acceptCurrentGuidelines, makeMember, makeOrganization, makePublishedStory } from "../support/factories";
import { runScript } from "../support/processes";
import { startRedisCluster, type RedisClusterSet } from "../support/redis-cluster";

/**
 * Redis Cluster by configuration (issue 17, items 1–4), on a real six-node cluster started
 * here (three masters, three replicas): every queue and the click stream on slots of their
 * own, the web's client and the workers following a failover with no change of setting.
 * The fault: the master that holds the LinkedIn publish queue (and, as it happens, the click
 * stream and LinkedIn's post windows) is killed while 1,000 shares and 10,000 clicks are in
 * flight; its replica takes over; afterwards every share is posted exactly once and every
 * click is in PostgreSQL exactly once.
 */

const LINKEDIN_CLIENT = { clientId: "cluster-client", clientSecret: "cluster-secret" };
const RECONCILER_PERIOD_MS = 60_000;
const PEOPLE = 50;
const STORIES = 20;
const CLICKS_PER_SHARE = 10;

let set: RedisClusterSet;
let linkedin: FakeLinkedIn;
const { set: setEnv, restore: restoreEnv } = envOverride();

beforeAll(async () => {
  [set, linkedin] = await Promise.all([startRedisCluster(), startFakeLinkedIn(LINKEDIN_CLIENT)]);
  await closeQueues();
  setEnv({
    REDIS_URL: undefined,
    REDIS_CLUSTER_NODES: set.nodes,
    QUEUE_PREFIX: `ripple-cluster-${randomBytes(3).toString("hex")}`,
    ALLOW_PRIVATE_FETCH: undefined,
    FETCH_ALLOW_HOSTS: new URL(linkedin.url).host,
    LINKEDIN_API_URL: linkedin.url,
    LINKEDIN_AUTH_URL: linkedin.url,
    LINKEDIN_CLIENT_ID: LINKEDIN_CLIENT.clientId,
    LINKEDIN_CLIENT_SECRET: LINKEDIN_CLIENT.clientSecret,
    LINKEDIN_VERSION: undefined,
  });
}, 90_000);

afterAll(async () => {
  await closeQueues();
  restoreEnv();
  await Promise.all([set?.stop(), linkedin?.close()]);
});

async function waitUntil(what: string, done: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await done())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return Date.now();
}

describe("Redis Cluster", () => {
  it("takes one form of Redis at a time, naming the variable", () => {
    const base = { DATABASE_URL: "postgres://127.0.0.1/x", APP_URL: "http://localhost:3000", AUTH_SECRET: "s".repeat(44), TOKEN_ENCRYPTION_KEY: "a".repeat(64), DEMO_MODE: "true" };
    expect(() => parseEnv({ ...base, REDIS_URL: "redis://127.0.0.1:6379", REDIS_CLUSTER_NODES: "127.0.0.1:7000" })).toThrow(/REDIS_CLUSTER_NODES and REDIS_URL are both set/);
    expect(() => parseEnv({ ...base, REDIS_SENTINELS: "127.0.0.1:26379", REDIS_SENTINEL_NAME: "ripple", REDIS_CLUSTER_NODES: "127.0.0.1:7000" })).toThrow(/REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set/);
    expect(() => parseEnv({ ...base, REDIS_CLUSTER_NODES: "redis-1" })).toThrow(ConfigError);
    expect(parseEnv({ ...base, REDIS_CLUSTER_NODES: "redis-1:6379, [::1]:7001" }).REDIS_CLUSTER_NODES).toEqual([
      { host: "redis-1", port: 6379 },
      { host: "::1", port: 7001 },
    ]);
  });

  it("refuses to start with a node that does not answer and is not in the cluster, or a server not in cluster mode, naming REDIS_CLUSTER_NODES, exit 78", async () => {
    expect(await redisMistake()).toBeNull();
    const nobody = `${set.nodes},127.0.0.1:1`;
    setEnv({ REDIS_CLUSTER_NODES: nobody });
    try {
      expect(await redisMistake()).toBe("REDIS_CLUSTER_NODES names 127.0.0.1:1, which does not answer and is not a node of the cluster");
    } finally {
      setEnv({ REDIS_CLUSTER_NODES: set.nodes });
    }
    const started = await runScript("workers/index.ts", { REDIS_URL: undefined, REDIS_CLUSTER_NODES: nobody, DATABASE_URL: process.env.DATABASE_URL, RIPPLE_PROCESS: "workers" });
    expect(started.code).toBe(78);
    expect(started.stderr).toContain("REDIS_CLUSTER_NODES names 127.0.0.1:1");
    // The test Redis on 6379 is one server, not a cluster node.
    const single = await runScript("workers/redirector.ts", { REDIS_URL: undefined, REDIS_CLUSTER_NODES: "127.0.0.1:6379", DATABASE_URL: process.env.DATABASE_URL, REDIRECTOR_PORT: "3997", RIPPLE_PROCESS: "redirector" });
    expect(single.code).toBe(78);
    expect(single.stderr).toContain("REDIS_CLUSTER_NODES names 127.0.0.1:6379, a Redis server not in cluster mode");
  }, 120_000);

  it("learns every master from one node named", async () => {
    const [seed] = set.nodes.split(",");
    setEnv({ REDIS_CLUSTER_NODES: seed });
    const client = createRedis("client") as Cluster;
    try {
      await new Promise((resolve) => client.once("ready", resolve));
      expect(await redisMistake()).toBeNull();
      // Every master (replicas are not read from: scaleReads "master").
      expect(client.nodes("master")).toHaveLength(3);
      // Keys on all three masters' slots answer through the one seed.
      for (const key of ["{a}", "{b}", "{c}"]) await client.set(`${key}:learned`, "1", "EX", 60);
      expect(new Set(await Promise.all(["{a}", "{b}", "{c}"].map((key) => set.masterOf(`${key}:learned`)))).size).toBe(3);
    } finally {
      client.disconnect();
      setEnv({ REDIS_CLUSTER_NODES: set.nodes });
    }
  });

  it("loses no share and no click, and posts none twice, when the master holding the publish queue dies with 1,000 shares and 10,000 clicks in flight", async () => {
    const { cli } = await makeOrganization("Havvind Danmark A/S");
    await updateGovernance(db(), cli, { approvalRequired: false, disclosureHashtag: null, blockedWords: [] });
    // Colleagues' shares of a story are spaced 10 minutes apart by default; these should all go now.
    await db().update(organizations).set({ settings: sql`${organizations.settings} || '{"shareSpacingMinutes": 0}'::jsonb` }).where(eq(organizations.id, cli.orgId));
    const stories = await Promise.all(Array.from({ length: STORIES }, (_, i) => makePublishedStory(cli, { title: `Havvind ${i}`, canonicalUrl: `https://havvind.example/nyt-${i}` })));
    const people: Array<{ userId: string; scope: Awaited<ReturnType<typeof makeMember>>["scope"]; connection: Awaited<ReturnType<typeof connectFakeAccount>>["connection"] }> = [];
    for (let i = 0; i < PEOPLE; i++) {
      const member = await makeMember(cli, ["employee"], { name: `Kollega ${i}` });
      await acceptCurrentGuidelines(cli, member.user.id);
      const { connection } = await connectFakeAccount({ linkedin } as never, cli, member.user.id, "linkedin", `kollega_${i}_${randomBytes(3).toString("hex")}`);
      people.push({ userId: member.user.id, scope: member.scope, connection });
    }

    const queueKey = `${bullPrefix(publishQueueFor("linkedin"))}:${publishQueueFor("linkedin")}:wait`;
    const doomed = await set.masterOf(queueKey);
    // The click stream and LinkedIn's post windows share that master (tests/unit/redis-keys.test.ts): all three are hit.
    expect(await set.masterOf(redisKeys.clickStream())).toBe(doomed);
    expect(await set.masterOf(redisKeys.postWindowApp("linkedin"))).toBe(doomed);

    const workerRedis = createRedis("worker");
    const worker = startWorker(publishQueueFor("linkedin"), publishProcessors(workerRedis), workerRedis, publishWorkerConfig(publishQueueFor("linkedin"), { concurrency: 16, ratePerS: 1_000 }));
    const consumer = new ClickConsumer({ db: db(), blockMs: 200 }).start();
    const { recorder, close: closeRecorder } = createClickRecorder({ flushMs: 5 });

    const shareIds: string[] = [];
    const notQueued: string[] = [];
    let killedAt = 0;
    let promotedAt = 0;
    let clicksSent = 0;
    try {
      const makeShare = async (i: number) => {
        const person = people[i % PEOPLE]!;
        const story = stories[Math.floor(i / PEOPLE)]!;
        const [share] = await createShares(db(), person.scope, person.userId, { storyId: story.id, posts: [{ connectionId: person.connection.id, text: `Stolt af havvind nr. ${i} – læs mere` }] });
        shareIds.push(share!.id);
        if (!share!.queued) notQueued.push(share!.id);
        const [link] = await db().select().from(trackedLinks).where(eq(trackedLinks.shareId, share!.id));
        // Ten readers of each share, each from an address of their own, clicking while the share goes out.
        for (let c = 0; c < CLICKS_PER_SHARE; c++) {
          recorder.add({ linkId: link!.id, orgId: cli.orgId, shareId: share!.id, at: Date.now(), method: "GET", code: link!.code, userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0", referer: "https://www.linkedin.com/", ip: `10.${i % 250}.${Math.floor(i / 250)}.${c + 1}` });
          clicksSent++;
        }
      };
      const total = PEOPLE * STORIES;
      let next = 0;
      const makers = Array.from({ length: 4 }, async () => {
        while (next < total) {
          const i = next++;
          await makeShare(i);
          // A third of the way in, the master dies under the traffic.
          if (i === Math.floor(total / 3)) {
            void set.killMasterOf(queueKey).then(async (port) => {
              killedAt = Date.now();
              await set.failedOver(queueKey, port);
              promotedAt = Date.now();
            });
          }
        }
      });
      await Promise.all(makers);
      await waitUntil("the failover", async () => promotedAt > 0, 60_000);
      // The reconciler's minute: whatever the queue did not take during the switch is queued from PostgreSQL.
      await reconcileShares(db());

      const allPublished = async () => {
        const [row] = await db().select({ n: sql<number>`count(*)::int` }).from(shares).where(and(inArray(shares.id, shareIds), eq(shares.status, "published")));
        return row!.n === total;
      };
      const publishedAt = await waitUntil("every share published", allPublished, RECONCILER_PERIOD_MS + 60_000);
      expect(await recorder.buffer.drain(30_000)).toBe(0);
      const clicksAt = await waitUntil(
        "every click stored",
        async () => {
          const [row] = await db().select({ n: sql<number>`count(*)::int` }).from(clickEvents).where(eq(clickEvents.orgId, cli.orgId));
          return row!.n >= clicksSent;
        },
        RECONCILER_PERIOD_MS + 60_000,
      );

      // Exactly once: one create-post request per share reached LinkedIn, and one post each.
      const posts = linkedin.requests.filter((r) => r.method === "POST" && r.path === "/rest/posts");
      expect(posts).toHaveLength(total);
      expect(linkedin.posts.filter((p) => !p.deleted)).toHaveLength(total);
      const statuses = await db().select({ status: shares.status, n: sql<number>`count(*)::int` }).from(shares).where(inArray(shares.id, shareIds)).groupBy(shares.status);
      expect(statuses).toEqual([{ status: "published", n: total }]);
      // Every click once: as many rows as clicks sent, every share with its ten.
      const perLink = await db()
        .select({ n: sql<number>`count(*)::int`, visitors: sql<number>`count(distinct ${clickEvents.visitorHash})::int` })
        .from(clickEvents)
        .where(eq(clickEvents.orgId, cli.orgId))
        .groupBy(clickEvents.linkId);
      expect(perLink).toHaveLength(total);
      expect(perLink.filter((row) => row.n !== CLICKS_PER_SHARE || row.visitors !== CLICKS_PER_SHARE)).toEqual([]);
      expect(clicksSent).toBe(total * CLICKS_PER_SHARE);

      const failoverMs = promotedAt - killedAt;
      console.log(
        `cluster failover: ${failoverMs} ms; ${notQueued.length} of ${total} shares saved and left to the reconciler; all published ${publishedAt - killedAt} ms and all ${clicksSent} clicks stored ${clicksAt - killedAt} ms after the kill; click batches sent again: ${recorder.buffer.stats.failedFlushes}`,
      );
      // Within the reconciler's period plus the failover, counted from the kill.
      expect(Math.max(publishedAt, clicksAt) - killedAt).toBeLessThan(RECONCILER_PERIOD_MS + failoverMs);
      expect(await redis().ping()).toBe("PONG");
    } finally {
      await closeRecorder();
      await consumer.stop();
      await worker.close();
      workerRedis.disconnect();
    }
  }, 300_000);
});

import { lookup } from "node:dns/promises";
import { Queue, type ConnectionOptions, type JobsOptions } from "bullmq";
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import { z } from "zod";
import { ConfigError, envFor, redisFormProblems } from "@/lib/env";
import { log } from "@/lib/log";
import { connectableNetworks, type ConnectableNetwork } from "@/lib/networks/types";
import { bullPrefix, keyBase } from "./keys";

export { bullPrefix, keyBase, redisKeys } from "./keys";

/** A connection to Redis in any of its forms: one server, a Sentinel-watched master, or a cluster. */
export type RedisClient = Redis | Cluster;

/**
 * Queue names, job payload schemas and the helpers to enqueue. Job data holds ids only,
 * never tokens or personal text: BullMQ stores it in plain text in Redis.
 */
/** One publish queue per network, so each network's limiter and outage stay its own. */
export type PublishQueue = `publish-${ConnectableNetwork}`;
export function publishQueueFor(network: ConnectableNetwork): PublishQueue {
  return `publish-${network}`;
}
export const publishQueues: readonly PublishQueue[] = connectableNetworks.map(publishQueueFor);
export const queueNames = [...publishQueues, "reach", "lifecycle", "notify", "import"] as const;
export type QueueName = (typeof queueNames)[number];

/**
 * Queues of earlier versions that nothing reads any more: "clicks" became a Redis stream
 * (lib/links/click-stream.ts) and "publish" one queue per network. An installation that ran
 * them still holds their keys, which a dashboard or monitor that finds queues by scanning
 * Redis would report (stale jobs, failures): the workers remove them at start.
 */
export const retiredQueueNames = ["clicks", "publish"] as const;

const publishJobs = { "share.publish": z.object({ shareId: z.uuid() }).strict() };

/** Payload schema per queue and job name; workers parse every job through these. */
export const jobSchemas = {
  lifecycle: {
    heartbeat: z.object({}).strict(),
    maintenance: z.object({}).strict(),
    "story.publish": z.object({ storyId: z.uuid() }).strict(),
    "story.expire": z.object({ storyId: z.uuid() }).strict(),
    "stories.sweep": z.object({}).strict(),
    /** Daily: connection statuses (expiring, expired) and the re-connect nudge. */
    "connections.check": z.object({}).strict(),
    /** Every minute: shares that should be queued but are not (Redis lost them) are queued again. */
    "shares.reconcile": z.object({}).strict(),
    /** Renews access tokens that expire soon, before a post needs them. */
    "connections.refresh": z.object({}).strict(),
    /** Every minute: the stored reports (slow ones, lib/reports/stored.ts) read in the last day made again. */
    "reports.remake": z.object({}).strict(),
  },
  "publish-linkedin": publishJobs,
  "publish-x": publishJobs,
  "publish-mastodon": publishJobs,
  "publish-bluesky": publishJobs,
  "publish-threads": publishJobs,
  reach: {
    /** One metric poll of a published share; `poll` counts from 0 (about 1 h after publishing). */
    "share.poll": z.object({ shareId: z.uuid(), poll: z.number().int().min(0).max(20) }).strict(),
    /** Every 30 s: claims the reach polls that are due in PostgreSQL and queues a share.poll each. */
    "polls.claim": z.object({}).strict(),
  },
  notify: {
    "notification.mail": z.object({ notificationId: z.uuid() }).strict(),
    /** Hourly: sends the weekly digest to whoever's organisation has reached digest time. */
    "digest.weekly": z.object({}).strict(),
    "digest.send": z.object({ membershipId: z.uuid() }).strict(),
    /** Hourly: queues the weekly report mail of every manager whose organisation has reached Monday 08:00. */
    "report.weekly": z.object({}).strict(),
    "report.send": z.object({ membershipId: z.uuid() }).strict(),
    /** A story went live: one push.send per subscription of the members it is for. */
    "push.story": z.object({ storyId: z.uuid() }).strict(),
    /** A share ended posted, failed or needing attention: one push.send per subscription of its author. */
    "push.share": z.object({ shareId: z.uuid() }).strict(),
    /** One Web Push message to one browser; the text is made when it is sent, in the reader's language. */
    "push.send": z.union([
      z.object({ subscriptionId: z.uuid(), storyId: z.uuid() }).strict(),
      z.object({ subscriptionId: z.uuid(), shareId: z.uuid() }).strict(),
    ]),
    /** A story went live: tell one Slack or Teams channel. */
    "webhook.story": z.object({ webhookId: z.uuid(), storyId: z.uuid() }).strict(),
  },
  import: {
    "feeds.poll": z.object({}).strict(),
    "feed.fetch": z.object({ feedId: z.uuid() }).strict(),
    /** Fetch and store a copy of a story's outside image; urlHash says which imageUrl it was queued for. */
    "story.image": z.object({ storyId: z.uuid(), urlHash: z.string().regex(/^[0-9a-f]{16}$/) }).strict(),
    /** Queues story.image again for recent stories whose image was never fetched (Redis lost the job). */
    "story.images.sweep": z.object({}).strict(),
  },
} as const satisfies Record<QueueName, Record<string, z.ZodType>>;

export type JobName<Q extends QueueName> = keyof (typeof jobSchemas)[Q] & string;
export type JobData<Q extends QueueName, N extends JobName<Q>> = (typeof jobSchemas)[Q][N] extends z.ZodType
  ? z.infer<(typeof jobSchemas)[Q][N]>
  : never;

/** Repeating jobs, declared as data; the workers register them with upsertJobScheduler. */
export const schedules: Array<{ queue: QueueName; id: string; name: string; every: number }> = [
  { queue: "lifecycle", id: "heartbeat", name: "heartbeat", every: 15_000 },
  { queue: "lifecycle", id: "maintenance", name: "maintenance", every: 60 * 60_000 },
  { queue: "lifecycle", id: "stories-sweep", name: "stories.sweep", every: 60_000 },
  { queue: "import", id: "feeds-poll", name: "feeds.poll", every: 15 * 60_000 },
  { queue: "import", id: "story-images-sweep", name: "story.images.sweep", every: 15 * 60_000 },
  { queue: "lifecycle", id: "connections-check", name: "connections.check", every: 6 * 60 * 60_000 },
  { queue: "lifecycle", id: "shares-reconcile", name: "shares.reconcile", every: 60_000 },
  { queue: "lifecycle", id: "reports-remake", name: "reports.remake", every: 60_000 },
  { queue: "reach", id: "polls-claim", name: "polls.claim", every: 30_000 },
  { queue: "lifecycle", id: "connections-refresh", name: "connections.refresh", every: 10 * 60_000 },
  { queue: "notify", id: "digest-weekly", name: "digest.weekly", every: 60 * 60_000 },
  { queue: "notify", id: "report-weekly", name: "report.weekly", every: 60 * 60_000 },
];

/** How to reach Redis: one server (REDIS_URL), Sentinels or a cluster; a ConfigError naming the variable unless exactly one. */
export function redisConfig() {
  const config = envFor(["REDIS_URL", "REDIS_SENTINELS", "REDIS_SENTINEL_NAME", "REDIS_CLUSTER_NODES", "REDIS_PASSWORD", "REDIS_USERNAME", "REDIS_SENTINEL_PASSWORD", "REDIS_TLS"]);
  const problems = redisFormProblems(config);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${p.key} ${p.message}`));
  return config;
}

/** Replicas a write worth waiting for (a click) should reach: where the configuration has them (a cluster, Sentinel), one. */
export function redisReplicas(): number {
  const config = redisConfig();
  return config.REDIS_CLUSTER_NODES || config.REDIS_SENTINELS ? 1 : 0;
}

/** A primary demoted to a replica answers writes with READONLY: reconnect (to the new master) and send the command again. */
export function reconnectOnReadonly(error: Error): 2 | false {
  return error.message.startsWith("READONLY") ? 2 : false;
}

/**
 * A Redis connection. Workers need maxRetriesPerRequest null (blocking commands must
 * wait through reconnects); connections that serve web requests fail fast instead.
 */
export function createRedis(purpose: "worker" | "client", extra: RedisOptions = {}): RedisClient {
  const config = redisConfig();
  const options: RedisOptions = {
    maxRetriesPerRequest: purpose === "worker" ? null : 1,
    connectTimeout: 5_000,
    reconnectOnError: reconnectOnReadonly,
    ...extra,
  };
  const auth = {
    ...(config.REDIS_PASSWORD && { password: config.REDIS_PASSWORD }),
    ...(config.REDIS_USERNAME && { username: config.REDIS_USERNAME }),
  };
  if (config.REDIS_CLUSTER_NODES) {
    // A cluster: ioredis learns the slots from any seed node, follows MOVED and ASK, and
    // refreshes the map when a replica is promoted. The offline queue is a cluster option.
    const { enableOfflineQueue, ...redisOptions } = options;
    const clusterOptions: ClusterOptions = {
      redisOptions: { ...redisOptions, ...auth, ...(config.REDIS_TLS && { tls: {} }) },
      ...(enableOfflineQueue !== undefined && { enableOfflineQueue }),
      // Reads and writes both go to masters: a replica may be behind what was just written.
      scaleReads: "master",
      // While a master fails over its slots answer CLUSTERDOWN: wait and ask again; a worker
      // rides out a failover (about 20 s of retries), a web request gives up sooner.
      retryDelayOnClusterDown: 300,
      retryDelayOnFailover: 300,
      maxRedirections: purpose === "worker" ? 64 : 16,
      slotsRefreshTimeout: 2_000,
      clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
    };
    return withBoundedErrorLog(new Cluster(config.REDIS_CLUSTER_NODES, clusterOptions));
  }
  if (config.REDIS_SENTINELS) {
    // Sentinel: ioredis asks the Sentinels for the master and follows a failover to the new one.
    return withBoundedErrorLog(
      new Redis({
        sentinels: config.REDIS_SENTINELS,
        name: config.REDIS_SENTINEL_NAME,
        ...auth,
        ...(config.REDIS_SENTINEL_PASSWORD && { sentinelPassword: config.REDIS_SENTINEL_PASSWORD }),
        ...(config.REDIS_TLS && { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true }),
        ...options,
      }),
    );
  }
  return withBoundedErrorLog(new Redis(config.REDIS_URL!, options));
}

/** How often a connection in trouble may log: ioredis reconnects with backoff and says so on every try. */
const ERROR_LOG_EVERY_MS = 10_000;

/**
 * An error handler that logs at most once per ERROR_LOG_EVERY_MS, with how many it left out,
 * instead of once per reconnect attempt or per failed command (a failover, a restart).
 */
export function boundedErrorLog(message: string, fields: Record<string, unknown> = {}): (error: Error) => void {
  let lastLogged = 0;
  let leftOut = 0;
  return (error: Error) => {
    const now = Date.now();
    if (now - lastLogged < ERROR_LOG_EVERY_MS) {
      leftOut++;
      return;
    }
    log.warn({ ...fields, reason: error.message.slice(0, 200), leftOut }, message);
    lastLogged = now;
    leftOut = 0;
  };
}

function withBoundedErrorLog<C extends RedisClient>(client: C): C {
  client.on("error", boundedErrorLog("redis connection error; reconnecting"));
  return client;
}

let clientConnection: RedisClient | undefined;
const queues = new Map<QueueName, Queue>();

/** The shared client connection of this process (web and CLI). */
export function redis(): RedisClient {
  clientConnection ??= createRedis("client");
  return clientConnection;
}

export function getQueue(name: QueueName): Queue {
  let queue = queues.get(name);
  if (!queue) {
    queue = new Queue(name, { connection: redis() as ConnectionOptions, prefix: bullPrefix(name) });
    queues.set(name, queue);
  }
  return queue;
}

function checked<Q extends QueueName, N extends JobName<Q>>(queue: Q, name: N, data: JobData<Q, N>): JobData<Q, N> {
  const schema = (jobSchemas[queue] as Record<string, z.ZodType>)[name];
  if (!schema) throw new Error(`Unknown job ${queue}/${name}`);
  return schema.parse(data) as JobData<Q, N>;
}

/** Adds a job after checking its payload against the queue's schema: the only way jobs are made. */
export async function enqueue<Q extends QueueName, N extends JobName<Q>>(
  queue: Q,
  name: N,
  data: JobData<Q, N>,
  options: JobsOptions = {},
) {
  return getQueue(queue).add(name, checked(queue, name, data), options);
}

/** Many jobs of one name in one round trip, each payload checked as enqueue does. */
export async function enqueueBulk<Q extends QueueName, N extends JobName<Q>>(
  queue: Q,
  name: N,
  jobs: ReadonlyArray<{ data: JobData<Q, N>; options: JobsOptions }>,
) {
  return getQueue(queue).addBulk(jobs.map((job) => ({ name, data: checked(queue, name, job.data), opts: job.options })));
}

export async function closeQueues() {
  await Promise.all([...queues.values()].map((q) => q.close()));
  queues.clear();
  if (clientConnection) {
    clientConnection.disconnect();
    clientConnection = undefined;
  }
}

/** Keys every BullMQ queue that ever held a job has; one of them is enough to know it is there. */
const QUEUE_MARKER_KEYS = ["meta", "id", "events", "wait", "paused", "delayed", "active", "completed", "failed", "prioritized", "repeat"];

/** Where every queue lived before each had a hash tag of its own: all under one tag, `{ripple}`, in one slot. */
export function oldLayoutPrefix(base = keyBase()): string {
  return `{${base}}`;
}

async function queueExists(connection: RedisClient, prefix: string, name: string): Promise<boolean> {
  // One EXISTS for all: the old layout's keys all carry the one tag, so share a slot.
  return (await connection.exists(...QUEUE_MARKER_KEYS.map((key) => `${prefix}:${name}:${key}`))) > 0;
}

/**
 * Brings the queues of the one-slot layout (oldLayoutPrefix) over to their own slots: the
 * jobs still to run (waiting, delayed with what is left of their delay, and those a stopped
 * worker left active) are added again under the same ids, then the old queue is removed; the
 * retired queues (retiredQueueNames) are removed. Returns what it did. Safe to run again:
 * a job already moved keeps its id, which BullMQ will not add twice.
 */
export async function moveOldLayoutQueues(connection: RedisClient, now = Date.now()): Promise<{ moved: Record<string, number>; removed: string[] }> {
  const prefix = oldLayoutPrefix();
  const result = { moved: {} as Record<string, number>, removed: [] as string[] };
  for (const name of [...queueNames, ...retiredQueueNames]) {
    if (!(await queueExists(connection, prefix, name))) continue;
    const old = new Queue(name, { connection: connection as ConnectionOptions, prefix });
    try {
      if ((queueNames as readonly string[]).includes(name)) {
        const jobs = await old.getJobs(["wait", "prioritized", "delayed", "active", "waiting-children"]);
        // Repeating jobs come back from the schedules the workers register; the rest move.
        const movable = jobs.filter((job) => job && job.id && !job.repeatJobKey && !job.id.startsWith("repeat:"));
        if (movable.length > 0) {
          await getQueue(name as QueueName).addBulk(
            movable.map((job) => ({
              name: job.name,
              data: job.data,
              opts: { ...job.opts, repeat: undefined, jobId: job.id, delay: Math.max(0, job.timestamp + (job.delay ?? 0) - now) },
            })),
          );
        }
        result.moved[name] = movable.length;
      }
      await old.obliterate({ force: true });
      result.removed.push(name);
    } finally {
      await old.close();
    }
  }
  return result;
}

/** One question to one node or Sentinel, bounded: the answer, or the error it ended in. */
async function askOnce<T>(host: string, port: number, question: (client: Redis) => Promise<T>, options: RedisOptions, timeoutMs: number): Promise<{ answer: T } | { error: Error }> {
  const client = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, connectTimeout: timeoutMs, commandTimeout: timeoutMs, ...options });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return { answer: await question(client) };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  } finally {
    client.disconnect();
  }
}

/**
 * A Redis configuration no amount of waiting will fix, in words naming the variable: a
 * cluster node named that does not answer and that the cluster does not know (a node that
 * is down but known is a failover, which the client rides out), a node not in cluster mode,
 * or a master name the Sentinels do not know. Null when it looks right. Start-up only.
 */
export async function redisMistake(timeoutMs = 3_000): Promise<string | null> {
  const config = redisConfig();
  const auth: RedisOptions = {
    ...(config.REDIS_PASSWORD && { password: config.REDIS_PASSWORD }),
    ...(config.REDIS_USERNAME && { username: config.REDIS_USERNAME }),
    ...(config.REDIS_TLS && { tls: {} }),
  };
  if (config.REDIS_CLUSTER_NODES) {
    const seeds = config.REDIS_CLUSTER_NODES;
    const name = (node: { host: string; port: number }) => `${node.host}:${node.port}`;
    const answers = await Promise.all(seeds.map((node) => askOnce(node.host, node.port, (c) => c.call("CLUSTER", "NODES") as Promise<string>, auth, timeoutMs)));
    const known = new Set<string>();
    for (const result of answers) {
      if ("error" in result) continue;
      for (const line of result.answer.trim().split("\n")) {
        const address = line.split(" ")[1]?.split("@")[0];
        if (address) known.add(address);
      }
    }
    for (const [i, result] of answers.entries()) {
      if ("error" in result && /cluster support disabled/i.test(result.error.message)) {
        return `REDIS_CLUSTER_NODES names ${name(seeds[i]!)}, a Redis server not in cluster mode (for one server use REDIS_URL)`;
      }
    }
    if (answers.every((result) => "error" in result)) return `REDIS_CLUSTER_NODES: no node answers (${seeds.map(name).join(", ")})`;
    const addresses = await Promise.all(seeds.map(async (node) => (await lookup(node.host).catch(() => ({ address: node.host }))).address));
    for (const [i, result] of answers.entries()) {
      if ("error" in result && !known.has(`${addresses[i]}:${seeds[i]!.port}`)) return `REDIS_CLUSTER_NODES names ${name(seeds[i]!)}, which does not answer and is not a node of the cluster`;
    }
    return null;
  }
  if (config.REDIS_SENTINELS) {
    const sentinelAuth: RedisOptions = {
      ...(config.REDIS_SENTINEL_PASSWORD && { password: config.REDIS_SENTINEL_PASSWORD }),
      ...(config.REDIS_TLS && { tls: {} }),
    };
    const answers = await Promise.all(
      config.REDIS_SENTINELS.map((node) => askOnce(node.host, node.port, (c) => c.call("SENTINEL", "get-master-addr-by-name", config.REDIS_SENTINEL_NAME!), sentinelAuth, timeoutMs)),
    );
    const answered = answers.filter((result): result is { answer: unknown } => "answer" in result);
    if (answered.length === 0) return `REDIS_SENTINELS: no Sentinel answers (${config.REDIS_SENTINELS.map((node) => `${node.host}:${node.port}`).join(", ")})`;
    if (answered.every((result) => result.answer === null)) return `REDIS_SENTINEL_NAME: the Sentinels know no master named "${config.REDIS_SENTINEL_NAME}"`;
    return null;
  }
  return null;
}

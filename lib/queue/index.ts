import { Queue, type ConnectionOptions, type JobsOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { z } from "zod";
import { ConfigError, envFor, redisFormProblems } from "@/lib/env";
import { log } from "@/lib/log";
import { connectableNetworks, type ConnectableNetwork } from "@/lib/networks/types";

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
  },
  "publish-linkedin": publishJobs,
  "publish-x": publishJobs,
  "publish-mastodon": publishJobs,
  "publish-bluesky": publishJobs,
  "publish-threads": publishJobs,
  reach: {
    /** One metric poll of a published share; `poll` counts from 0 (about 1 h after publishing). */
    "share.poll": z.object({ shareId: z.uuid(), poll: z.number().int().min(0).max(20) }).strict(),
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
  { queue: "lifecycle", id: "connections-refresh", name: "connections.refresh", every: 10 * 60_000 },
  { queue: "notify", id: "digest-weekly", name: "digest.weekly", every: 60 * 60_000 },
  { queue: "notify", id: "report-weekly", name: "report.weekly", every: 60 * 60_000 },
];

export function queuePrefix(): string {
  return envFor(["QUEUE_PREFIX"]).QUEUE_PREFIX;
}

/**
 * A Redis connection. Workers need maxRetriesPerRequest null (blocking commands must
 * wait through reconnects); connections that serve web requests fail fast instead.
 */
/** How to reach Redis: one server (REDIS_URL) or Sentinels; a ConfigError naming the variable when neither or both. */
export function redisConfig() {
  const config = envFor(["REDIS_URL", "REDIS_SENTINELS", "REDIS_SENTINEL_NAME", "REDIS_PASSWORD", "REDIS_USERNAME", "REDIS_SENTINEL_PASSWORD", "REDIS_TLS"]);
  const problems = redisFormProblems(config);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${p.key} ${p.message}`));
  return config;
}

export function createRedis(purpose: "worker" | "client", extra: RedisOptions = {}): Redis {
  const config = redisConfig();
  const options: RedisOptions = {
    maxRetriesPerRequest: purpose === "worker" ? null : 1,
    connectTimeout: 5_000,
    // A primary demoted to a replica answers writes with READONLY: reconnect (Sentinel then
    // names the new master) and send the command again.
    reconnectOnError: (error) => (error.message.startsWith("READONLY") ? 2 : false),
    ...extra,
  };
  if (config.REDIS_SENTINELS) {
    // Sentinel: ioredis asks the Sentinels for the master and follows a failover to the new one.
    return withBoundedErrorLog(
      new Redis({
        sentinels: config.REDIS_SENTINELS,
        name: config.REDIS_SENTINEL_NAME,
        ...(config.REDIS_PASSWORD && { password: config.REDIS_PASSWORD }),
        ...(config.REDIS_USERNAME && { username: config.REDIS_USERNAME }),
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

function withBoundedErrorLog(client: Redis): Redis {
  client.on("error", boundedErrorLog("redis connection error; reconnecting"));
  return client;
}

let clientConnection: Redis | undefined;
const queues = new Map<QueueName, Queue>();

/** The shared client connection of this process (web and CLI). */
export function redis(): Redis {
  clientConnection ??= createRedis("client");
  return clientConnection;
}

export function getQueue(name: QueueName): Queue {
  let queue = queues.get(name);
  if (!queue) {
    queue = new Queue(name, { connection: redis() as ConnectionOptions, prefix: queuePrefix() });
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

/** Removes what is left of the retired queues (retiredQueueNames); returns the names it removed. */
export async function removeRetiredQueues(connection: Redis): Promise<string[]> {
  const removed: string[] = [];
  for (const name of retiredQueueNames) {
    const present = await connection.exists(...QUEUE_MARKER_KEYS.map((key) => `${queuePrefix()}:${name}:${key}`));
    if (present === 0) continue;
    const queue = new Queue(name, { connection: connection as ConnectionOptions, prefix: queuePrefix() });
    try {
      await queue.obliterate({ force: true });
      removed.push(name);
    } finally {
      await queue.close();
    }
  }
  return removed;
}

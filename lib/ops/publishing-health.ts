import { sql } from "drizzle-orm";
import type { RedisClient } from "@/lib/queue";
import type { DbOrTx } from "@/lib/db";
import { OVERDUE_AFTER_SECONDS, withDeadline } from "@/lib/health";
import { connectableNetworks, networkErrorKinds, type ConnectableNetwork } from "@/lib/networks/types";
import { getQueue, publishQueueFor } from "@/lib/queue";
import { heartbeatKey, HEARTBEAT_TTL_SECONDS } from "@/lib/queue/heartbeat";
import type { Scope } from "@/lib/tenant";

/**
 * Publishing health of one organisation, for its admins (the Admin › Publishing page): what is
 * waiting and what went out per network, how late shares went out, why shares failed, and the
 * shares someone has to look at. Only shares Ripple posts through a network's API (mode api):
 * intent shares are posted by the person and wait for them, not for Ripple.
 * Every figure is read from Postgres and scoped to the organisation; the queue figures
 * (readPublishQueues) span every organisation and are for operators only.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The recent window of lateness and failures. */
export const HEALTH_WINDOW_DAYS = 7;
/** At most this many shares in the needs-attention list (oldest first); `attentionTotal` says how many in all. */
export const ATTENTION_LIMIT = 100;

export type NetworkCounts = {
  network: ConnectableNetwork;
  /** Now: waiting for their time or for a worker. */
  scheduled: number;
  /** Now: a worker is posting them. */
  publishing: number;
  publishedLastDay: number;
  publishedLastWeek: number;
  /** Ended failed in the window (by their last change). */
  failedLastWeek: number;
  /** Now: the outcome is unknown and someone has to check the network. */
  needsAttention: number;
};

export type Lateness = {
  /** Published shares measured (published in the window). */
  samples: number;
  /** Seconds between the scheduled time and the post, floored at 0; null without samples. */
  medianSeconds: number | null;
  p95Seconds: number | null;
};

/** Readable reasons exist for these codes (messages `publishingHealth.reasons.*`); others show as "other". */
export const failureReasons = [
  "connection_removed",
  "connection_expired",
  "story_withdrawn",
  "story_expired",
  "text_breaks_rules",
  "outcome_unknown",
  "duplicate_unresolved",
  "duplicate_text",
  ...networkErrorKinds.map((kind) => `network_${kind}` as const),
  "network_version_retired",
  "lookup_over_budget",
  "unknown",
] as const;
export type FailureReason = (typeof failureReasons)[number] | "other";

export function failureReason(code: string | null): FailureReason {
  if (code === null) return "unknown";
  return (failureReasons as readonly string[]).includes(code) ? (code as FailureReason) : "other";
}

export type FailureGroup = {
  reason: FailureReason;
  /** The stored codes behind an "other" group (for the operator to look up). */
  codes: string[];
  count: number;
  byNetwork: Partial<Record<ConnectableNetwork, number>>;
  lastAt: Date;
};

export type AttentionItem = {
  shareId: string;
  /** needs_attention: the outcome is unknown; overdue: still waiting well past its time. */
  kind: "needs_attention" | "overdue";
  reason: FailureReason | "overdue";
  network: ConnectableNetwork;
  storyId: string;
  storyTitle: string;
  userName: string | null;
  userEmail: string | null;
  /** needs_attention: since it was marked so; overdue: its scheduled time. */
  since: Date;
};

export type PublishingHealth = {
  checkedAt: Date;
  networks: NetworkCounts[];
  totals: Omit<NetworkCounts, "network">;
  lateness: Lateness & { byNetwork: Partial<Record<ConnectableNetwork, Lateness>> };
  /** The share that has waited longest past its scheduled time, if any is waiting past it. */
  oldestWaiting: { shareId: string; network: ConnectableNetwork; storyTitle: string; scheduledAt: Date; lateSeconds: number } | null;
  failures: FailureGroup[];
  attention: AttentionItem[];
  attentionTotal: number;
};

type Num = string | number | null;
const num = (value: Num | undefined) => Number(value ?? 0);
const seconds = (value: Num | undefined) => (value === null || value === undefined ? null : Math.round(Number(value) * 10) / 10);
const isConnectable = (network: string): network is ConnectableNetwork => (connectableNetworks as readonly string[]).includes(network);

/** The figures of the page, each query scoped to `scope.orgId`. */
export async function readPublishingHealth(db: DbOrTx, scope: Scope, now = new Date()): Promise<PublishingHealth> {
  const org = scope.orgId;
  const at = now.toISOString();
  const dayAgo = new Date(now.getTime() - DAY).toISOString();
  const weekAgo = new Date(now.getTime() - HEALTH_WINDOW_DAYS * DAY).toISOString();
  const overdueBefore = new Date(now.getTime() - OVERDUE_AFTER_SECONDS * 1000).toISOString();

  const [counts, lateness, oldest, failures, attention] = await Promise.all([
    db.execute<{ network: string; scheduled: Num; publishing: Num; day: Num; week: Num; failed: Num; attention: Num }>(sql`
      select network,
        count(*) filter (where status = 'scheduled') as scheduled,
        count(*) filter (where status = 'publishing') as publishing,
        count(*) filter (where status = 'published' and published_at >= ${dayAgo}::timestamptz) as day,
        count(*) filter (where status = 'published') as week,
        count(*) filter (where status = 'failed') as failed,
        count(*) filter (where status = 'needs_attention') as attention
      from shares
      where org_id = ${org} and mode = 'api'
        and (status in ('scheduled', 'publishing', 'needs_attention')
          or (status = 'published' and published_at >= ${weekAgo}::timestamptz and published_at <= ${at}::timestamptz)
          or (status = 'failed' and updated_at >= ${weekAgo}::timestamptz))
      group by network`),
    db.execute<{ network: string | null; n: Num; p50: Num; p95: Num }>(sql`
      select network, count(*) as n,
        percentile_cont(0.5) within group (order by late) as p50,
        percentile_cont(0.95) within group (order by late) as p95
      from (
        select network::text as network, greatest(0, extract(epoch from published_at - scheduled_at)) as late
        from shares
        where org_id = ${org} and mode = 'api' and status = 'published'
          and published_at >= ${weekAgo}::timestamptz and published_at <= ${at}::timestamptz
      ) recent
      group by grouping sets ((network), ())`),
    db.execute<{ id: string; network: string; title: string; scheduled_at: string | Date; late: Num }>(sql`
      select s.id, s.network, st.title, s.scheduled_at, extract(epoch from ${at}::timestamptz - s.scheduled_at) as late
      from shares s join stories st on st.id = s.story_id
      where s.org_id = ${org} and s.mode = 'api' and s.status = 'scheduled' and s.scheduled_at < ${at}::timestamptz
      order by s.scheduled_at
      limit 1`),
    db.execute<{ code: string | null; network: string; n: Num; last_at: string | Date }>(sql`
      select error_code as code, network, count(*) as n, max(updated_at) as last_at
      from shares
      where org_id = ${org} and mode = 'api' and status in ('failed', 'needs_attention') and updated_at >= ${weekAgo}::timestamptz
      group by error_code, network`),
    db.execute<{
      id: string;
      status: "needs_attention" | "scheduled";
      network: string;
      error_code: string | null;
      since: string | Date;
      story_id: string;
      title: string;
      name: string | null;
      email: string | null;
      total: Num;
    }>(sql`
      select s.id, s.status, s.network, s.error_code, st.id as story_id, st.title, u.name, u.email,
        case when s.status = 'needs_attention' then s.updated_at else s.scheduled_at end as since,
        count(*) over () as total
      from shares s
        join stories st on st.id = s.story_id
        left join users u on u.id = s.user_id
      where s.org_id = ${org} and s.mode = 'api'
        and (s.status = 'needs_attention' or (s.status = 'scheduled' and s.scheduled_at < ${overdueBefore}::timestamptz))
      order by since, s.id
      limit ${ATTENTION_LIMIT}`),
  ]);

  const byNetwork = new Map(counts.map((row) => [row.network, row]));
  const networks: NetworkCounts[] = connectableNetworks.map((network) => {
    const row = byNetwork.get(network);
    return {
      network,
      scheduled: num(row?.scheduled),
      publishing: num(row?.publishing),
      publishedLastDay: num(row?.day),
      publishedLastWeek: num(row?.week),
      failedLastWeek: num(row?.failed),
      needsAttention: num(row?.attention),
    };
  });
  const totals = networks.reduce(
    (sum, n) => ({
      scheduled: sum.scheduled + n.scheduled,
      publishing: sum.publishing + n.publishing,
      publishedLastDay: sum.publishedLastDay + n.publishedLastDay,
      publishedLastWeek: sum.publishedLastWeek + n.publishedLastWeek,
      failedLastWeek: sum.failedLastWeek + n.failedLastWeek,
      needsAttention: sum.needsAttention + n.needsAttention,
    }),
    { scheduled: 0, publishing: 0, publishedLastDay: 0, publishedLastWeek: 0, failedLastWeek: 0, needsAttention: 0 },
  );

  const toLateness = (row: { n: Num; p50: Num; p95: Num } | undefined): Lateness => ({
    samples: num(row?.n),
    medianSeconds: seconds(row?.p50),
    p95Seconds: seconds(row?.p95),
  });
  const lateByNetwork: Partial<Record<ConnectableNetwork, Lateness>> = {};
  for (const row of lateness) if (row.network !== null && isConnectable(row.network)) lateByNetwork[row.network] = toLateness(row);

  const groups = new Map<FailureReason, FailureGroup>();
  for (const row of failures) {
    if (!isConnectable(row.network)) continue;
    const reason = failureReason(row.code);
    const group = groups.get(reason) ?? { reason, codes: [], count: 0, byNetwork: {}, lastAt: new Date(0) };
    const n = num(row.n);
    group.count += n;
    group.byNetwork[row.network] = (group.byNetwork[row.network] ?? 0) + n;
    if (reason === "other" && row.code !== null && !group.codes.includes(row.code)) group.codes.push(row.code);
    const last = new Date(row.last_at);
    if (last > group.lastAt) group.lastAt = last;
    groups.set(reason, group);
  }

  const first = oldest[0];
  return {
    checkedAt: now,
    networks,
    totals,
    lateness: { ...toLateness(lateness.find((row) => row.network === null)), byNetwork: lateByNetwork },
    oldestWaiting:
      first && isConnectable(first.network)
        ? { shareId: first.id, network: first.network, storyTitle: first.title, scheduledAt: new Date(first.scheduled_at), lateSeconds: Math.max(0, Math.round(Number(first.late))) }
        : null,
    failures: [...groups.values()].map((g) => ({ ...g, codes: g.codes.sort() })).sort((a, b) => b.count - a.count || b.lastAt.getTime() - a.lastAt.getTime()),
    attention: attention
      .filter((row) => isConnectable(row.network))
      .map((row) => ({
        shareId: row.id,
        kind: row.status === "needs_attention" ? ("needs_attention" as const) : ("overdue" as const),
        reason: row.status === "needs_attention" ? failureReason(row.error_code) : ("overdue" as const),
        network: row.network as ConnectableNetwork,
        storyId: row.story_id,
        storyTitle: row.title,
        userName: row.name,
        userEmail: row.email,
        since: new Date(row.since),
      })),
    attentionTotal: num(attention[0]?.total),
  };
}

export type PublishQueueCounts = { network: ConnectableNetwork; waiting: number; delayed: number; active: number; failed: number };

export type PublishQueues = {
  /** Null when Redis did not answer in time: the page says so instead of waiting. */
  queues: PublishQueueCounts[] | null;
  /** Seconds since the workers' last heartbeat; null when none is recorded (or Redis did not answer). */
  workersAgeSeconds: number | null;
  workersOk: boolean;
};

const QUEUE_TIMEOUT_MS = 1_500;

/**
 * The publish queues' depths and the workers' heartbeat, across every organisation: for
 * operators only. Bounded, so a slow or unreachable Redis never holds the page.
 */
export async function readPublishQueues(
  redis: RedisClient,
  options: { queue?: (name: ReturnType<typeof publishQueueFor>) => { getJobCounts: (...states: string[]) => Promise<Record<string, number>> }; timeoutMs?: number; now?: number } = {},
): Promise<PublishQueues> {
  const queueOf = options.queue ?? getQueue;
  const now = options.now ?? Date.now();
  try {
    const [queues, beat] = await withDeadline(
      Promise.all([
        Promise.all(
          connectableNetworks.map(async (network) => {
            const c = await queueOf(publishQueueFor(network)).getJobCounts("waiting", "prioritized", "delayed", "active", "failed");
            return { network, waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), delayed: c.delayed ?? 0, active: c.active ?? 0, failed: c.failed ?? 0 };
          }),
        ),
        redis.get(heartbeatKey()),
      ]),
      options.timeoutMs ?? QUEUE_TIMEOUT_MS,
      "publish queues",
    );
    const age = beat ? Math.max(0, Math.round((now - Number(beat)) / 1000)) : null;
    return { queues, workersAgeSeconds: age, workersOk: age !== null && age <= HEARTBEAT_TTL_SECONDS };
  } catch {
    return { queues: null, workersAgeSeconds: null, workersOk: false };
  }
}

import { sql } from "drizzle-orm";
import type { RedisClient } from "@/lib/queue";
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from "prom-client";
import { shareStatusIds } from "@/db/schema";
import { replicaFallbacks, type DbOrTx } from "@/lib/db";
import { boundedRead, readPublishingState, withDeadline } from "@/lib/health";
import { log } from "@/lib/log";
import { linkedinVersionAge } from "@/lib/networks/linkedin-version";
import { getQueue, queueNames, type QueueName } from "@/lib/queue";
import { heartbeatKey } from "@/lib/queue/heartbeat";

/**
 * Prometheus metrics (GET /api/metrics): counts only, across every organisation, so the
 * endpoint may be public without METRICS_TOKEN. A failed or slow collector drops its series
 * from that scrape, never the scrape. Timeouts and lateness: docs/design-notes.md, "Metrics".
 */

export const COLLECT_TIMEOUT_MS = 2_000;
export const LATENESS_QUANTILES = [0.5, 0.9, 0.99] as const;
export const QUEUE_STATES = ["waiting", "active", "delayed", "failed", "prioritized", "completed"] as const;

const collectorNames = ["queues", "shares", "lateness", "overdue", "failed", "heartbeat"] as const;
type CollectorName = (typeof collectorNames)[number];

export type MetricsDeps = {
  db: DbOrTx;
  redis: RedisClient;
  /** The queues to count; lib/queue's by default. */
  queue?: (name: QueueName) => { getJobCounts: (...states: string[]) => Promise<Record<string, number>> };
  timeoutMs?: number;
  /** Node's process metrics (memory, event loop, GC) with the ripple_ prefix; on by default. */
  defaultMetrics?: boolean;
};

export type Metrics = {
  registry: Registry;
  /** One scrape: the Prometheus text and its content type. Scrapes run one at a time. */
  render: () => Promise<{ contentType: string; body: string }>;
};

type Num = string | number | null;

export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  const timeoutMs = deps.timeoutMs ?? COLLECT_TIMEOUT_MS;
  const queueOf = deps.queue ?? getQueue;
  if (deps.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "ripple_" });

  /** The collects of the scrape under way, for the error counter to wait on. */
  const pending = new Set<Promise<void>>();

  const errors = new Counter({
    name: "ripple_metrics_collector_errors",
    help: "Collectors that failed or timed out since the process started; that scrape lacked their series.",
    labelNames: ["collector"],
    registers: [],
    // Registered last, so every other collect of this scrape has started: wait for them.
    async collect() {
      await Promise.allSettled([...pending]);
    },
  });
  for (const name of collectorNames) errors.inc({ collector: name }, 0);

  /**
   * A collect() callback: reads, then replaces the gauges' values; on failure leaves them
   * empty and counts the error. Gauges given the same collector share one read per scrape.
   */
  function collector<T>(name: CollectorName, gauges: () => Array<Gauge<string>>, read: () => Promise<T>, write: (value: T) => void) {
    let inflight: Promise<void> | undefined;
    return function collect(): Promise<void> {
      if (inflight) return inflight;
      const run = (async () => {
        try {
          const value = await withDeadline(read(), timeoutMs + 500, `metrics collector ${name}`);
          for (const gauge of gauges()) clear(gauge);
          write(value);
        } catch (error) {
          for (const gauge of gauges()) clear(gauge);
          errors.inc({ collector: name });
          log.warn({ err: error, collector: name }, "metrics collector failed");
        }
      })().finally(() => {
        pending.delete(run);
        inflight = undefined;
      });
      pending.add(run);
      inflight = run;
      return run;
    };
  }

  const queueJobs: Gauge<"queue" | "state"> = new Gauge({
    name: "ripple_queue_jobs",
    help: "Jobs in each BullMQ queue by state.",
    labelNames: ["queue", "state"],
    registers: [],
    collect: collector(
      "queues",
      () => [queueJobs],
      () => Promise.all(queueNames.map(async (queue) => ({ queue, counts: await queueOf(queue).getJobCounts(...QUEUE_STATES) }))),
      (all) => {
        for (const { queue, counts } of all) for (const state of QUEUE_STATES) queueJobs.set({ queue, state }, counts[state] ?? 0);
      },
    ),
  });

  const sharesByStatus: Gauge<"status"> = new Gauge({
    name: "ripple_shares",
    help: "Shares by status, every organisation.",
    labelNames: ["status"],
    registers: [],
    collect: collector(
      "shares",
      () => [sharesByStatus],
      () => boundedRead(deps.db, timeoutMs, (tx) => tx.execute<{ status: string; n: Num }>(sql`select status, count(*) as n from shares group by status`)),
      (rows) => {
        const counts = new Map(rows.map((r) => [r.status, Number(r.n)]));
        for (const status of shareStatusIds) sharesByStatus.set({ status }, counts.get(status) ?? 0);
      },
    ),
  });

  const collectLateness = collector(
    "lateness",
    () => [lateness, latenessSamples],
    () =>
      boundedRead(deps.db, timeoutMs, (tx) =>
        // scheduled_at is bounded too so that the (status, scheduled_at) index serves the
        // query; a share more than 7 days late is counted by overdue and failed instead.
        tx.execute<{ n: Num; p50: Num; p90: Num; p99: Num }>(sql`
          select count(*) as n,
            percentile_cont(0.5) within group (order by l) as p50,
            percentile_cont(0.9) within group (order by l) as p90,
            percentile_cont(0.99) within group (order by l) as p99
          from (
            select greatest(0, extract(epoch from published_at - scheduled_at)) as l
            from shares
            where status = 'published' and mode = 'api'
              and scheduled_at >= now() - interval '7 days'
              and published_at >= now() - interval '1 hour'
          ) recent`),
      ),
    ([row]) => {
      latenessSamples.set(Number(row?.n ?? 0));
      if (!row || Number(row.n) === 0) return;
      const values = [row.p50, row.p90, row.p99];
      LATENESS_QUANTILES.forEach((q, i) => lateness.set({ quantile: String(q) }, Number(values[i])));
    },
  );

  const lateness: Gauge<"quantile"> = new Gauge({
    name: "ripple_publish_lateness_seconds",
    help: "Quantiles of published_at - scheduled_at over the API shares published in the last hour.",
    labelNames: ["quantile"],
    registers: [],
    collect: collectLateness,
  });

  const latenessSamples: Gauge = new Gauge({
    name: "ripple_publish_lateness_samples",
    help: "API shares published in the last hour (the sample behind ripple_publish_lateness_seconds).",
    registers: [],
    collect: collectLateness,
  });

  const collectOverdue = collector(
    "overdue",
    () => [overdue, oldestOverdue],
    () => readPublishingState(deps.db, timeoutMs),
    (state) => {
      overdue.set(state.overdue);
      // No overdue share: the age series is absent rather than a misleading 0.
      if (state.oldestOverdueSeconds !== null) oldestOverdue.set(state.oldestOverdueSeconds);
    },
  );

  const overdue: Gauge = new Gauge({
    name: "ripple_shares_overdue",
    help: "Scheduled API shares more than 2 minutes past their time (they should have gone out).",
    registers: [],
    collect: collectOverdue,
  });

  const oldestOverdue: Gauge = new Gauge({
    name: "ripple_shares_overdue_oldest_seconds",
    help: "How long past its time the oldest overdue scheduled API share is.",
    registers: [],
    collect: collectOverdue,
  });

  const failed: Gauge<"network" | "reason"> = new Gauge({
    name: "ripple_shares_failed_total",
    help: "Shares that ended failed in the last 24 hours (by their last update), by network and error code. A gauge over a sliding window.",
    labelNames: ["network", "reason"],
    registers: [],
    collect: collector(
      "failed",
      () => [failed],
      () =>
        boundedRead(deps.db, timeoutMs, (tx) =>
          tx.execute<{ network: string; reason: string; n: Num }>(sql`
            select network, coalesce(error_code, 'unknown') as reason, count(*) as n
            from shares
            where status = 'failed' and updated_at >= now() - interval '24 hours'
            group by 1, 2`),
        ),
      (rows) => {
        for (const row of rows) failed.set({ network: row.network, reason: row.reason }, Number(row.n));
      },
    ),
  });

  const heartbeatAge: Gauge = new Gauge({
    name: "ripple_workers_heartbeat_age_seconds",
    help: "Seconds since the workers' last heartbeat; +Inf when there is none (never, or gone for longer than its expiry).",
    registers: [],
    collect: collector(
      "heartbeat",
      () => [heartbeatAge],
      () => deps.redis.get(heartbeatKey()),
      (beat) => heartbeatAge.set(beat === null ? Infinity : Math.max(0, (Date.now() - Number(beat)) / 1000)),
    ),
  });

  const linkedinVersion: Gauge<"version"> = new Gauge({
    name: "ripple_linkedin_version_age_months",
    help: "Months since the release of the configured LinkedIn API version (LINKEDIN_VERSION); LinkedIn retires a version about 12 months after release. Warn from 10.",
    labelNames: ["version"],
    registers: [],
    collect() {
      const { version, ageMonths } = linkedinVersionAge();
      linkedinVersion.reset();
      linkedinVersion.set({ version }, ageMonths);
    },
  });

  const replicaFallbackCount: Gauge<"reason"> = new Gauge({
    name: "ripple_replica_fallbacks",
    help: "Reports this process sent to the primary instead of the read replica (DATABASE_REPLICA_URL) since it started, by reason: lag (behind DATABASE_REPLICA_MAX_LAG_S), down (unreachable or slower than DATABASE_REPLICA_TIMEOUT_MS), notStandby.",
    labelNames: ["reason"],
    registers: [],
    collect() {
      for (const [reason, count] of Object.entries(replicaFallbacks)) replicaFallbackCount.set({ reason }, count);
    },
  });

  // Order matters for the error counter only: it goes last (see its collect).
  const ordered = [queueJobs, sharesByStatus, lateness, latenessSamples, overdue, oldestOverdue, failed, heartbeatAge, linkedinVersion, replicaFallbackCount, errors] as Metric[];
  for (const metric of ordered) registry.registerMetric(metric);

  let previous: Promise<unknown> = Promise.resolve();
  return {
    registry,
    render() {
      // Collectors reset and refill shared gauges: two overlapping scrapes would mix.
      const scrape = previous.then(async () => ({ contentType: registry.contentType, body: await registry.metrics() }));
      previous = scrape.catch(() => {});
      return scrape;
    },
  };
}

/** Empties a gauge: no series at all (prom-client's reset() would leave 0 for a gauge without labels). */
function clear(gauge: Gauge<string>) {
  gauge.reset();
  if ((gauge as unknown as { labelNames: string[] }).labelNames.length === 0) gauge.remove({});
}

let shared: Metrics | undefined;

/** This process's metrics, created on first scrape. */
export function processMetrics(deps: () => MetricsDeps): Metrics {
  shared ??= createMetrics(deps());
  return shared;
}

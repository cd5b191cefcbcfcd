import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { createDatabase } from "@/db/client";
import { createTestDatabase } from "../support/database";
import { baseTestEnv } from "../support/test-env";

/**
 * The reconciler's minute for a 100,000-person organisation (issue 17, item 6): 1,000,000
 * shares — 200,000 scheduled over the coming week, each with its publish job, and 800,000
 * published over the last 30 days, each with its next reach poll scheduled in PostgreSQL
 * (reach_polls) — on a fresh database and a private redis-server. The shares and jobs are made
 * set-based (SQL, addBulk); the shares of the last two days carry the estimate made at
 * publishing, as counted shares do.
 *
 * Timed: reconcileShares, the whole every-minute run (pending shares walked in index order a
 * page at a time, each page's jobs read by one script per queue; uncounted shares), 3 runs with
 * nothing to do, then one after 1 % of the jobs were lost, which must give exactly those back.
 * The published shares' polls need no reconciling now: the reach dispatcher's run
 * (claimDuePolls) is timed on the same 800,000 rows with 1 % of them due. Baseline, in the same
 * run: the check the reconciler made before, a getJob and a getState per share with 200 at
 * once, on 20,000 of the same shares, and that rate for the 1,000,000 it checked.
 *
 * Goal: the reconciler's minute for 1 million shares under 10 s.
 * Last line: {"reconcile_p50_s", "reconcile_max_s", "per_share_baseline_s", "speedup", "claim_s"}.
 */

const SCHEDULED = 200_000;
const PUBLISHED = 800_000;
const PEOPLE = 100_000;
const RUNS = 3;
const BASELINE_SAMPLE = 20_000;
const LOST_SHARE = 0.01;
const GOAL_S = 10;

const seconds = (ms: number) => Number((ms / 1000).toFixed(2));

async function startRedis(): Promise<{ url: string; stop: () => void }> {
  const port = 25_000 + Math.floor(Math.random() * 2_000);
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return { url, stop: () => child.kill("SIGKILL") };
    } catch {
      probe.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill("SIGKILL");
  throw new Error("the bench's redis-server did not start");
}

export default async function main() {
  const started = performance.now();
  const database = await createTestDatabase("bench");
  const redisServer = await startRedis();
  Object.assign(process.env, { ...baseTestEnv(), REDIS_URL: redisServer.url, QUEUE_PREFIX: `bench-${randomBytes(3).toString("hex")}`, DATABASE_URL: database.url, LOG_LEVEL: "warn" });
  // After the environment: these read it.
  const [{ db, closeDb }, { closeQueues, enqueueBulk, publishQueueFor, redis }, { publishJobId }, { claimDuePolls, CLAIM_MAX }, { jobStates, pendingPages, reconcileShares }] = await Promise.all([
    import("@/lib/db"),
    import("@/lib/queue"),
    import("@/lib/queue/publish"),
    import("@/lib/reach/schedule"),
    import("@/lib/shares/reconcile"),
  ]);
  const seed = createDatabase(database.url, { max: 1, applicationName: "ripple-bench" });
  const sql = seed.client;
  try {
    const step = async (label: string, run: () => Promise<unknown>) => {
      const t = performance.now();
      await run();
      console.log(`  ${label.padEnd(62)} ${seconds(performance.now() - t)} s`);
    };
    const now = Date.now();
    await step(`${PEOPLE.toLocaleString("en")} people, ${(SCHEDULED + PUBLISHED).toLocaleString("en")} shares`, async () => {
      await sql.unsafe(`set work_mem = '256MB'; set synchronous_commit = off`);
      const [org] = await sql`insert into organizations (name, slug) values ('Bench A/S', ${`bench-${now.toString(36)}`}) returning id`;
      const orgId = org!.id as string;
      await sql`insert into users (id, email, name) select 'bench-u-' || i, 'u' || i || '@bench.example', 'Person ' || i from generate_series(1, ${PEOPLE}::int) i`;
      await sql`insert into stories (org_id, slug, title, language, status, published_at) select ${orgId}, 'h-' || i, 'Historie ' || i, 'da', 'published', now() - interval '40 days' from generate_series(1, 100) i`;
      await sql`create temp table bench_stories as select row_number() over (order by id) as n, id from stories where org_id = ${orgId}`;
      const networks = `(array['linkedin', 'x', 'mastodon', 'bluesky'])[1 + (g % 4)]::network`;
      await sql.unsafe(`
        insert into shares (org_id, story_id, user_id, network, mode, text, status, scheduled_at)
        select '${orgId}', st.id, 'bench-u-' || (1 + g % ${PEOPLE}), ${networks}, 'api', 'Se her', 'scheduled',
               now() + interval '1 minute' + (g * interval '7 days') / ${SCHEDULED}
        from generate_series(1, ${SCHEDULED}) g join bench_stories st on st.n = 1 + g % 100`);
      await sql.unsafe(`
        insert into shares (org_id, story_id, user_id, network, mode, text, status, scheduled_at, published_at)
        select '${orgId}', st.id, 'bench-u-' || (1 + g % ${PEOPLE}), ${networks}, 'api', 'Se her', 'published', x.at, x.at
        from (select g, now() - interval '1 minute' - (g * interval '30 days') / ${PUBLISHED} as at from generate_series(1, ${PUBLISHED}) g) x
        join bench_stories st on st.n = 1 + g % 100`);
      // Each published share's next poll, as publishing and each poll leave it (migration 0022's rule).
      await sql`
        insert into reach_polls (share_id, org_id, poll, due_at)
        select s.id, s.org_id, next.poll, s.published_at + next.after from shares s
        cross join lateral (
          select (o.n - 1)::smallint as poll, o.after
          from unnest(array[interval '1 hour', interval '6 hours', interval '1 day', interval '3 days', interval '7 days', interval '30 days']) with ordinality as o(after, n)
          where s.published_at + o.after > now() + interval '1 hour' order by o.n limit 1) next
        where s.status = 'published'`;
      // Counted shares carry the estimate made at publishing (the reconciler counts the rest).
      await sql`
        insert into reach_snapshots (org_id, share_id, source, poll, reached)
        select org_id, id, 'estimated', null, 100 from shares where status = 'published' and published_at > now() - interval '3 days'`;
      // As autovacuum keeps them: the walk's pages can then be read from the index alone.
      await sql`vacuum analyze shares`;
      await sql`vacuum analyze reach_snapshots`;
      await sql`vacuum analyze reach_polls`;
    });

    // Times as epoch milliseconds (numbers, whatever the client's date parsing).
    type Row = { id: string; network: "linkedin" | "x" | "mastodon" | "bluesky"; scheduled_ms: number };
    const scheduledRows = await sql<Row[]>`select id, network, (extract(epoch from scheduled_at) * 1000)::float8 as scheduled_ms from shares where status = 'scheduled'`;
    await step(`${SCHEDULED.toLocaleString("en")} publish jobs`, async () => {
      for (const network of ["linkedin", "x", "mastodon", "bluesky"] as const) {
        const rows = scheduledRows.filter((row) => row.network === network);
        for (let i = 0; i < rows.length; i += 2_000) {
          await enqueueBulk(
            publishQueueFor(network),
            "share.publish",
            rows.slice(i, i + 2_000).map((row) => ({ data: { shareId: row.id }, options: { jobId: publishJobId(row.id), delay: row.scheduled_ms - Date.now() } })),
          );
        }
      }
    });
    const memory = /used_memory_human:(\S+)/.exec(await redis().info("memory"))?.[1];
    console.log(`  Redis holds ${(await redis().dbsize()).toLocaleString("en")} keys, ${memory}`);

    // The reconciler's minute with nothing to give back.
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const t = performance.now();
      const result = await reconcileShares(db());
      times.push(performance.now() - t);
      if (result.requeued + result.recovered !== 0) throw new Error(`a run with every job in place gave jobs back: ${JSON.stringify(result)}`);
      if (result.checked !== SCHEDULED) throw new Error(`checked ${result.checked} shares, not the ${SCHEDULED} scheduled`);
      console.log(`  reconcile, run ${run + 1}: ${seconds(times.at(-1)!)} s (${JSON.stringify(result)})`);
    }

    // 1 % of the publish jobs lost: exactly those come back.
    const lost = scheduledRows.filter((_, i) => i % Math.round(1 / LOST_SHARE) === 0);
    for (const row of lost) await (await import("@/lib/queue")).getQueue(publishQueueFor(row.network)).remove(publishJobId(row.id));
    const t = performance.now();
    const afterLoss = await reconcileShares(db());
    const lossMs = performance.now() - t;
    if (afterLoss.requeued !== lost.length) throw new Error(`lost ${lost.length} jobs, ${afterLoss.requeued} given back`);
    const back = await jobStates(publishQueueFor(lost[0]!.network), lost.filter((row) => row.network === lost[0]!.network).map((row) => publishJobId(row.id)));
    if ([...back.values()].some((state) => state !== "live")) throw new Error("a job given back is not waiting");
    console.log(`  reconcile after ${lost.length.toLocaleString("en")} publish jobs were lost: ${seconds(lossMs)} s, ${afterLoss.requeued} given back`);

    // Baseline: the check per share as the reconciler made it before (getJob, getState; 200 at once).
    const { getQueue } = await import("@/lib/queue");
    const sample = scheduledRows.slice(0, BASELINE_SAMPLE);
    const tb = performance.now();
    for (let i = 0; i < sample.length; i += 200) {
      await Promise.all(
        sample.slice(i, i + 200).map(async (row) => {
          const job = await getQueue(publishQueueFor(row.network)).getJob(publishJobId(row.id));
          if (job) await job.getState();
        }),
      );
    }
    const perShareMs = (performance.now() - tb) / sample.length;
    const baselineS = seconds(perShareMs * (SCHEDULED + PUBLISHED));

    // Where the time goes: the same walk through PostgreSQL alone, then the same job checks in Redis alone.
    const ids = { publish: new Map<string, string[]>() };
    const tw = performance.now();
    let walked = 0;
    for await (const page of pendingPages(db(), "scheduled")) {
      walked += page.length;
      for (const row of page) {
        if (!ids.publish.has(row.network)) ids.publish.set(row.network, []);
        ids.publish.get(row.network)!.push(publishJobId(row.id));
      }
    }
    const walkMs = performance.now() - tw;
    const tr = performance.now();
    for (const [network, list] of ids.publish) for (let i = 0; i < list.length; i += 5_000) await jobStates(publishQueueFor(network as Row["network"]), list.slice(i, i + 5_000));
    const redisMs = performance.now() - tr;
    console.log(`  where the time goes: the PostgreSQL walk of ${walked.toLocaleString("en")} shares alone ${seconds(walkMs)} s; the Redis job checks alone ${seconds(redisMs)} s`);

    // The reach dispatcher's run: 1 % of the 800,000 polls due (a campaign's hour), claimed and queued.
    const due = PUBLISHED / 100;
    await sql`update reach_polls set due_at = now() - interval '1 second' where share_id in (select share_id from reach_polls order by share_id limit ${due})`;
    const claims: number[] = [];
    let queued = 0;
    for (let claimed = -1; claimed !== 0; ) {
      const tc = performance.now();
      claimed = await claimDuePolls(db());
      claims.push(performance.now() - tc);
      queued += claimed;
    }
    if (queued !== due) throw new Error(`${due} polls due, ${queued} queued`);
    if ((await getQueue("reach").getJobCounts("waiting")).waiting !== due) throw new Error("the claimed polls are not all waiting in Redis");
    const claimS = seconds(Math.max(...claims));
    console.log(`  reach dispatcher: ${due.toLocaleString("en")} due polls of ${PUBLISHED.toLocaleString("en")} claimed and queued in ${claims.length - 1} runs of at most ${CLAIM_MAX.toLocaleString("en")}, the longest ${claimS} s`);

    times.sort((a, b) => a - b);
    const p50 = seconds(times[Math.floor(times.length / 2)]!);
    const max = seconds(times.at(-1)!);
    console.log("");
    console.log(`reconciler, 1,000,000 shares:   p50 ${p50} s, max ${max} s   (goal: under ${GOAL_S} s: ${max < GOAL_S ? "met" : "NOT met"})`);
    console.log(`baseline, a check per share:    ${(perShareMs * 1000).toFixed(0)} µs a share on ${BASELINE_SAMPLE.toLocaleString("en")}, ${baselineS} s for 1,000,000`);
    console.log(`total bench time ${seconds(performance.now() - started)} s`);
    console.log(JSON.stringify({ reconcile_p50_s: p50, reconcile_max_s: max, per_share_baseline_s: baselineS, speedup: Number((baselineS / p50).toFixed(1)), walk_s: seconds(walkMs), redis_checks_s: seconds(redisMs), claim_s: claimS }));
  } finally {
    await closeQueues();
    await closeDb();
    await seed.close();
    redisServer.stop();
    await database.drop();
  }
}

import { randomBytes, randomUUID } from "node:crypto";
import { Queue, type ConnectionOptions } from "bullmq";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDatabase, type DatabaseHandle } from "@/db/client";
import { shares, stories, type NewShare } from "@/db/schema";
import { db } from "@/lib/db";
import { linkedinVersionFor, resetEnvForTests } from "@/lib/env";
import { checkHealth } from "@/lib/health";
import { beat } from "@/lib/queue/heartbeat";
import { addActiveMember } from "@/lib/members";
import { createMetrics, QUEUE_STATES } from "@/lib/metrics";
import { createOrganization } from "@/lib/orgs";
import { getQueue, moveOldLayoutQueues, oldLayoutPrefix, queueNames, redis, retiredQueueNames } from "@/lib/queue";
import { heartbeatKey } from "@/lib/queue/heartbeat";
import { trustedScope } from "@/lib/tenant";
import { ensureUser } from "@/lib/users";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { uniqueEmail, uniqueSlug } from "../support/factories";
import { clearRedisPrefix } from "../support/test-env";

/** The dashboard route runs with the session this says (Auth.js needs a live request otherwise). */
const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));

// Queue counts and the heartbeat are exact only under a prefix of this file's own.
process.env.QUEUE_PREFIX = `ripple-ops-${randomBytes(4).toString("hex")}`;
const prefix = process.env.QUEUE_PREFIX;

// Share counts are installation-wide and other files write shares side by side: the exact
// figures are read from a database of this file's own.
let ops: TestDatabase;
let opsDb: DatabaseHandle;

const MINUTE = 60_000;

type Sample = { name: string; labels: Record<string, string>; value: number };

/** The samples of a Prometheus text exposition (comments skipped). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of match[2]?.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g) ?? []) labels[key!] = value!;
    const raw = match[3]!;
    samples.push({ name: match[1]!, labels, value: raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw) });
  }
  return samples;
}

function series(samples: Sample[], name: string) {
  return samples.filter((s) => s.name === name);
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.keys(s.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const routeContext = (path?: string[]) => ({ params: Promise.resolve(path ? { path } : {}) });

async function seedShares() {
  const org = await createOrganization(opsDb.db, { name: "Drift ApS", slug: uniqueSlug() }, { kind: "cli" });
  const cli = trustedScope(org.id, { kind: "cli" });
  const { user } = await addActiveMember(opsDb.db, cli, { email: uniqueEmail("sharer"), roles: ["employee"], teamId: null });
  const [story] = await opsDb.db
    .insert(stories)
    .values({ orgId: org.id, slug: uniqueSlug("story"), title: "Drift", language: "da", status: "published", publishAt: new Date(Date.now() - 5 * 60 * MINUTE), publishedAt: new Date(Date.now() - 5 * 60 * MINUTE) })
    .returning();
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * MINUTE);
  const base = { orgId: org.id, storyId: story!.id, userId: user.id, text: "Se her", network: "x", mode: "api" } as const;
  const rows: NewShare[] = [
    // scheduled: two overdue, one just due (within the 2 minutes), one intent, one in the future
    { ...base, status: "scheduled", scheduledAt: at(10) },
    { ...base, status: "scheduled", scheduledAt: at(5) },
    { ...base, status: "scheduled", scheduledAt: at(0.5) },
    { ...base, status: "scheduled", mode: "intent", network: "facebook", scheduledAt: at(60) },
    { ...base, status: "scheduled", scheduledAt: at(-30) },
    // published: 60 s and 10 s late in the last hour; one two hours ago (outside the window)
    { ...base, status: "published", scheduledAt: at(20), publishedAt: at(19) },
    { ...base, status: "published", scheduledAt: at(10), publishedAt: new Date(now - 10 * MINUTE + 10_000) },
    { ...base, status: "published", scheduledAt: at(180), publishedAt: at(120) },
    // failed: three in the last hour, one three hours ago, one two days ago (outside 24 h)
    { ...base, status: "failed", errorCode: "network_rate_limited", scheduledAt: at(30) },
    { ...base, status: "failed", errorCode: "network_rate_limited", scheduledAt: at(30) },
    { ...base, status: "failed", network: "mastodon", errorCode: "connection_expired", scheduledAt: at(30) },
    { ...base, status: "failed", network: "linkedin", errorCode: null, scheduledAt: at(200), updatedAt: at(180) },
    { ...base, status: "failed", network: "bluesky", errorCode: "network_invalid", scheduledAt: at(2 * 24 * 60), updatedAt: at(2 * 24 * 60) },
    { ...base, status: "cancelled", scheduledAt: at(30) },
    { ...base, status: "publishing", scheduledAt: at(1), publishingStartedAt: at(1) },
  ];
  await opsDb.db.insert(shares).values(rows);
}

beforeAll(async () => {
  ops = await createTestDatabase("ops");
  opsDb = createDatabase(ops.url, { max: 6 });
  await seedShares();
});

afterAll(async () => {
  await opsDb?.close();
  await ops?.drop();
  await clearRedisPrefix(process.env.REDIS_URL!, prefix);
});

describe("metrics", () => {
  it("serve queue depths by state, shares by status, lateness, overdue and failures, as Prometheus text", async () => {
    await getQueue("publish-x").add("share.publish", { shareId: randomUUID() }, { delay: 60 * MINUTE });
    await getQueue("publish-x").add("share.publish", { shareId: randomUUID() }, { delay: 60 * MINUTE });
    await getQueue("notify").add("digest.weekly", {});
    await getQueue("import").add("feeds.poll", {}, { priority: 5 });
    await beat(redis(), Date.now() - 30_000);

    const metrics = createMetrics({ db: opsDb.db, redis: redis(), defaultMetrics: false });
    const { contentType, body } = await metrics.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toMatch(/^# TYPE ripple_queue_jobs gauge$/m);
    expect(body).toMatch(/^ripple_queue_jobs\{queue="publish-x",state="delayed"\} 2$/m);
    expect(body).toMatch(/^ripple_shares\{status="scheduled"\} 5$/m);
    expect(body).toMatch(/^ripple_shares_overdue 2$/m);
    expect(body).toMatch(/^ripple_publish_lateness_seconds\{quantile="0\.5"\} 35$/m);

    const samples = parse(body);
    expect(series(samples, "ripple_queue_jobs")).toHaveLength(queueNames.length * QUEUE_STATES.length);
    expect(valueOf(samples, "ripple_queue_jobs", { queue: "notify", state: "waiting" })).toBe(1);
    expect(valueOf(samples, "ripple_queue_jobs", { queue: "import", state: "prioritized" })).toBe(1);
    expect(valueOf(samples, "ripple_queue_jobs", { queue: "reach", state: "waiting" })).toBe(0);

    expect(Object.fromEntries(series(samples, "ripple_shares").map((s) => [s.labels.status, s.value]))).toEqual({
      scheduled: 5,
      publishing: 1,
      published: 3,
      failed: 5,
      cancelled: 1,
      needs_attention: 0,
    });
    expect(valueOf(samples, "ripple_shares_overdue_oldest_seconds")).toBeGreaterThanOrEqual(600);
    expect(valueOf(samples, "ripple_shares_overdue_oldest_seconds")).toBeLessThan(660);

    // percentile_cont over 10 s and 60 s
    expect(valueOf(samples, "ripple_publish_lateness_samples")).toBe(2);
    expect(valueOf(samples, "ripple_publish_lateness_seconds", { quantile: "0.9" })).toBeCloseTo(55, 3);
    expect(valueOf(samples, "ripple_publish_lateness_seconds", { quantile: "0.99" })).toBeCloseTo(59.5, 3);

    expect(series(samples, "ripple_shares_failed_total").map((s) => ({ network: s.labels.network!, reason: s.labels.reason!, n: s.value })).sort((a, b) => a.network.localeCompare(b.network))).toEqual([
      { network: "linkedin", reason: "unknown", n: 1 },
      { network: "mastodon", reason: "connection_expired", n: 1 },
      { network: "x", reason: "network_rate_limited", n: 2 },
    ]);

    const age = valueOf(samples, "ripple_workers_heartbeat_age_seconds")!;
    expect(age).toBeGreaterThanOrEqual(30);
    expect(age).toBeLessThan(40);
    for (const collector of ["queues", "shares", "lateness", "overdue", "failed", "heartbeat"]) {
      expect(valueOf(samples, "ripple_metrics_collector_errors", { collector })).toBe(0);
    }

    // Read at every scrape: a change shows in the next one.
    await redis().del(heartbeatKey());
    await getQueue("notify").add("digest.weekly", {});
    const next = parse((await metrics.render()).body);
    expect(valueOf(next, "ripple_workers_heartbeat_age_seconds")).toBe(Infinity);
    expect(valueOf(next, "ripple_queue_jobs", { queue: "notify", state: "waiting" })).toBe(2);
  });

  it("still answer when a collector fails or hangs: its series are absent and the failure is counted", async () => {
    const dead = createDatabase("postgres://postgres@127.0.0.1:1/x", { connectTimeout: 1, max: 1 });
    try {
      await beat(redis());
      const metrics = createMetrics({
        db: dead.db,
        redis: redis(),
        queue: () => ({ getJobCounts: () => new Promise<Record<string, number>>(() => {}) }),
        timeoutMs: 300,
        defaultMetrics: false,
      });
      const started = Date.now();
      const first = await metrics.render();
      expect(Date.now() - started).toBeLessThan(3_000);
      const samples = parse(first.body);
      for (const name of ["ripple_queue_jobs", "ripple_shares", "ripple_shares_overdue", "ripple_publish_lateness_samples", "ripple_shares_failed_total"]) {
        expect(series(samples, name), name).toEqual([]);
      }
      expect(valueOf(samples, "ripple_workers_heartbeat_age_seconds")).toBeLessThan(10);
      for (const collector of ["queues", "shares", "lateness", "overdue", "failed"]) expect(valueOf(samples, "ripple_metrics_collector_errors", { collector }), collector).toBe(1);
      expect(valueOf(samples, "ripple_metrics_collector_errors", { collector: "heartbeat" })).toBe(0);

      const second = parse((await metrics.render()).body);
      expect(valueOf(second, "ripple_metrics_collector_errors", { collector: "queues" })).toBe(2);

      const health = await checkHealth(dead.db, redis());
      expect(health.status).toBe("down");
      expect(health.publishing).toMatchObject({ ok: false, error: expect.any(String) });
    } finally {
      await dead.client.end({ timeout: 0 });
    }
  });
});

describe("GET /api/metrics", () => {
  it("is public without METRICS_TOKEN, and includes the process metrics", async () => {
    delete process.env.METRICS_TOKEN;
    const { GET } = await import("@/app/api/metrics/route");
    const response = await GET(new Request("http://localhost/api/metrics"), routeContext());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await response.text();
    expect(body).toMatch(/^ripple_queue_jobs\{queue="lifecycle",state="waiting"\} \d+$/m);
    expect(body).toMatch(/^ripple_shares\{status="published"\} \d+$/m);
    expect(body).toMatch(/^ripple_process_resident_memory_bytes \d+/m);
    expect(() => parse(body)).not.toThrow();
  });

  it("gives the configured LinkedIn API version's age in months, for an alert from 10", async () => {
    const now = new Date();
    const elevenBack = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
    const version = `${elevenBack.getUTCFullYear()}${String(elevenBack.getUTCMonth() + 1).padStart(2, "0")}`;
    process.env.LINKEDIN_VERSION = version;
    resetEnvForTests();
    try {
      const { GET } = await import("@/app/api/metrics/route");
      const body = await (await GET(new Request("http://localhost/api/metrics"), routeContext())).text();
      expect(body).toContain(`ripple_linkedin_version_age_months{version="${version}"} 11`);
    } finally {
      delete process.env.LINKEDIN_VERSION;
      resetEnvForTests();
    }
  });

  it("requires the bearer token when METRICS_TOKEN is set", async () => {
    const token = randomBytes(16).toString("hex");
    process.env.METRICS_TOKEN = token;
    resetEnvForTests();
    try {
      const { GET } = await import("@/app/api/metrics/route");
      const call = (authorization?: string) =>
        GET(new Request("http://localhost/api/metrics", { headers: authorization ? { authorization } : {} }), routeContext());
      const none = await call();
      expect(none.status).toBe(401);
      expect(none.headers.get("content-type")).toBe("application/problem+json");
      expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect((await call(`Bearer ${token}x`)).status).toBe(401);
      expect((await call(token)).status).toBe(401);
      const ok = await call(`Bearer ${token}`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/^# TYPE ripple_shares gauge$/m);
    } finally {
      delete process.env.METRICS_TOKEN;
      resetEnvForTests();
    }
  });
});

describe("health", () => {
  it("reports overdue shares and the failures of the last hour, without changing the status rule", async () => {
    const report = await checkHealth(opsDb.db, redis());
    expect(report.status).toBe("ok");
    expect(report.publishing).toMatchObject({ ok: true, overdue: 2, failedLastHour: 3 });
    expect(report.publishing.oldestOverdueSeconds).toBeGreaterThanOrEqual(600);
    expect(report.publishing.oldestOverdueSeconds).toBeLessThan(660);
  });

  it("GET /api/health includes the publishing block beside the existing fields", async () => {
    const { GET } = await import("@/app/api/health/route");
    const response = await GET(new Request("http://localhost/api/health"), routeContext());
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["checkedAt", "linkedinVersion", "postgres", "publishing", "queues", "redis", "status", "workers"]);
    expect(body.publishing).toEqual({ ok: true, overdue: expect.any(Number), oldestOverdueSeconds: expect.toSatisfy((v) => v === null || typeof v === "number"), failedLastHour: expect.any(Number) });
    // The default version (two months back) is young; nothing to warn about.
    expect(body.linkedinVersion).toEqual({ version: linkedinVersionFor(new Date()), ageMonths: 2, warning: false, suggested: linkedinVersionFor(new Date()) });
  });

  it("GET /api/health warns from 10 months and names a live version, staying 200", async () => {
    process.env.LINKEDIN_VERSION = "202501";
    resetEnvForTests();
    try {
      const { GET } = await import("@/app/api/health/route");
      const response = await GET(new Request("http://localhost/api/health"), routeContext());
      expect(response.status).toBe(200);
      const { linkedinVersion } = (await response.json()) as { linkedinVersion: { version: string; ageMonths: number; warning: boolean; suggested: string } };
      expect(linkedinVersion).toMatchObject({ version: "202501", warning: true, suggested: linkedinVersionFor(new Date()) });
      expect(linkedinVersion.ageMonths).toBeGreaterThanOrEqual(10);
    } finally {
      delete process.env.LINKEDIN_VERSION;
      resetEnvForTests();
    }
  });
});

describe("queue dashboard at /admin/queues", () => {
  const operator = uniqueEmail("operator");
  let operatorId: string;
  beforeAll(async () => {
    operatorId = (await ensureUser(db(), operator)).id;
    process.env.OPERATOR_EMAILS = `someone@else.example, ${operator.toUpperCase()}`;
    resetEnvForTests();
  });
  afterAll(() => {
    delete process.env.OPERATOR_EMAILS;
    resetEnvForTests();
  });
  const signIn = (roles: string[], userId = operatorId) => {
    session.current = { userId, orgId: randomUUID(), orgName: "Drift ApS", roles };
  };
  const request = (path: string, init: RequestInit = {}) => new Request(`http://localhost${path}`, init);
  const pathOf = (path: string) => path.replace(/^\/admin\/queues\/?/, "").split("/").filter(Boolean);
  async function call(method: "GET" | "PUT", path: string, init: RequestInit = {}) {
    const module = await import("@/app/admin/queues/[[...path]]/route");
    const segments = pathOf(path);
    return module[method](request(path, { method, ...init }), routeContext(segments.length ? segments : undefined));
  }

  it("answers 401 without a session, and sends a signed-out browser to sign in and back", async () => {
    session.current = null;
    const api = await call("GET", "/admin/queues/api/queues");
    expect(api.status).toBe(401);
    expect(api.headers.get("content-type")).toBe("application/problem+json");
    expect((await call("PUT", "/admin/queues/api/queues/reach/pause")).status).toBe(401);

    const page = await call("GET", "/admin/queues/queue/publish-x", { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toBe(`/signin?callbackUrl=${encodeURIComponent("/admin/queues/queue/publish-x")}`);

    // Signed in but a member of no organisation: the same page requireMember shows.
    session.current = { userId: "user-without-org", orgId: "", orgName: "", roles: [] };
    const orphan = await call("GET", "/admin/queues", { headers: { accept: "text/html" } });
    expect(orphan.status).toBe(307);
    expect(orphan.headers.get("location")).toBe("/signin/error?error=NoMembership");
  });

  it("answers 403 to a member who is not an admin", async () => {
    signIn(["employee", "editor", "manager"]);
    const page = await call("GET", "/admin/queues", { headers: { accept: "text/html" } });
    expect(page.status).toBe(403);
    expect(page.headers.get("content-type")).toBe("application/problem+json");
    expect((await call("GET", "/admin/queues/api/queues")).status).toBe(403);
    expect((await call("PUT", "/admin/queues/api/queues/reach/pause")).status).toBe(403);
    expect(await getQueue("reach").isPaused()).toBe(false);
  });

  it("answers 403 to an admin who does not run the installation: the dashboard spans every organisation", async () => {
    const otherAdmin = await ensureUser(db(), uniqueEmail("org-admin"));
    signIn(["admin"], otherAdmin.id);
    expect((await call("GET", "/admin/queues", { headers: { accept: "text/html" } })).status).toBe(403);
    expect((await call("GET", "/admin/queues/api/queues")).status).toBe(403);
    expect((await call("PUT", "/admin/queues/api/queues/reach/pause", { headers: { "sec-fetch-site": "same-origin" } })).status).toBe(403);
    expect(await getQueue("reach").isPaused()).toBe(false);

    // Without OPERATOR_EMAILS an installation of several organisations lets no admin in.
    for (const name of ["Nord A/S", "Syd A/S"]) await createOrganization(db(), { name, slug: uniqueSlug() }, { kind: "cli" });
    delete process.env.OPERATOR_EMAILS;
    resetEnvForTests();
    try {
      signIn(["admin"]);
      expect((await call("GET", "/admin/queues/api/queues")).status).toBe(403);
    } finally {
      process.env.OPERATOR_EMAILS = operator;
      resetEnvForTests();
    }
  });

  it("serves bull-board to an operator: the page, its static files and the API listing every queue", async () => {
    signIn(["admin"]);
    const page = await call("GET", "/admin/queues", { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<base href="/admin/queues/" />');
    expect(html).toContain("<title>Ripple queues</title>");
    expect(html).not.toContain("fonts.googleapis.com");

    const script = /<script defer src="(static\/js\/main\.[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await call("GET", `/admin/queues/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1_000);

    const api = await call("GET", "/admin/queues/api/queues");
    expect(api.status).toBe(200);
    const { queues } = (await api.json()) as { queues: Array<{ name: string; counts: Record<string, number> }> };
    expect(queues.map((q) => q.name).sort()).toEqual([...queueNames].sort());
  });

  it("lets an operator act on a queue from the dashboard, but not from another site", async () => {
    signIn(["admin"]);
    const crossSite = await call("PUT", "/admin/queues/api/queues/reach/pause", { headers: { "sec-fetch-site": "cross-site" } });
    expect(crossSite.status).toBe(403);
    expect(await getQueue("reach").isPaused()).toBe(false);

    const pause = await call("PUT", "/admin/queues/api/queues/reach/pause", { headers: { "sec-fetch-site": "same-origin" } });
    expect(pause.status).toBeLessThan(300);
    expect(await getQueue("reach").isPaused()).toBe(true);
    const resume = await call("PUT", "/admin/queues/api/queues/reach/resume", { headers: { "sec-fetch-site": "same-origin" } });
    expect(resume.status).toBeLessThan(300);
    expect(await getQueue("reach").isPaused()).toBe(false);
  });
  it("reports no queue that no longer exists: a clicks or publish queue left in Redis by an older version is listed nowhere, and the workers remove it; the one-slot layout's jobs move to their queues' own slots", async () => {
    // What an installation that ran an earlier version still holds: every queue under one tag, {prefix}.
    const old = oldLayoutPrefix();
    expect(old).toBe(`{${prefix}}`);
    const leftovers = retiredQueueNames.map((name) => new Queue(name, { connection: redis() as ConnectionOptions, prefix: old }));
    const oldPublish = new Queue("publish-x", { connection: redis() as ConnectionOptions, prefix: old });
    leftovers.push(oldPublish);
    const waitingShare = randomUUID();
    try {
      for (const queue of leftovers.slice(0, -1)) {
        await queue.add("stale", {});
        await queue.add("stale", {}, { delay: 60 * MINUTE });
      }
      await oldPublish.add("share.publish", { shareId: waitingShare }, { delay: 30 * MINUTE, jobId: `share-${waitingShare}`, attempts: 6 });
      await getQueue("publish-x").add("share.publish", { shareId: randomUUID() }, { delay: 60 * MINUTE, jobId: "kept" });
      for (const name of retiredQueueNames) expect(queueNames as readonly string[]).not.toContain(name);

      const health = await checkHealth(opsDb.db, redis());
      expect(Object.keys(health.queues.counts).sort()).toEqual([...queueNames].sort());
      const metrics = parse((await createMetrics({ db: opsDb.db, redis: redis(), defaultMetrics: false }).render()).body);
      expect([...new Set(series(metrics, "ripple_queue_jobs").map((s) => s.labels.queue))].sort()).toEqual([...queueNames].sort());
      signIn(["admin"]);
      const api = await call("GET", "/admin/queues/api/queues");
      const { queues } = (await api.json()) as { queues: Array<{ name: string }> };
      expect(queues.map((q) => q.name).sort()).toEqual([...queueNames].sort());

      const tidied = await moveOldLayoutQueues(redis());
      expect(tidied.removed.sort()).toEqual(["publish-x", ...retiredQueueNames].sort());
      expect(tidied.moved).toEqual({ "publish-x": 1 });
      expect(await redis().keys(`${old}:*`)).toEqual([]);
      expect(await getQueue("publish-x").getJob("kept")).toBeDefined();
      // The waiting share's job is on its queue's own slot, still delayed to its time, with its attempts.
      const moved = await getQueue("publish-x").getJob(`share-${waitingShare}`);
      expect(moved?.data).toEqual({ shareId: waitingShare });
      expect(await moved!.getState()).toBe("delayed");
      expect(moved!.timestamp + moved!.delay).toBeGreaterThan(Date.now() + 25 * MINUTE);
      expect(moved!.opts.attempts).toBe(6);
      // Nothing left: a second start has nothing to do.
      expect(await moveOldLayoutQueues(redis())).toEqual({ moved: {}, removed: [] });
    } finally {
      await Promise.all(leftovers.map((queue) => queue.close()));
    }
  });
});

import { randomUUID } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { Job } from "bullmq";
import { and, asc, eq, like, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createWebhookAction, deleteWebhookAction, setWebhookActiveAction, testWebhookAction } from "@/app/(app)/admin/webhooks/actions";
import { auditLog, organizations, webhooks, type Webhook } from "@/db/schema";
import { db } from "@/lib/db";
import { PermanentFailure } from "@/lib/errors";
import { getQueue } from "@/lib/queue";
import { approveStory, archiveStory, createStory, runDueLifecycle, submitStory } from "@/lib/stories";
import type { Scope } from "@/lib/tenant";
import { deliverStoryWebhook, sendTestMessage, WebhookDeliveryError } from "@/lib/webhooks/deliver";
import { createChatWebhook, deleteChatWebhook, listChatWebhooks, setChatWebhookActive } from "@/lib/webhooks/manage";
import { announceStory, storyWebhookJobId } from "@/lib/webhooks/announce";
import { encryptPlainWebhookUrls, sealWebhookUrl, webhookUrlOf } from "@/lib/webhooks/secrets";
import { notifyProcessors } from "@/workers/processors/notify";
import { makeMember, makeOrganization } from "../support/factories";

/** Redis can be made to fail enqueues, to see that publishing a story does not depend on it. */
const redis = vi.hoisted(() => ({ down: false }));
vi.mock("@/lib/queue", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/queue")>();
  return {
    ...actual,
    enqueue: (async (...args: Parameters<typeof actual.enqueue>) => {
      if (redis.down) throw new Error("Connection is closed.");
      return actual.enqueue(...args);
    }) as typeof actual.enqueue,
  };
});

/** The server actions run with the session this says. */
const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

type Received = { method: string; path: string; contentType: string | undefined; body: string };

/** A local stand-in for Slack's and Teams' webhook endpoints: answers by path, keeps what it got. */
let server: http.Server;
let origin = "";
const received: Received[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const path = request.url ?? "/";
      received.push({ method: request.method ?? "", path, contentType: request.headers["content-type"], body: Buffer.concat(chunks).toString("utf8") });
      if (path.startsWith("/fail")) return void response.writeHead(500, { "content-type": "text/plain" }).end("internal_error");
      if (path.startsWith("/gone")) return void response.writeHead(404, { "content-type": "text/plain" }).end("no_service");
      if (path.startsWith("/teams")) return void response.writeHead(202).end();
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const savedAllowPrivate = process.env.ALLOW_PRIVATE_FETCH;
afterEach(() => {
  if (savedAllowPrivate === undefined) delete process.env.ALLOW_PRIVATE_FETCH;
  else process.env.ALLOW_PRIVATE_FETCH = savedAllowPrivate;
  redis.down = false;
});

/** The local server is on loopback: let safeFetch reach it, as ALLOW_PRIVATE_FETCH does in tests only. */
function allowLoopback() {
  process.env.ALLOW_PRIVATE_FETCH = "true";
}

/** A webhook row pointing at the local server (the admin form only takes https, so tests insert it). */
async function hookAt(scope: Scope, kind: "slack" | "teams", path: string, active = true): Promise<Webhook> {
  const id = randomUUID();
  const [row] = await db()
    .insert(webhooks)
    .values({ id, orgId: scope.orgId, kind, ...sealWebhookUrl(id, `${origin}${path}`), events: ["story.published"], active })
    .returning();
  return row!;
}

const requestsTo = (path: string) => received.filter((r) => r.path === path);
const unique = () => Math.random().toString(36).slice(2, 10);

async function newsroom(locale: "da" | "en" = "da") {
  const { org, cli } = await makeOrganization("Havvind ApS");
  if (locale !== "da") await db().update(organizations).set({ settings: { locale } }).where(eq(organizations.id, org.id));
  const admin = await makeMember(cli, ["admin"]);
  const author = await makeMember(cli, ["editor"]);
  const reviewer = await makeMember(cli, ["editor"]);
  const draft = (extra: Record<string, unknown> = {}) =>
    createStory(db(), author.scope, {
      title: "Rekordår for havvind",
      summary: "Vi leverede 40 % mere strøm & flere <møller>.",
      canonicalUrl: "https://havvind.example/nyheder/rekord",
      language: "da",
      ...extra,
    }).then(async (story) => {
      await submitStory(db(), author.scope, story.id);
      return story;
    });
  return { org, cli, admin, author, reviewer, draft };
}

/** Runs the notify worker's "webhook.story" handler on the queued job, as the worker would. */
async function processJob(webhookId: string, storyId: string) {
  const job = (await getQueue("notify").getJob(storyWebhookJobId(webhookId, storyId))) as Job | undefined;
  expect(job, "the webhook.story job is queued").toBeTruthy();
  expect(job).toMatchObject({ name: "webhook.story", data: { webhookId, storyId }, opts: { attempts: 5, backoff: { type: "exponential" } } });
  return notifyProcessors()["webhook.story"](job!.data, job!);
}

async function reload(id: string) {
  const [row] = await db().select().from(webhooks).where(eq(webhooks.id, id));
  return row!;
}

describe("announcing a story that goes live", () => {
  it("queues one job per active Slack/Teams webhook on approval, and the worker POSTs the Slack message", async () => {
    allowLoopback();
    const { cli, reviewer, draft } = await newsroom();
    const path = `/slack/T0/B0/${unique()}`;
    const hook = await hookAt(cli, "slack", path);
    const paused = await hookAt(cli, "slack", `/slack/paused/${unique()}`, false);
    const elsewhere = await makeOrganization();
    const foreign = await hookAt(elsewhere.cli, "slack", `/slack/other/${unique()}`);

    const story = await draft();
    const published = await approveStory(db(), reviewer.scope, story.id);
    expect(published.status).toBe("published");

    expect(await getQueue("notify").getJob(storyWebhookJobId(paused.id, story.id))).toBeUndefined();
    expect(await getQueue("notify").getJob(storyWebhookJobId(foreign.id, story.id))).toBeUndefined();
    expect(await processJob(hook.id, story.id)).toBe("delivered");

    const [request] = requestsTo(path);
    expect(requestsTo(path)).toHaveLength(1);
    expect(request).toMatchObject({ method: "POST", contentType: "application/json; charset=utf-8" });
    expect(JSON.parse(request!.body)).toEqual({
      text: "Ny historie at dele: Rekordår for havvind",
      blocks: [
        {
          type: "section",
          text: { type: "mrkdwn", text: "*<https://havvind.example/nyheder/rekord|Rekordår for havvind>*\nVi leverede 40 % mere strøm &amp; flere &lt;møller&gt;." },
        },
        {
          type: "actions",
          elements: [
            { type: "button", action_id: "ripple-share", style: "primary", text: { type: "plain_text", text: "Del via Ripple" }, url: `http://localhost:3999/compose?story=${story.id}` },
          ],
        },
      ],
    });
    const after = await reload(hook.id);
    expect(after.lastDeliveryAt).toBeInstanceOf(Date);
    expect(after.lastError).toBeNull();
  });

  it("queues the message when a scheduled story goes live through the lifecycle", async () => {
    allowLoopback();
    const { cli, reviewer, draft } = await newsroom();
    const hook = await hookAt(cli, "slack", `/slack/later/${unique()}`);
    const publishAt = new Date(Date.now() + 3_600_000);
    const story = await draft({ publishAt });
    expect((await approveStory(db(), reviewer.scope, story.id)).status).toBe("approved");
    expect(await getQueue("notify").getJob(storyWebhookJobId(hook.id, story.id))).toBeUndefined();

    expect(await runDueLifecycle(db(), { storyId: story.id, now: new Date(publishAt.getTime() + 1000) })).toEqual({ published: 1, archived: 0 });
    expect(await processJob(hook.id, story.id)).toBe("delivered");
  });

  it("sends Teams an Adaptive Card in the organisation's language", async () => {
    const { cli, reviewer, draft } = await newsroom("en");
    const path = `/teams/workflows/${unique()}`;
    const hook = await hookAt(cli, "teams", path);
    const story = await draft();
    await approveStory(db(), reviewer.scope, story.id);

    // The allow-list reaches just this host:port, with ALLOW_PRIVATE_FETCH off.
    expect(await deliverStoryWebhook(db(), hook.id, story.id, { allowList: [new URL(origin).host] })).toBe("delivered");
    expect(JSON.parse(requestsTo(path)[0]!.body)).toEqual({
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            body: [
              { type: "TextBlock", text: "New story to share", isSubtle: true, size: "Small", wrap: true },
              { type: "TextBlock", text: "Rekordår for havvind", weight: "Bolder", size: "Medium", wrap: true },
              { type: "TextBlock", text: "Vi leverede 40 % mere strøm & flere <møller>.", wrap: true },
            ],
            actions: [
              { type: "Action.OpenUrl", title: "Share on Ripple", url: `http://localhost:3999/compose?story=${story.id}` },
              { type: "Action.OpenUrl", title: "Read the story", url: "https://havvind.example/nyheder/rekord" },
            ],
          },
        },
      ],
    });
    expect((await reload(hook.id)).lastDeliveryAt).toBeInstanceOf(Date);
  });

  it("records a 500 as the last error and throws so BullMQ retries; a 404 is not retried", async () => {
    allowLoopback();
    const { cli, reviewer, draft } = await newsroom();
    const failing = await hookAt(cli, "slack", `/fail/${unique()}`);
    const gone = await hookAt(cli, "slack", `/gone/${unique()}`);
    const story = await draft();
    await approveStory(db(), reviewer.scope, story.id);

    const error = await processJob(failing.id, story.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookDeliveryError);
    expect(error).not.toBeInstanceOf(PermanentFailure);
    expect(error).toMatchObject({ message: "HTTP 500: internal_error" });
    expect(await reload(failing.id)).toMatchObject({ lastError: "HTTP 500: internal_error", lastDeliveryAt: null });

    await expect(processJob(gone.id, story.id)).rejects.toBeInstanceOf(PermanentFailure);
    expect((await reload(gone.id)).lastError).toBe("HTTP 404: no_service");
  });

  it("refuses a private address when the allowance is off, without a request", async () => {
    delete process.env.ALLOW_PRIVATE_FETCH;
    const { cli, reviewer, draft } = await newsroom();
    const path = `/slack/private/${unique()}`;
    const hook = await hookAt(cli, "slack", path);
    const story = await draft();
    await approveStory(db(), reviewer.scope, story.id);

    const error = await deliverStoryWebhook(db(), hook.id, story.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentFailure);
    expect((await reload(hook.id)).lastError).toMatch(/^privateAddress: Refused to fetch 127\.0\.0\.1/);
    await expect(processJob(hook.id, story.id)).rejects.toBeInstanceOf(PermanentFailure);
    expect(requestsTo(path)).toEqual([]);
  });

  it("skips a webhook paused or removed meanwhile, and a story withdrawn before the message went out", async () => {
    allowLoopback();
    const { cli, author, reviewer, draft } = await newsroom();
    const path = `/slack/skip/${unique()}`;
    const hook = await hookAt(cli, "slack", path);
    const story = await draft();
    await approveStory(db(), reviewer.scope, story.id);
    await archiveStory(db(), author.scope, story.id);
    expect(await processJob(hook.id, story.id)).toBe("skipped");

    const live = await draft({ title: "Anden historie" });
    await approveStory(db(), reviewer.scope, live.id);
    await db().update(webhooks).set({ active: false }).where(eq(webhooks.id, hook.id));
    expect(await processJob(hook.id, live.id)).toBe("skipped");
    await db().delete(webhooks).where(eq(webhooks.id, hook.id));
    expect(await deliverStoryWebhook(db(), hook.id, live.id)).toBe("skipped");
    expect(requestsTo(path)).toEqual([]);
  });

  it("publishes the story even when Redis is down (the message is best-effort)", async () => {
    const { cli, reviewer, draft } = await newsroom();
    const hook = await hookAt(cli, "slack", `/slack/redis/${unique()}`);
    const story = await draft();
    redis.down = true;
    const published = await approveStory(db(), reviewer.scope, story.id);
    expect(published.status).toBe("published");
    expect(await announceStory(db(), published)).toBe(0);
    redis.down = false;
    expect(await getQueue("notify").getJob(storyWebhookJobId(hook.id, story.id))).toBeUndefined();
  });
});

describe("managing Slack and Teams webhooks", () => {
  const slackUrl = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXsecret";

  it("adds only https addresses outside private networks", async () => {
    const { admin } = await newsroom();
    const code = (url: string) =>
      createChatWebhook(db(), admin.scope, { kind: "slack", url }).then(
        () => "accepted",
        (e: { issues?: Array<{ message: string }> }) => e.issues?.[0]?.message,
      );
    expect(await code("http://hooks.slack.com/services/T/B/X")).toBe("webhookHttpsOnly");
    expect(await code("not a url")).toBe("webhookUrlInvalid");
    expect(await code("https://user:pw@hooks.slack.com/services/T/B/X")).toBe("webhookUrlInvalid");
    expect(await code("https://127.0.0.1/hook")).toBe("webhookPrivateAddress");
    expect(await code("https://[::1]/hook")).toBe("webhookPrivateAddress");
    expect(await code("https://169.254.169.254/latest")).toBe("webhookPrivateAddress");
    expect(await code("https://localhost/hook")).toBe("webhookPrivateAddress");
    expect(await code("https://intranet.local/hook")).toBe("webhookPrivateAddress");
    expect(await code(slackUrl)).toBe("accepted");
    expect(await code("https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi")).toBe("accepted");
  });

  it("lists them masked, pauses, resumes and removes them, audited without the secret", async () => {
    const { cli, admin } = await newsroom();
    const created = await createChatWebhook(db(), admin.scope, { kind: "slack", url: slackUrl });
    expect(created).toMatchObject({ kind: "slack", urlHint: "hooks.slack.com/…cret", active: true, lastDeliveryAt: null, lastError: null });
    const teams = await createChatWebhook(db(), admin.scope, { kind: "teams", url: "https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi" });
    expect((await listChatWebhooks(db(), admin.scope)).map((w) => w.id).sort()).toEqual([created.id, teams.id].sort());

    expect(await setChatWebhookActive(db(), admin.scope, created.id, false)).toMatchObject({ active: false });
    expect(await setChatWebhookActive(db(), admin.scope, created.id, false)).toMatchObject({ active: false }); // no change, no entry
    expect(await setChatWebhookActive(db(), admin.scope, created.id, true)).toMatchObject({ active: true });
    await deleteChatWebhook(db(), admin.scope, created.id);
    expect((await listChatWebhooks(db(), admin.scope)).map((w) => w.id)).toEqual([teams.id]);

    const entries = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, cli.orgId), like(auditLog.action, "webhook.%")))
      .orderBy(asc(auditLog.id));
    expect(entries.map((e) => [e.action, e.targetId, e.actorUserId])).toEqual([
      ["webhook.create", created.id, admin.user.id],
      ["webhook.create", teams.id, admin.user.id],
      ["webhook.update", created.id, admin.user.id],
      ["webhook.update", created.id, admin.user.id],
      ["webhook.delete", created.id, admin.user.id],
    ]);
    expect(entries[0]!.after).toEqual({ kind: "slack", url: "hooks.slack.com/…cret", active: true });
    expect(entries.map((e) => [e.before, e.after])).toContainEqual([{ active: true }, { active: false }]);
    expect(JSON.stringify(entries)).not.toContain("XXXXXXXXXXXXXXXXsecret");
  });

  it("keeps organisations apart", async () => {
    const a = await newsroom();
    const b = await newsroom();
    const hook = await createChatWebhook(db(), a.admin.scope, { kind: "slack", url: slackUrl });
    expect(await listChatWebhooks(db(), b.admin.scope)).toEqual([]);
    await expect(setChatWebhookActive(db(), b.admin.scope, hook.id, false)).rejects.toMatchObject({ status: 404 });
    await expect(deleteChatWebhook(db(), b.admin.scope, hook.id)).rejects.toMatchObject({ status: 404 });
    await expect(sendTestMessage(db(), b.admin.scope, hook.id)).rejects.toMatchObject({ status: 404 });
    expect(await reload(hook.id)).toMatchObject({ active: true });
  });

  it("sends a test message and reports what went wrong", async () => {
    const { admin } = await newsroom("en");
    const okPath = `/slack/test/${unique()}`;
    const ok = await hookAt(admin.scope, "slack", okPath);
    const teams = await hookAt(admin.scope, "teams", `/teams/test/${unique()}`);
    const failing = await hookAt(admin.scope, "slack", `/fail/test/${unique()}`);

    expect(await sendTestMessage(db(), admin.scope, ok.id, { allowPrivate: true })).toEqual({ ok: true });
    expect(JSON.parse(requestsTo(okPath)[0]!.body)).toEqual({
      text: "Ripple is connected New stories from Havvind ApS will be posted in this channel.",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "*Ripple is connected*\nNew stories from Havvind ApS will be posted in this channel." } }],
    });
    expect(await sendTestMessage(db(), admin.scope, teams.id, { allowPrivate: true })).toEqual({ ok: true });
    expect(await sendTestMessage(db(), admin.scope, failing.id, { allowPrivate: true })).toEqual({ ok: false, error: "HTTP 500: internal_error" });
    expect((await reload(failing.id)).lastError).toBe("HTTP 500: internal_error");
    expect((await reload(ok.id)).lastDeliveryAt).toBeInstanceOf(Date);
  });
});

describe("the webhook server actions", () => {
  it("are for admins of the webhook's own organisation", async () => {
    const a = await newsroom();
    const b = await newsroom();
    const url = "https://hooks.slack.com/services/T1/B1/actionsecret";
    const as = (member: { user: { id: string }; scope: Scope }, roles: string[]) => {
      session.current = { userId: member.user.id, orgId: member.scope.orgId, orgName: "", roles };
    };

    as(a.author, ["editor"]);
    expect(await createWebhookAction({ kind: "slack", url })).toEqual({ ok: false, error: "forbidden" });
    as(a.admin, ["admin"]);
    expect(await createWebhookAction({ kind: "slack", url: "http://hooks.slack.com/x" })).toMatchObject({ ok: false, error: "invalidInput", fieldErrors: { url: ["webhookHttpsOnly"] } });
    const created = await createWebhookAction({ kind: "slack", url });
    expect(created).toMatchObject({ ok: true });
    const webhookId = (created as { data: { id: string } }).data.id;

    as(b.admin, ["admin"]);
    for (const result of [
      await setWebhookActiveAction({ webhookId, active: false }),
      await testWebhookAction({ webhookId }),
      await deleteWebhookAction({ webhookId }),
    ]) {
      expect(result).toEqual({ ok: false, error: "notFound" });
    }
    expect(await reload(webhookId)).toMatchObject({ active: true });

    as(a.admin, ["admin"]);
    expect(await setWebhookActiveAction({ webhookId, active: false })).toEqual({ ok: true, data: { active: false } });
    expect(await deleteWebhookAction({ webhookId })).toEqual({ ok: true, data: true });
    expect(await listChatWebhooks(db(), a.admin.scope)).toEqual([]);
  });
});

describe("a webhook URL at rest", () => {
  const slackUrl = "https://hooks.slack.com/services/T0RIPPLE/B0RIPPLE/atRestSecret9876";
  /** The column as PostgreSQL holds it, past drizzle. */
  const rawColumns = async (id: string) => (await db().execute<{ url_enc: string; url_hint: string | null }>(sql`select url_enc, url_hint from webhooks where id = ${id}`))[0]!;

  it("is stored encrypted and shown masked, and a copy moved to another row does not decrypt", async () => {
    const { admin } = await newsroom();
    const created = await createChatWebhook(db(), admin.scope, { kind: "slack", url: slackUrl });
    const raw = await rawColumns(created.id);
    expect(raw.url_enc).not.toContain("hooks.slack.com");
    expect(raw.url_enc).not.toContain("atRestSecret9876");
    expect(raw.url_enc).toMatch(/^v1\./);
    expect(raw.url_hint).toBe("hooks.slack.com/…9876");
    expect((await listChatWebhooks(db(), admin.scope)).map((w) => w.urlHint)).toEqual(["hooks.slack.com/…9876"]);
    expect(webhookUrlOf(await reload(created.id))).toBe(slackUrl);

    const other = await createChatWebhook(db(), admin.scope, { kind: "slack", url: "https://hooks.slack.com/services/T1/B1/other" });
    expect(() => webhookUrlOf({ id: other.id, urlEnc: raw.url_enc })).toThrow();
  });

  it("still sends from a row written before encryption, and the rewrite encrypts it without losing a message", async () => {
    allowLoopback();
    const { admin } = await newsroom("en");
    const hookPath = `/slack/legacy/${unique()}`;
    // What migration 0014 leaves of a row the old schema wrote: the plain URL, renamed to url_enc, no hint.
    const [legacy] = await db().execute<{ id: string }>(
      sql`insert into webhooks (org_id, kind, url_enc, events, active) values (${admin.scope.orgId}, 'slack', ${`${origin}${hookPath}`}, '{story.published}', true) returning id`,
    );
    const id = legacy!.id;
    expect((await listChatWebhooks(db(), admin.scope)).map((w) => w.urlHint)).toEqual([`${new URL(origin).host}/…${hookPath.slice(-4)}`]);
    expect(await sendTestMessage(db(), admin.scope, id, { allowPrivate: true })).toEqual({ ok: true });
    expect(requestsTo(hookPath)).toHaveLength(1);

    expect(await encryptPlainWebhookUrls(db())).toBeGreaterThanOrEqual(1);
    const raw = await rawColumns(id);
    expect(raw.url_enc).not.toContain(origin);
    expect(raw.url_enc).not.toContain(hookPath);
    expect(raw.url_hint).toBe(`${new URL(origin).host}/…${hookPath.slice(-4)}`);
    // Once is enough: a second run (another process starting) finds nothing to do.
    expect(await encryptPlainWebhookUrls(db())).toBe(0);
    expect(await sendTestMessage(db(), admin.scope, id, { allowPrivate: true })).toEqual({ ok: true });
    expect(requestsTo(hookPath)).toHaveLength(2);
  });

  it("is encrypted after migrating a database whose rows the old schema wrote", async () => {
    // A database at migration 0013 (the journal cut there), a row as that schema wrote it, then every migration and the rewrite.
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    const { createDatabase } = await import("@/db/client");
    const { migrateDatabase, migrationsFolder } = await import("@/db/migrate");
    const { default: postgres } = await import("postgres");
    const folder = await mkdtemp(path.join(tmpdir(), "ripple-migrations-"));
    const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const name = `ripple_webhook_migration_${unique()}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
    const old = createDatabase(url, { max: 1 });
    try {
      await cp(migrationsFolder, folder, { recursive: true });
      const journalPath = path.join(folder, "meta", "_journal.json");
      const journal = JSON.parse(await readFile(journalPath, "utf8")) as { entries: Array<{ idx: number; tag: string }> };
      const at = journal.entries.findIndex((e) => e.tag.endsWith("_webhook_url_encrypted"));
      expect(at).toBeGreaterThan(0);
      await writeFile(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
      await migrate(old.db, { migrationsFolder: folder, migrationsSchema: "drizzle", migrationsTable: "migrations" });

      const [org] = await old.client<{ id: string }[]>`insert into organizations (name, slug) values ('Gammel ApS', ${`gammel-${unique()}`}) returning id`;
      const [row] = await old.client<{ id: string }[]>`insert into webhooks (org_id, kind, url, events) values (${org!.id}, 'slack', ${slackUrl}, '{story.published}') returning id`;

      expect(await migrateDatabase(url)).toBeGreaterThanOrEqual(1);
      expect(await encryptPlainWebhookUrls(old.db as never)).toBe(1);
      const [after] = await old.client<{ url_enc: string; url_hint: string }[]>`select url_enc, url_hint from webhooks where id = ${row!.id}`;
      expect(after!.url_enc).not.toContain("hooks.slack.com");
      expect(after!.url_hint).toBe("hooks.slack.com/…9876");
      expect(webhookUrlOf({ id: row!.id, urlEnc: after!.url_enc })).toBe(slackUrl);
    } finally {
      await old.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
      await rm(folder, { recursive: true, force: true });
    }
  });
});

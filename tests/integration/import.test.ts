import http from "node:http";
import { type AddressInfo } from "node:net";
import { and, asc, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, rssFeeds, stories } from "@/db/schema";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { addFeed, listFeeds, MAX_NEW_ITEMS_PER_POLL, pollDueFeeds, pollFeed, pollRound, removeFeed, setFeedActive } from "@/lib/import";
import { updateGovernance } from "@/lib/orgs/governance";
import { getQueue } from "@/lib/queue";
import { createStory } from "@/lib/stories";
import type { Scope } from "@/lib/tenant";
import { makeMember, makeOrganization } from "../support/factories";

// The feeds and article pages are served from 127.0.0.1: let the SSRF-safe fetcher reach
// loopback in this file (lib/env reads it at call time; one test turns it off again).
process.env.ALLOW_PRIVATE_FETCH = "true";

type Answer = { status?: number; type?: string; body?: string; headers?: Record<string, string> };
type Route = Answer | ((request: http.IncomingMessage) => Answer);

/** A real HTTP server on 127.0.0.1 for one test: routes by path, every request recorded. */
type Site = { origin: string; routes: Map<string, Route>; requests: Array<{ path: string; headers: http.IncomingHttpHeaders }> };
const servers: http.Server[] = [];

async function serve(): Promise<Site> {
  const site: Site = { origin: "", routes: new Map(), requests: [] };
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    site.requests.push({ path, headers: request.headers });
    const route = site.routes.get(path);
    const answer: Answer = typeof route === "function" ? route(request) : (route ?? { status: 404, body: "<title>Not found</title>" });
    response.writeHead(answer.status ?? 200, { "content-type": answer.type ?? "text/html; charset=utf-8", ...answer.headers }).end(answer.body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  site.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return site;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

type Item = { title: string; path: string; description?: string; date?: string };

const rss = (site: Site, items: Item[], channel = "<title>Ripple Nyheder &amp; mere</title><language>da</language>") =>
  `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>${channel}<link>${site.origin}/</link>
${items
  .map(
    (i) => `<item><title>${i.title}</title><link>${site.origin}${i.path}</link><guid>${i.path}</guid>
<description>${i.description ?? `&lt;p&gt;Om ${i.path}&lt;/p&gt;`}</description>${i.date ? `<pubDate>${i.date}</pubDate>` : ""}</item>`,
  )
  .join("\n")}
</channel></rss>`;

/** An article page with Open Graph tags, in Danish. */
function article(site: Site, path: string, title: string) {
  site.routes.set(path, {
    body: `<!doctype html><html lang="da"><head><meta property="og:title" content="${title}"><meta property="og:description" content="Beskrivelse af ${title}"><meta property="og:image" content="${site.origin}/img${path}.jpg"></head><body></body></html>`,
  });
}

/** A feed answering 304 to its own ETag. */
function feedWithEtag(site: Site, path: string, body: () => string, etag: () => string) {
  site.routes.set(path, (request) =>
    request.headers["if-none-match"] === etag()
      ? { status: 304, headers: { etag: etag() } }
      : { type: "application/rss+xml; charset=utf-8", body: body(), headers: { etag: etag() } },
  );
}

async function setup() {
  const { cli, org } = await makeOrganization();
  const editor = await makeMember(cli, ["editor"]);
  return { org, cli, editor, site: await serve() };
}

const storiesOf = (scope: Scope) => db().select().from(stories).where(eq(stories.orgId, scope.orgId)).orderBy(asc(stories.createdAt));
const feedRow = async (id: string) => (await db().select().from(rssFeeds).where(eq(rssFeeds.id, id)))[0]!;

describe("feed import", () => {
  it("imports each item of an RSS feed once as a draft with its page's preview, then honours the ETag", async () => {
    const { editor, site } = await setup();
    const items = [
      { title: "Første nyhed", path: "/a", date: "Mon, 02 Jun 2025 08:00:00 GMT" },
      { title: "Anden nyhed", path: "/b", date: "Tue, 03 Jun 2025 08:00:00 GMT" },
      { title: "Tredje nyhed", path: "/c", date: "Wed, 04 Jun 2025 08:00:00 GMT" },
    ];
    for (const item of items) article(site, item.path, `Side ${item.path.slice(1).toUpperCase()}: grøn strøm`);
    feedWithEtag(site, "/feed.xml", () => rss(site, items), () => '"v1"');

    const feed = await addFeed(db(), editor.scope, { url: `${site.origin}/feed.xml` });
    expect(feed).toMatchObject({ title: "Ripple Nyheder & mere", active: true, etag: null, createdBy: editor.user.id });
    const [created] = await db().select().from(auditLog).where(and(eq(auditLog.targetId, feed.id), eq(auditLog.action, "feed.create")));
    expect(created).toMatchObject({ actorUserId: editor.user.id, orgId: editor.scope.orgId });

    expect(await pollFeed(db(), feed.id)).toEqual({ status: "imported", created: 3, skipped: 0 });
    const drafts = await storiesOf(editor.scope);
    expect(drafts).toHaveLength(3);
    // Oldest first, so the newest item is the newest draft.
    expect(drafts.map((s) => s.title)).toEqual(["Side A: grøn strøm", "Side B: grøn strøm", "Side C: grøn strøm"]);
    for (const [i, story] of drafts.entries()) {
      const path = items[i]!.path;
      expect(story).toMatchObject({
        status: "draft",
        source: "rss",
        sourceFeedId: feed.id,
        canonicalUrl: `${site.origin}${path}`,
        imageUrl: `${site.origin}/img${path}.jpg`,
        summary: `Om ${path}`,
        language: "da",
        createdBy: null,
      });
    }
    expect(await feedRow(feed.id)).toMatchObject({ etag: '"v1"', lastError: null, lastPolledAt: expect.any(Date) });
    expect((await listFeeds(db(), editor.scope))[0]).toMatchObject({ id: feed.id, importedCount: 3 });

    const before = site.requests.length;
    expect(await pollFeed(db(), feed.id)).toEqual({ status: "notModified", created: 0, skipped: 0 });
    const conditional = site.requests.slice(before).filter((r) => r.path === "/feed.xml");
    expect(conditional).toHaveLength(1);
    expect(conditional[0]!.headers["if-none-match"]).toBe('"v1"');
    expect(site.requests.slice(before).filter((r) => r.path !== "/feed.xml")).toEqual([]); // no previews fetched
    expect(await storiesOf(editor.scope)).toHaveLength(3);
  });

  it("sends If-Modified-Since to a server that gives only Last-Modified", async () => {
    const { editor, site } = await setup();
    const stamp = "Wed, 04 Jun 2025 08:00:00 GMT";
    site.routes.set("/feed.xml", (request) =>
      request.headers["if-modified-since"] === stamp ? { status: 304 } : { type: "application/rss+xml", body: rss(site, [{ title: "Én", path: "/one" }]), headers: { "last-modified": stamp } },
    );
    const feed = await addFeed(db(), editor.scope, { url: `${site.origin}/feed.xml`, title: "Eget navn" });
    expect(feed.title).toBe("Eget navn");
    expect(await pollFeed(db(), feed.id)).toMatchObject({ status: "imported", created: 1 });
    expect(await feedRow(feed.id)).toMatchObject({ etag: null, lastModified: stamp });
    expect(await pollFeed(db(), feed.id)).toMatchObject({ status: "notModified", created: 0 });
    expect(site.requests.at(-1)).toMatchObject({ path: "/feed.xml", headers: { "if-modified-since": stamp } });
    expect(site.requests.at(-1)!.headers["if-none-match"]).toBeUndefined();
  });

  it("imports only the new item, skips one already in the library (utm and fragment ignored), and keeps organisations apart", async () => {
    const { editor, site } = await setup();
    const items: Item[] = [
      { title: "Kendt", path: "/known" },
      { title: "Ny", path: "/new" },
      { title: "Ny igen", path: "/new" }, // the same link twice in one fetch
    ];
    let version = 1;
    feedWithEtag(site, "/feed.xml", () => rss(site, items), () => `"v${version}"`);
    await createStory(db(), editor.scope, { title: "Skrevet i hånden", canonicalUrl: `${site.origin}/known?utm_source=nyhedsbrev&utm_medium=email#top`, language: "da" });

    const feed = await addFeed(db(), editor.scope, { url: `${site.origin}/feed.xml` });
    expect(await pollFeed(db(), feed.id)).toEqual({ status: "imported", created: 1, skipped: 2 });

    items.push({ title: "Fjerde", path: "/fourth?utm_campaign=x" });
    version = 2;
    expect(await pollFeed(db(), feed.id)).toEqual({ status: "imported", created: 1, skipped: 3 });
    const mine = await storiesOf(editor.scope);
    expect(mine.map((s) => [s.source, s.canonicalUrl])).toEqual([
      ["manual", `${site.origin}/known?utm_source=nyhedsbrev&utm_medium=email#top`],
      ["rss", `${site.origin}/new`],
      ["rss", `${site.origin}/fourth`],
    ]);
    // No page behind the links: the item's own title and summary are used.
    expect(mine[2]).toMatchObject({ title: "Fjerde", summary: "Om /fourth?utm_campaign=x" });

    // Another organisation with the same feed gets its own drafts, and cannot touch ours.
    const other = await makeOrganization("Anden A/S");
    const otherEditor = await makeMember(other.cli, ["editor"]);
    const otherFeed = await addFeed(db(), otherEditor.scope, { url: `${site.origin}/feed.xml` });
    expect(await pollFeed(db(), otherFeed.id)).toEqual({ status: "imported", created: 3, skipped: 1 });
    expect((await storiesOf(otherEditor.scope)).every((s) => s.sourceFeedId === otherFeed.id)).toBe(true);
    expect(await storiesOf(editor.scope)).toHaveLength(3);
    expect((await listFeeds(db(), otherEditor.scope)).map((f) => f.id)).toEqual([otherFeed.id]);
    await expect(removeFeed(db(), otherEditor.scope, feed.id)).rejects.toMatchObject({ status: 404 });
    await expect(setFeedActive(db(), otherEditor.scope, feed.id, false)).rejects.toMatchObject({ status: 404 });
  });

  it("reads Atom and JSON Feed: entities, CDATA and Danish letters in titles, links, images and language", async () => {
    const { editor, site } = await setup();
    site.routes.set("/atom.xml", {
      type: "application/atom+xml",
      body: `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="da">
  <title type="html">Blåbær &amp;amp; rødgrød</title>
  <link rel="self" href="${site.origin}/atom.xml"/>
  <id>urn:ripple:test</id>
  <entry>
    <title type="html"><![CDATA[Sol & vind – <em>grøn</em> strøm]]></title>
    <link rel="enclosure" type="image/jpeg" href="${site.origin}/sol.jpg"/>
    <link rel="alternate" type="text/html" href="${site.origin}/sol"/>
    <id>urn:ripple:sol</id><updated>2025-06-01T10:00:00Z</updated>
    <summary type="html">&lt;p&gt;Æbler &amp;amp; pærer&lt;/p&gt;&lt;p&gt;på Østerbro&lt;/p&gt;</summary>
  </entry>
  <entry>
    <title>Kaffe &amp; kage &#8211; “hygge”</title>
    <link href="${site.origin}/kaffe"/>
    <id>urn:ripple:kaffe</id><updated>2025-06-02T10:00:00Z</updated>
  </entry>
</feed>`,
    });
    site.routes.set("/feed.json", {
      type: "application/feed+json",
      body: JSON.stringify({
        version: "https://jsonfeed.org/version/1.1",
        title: "Ripple JSON",
        language: "en-GB",
        items: [{ id: "1", url: `${site.origin}/json-one`, title: "Tea & biscuits", content_html: "<p>Plain <b>text</b> only</p>", image: `${site.origin}/tea.png` }],
      }),
    });

    const atom = await addFeed(db(), editor.scope, { url: `${site.origin}/atom.xml` });
    expect(atom.title).toBe("Blåbær & rødgrød");
    expect(await pollFeed(db(), atom.id)).toEqual({ status: "imported", created: 2, skipped: 0 });
    const json = await addFeed(db(), editor.scope, { url: `${site.origin}/feed.json` });
    expect(json.title).toBe("Ripple JSON");
    expect(await pollFeed(db(), json.id)).toEqual({ status: "imported", created: 1, skipped: 0 });

    const byUrl = new Map((await storiesOf(editor.scope)).map((s) => [s.canonicalUrl, s]));
    expect(byUrl.get(`${site.origin}/sol`)).toMatchObject({ title: "Sol & vind – grøn strøm", summary: "Æbler & pærer på Østerbro", imageUrl: `${site.origin}/sol.jpg`, language: "da", sourceFeedId: atom.id });
    expect(byUrl.get(`${site.origin}/kaffe`)).toMatchObject({ title: "Kaffe & kage – “hygge”", imageUrl: null, language: "da" });
    expect(byUrl.get(`${site.origin}/json-one`)).toMatchObject({ title: "Tea & biscuits", summary: "Plain text only", imageUrl: `${site.origin}/tea.png`, language: "en", sourceFeedId: json.id });
  });

  it("creates no duplicates when two polls of the same feed run at once", async () => {
    const { editor, site } = await setup();
    const items = ["/p1", "/p2", "/p3", "/p4"].map((path) => ({ title: `Item ${path}`, path }));
    for (const item of items) article(site, item.path, `Artikel ${item.path}`);
    site.routes.set("/feed.xml", { type: "application/rss+xml", body: rss(site, items) });
    const feed = await addFeed(db(), editor.scope, { url: `${site.origin}/feed.xml` });

    const results = await Promise.all([pollFeed(db(), feed.id), pollFeed(db(), feed.id), pollFeed(db(), feed.id)]);
    expect(results.reduce((n, r) => n + r.created, 0)).toBe(4);
    const urls = (await storiesOf(editor.scope)).map((s) => s.canonicalUrl);
    expect(urls).toHaveLength(4);
    expect(new Set(urls).size).toBe(4);
  });

  it("takes at most 20 new items per poll, newest first, and the rest on the next poll", async () => {
    const { editor, site } = await setup();
    const items = Array.from({ length: MAX_NEW_ITEMS_PER_POLL + 5 }, (_, i) => ({
      title: `Nummer ${i + 1}`,
      path: `/n${i + 1}`,
      date: new Date(Date.UTC(2025, 0, i + 1)).toUTCString(),
    }));
    feedWithEtag(site, "/feed.xml", () => rss(site, items), () => '"same"');
    const feed = await addFeed(db(), editor.scope, { url: `${site.origin}/feed.xml` });

    expect(await pollFeed(db(), feed.id)).toMatchObject({ status: "imported", created: MAX_NEW_ITEMS_PER_POLL });
    const first = await storiesOf(editor.scope);
    expect(first.map((s) => s.title)).not.toContain("Nummer 1");
    expect(first.map((s) => s.title)).toContain("Nummer 25");
    // Items were left over, so the ETag was not kept: the next poll gets the whole feed.
    expect((await feedRow(feed.id)).etag).toBeNull();
    expect(await pollFeed(db(), feed.id)).toEqual({ status: "imported", created: 5, skipped: MAX_NEW_ITEMS_PER_POLL });
    expect((await feedRow(feed.id)).etag).toBe('"same"');
    expect(await storiesOf(editor.scope)).toHaveLength(MAX_NEW_ITEMS_PER_POLL + 5);
  });

  it("skips an item the organisation's rules refuse and imports the rest", async () => {
    const { editor, site, cli } = await setup();
    await updateGovernance(db(), cli, { approvalRequired: true, disclosureHashtag: null, blockedWords: ["kursmål"] });
    site.routes.set("/feed.xml", {
      type: "application/rss+xml",
      body: rss(site, [
        { title: "Nyt kursmål for aktien", path: "/refused" },
        { title: "Helt i orden", path: "/fine" },
      ]),
    });
    const feed = await addFeed(db(), editor.scope, { url: `${site.origin}/feed.xml` });
    expect(await pollFeed(db(), feed.id)).toEqual({ status: "imported", created: 1, skipped: 1 });
    expect((await storiesOf(editor.scope)).map((s) => s.title)).toEqual(["Helt i orden"]);
  });

  it("refuses a feed on a private address without the test allowance", async () => {
    const { editor, site } = await setup();
    site.routes.set("/feed.xml", { type: "application/rss+xml", body: rss(site, []) });
    delete process.env.ALLOW_PRIVATE_FETCH;
    try {
      const error = await addFeed(db(), editor.scope, { url: `${site.origin}/feed.xml` }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: "preview.privateAddress", fieldErrors: { url: ["preview.privateAddress"] } });
    } finally {
      process.env.ALLOW_PRIVATE_FETCH = "true";
    }
    expect(site.requests).toEqual([]);
    expect(await listFeeds(db(), editor.scope)).toEqual([]);
  });

  it("refuses a URL twice, or one that is not a feed", async () => {
    const { editor, site } = await setup();
    site.routes.set("/feed.xml", { type: "application/rss+xml", body: rss(site, []) });
    site.routes.set("/page", { body: "<!doctype html><title>Just a page</title>" });
    site.routes.set("/broken.xml", { type: "application/rss+xml", body: "<rss><channel><item><title>Unclosed</channel>" });
    await addFeed(db(), editor.scope, { url: `${site.origin}/feed.xml` });
    await expect(addFeed(db(), editor.scope, { url: `${site.origin}/feed.xml#again` })).rejects.toMatchObject({ status: 409, code: "feedExists" });
    for (const path of ["/page", "/broken.xml", "/missing"]) {
      await expect(addFeed(db(), editor.scope, { url: `${site.origin}${path}` })).rejects.toMatchObject({ code: "notAFeed", fieldErrors: { url: ["notAFeed"] } });
    }
    await expect(addFeed(db(), editor.scope, { url: "ftp://example.com/feed" })).rejects.toMatchObject({ name: "ZodError" });
    expect(await listFeeds(db(), editor.scope)).toHaveLength(1);
  });

  it("saves a feed that cannot be reached right now with its error, and the scheduled polls import it once it answers", async () => {
    const { editor, site } = await setup();
    // A port nobody listens on: the connection is refused.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const down = await addFeed(db(), editor.scope, { url: `http://127.0.0.1:${port}/feed.xml`, title: "Nede" });
    expect(down).toMatchObject({ title: "Nede", active: true, lastError: expect.stringMatching(/Could not reach 127\.0\.0\.1:\d+: ECONNREFUSED/) });
    expect(down.lastPolledAt).toBeInstanceOf(Date);

    let answer: Answer = { status: 503, body: "Service Unavailable" };
    site.routes.set("/feed.xml", () => answer);
    const busy = await addFeed(db(), editor.scope, { url: `${site.origin}/feed.xml` });
    // No title given and none fetched: the host stands in.
    expect(busy).toMatchObject({ title: "127.0.0.1", lastError: expect.stringMatching(/HTTP 503/) });
    expect((await listFeeds(db(), editor.scope)).map((f) => [f.title, f.lastError !== null])).toEqual([
      ["Nede", true],
      ["127.0.0.1", true],
    ]);
    const created = await db().select().from(auditLog).where(and(eq(auditLog.orgId, editor.scope.orgId), eq(auditLog.action, "feed.create")));
    expect(created).toHaveLength(2);

    // Saved feeds are in the scheduled round like any other, and the first good answer clears the error.
    const now = new Date();
    await pollDueFeeds(db(), now);
    expect(await getQueue("import").getJob(`feed-${busy.id}-${pollRound(now)}`)).toBeDefined();
    answer = { type: "application/rss+xml", body: rss(site, [{ title: "Oppe igen", path: "/up" }]) };
    expect(await pollFeed(db(), busy.id)).toMatchObject({ status: "imported", created: 1 });
    expect((await feedRow(busy.id)).lastError).toBeNull();
    expect((await storiesOf(editor.scope)).map((story) => story.canonicalUrl)).toEqual([`${site.origin}/up`]);

    // A page that answers but is not a feed is still refused, as is a 404.
    site.routes.set("/gone.xml", { status: 404, body: "Not found" });
    await expect(addFeed(db(), editor.scope, { url: `${site.origin}/gone.xml` })).rejects.toMatchObject({ code: "notAFeed" });
    expect(await listFeeds(db(), editor.scope)).toHaveLength(2);
  });

  it("records a 500 or a malformed feed in lastError and throws; the next good poll clears it", async () => {
    const { editor, site } = await setup();
    let answer: Answer = { type: "application/rss+xml", body: rss(site, []) };
    site.routes.set("/feed.xml", () => answer);
    const feed = await addFeed(db(), editor.scope, { url: `${site.origin}/feed.xml` });

    answer = { status: 500, body: "Internal Server Error" };
    await expect(pollFeed(db(), feed.id)).rejects.toThrow(/500/);
    const failed = await feedRow(feed.id);
    expect(failed.lastError).toMatch(/HTTP 500/);
    expect(failed.lastError).not.toMatch(/\n|at .*\.ts/);
    expect(failed.lastPolledAt).toBeInstanceOf(Date);

    answer = { type: "application/rss+xml", body: "<rss><channel><title>Halv" };
    await expect(pollFeed(db(), feed.id)).rejects.toThrow(/not an RSS or Atom feed/);
    expect((await feedRow(feed.id)).lastError).toMatch(/not an RSS or Atom feed/);

    answer = { type: "application/rss+xml", body: rss(site, [{ title: "Igen", path: "/again" }]) };
    expect(await pollFeed(db(), feed.id)).toMatchObject({ status: "imported", created: 1 });
    expect((await feedRow(feed.id)).lastError).toBeNull();
  });

  it("pauses, removes (stories stay) and queues every active feed once per round", async () => {
    const { editor, site } = await setup();
    site.routes.set("/a.xml", { type: "application/rss+xml", body: rss(site, [{ title: "Bliver", path: "/stays" }]) });
    site.routes.set("/b.xml", { type: "application/rss+xml", body: rss(site, []) });
    const a = await addFeed(db(), editor.scope, { url: `${site.origin}/a.xml` });
    const b = await addFeed(db(), editor.scope, { url: `${site.origin}/b.xml` });
    await pollFeed(db(), a.id);

    const paused = await setFeedActive(db(), editor.scope, b.id, false);
    expect(paused.active).toBe(false);
    const now = new Date();
    await pollDueFeeds(db(), now);
    await pollDueFeeds(db(), now);
    const queue = getQueue("import");
    const round = pollRound(now);
    const job = await queue.getJob(`feed-${a.id}-${round}`);
    expect(job).toMatchObject({ name: "feed.fetch", data: { feedId: a.id } });
    expect(await queue.getJob(`feed-${b.id}-${round}`)).toBeUndefined();
    const queued = (await queue.getJobs(["waiting", "delayed", "active", "completed", "failed"])).filter((j) => j.data?.feedId === a.id);
    expect(queued).toHaveLength(1);

    await removeFeed(db(), editor.scope, a.id);
    expect((await listFeeds(db(), editor.scope)).map((f) => f.id)).toEqual([b.id]);
    expect(await storiesOf(editor.scope)).toMatchObject([{ title: "Bliver", sourceFeedId: null, source: "rss" }]);
    const actions = (await db().select().from(auditLog).where(eq(auditLog.orgId, editor.scope.orgId))).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["feed.create", "feed.update", "feed.delete"]));
    expect(await pollFeed(db(), a.id)).toEqual({ status: "missing", created: 0, skipped: 0 });
  });
});

import http from "node:http";
import { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnsafeFetchError } from "@/lib/net/safe-fetch";
import { fetchLinkPreview } from "@/lib/preview/link-preview";

type Page = { type?: string; body: string | Buffer; status?: number; headers?: Record<string, string> };

/** Pages served by a real HTTP server on 127.0.0.1, by path. */
const pages = new Map<string, Page>();
let server: http.Server;
let origin: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const page = pages.get(new URL(request.url ?? "/", origin).pathname);
    if (!page) return response.writeHead(404, { "content-type": "text/html" }).end("<title>Not found</title>");
    response.writeHead(page.status ?? 200, { "content-type": page.type ?? "text/html; charset=utf-8", ...page.headers }).end(page.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Serves `page` at `path` and returns its preview (private addresses allowed: the server is local). */
function preview(path: string, page?: Page) {
  if (page) pages.set(path, page);
  return fetchLinkPreview(`${origin}${path}`, { allowPrivate: true });
}

const html = (head: string, body = "<p>Brødtekst</p>", attributes = "") =>
  `<!doctype html><html${attributes}><head>${head}</head><body>${body}</body></html>`;

const allThree = `
  <title>Plain title</title>
  <meta name="description" content="Plain description">
  <meta name="twitter:title" content="Twitter title">
  <meta name="twitter:description" content="Twitter description">
  <meta name="twitter:image" content="https://cdn.example.com/twitter.png">
  <meta property="og:title" content="OG title">
  <meta property="og:description" content="OG description">
  <meta property="og:image" content="https://cdn.example.com/og.png">
  <meta property="og:site_name" content="Ripple News">`;

describe("fetchLinkPreview", () => {
  it("takes Open Graph over Twitter card over the plain tags", async () => {
    expect(await preview("/og", { body: html(allThree) })).toEqual({
      url: `${origin}/og`,
      title: "OG title",
      description: "OG description",
      imageUrl: "https://cdn.example.com/og.png",
      siteName: "Ripple News",
      language: null,
    });

    const twitterAndPlain = allThree.replace(/<meta property="og:[^>]*>/g, "");
    expect(await preview("/twitter", { body: html(twitterAndPlain) })).toMatchObject({
      title: "Twitter title",
      description: "Twitter description",
      imageUrl: "https://cdn.example.com/twitter.png",
      siteName: null,
    });

    const plain = twitterAndPlain.replace(/<meta name="twitter:[^>]*>/g, "");
    expect(await preview("/plain", { body: html(plain) })).toMatchObject({ title: "Plain title", description: "Plain description", imageUrl: null });
  });

  it("resolves a relative og:image against the page's final URL and ignores non-http images", async () => {
    pages.set("/moved", { status: 301, body: "", headers: { location: "/articles/2025/sol" } });
    pages.set("/articles/2025/sol", { body: html(`<meta property="og:image" content="../img/sol.jpg?w=1200&amp;h=630">`) });
    expect((await preview("/moved")).imageUrl).toBe(`${origin}/articles/img/sol.jpg?w=1200&h=630`);

    const scripted = html(`<meta property="og:image" content="javascript:alert(1)"><meta name="twitter:image:src" content="//cdn.example.com/t.png">`);
    expect((await preview("/scripted-image", { body: scripted })).imageUrl).toBe("http://cdn.example.com/t.png");
    expect((await preview("/data-image", { body: html(`<meta property="og:image" content="data:image/png;base64,AAAA">`) })).imageUrl).toBeNull();
  });

  it("prefers og:image:secure_url", async () => {
    const head = `<meta property="og:image" content="http://cdn.example.com/a.png"><meta property="og:image:secure_url" content="https://cdn.example.com/a.png">`;
    expect((await preview("/secure", { body: html(head) })).imageUrl).toBe("https://cdn.example.com/a.png");
  });

  it("decodes entities and collapses whitespace", async () => {
    const head = `<title>Sol &amp; vind &#8211; nyt</title><meta property="og:description" content="  Første linje
        &quot;anden&quot;   linje &aelig;&oslash;&aring; ">`;
    expect(await preview("/entities", { body: html(head) })).toMatchObject({ title: "Sol & vind – nyt", description: 'Første linje "anden" linje æøå' });
    expect((await preview("/og-entities", { body: html(`<meta property="og:title" content="Sol &amp; vind">`) })).title).toBe("Sol & vind");
  });

  it("caps the title at 300 and the description at 1000 characters", async () => {
    const head = `<title>${"Å".repeat(500)}</title><meta name="description" content="${"ø".repeat(2000)}">`;
    const result = await preview("/long", { body: html(head) });
    expect(Array.from(result.title!)).toHaveLength(300);
    expect(result.title!.endsWith("…")).toBe(true);
    expect(Array.from(result.description!)).toHaveLength(1000);
  });

  it("decodes an ISO-8859-1 page named in the Content-Type header", async () => {
    const body = Buffer.from(html("<title>Blåbærgrød med fløde</title>", "", ' lang="da"'), "latin1");
    expect(body.includes(Buffer.from("Blåbærgrød", "utf8"))).toBe(false); // really single-byte on the wire
    expect(await preview("/latin1", { type: "text/html; charset=ISO-8859-1", body })).toMatchObject({ title: "Blåbærgrød med fløde", language: "da" });
  });

  it("decodes a windows-1252 page named only by <meta charset>", async () => {
    const page = html(`<meta charset="windows-1252"><meta property="og:title" content="“Æbleskiver” – 10 € på Strøget">`);
    // In windows-1252 “ ” – € are 0x93 0x94 0x96 0x80; everything else here is Latin-1.
    const cp1252 = page.replace("“", "\u0093").replace("”", "\u0094").replace("–", "\u0096").replace("€", "\u0080");
    const body = Buffer.from(cp1252, "latin1");
    expect((await preview("/cp1252", { type: "text/html", body })).title).toBe("“Æbleskiver” – 10 € på Strøget");

    const httpEquiv = html(`<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><title>Rødgrød</title>`);
    expect((await preview("/http-equiv", { type: "text/html", body: Buffer.from(httpEquiv, "latin1") })).title).toBe("Rødgrød");
  });

  it("reads the language from <html lang>, else og:locale", async () => {
    expect((await preview("/da", { body: html("<title>x</title>", "", ' lang="da-DK"') })).language).toBe("da");
    expect((await preview("/en", { body: html(`<meta property="og:locale" content="en_GB">`) })).language).toBe("en");
    expect((await preview("/de", { body: html("<title>x</title>", "", ' lang="de"') })).language).toBeNull();
  });

  it("uses og:url or the canonical link when on the same site, else the final URL", async () => {
    expect((await preview("/canonical", { body: html(`<link rel="canonical" href="/stories/sol?utm_source=x">`) })).url).toBe(`${origin}/stories/sol?utm_source=x`);
    const both = html(`<link rel="canonical" href="/canonical-one"><meta property="og:url" content="${origin}/og-one">`);
    expect((await preview("/both", { body: both })).url).toBe(`${origin}/og-one`);
    const offSite = html(`<meta property="og:url" content="https://evil.example.net/"><link rel="canonical" href="https://evil.example.net/">`);
    expect((await preview("/off-site", { body: offSite })).url).toBe(`${origin}/off-site`);
  });

  it("gives nulls for a page without any tags", async () => {
    expect(await preview("/bare", { body: "<p>Just text</p>" })).toEqual({
      url: `${origin}/bare`,
      title: null,
      description: null,
      imageUrl: null,
      siteName: null,
      language: null,
    });
  });

  it("gives a preview with only the URL for a PDF, however large", async () => {
    const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(3 * 1024 * 1024, 0x20)]);
    expect(await preview("/report.pdf", { type: "application/pdf", body: pdf })).toEqual({
      url: `${origin}/report.pdf`,
      title: null,
      description: null,
      imageUrl: null,
      siteName: null,
      language: null,
    });
  });

  it("gives only the URL for an error page", async () => {
    expect(await preview("/missing")).toMatchObject({ url: `${origin}/missing`, title: null });
  });

  it("reads the head of a page larger than 2 MB and nothing after it", async () => {
    const body = `${"<p>fyld</p>".repeat(300_000)}<meta property="og:description" content="from the body">`;
    const result = await preview("/huge", { body: html("<title>Stor side</title>", body) });
    expect(result).toMatchObject({ title: "Stor side", description: null });
  });

  it("refuses a local address when private addresses are not allowed", async () => {
    pages.set("/private", { body: html("<title>Intern</title>") });
    const error = await fetchLinkPreview(`${origin}/private`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeFetchError);
    expect(error).toMatchObject({ reason: "privateAddress" });
    expect((error as Error).message).toContain("127.0.0.1");
  });
});

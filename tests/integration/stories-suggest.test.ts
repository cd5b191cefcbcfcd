import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { asc, count, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stories, storyTransitions } from "@/db/schema";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { listReviewQueue, storyHistory, suggestStory } from "@/lib/stories";
import { makeMember, makeOrganization } from "../support/factories";

/** A company web page with Open Graph tags, served on 127.0.0.1. */
let server: http.Server;
let origin: string;
const savedAllow = process.env.ALLOW_PRIVATE_FETCH;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url === "/nyheder/havvind") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><html lang="da"><head>
        <title>Plain title</title>
        <meta property="og:title" content="Vi bygger Danmarks største havvindmøllepark">
        <meta property="og:description" content="Parken skal levere strøm til 800.000 husstande.">
        <meta property="og:image" content="/billeder/havvind.jpg">
      </head><body><p>Brødtekst</p></body></html>`);
      return;
    }
    response.writeHead(404, { "content-type": "text/html" }).end("<title>Not found</title>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  if (savedAllow === undefined) delete process.env.ALLOW_PRIVATE_FETCH;
  else process.env.ALLOW_PRIVATE_FETCH = savedAllow;
});

/** A port nothing listens on: bound, noted and closed again. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function storyCount(orgId: string) {
  return (await db().select({ n: count() }).from(stories).where(eq(stories.orgId, orgId)))[0]!.n;
}

async function company() {
  const { cli } = await makeOrganization("Vestenvind A/S");
  const employee = await makeMember(cli, ["employee"], { name: "Søren Sælger" });
  const editor = await makeMember(cli, ["editor"]);
  return { cli, employee, editor };
}

describe("an employee suggesting a story", () => {
  it("puts the page into review with its title and image, by the employee, with the note", async () => {
    process.env.ALLOW_PRIVATE_FETCH = "true";
    const { cli, employee, editor } = await company();
    const url = `${origin}/nyheder/havvind`;

    const story = await suggestStory(db(), employee.scope, { url, note: "  Den her bør alle dele!  " });

    expect(story).toMatchObject({
      orgId: cli.orgId,
      status: "in_review",
      source: "suggestion",
      title: "Vi bygger Danmarks største havvindmøllepark",
      summary: "Parken skal levere strøm til 800.000 husstande.",
      imageUrl: `${origin}/billeder/havvind.jpg`,
      canonicalUrl: url,
      language: "da",
      createdBy: employee.user.id,
      approvedBy: null,
    });
    const steps = await db().select().from(storyTransitions).where(eq(storyTransitions.storyId, story.id)).orderBy(asc(storyTransitions.createdAt));
    const toReview = steps.find((s) => s.toStatus === "in_review");
    expect(toReview).toMatchObject({ fromStatus: "draft", actorUserId: employee.user.id, note: "Den her bør alle dele!" });
    expect(steps.find((s) => s.toStatus === "draft")).toMatchObject({ fromStatus: null, actorUserId: employee.user.id, note: null });

    // The editors see it in their queue, from the employee.
    expect(await listReviewQueue(db(), editor.scope)).toEqual([expect.objectContaining({ id: story.id, source: "suggestion", authorName: "Søren Sælger" })]);
  });

  it("shows the suggestion's two steps in the order they happened", async () => {
    // createStory records ∅→draft and draft→in_review in one transaction: both get the
    // same created_at, and storyHistory's tie-break on a random uuid orders them by chance.
    process.env.ALLOW_PRIVATE_FETCH = "true";
    const { employee } = await company();
    const misordered: string[] = [];
    for (let i = 0; i < 10; i++) {
      const story = await suggestStory(db(), employee.scope, { url: `${origin}/nyheder/havvind?v=${i}`, note: "Del den" });
      const history = (await storyHistory(db(), employee.scope, story.id)).map((h) => `${h.fromStatus ?? "∅"}→${h.toStatus}`).join(" ");
      if (history !== "∅→draft draft→in_review") misordered.push(history);
    }
    expect(misordered).toEqual([]);
  });

  it("refuses a link into a private network, creating nothing", async () => {
    delete process.env.ALLOW_PRIVATE_FETCH;
    const { cli, employee } = await company();

    for (const url of [`${origin}/nyheder/havvind`, "http://10.0.0.7/intranet", "http://[::1]/admin", "http://169.254.169.254/latest/meta-data/"]) {
      const error = await suggestStory(db(), employee.scope, { url, note: "Se her" }).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(DomainError);
      expect(error, url).toMatchObject({ status: 422, code: "preview.privateAddress", fieldErrors: { url: ["preview.privateAddress"] } });
    }
    expect(await storyCount(cli.orgId)).toBe(0);
  });

  it("still makes a suggestion, titled by the host, when the site does not answer", async () => {
    process.env.ALLOW_PRIVATE_FETCH = "true";
    const { cli, employee } = await company();
    const url = `http://127.0.0.1:${await closedPort()}/lukket`;

    const story = await suggestStory(db(), employee.scope, { url, note: "Siden er nede lige nu" });

    expect(story).toMatchObject({ status: "in_review", source: "suggestion", title: "127.0.0.1", summary: "", imageUrl: null, canonicalUrl: url, language: "da" });
    expect(await storyCount(cli.orgId)).toBe(1);
  });

  it("refuses a suggestion without a note or with a link that is not http(s)", async () => {
    process.env.ALLOW_PRIVATE_FETCH = "true";
    const { cli, employee } = await company();
    await expect(suggestStory(db(), employee.scope, { url: `${origin}/nyheder/havvind`, note: "   " })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ["note"], message: "required" })],
    });
    await expect(suggestStory(db(), employee.scope, { url: "ftp://example.com/fil", note: "Se" })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ["url"], message: "invalidUrl" })],
    });
    expect(await storyCount(cli.orgId)).toBe(0);
  });
});

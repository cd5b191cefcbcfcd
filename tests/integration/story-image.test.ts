import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { media, stories } from "@/db/schema";
import { db } from "@/lib/db";
import { PermanentFailure } from "@/lib/errors";
import { readImage, saveImage } from "@/lib/media";
import { getQueue } from "@/lib/queue";
import { createStory, storeStoryImage, storyImageJobId, sweepStoryImages, updateStory } from "@/lib/stories";
import { renderDemoImage } from "@/lib/stories/demo-story-images";
import { envOverride } from "../support/env-override";
import { makeMember, makeOrganization } from "../support/factories";

/**
 * A story's image is copied into Ripple's own storage: our uploads at once, anything else
 * by the import queue's story.image job through the SSRF-safe fetcher. The pictures come
 * from a real HTTP server on 127.0.0.1, allowed by FETCH_ALLOW_HOSTS for that port only.
 */

const env = envOverride();
const png = renderDemoImage("story-image-test", 64, 36);
let server: http.Server;
let origin = "";
let storageDir = "";

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? "/", "http://x").pathname;
    if (pathname === "/picture.png") response.writeHead(200, { "content-type": "image/png" }).end(png);
    // The type a server claims does not count; the bytes do.
    else if (pathname === "/claims-png.png") response.writeHead(200, { "content-type": "image/png" }).end("<html>not a picture</html>");
    else if (pathname === "/moved.png") response.writeHead(302, { location: "/picture.png" }).end();
    else response.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  storageDir = mkdtempSync(path.join(os.tmpdir(), "ripple-story-images-"));
  env.set({ FETCH_ALLOW_HOSTS: new URL(origin).host, ALLOW_PRIVATE_FETCH: undefined, STORAGE_DIR: storageDir });
});

afterAll(async () => {
  env.restore();
  await new Promise((resolve) => server.close(resolve));
  rmSync(storageDir, { recursive: true, force: true });
});

async function editor() {
  const { cli } = await makeOrganization();
  return makeMember(cli, ["editor"]);
}

const queuedJob = (storyId: string, url: string) => getQueue("import").getJob(storyImageJobId(storyId, url));

/** Runs the queued job's work, as the import worker does with the job's payload. */
async function runQueuedJob(storyId: string, url: string) {
  const job = await queuedJob(storyId, url);
  expect(job?.name).toBe("story.image");
  return storeStoryImage(db(), job!.data.storyId, job!.data.urlHash);
}

const imageKeyOf = async (storyId: string) => (await db().select({ key: stories.imageKey }).from(stories).where(eq(stories.id, storyId)))[0]!.key;

describe("story images", () => {
  it("copies an outside image into Ripple's storage after the story is saved, and serves the same bytes", async () => {
    const { scope } = await editor();
    const url = `${origin}/picture.png`;
    const story = await createStory(db(), scope, { title: "Vindmøller", language: "da", imageUrl: url });
    expect(story.imageKey).toBeNull();

    const result = await runQueuedJob(story.id, url);
    expect(result.status).toBe("stored");
    const key = await imageKeyOf(story.id);
    expect(key).toMatch(new RegExp(`^${scope.orgId}/`));
    const stored = await readImage(db(), key!);
    expect(stored).toMatchObject({ contentType: "image/png" });
    expect(Buffer.compare(stored!.bytes, png)).toBe(0);
  });

  it("follows a redirect to the picture", async () => {
    const { scope } = await editor();
    const url = `${origin}/moved.png`;
    const story = await createStory(db(), scope, { title: "Flyttet", language: "da", imageUrl: url });
    expect((await runQueuedJob(story.id, url)).status).toBe("stored");
  });

  it("knows an upload of the organisation's own at once, and queues nothing", async () => {
    const { scope } = await editor();
    const saved = await saveImage(db(), scope, png);
    const url = `http://localhost:3000${saved.url}`;
    const story = await createStory(db(), scope, { title: "Egen", language: "da", imageUrl: url });
    expect(story.imageKey).toBe(saved.key);
    expect(await queuedJob(story.id, url)).toBeUndefined();
  });

  it("does not take another organisation's upload as its own", async () => {
    const other = await editor();
    const saved = await saveImage(db(), other.scope, png);
    const { scope } = await editor();
    const url = `http://localhost:3000${saved.url}`;
    const story = await createStory(db(), scope, { title: "Lånt", language: "da", imageUrl: url });
    expect(story.imageKey).toBeNull();
    expect(await queuedJob(story.id, url)).toBeDefined();
  });

  it("leaves no copy when the server answers 404, sends something that is not an image, or is a private address", async () => {
    const { scope } = await editor();
    const blocked = `http://127.0.0.2:${new URL(origin).port}/picture.png`;
    for (const url of [`${origin}/missing.png`, `${origin}/claims-png.png`, blocked, "http://169.254.169.254/latest/meta-data/x.png"]) {
      const story = await createStory(db(), scope, { title: `Uden billede ${url.length}`, language: "da", imageUrl: url });
      await expect(runQueuedJob(story.id, url)).rejects.toBeInstanceOf(PermanentFailure);
      expect(await imageKeyOf(story.id)).toBeNull();
    }
    expect(await db().select().from(media).where(eq(media.orgId, scope.orgId))).toEqual([]);
  });

  it("drops the old copy when the image URL changes, and a job for the old URL changes nothing", async () => {
    const { scope } = await editor();
    const first = `${origin}/picture.png`;
    const story = await createStory(db(), scope, { title: "Skifter", language: "da", imageUrl: first });
    await runQueuedJob(story.id, first);
    expect(await imageKeyOf(story.id)).not.toBeNull();
    const oldJob = await queuedJob(story.id, first);

    const second = `${origin}/moved.png`;
    const updated = await updateStory(db(), scope, story.id, { imageUrl: second });
    expect(updated.imageKey).toBeNull();
    expect(await storeStoryImage(db(), story.id, oldJob!.data.urlHash)).toEqual({ status: "stale" });
    expect(await imageKeyOf(story.id)).toBeNull();
    expect((await runQueuedJob(story.id, second)).status).toBe("stored");

    // Saving other fields keeps the copy.
    await updateStory(db(), scope, story.id, { title: "Skifter stadig", imageUrl: second });
    expect(await imageKeyOf(story.id)).not.toBeNull();
  });

  it("queues a job once per story and URL, also when the sweep finds the story again", async () => {
    const { scope } = await editor();
    const url = `${origin}/picture.png?once`;
    const story = await createStory(db(), scope, { title: "Én gang", language: "da", imageUrl: url });
    const swept = await sweepStoryImages(db());
    expect(swept.queued).toBeGreaterThanOrEqual(1);
    const jobs = (await getQueue("import").getJobs(["waiting", "delayed", "active", "completed", "failed"])).filter((j) => j.data?.storyId === story.id);
    expect(jobs).toHaveLength(1);
  });
});

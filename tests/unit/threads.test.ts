import { describe, expect, it } from "vitest";
import { measureText } from "@/lib/networks/measure";
import {
  THREADS_TEXT_LIMIT,
  findSharePost,
  nextContainerStep,
  publishThreadsShare,
  type StoredContainer,
  threadsContainerBody,
  threadsContainerStatusSchema,
  threadsInsightsSchema,
  threadsMetrics,
  threadsTokenDueForRefresh,
  type ThreadsPublishSteps,
} from "@/lib/networks/threads";

/** The Threads contract of docs/networks/threads.md that needs no connection. */

const LINK = "https://ripple.dk/r/Ab3dEfGhIjKlMnOpQrStUv";

describe("Threads text", () => {
  it("counts an emoji as its UTF-8 bytes against 500 (posts doc)", () => {
    // 🎉 is 4 UTF-8 bytes, 2 UTF-16 units: 496 letters + one emoji is exactly 500.
    const fits = `${"a".repeat(496)}🎉`;
    expect(measureText("threads", fits)).toMatchObject({ length: 500, limit: THREADS_TEXT_LIMIT });
    expect(measureText("threads", `${fits}a`).length).toBe(501);
    // æøå are one character each, not their two UTF-8 bytes: only emoji are weighted.
    expect(measureText("threads", "æøå").length).toBe(3);
  });
});

describe("Threads container body", () => {
  it("is a text post whose link preview is the tracked link, whatever else the text links", () => {
    const body = threadsContainerBody(`Se også https://example.com og ${LINK}`, LINK);
    expect(body.get("media_type")).toBe("TEXT");
    expect(body.get("text")).toBe(`Se også https://example.com og ${LINK}`);
    expect(body.get("link_attachment")).toBe(LINK);
  });
});

describe("a stored Threads container on retry", () => {
  const status = (value: string, error_message?: string) => threadsContainerStatusSchema.parse({ id: "178", status: value, error_message });

  it("publishes a finished container instead of making another", () => {
    expect(nextContainerStep(status("FINISHED"), false)).toEqual({ kind: "publish" });
  });

  it("never publishes a container that is already published", () => {
    expect(nextContainerStep(status("PUBLISHED"), false)).toEqual({ kind: "findPublished" });
    expect(nextContainerStep(status("PUBLISHED"), true)).toEqual({ kind: "findPublished" });
  });

  it("creates an expired container again once, and asks a person the second time", () => {
    expect(nextContainerStep(status("EXPIRED"), false)).toEqual({ kind: "recreate" });
    expect(nextContainerStep(status("EXPIRED"), true)).toEqual({ kind: "needsAttention", reason: "THREADS_CONTAINER_EXPIRED_TWICE" });
  });

  it("waits for one in progress and hands a failed one to a person with Meta's reason", () => {
    expect(nextContainerStep(status("IN_PROGRESS"), false)).toEqual({ kind: "wait" });
    expect(nextContainerStep(status("ERROR", "FAILED_DOWNLOADING_VIDEO"), false)).toEqual({ kind: "needsAttention", reason: "FAILED_DOWNLOADING_VIDEO" });
  });

  it("refuses a status Meta does not document rather than guessing", () => {
    expect(threadsContainerStatusSchema.safeParse({ id: "178", status: "DONE" }).success).toBe(false);
  });
});

describe("finding a published share among the person's posts", () => {
  it("matches the share's own tracked link in the text or the link attachment, not a longer one", () => {
    const posts = [
      { id: "1", text: `Other ${LINK}x` },
      { id: "2", text: "No link", link_attachment_url: "https://example.com/" },
      { id: "3", text: "Link only in the card", link_attachment_url: LINK },
    ];
    expect(findSharePost(posts, LINK)).toBe("3");
    expect(findSharePost([{ id: "4", text: `Nyt fra os ${LINK}` }], LINK)).toBe("4");
    expect(findSharePost(posts.slice(0, 2), LINK)).toBeNull();
  });
});

describe("Threads insights", () => {
  it("maps views, likes, replies, reposts and quotes; leaves what Threads does not report empty", () => {
    const measuredAt = new Date("2026-12-05T07:00:00Z");
    const insights = threadsInsightsSchema.parse({
      data: [
        { name: "views", period: "lifetime", values: [{ value: 4523 }], id: "1/insights/views/lifetime" },
        { name: "likes", period: "lifetime", values: [{ value: 187 }] },
        { name: "replies", period: "lifetime", values: [{ value: 42 }] },
        { name: "reposts", period: "lifetime", values: [{ value: 23 }] },
        { name: "quotes", period: "lifetime", values: [{ value: 8 }] },
        { name: "shares", period: "lifetime", values: [{ value: 5 }] },
      ],
    });
    expect(threadsMetrics(insights, measuredAt)).toEqual({
      impressions: 4523,
      reached: null,
      reactions: 187,
      reposts: 23,
      replies: 42,
      quotes: 8,
      clicks: null,
      saves: null,
      measuredAt,
      source: "network",
    });
  });

  it("gives null, not zero, for a metric Threads left out", () => {
    const metrics = threadsMetrics(threadsInsightsSchema.parse({ data: [{ name: "likes", values: [{ value: 0 }] }] }));
    expect(metrics.reactions).toBe(0);
    expect(metrics.impressions).toBeNull();
  });
});

describe("Threads token refresh timing", () => {
  const day = 24 * 60 * 60 * 1000;
  const issuedAt = new Date("2026-10-01T00:00:00Z");
  const expiresAt = new Date(issuedAt.getTime() + 60 * day);

  it("refreshes in the last week before the 60 days end", () => {
    expect(threadsTokenDueForRefresh(issuedAt, expiresAt, new Date(issuedAt.getTime() + 54 * day))).toBe(true);
    expect(threadsTokenDueForRefresh(issuedAt, expiresAt, new Date(issuedAt.getTime() + 30 * day))).toBe(false);
  });

  it("never refreshes a token under a day old or one already expired (Threads refuses both)", () => {
    const shortLived = new Date(issuedAt.getTime() + 5 * day);
    expect(threadsTokenDueForRefresh(issuedAt, shortLived, new Date(issuedAt.getTime() + 12 * 60 * 60 * 1000))).toBe(false);
    expect(threadsTokenDueForRefresh(issuedAt, expiresAt, new Date(expiresAt.getTime() + 1))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------
// The exactly-once order, against a model of Threads' container life cycle (troubleshooting
// doc: FINISHED → PUBLISHED, EXPIRED after 24 hours) and a worker that can die at any step.

class Killed extends Error {}

type Container = { text: string; link: string; status: "FINISHED" | "PUBLISHED" | "EXPIRED"; mediaId?: string };

function modelThreads() {
  const containers = new Map<string, Container>();
  const posts: { id: string; text: string; link_attachment_url: string }[] = [];
  let nextId = 1;
  return {
    containers,
    posts,
    stepsFor(share: { stored: StoredContainer }, killAt: string | null): ThreadsPublishSteps {
      return {
        async createContainer(body) {
          const id = `c${nextId++}`;
          containers.set(id, { text: body.get("text") ?? "", link: body.get("link_attachment") ?? "", status: "FINISHED" });
          if (killAt === "afterCreate") throw new Killed();
          return id;
        },
        async containerStatus(id) {
          const container = containers.get(id);
          if (!container) throw new Error(`no container ${id}`);
          return threadsContainerStatusSchema.parse({ id, status: container.status });
        },
        async publishContainer(id) {
          const container = containers.get(id);
          // threads_publish on anything but a finished container is refused by Meta.
          if (!container || container.status !== "FINISHED") throw new Error(`cannot publish ${id}: ${container?.status}`);
          const mediaId = `m${nextId++}`;
          container.status = "PUBLISHED";
          container.mediaId = mediaId;
          posts.push({ id: mediaId, text: container.text, link_attachment_url: container.link });
          if (killAt === "afterPublish") throw new Killed();
          return mediaId;
        },
        async listPosts() {
          return posts.map((post) => ({ ...post }));
        },
        async saveContainer(containerId, recreated) {
          share.stored = { containerId, recreated };
          if (killAt === "afterSave") throw new Killed();
        },
      };
    },
  };
}

describe("publishing a Threads share exactly once", () => {
  it("survives a worker killed at every step across 200 shares: no duplicates, none lost", async () => {
    const threads = modelThreads();
    const killPoints = ["afterCreate", "afterSave", "afterPublish", null];
    const published = new Map<number, string>();
    for (let n = 0; n < 200; n++) {
      const share = { stored: null as StoredContainer };
      const link = `https://ripple.dk/r/share${n}`;
      // The first attempt dies at one of the points; the retry (BullMQ's next attempt) must not.
      for (const killAt of [killPoints[n % killPoints.length] ?? null, null]) {
        try {
          const outcome = await publishThreadsShare(threads.stepsFor(share, killAt), share.stored, `Nyhed ${n} ${link}`, link);
          expect(outcome.kind).toBe("published");
          if (outcome.kind === "published") published.set(n, outcome.mediaId);
          break;
        } catch (error) {
          if (!(error instanceof Killed)) throw error;
        }
      }
    }
    expect(published.size).toBe(200);
    expect(threads.posts).toHaveLength(200);
    for (let n = 0; n < 200; n++) {
      const link = `https://ripple.dk/r/share${n}`;
      const mine = threads.posts.filter((post) => post.link_attachment_url === link);
      expect(mine.map((post) => post.id)).toEqual([published.get(n)]);
    }
  });

  it("creates an expired container again once, and then asks a person", async () => {
    const threads = modelThreads();
    const share = { stored: null as StoredContainer };
    await expect(publishThreadsShare(threads.stepsFor(share, "afterSave"), null, `Nyhed ${LINK}`, LINK)).rejects.toBeInstanceOf(Killed);
    const first = share.stored!.containerId;
    threads.containers.get(first)!.status = "EXPIRED"; // 24 hours passed before the retry

    await expect(publishThreadsShare(threads.stepsFor(share, "afterSave"), share.stored, `Nyhed ${LINK}`, LINK)).rejects.toBeInstanceOf(Killed);
    expect(share.stored).toMatchObject({ recreated: true });
    expect(share.stored!.containerId).not.toBe(first);
    threads.containers.get(share.stored!.containerId)!.status = "EXPIRED"; // and again

    const outcome = await publishThreadsShare(threads.stepsFor(share, null), share.stored, `Nyhed ${LINK}`, LINK);
    expect(outcome).toEqual({ kind: "needsAttention", reason: "THREADS_CONTAINER_EXPIRED_TWICE" });
    expect(threads.containers.size).toBe(2);
    expect(threads.posts).toHaveLength(0);
  });

  it("ends in needs attention when the container says published but the post cannot be found", async () => {
    const threads = modelThreads();
    const share = { stored: null as StoredContainer };
    await expect(publishThreadsShare(threads.stepsFor(share, "afterPublish"), null, `Nyhed ${LINK}`, LINK)).rejects.toBeInstanceOf(Killed);
    threads.posts.length = 0; // the person deleted it in the Threads app before the retry
    const outcome = await publishThreadsShare(threads.stepsFor(share, null), share.stored, `Nyhed ${LINK}`, LINK);
    expect(outcome).toEqual({ kind: "needsAttention", reason: "THREADS_PUBLISHED_POST_NOT_FOUND" });
    expect(threads.posts).toHaveLength(0);
  });
});

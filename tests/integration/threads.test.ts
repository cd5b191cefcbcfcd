import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  exchangeThreadsToken,
  fetchThreadsMetrics,
  publishThreadsShare,
  refreshThreadsToken,
  threadsHttpSteps,
  type StoredContainer,
} from "@/lib/networks/threads";
import { NetworkError } from "@/lib/networks/types";
import { startFakeThreads, type FakeThreads } from "../fakes/threads";
import { envOverride } from "../support/env-override";

/**
 * Threads over HTTP against the fake (tests/fakes/threads.ts, after docs/networks/threads.md):
 * token exchange and refresh, the two-step publish with the container stored first, an
 * expired container created again once, and insights. Not yet wired to shares or the UI.
 */

const APP_SECRET = "threads-app-secret";
const USER = "1789000000000001";
const DAY = 24 * 60 * 60 * 1000;
const { set: setEnv, restore: restoreEnv } = envOverride();
let threads: FakeThreads;

beforeAll(async () => {
  threads = await startFakeThreads({ appSecret: APP_SECRET });
  setEnv({ ALLOW_PRIVATE_FETCH: "true" }); // the fake listens on 127.0.0.1
});
afterAll(async () => {
  restoreEnv();
  await threads.close();
});

async function longLivedToken(): Promise<string> {
  return (await exchangeThreadsToken(threads.url, APP_SECRET, threads.shortLivedToken(USER))).access_token;
}

describe("Threads tokens", () => {
  it("exchanges the short-lived token for a 60-day one, and refreshes it only once it is a day old", async () => {
    const exchanged = await exchangeThreadsToken(threads.url, APP_SECRET, threads.shortLivedToken(USER));
    expect(exchanged.expires_in).toBe(60 * 24 * 60 * 60);
    await expect(refreshThreadsToken(threads.url, exchanged.access_token)).rejects.toBeInstanceOf(NetworkError);
    threads.advanceTime(DAY + 1000);
    const refreshed = await refreshThreadsToken(threads.url, exchanged.access_token);
    expect(refreshed.access_token).not.toBe(exchanged.access_token);
    expect(refreshed.expires_in).toBe(60 * 24 * 60 * 60);
  });

  it("refuses the exchange with the wrong app secret, and the error carries neither secret nor token", async () => {
    const shortLived = threads.shortLivedToken(USER);
    const error = await exchangeThreadsToken(threads.url, "wrong-secret-value", shortLived).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    // Meta takes both in the query string; what is logged must name the host only.
    expect(String((error as Error).message)).not.toContain("wrong-secret-value");
    expect(String((error as Error).message)).not.toContain(shortLived);
  });
});

describe("publishing to Threads", () => {
  it("posts a text with the tracked link as its link attachment, and reads its insights", async () => {
    const token = await longLivedToken();
    const link = "https://ripple.dk/r/Thr3adsOne";
    const share = { stored: null as StoredContainer };
    const steps = threadsHttpSteps(threads.url, USER, token, async (containerId, recreated) => void (share.stored = { containerId, recreated }));
    const outcome = await publishThreadsShare(steps, null, `Blåbærgrød på fabrikken 🎉 ${link}`, link);
    expect(outcome.kind).toBe("published");
    const post = threads.posts.find((candidate) => candidate.link_attachment_url === link);
    expect(post && outcome.kind === "published" && post.id === outcome.mediaId).toBe(true);
    expect(share.stored).toEqual({ containerId: expect.any(String), recreated: false });

    post!.insights = { views: 120, likes: 7, replies: 2, reposts: 1, quotes: 0, shares: 3 };
    const metrics = await fetchThreadsMetrics(threads.url, token, post!.id);
    expect(metrics).toMatchObject({ impressions: 120, reactions: 7, replies: 2, reposts: 1, quotes: 0, clicks: null });
  });

  it("publishes the stored container after a crash instead of making a second one", async () => {
    const token = await longLivedToken();
    const link = "https://ripple.dk/r/Thr3adsTwo";
    const share = { stored: null as StoredContainer };
    const dying = threadsHttpSteps(threads.url, USER, token, async (containerId, recreated) => {
      share.stored = { containerId, recreated };
      throw new Error("worker killed after storing the container");
    });
    await expect(publishThreadsShare(dying, null, `Nyt ${link}`, link)).rejects.toThrow("worker killed");
    const containersBefore = threads.containers.size;

    const steps = threadsHttpSteps(threads.url, USER, token, async (containerId, recreated) => void (share.stored = { containerId, recreated }));
    const outcome = await publishThreadsShare(steps, share.stored, `Nyt ${link}`, link);
    expect(outcome.kind).toBe("published");
    expect(threads.containers.size).toBe(containersBefore);
    expect(threads.posts.filter((post) => post.link_attachment_url === link)).toHaveLength(1);
    // And once more: the container says PUBLISHED, the post is found, nothing new is posted.
    const again = await publishThreadsShare(steps, share.stored, `Nyt ${link}`, link);
    expect(again).toEqual(outcome);
    expect(threads.posts.filter((post) => post.link_attachment_url === link)).toHaveLength(1);
  });

  it("creates a container that expired before publishing again, once", async () => {
    const token = await longLivedToken();
    const link = "https://ripple.dk/r/Thr3adsThree";
    const share = { stored: null as StoredContainer };
    const dying = threadsHttpSteps(threads.url, USER, token, async (containerId, recreated) => {
      share.stored = { containerId, recreated };
      throw new Error("worker killed after storing the container");
    });
    await expect(publishThreadsShare(dying, null, `Nyt ${link}`, link)).rejects.toThrow("worker killed");
    threads.advanceTime(DAY + 1000); // Threads expires an unpublished container after 24 hours
    const first = share.stored!.containerId;

    const steps = threadsHttpSteps(threads.url, USER, token, async (containerId, recreated) => void (share.stored = { containerId, recreated }));
    const outcome = await publishThreadsShare(steps, share.stored, `Nyt ${link}`, link);
    expect(outcome.kind).toBe("published");
    expect(share.stored).toMatchObject({ recreated: true });
    expect(share.stored!.containerId).not.toBe(first);
    expect(threads.posts.filter((post) => post.link_attachment_url === link)).toHaveLength(1);
  });

  it("waits, rather than failing the share, when the profile used its 250 posts of the day", async () => {
    const userId = "1789000000000250";
    const busy = await exchangeThreadsToken(threads.url, APP_SECRET, threads.shortLivedToken(userId));
    // 250 posts in the last hour: Threads' limit for a moving 24 hours.
    for (let n = 0; n < 250; n++) threads.posts.push({ id: `seed${n}`, userId, text: `seed ${n}`, publishedAt: threads.now() - 60 * 60 * 1000, insights: {} });
    const steps = threadsHttpSteps(threads.url, userId, busy.access_token, async () => {});
    await expect(publishThreadsShare(steps, null, "Nyt https://ripple.dk/r/busy", "https://ripple.dk/r/busy")).rejects.toMatchObject({ kind: "rateLimited", transient: true });
    expect(threads.posts.filter((post) => post.userId === userId)).toHaveLength(250);
  });

  it("refuses a text over 500 as Threads counts it (emoji by UTF-8 bytes) and posts nothing", async () => {
    const token = await longLivedToken();
    const before = threads.posts.length;
    const steps = threadsHttpSteps(threads.url, USER, token, async () => {});
    await expect(publishThreadsShare(steps, null, `${"a".repeat(497)}🎉`, "https://ripple.dk/r/x")).rejects.toMatchObject({ kind: "invalid" });
    expect(threads.posts.length).toBe(before);
  });
});

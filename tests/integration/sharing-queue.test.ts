import { randomUUID } from "node:crypto";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { shares, trackedLinks, type Share, type ShareStatus } from "@/db/schema";
import { db } from "@/lib/db";
import { updateGovernance } from "@/lib/orgs/governance";
import { bullPrefix, createRedis, getQueue, publishQueueFor } from "@/lib/queue";
import { cancelShare, createIntentShare, createShares, editShare, getMyShare, listMyShares, retryShare } from "@/lib/shares";
import { makeOrganization, makePublishedStory, makeSharer } from "../support/factories";
import { clearRedisPrefix } from "../support/test-env";

/**
 * The employee's own queue: listing by status, editing and cancelling while a share waits,
 * trying a failed one again — and another person's share is simply not there (404).
 *
 * This file drives a BullMQ worker by hand (to leave a failed publish job behind, as the
 * publisher does), so it gets a queue prefix of its own: no other test file's jobs are
 * touched, and none of theirs reach it.
 */
const runPrefix = process.env.QUEUE_PREFIX!;
process.env.QUEUE_PREFIX = `${runPrefix}-queue`;

afterAll(async () => {
  await clearRedisPrefix(process.env.REDIS_URL!, process.env.QUEUE_PREFIX!);
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TAG = "#nordlysansat";
const at = (ms: number) => new Date(Date.now() + ms);

async function scene() {
  const { cli } = await makeOrganization("Nordlys Energi A/S");
  await updateGovernance(db(), cli, { approvalRequired: false, disclosureHashtag: TAG, blockedWords: ["ærgerlig løn"] });
  const story = await makePublishedStory(cli, { title: "Vindmøller ved Esbjerg", canonicalUrl: "https://nordlys.example/vind" });
  const mette = await makeSharer(cli, { networks: ["x", "mastodon", "linkedin"], name: "Mette Jensen" });
  const share = async (when: Date, network: "x" | "mastodon" | "linkedin" = "x", text = "Se vores vindmøller") =>
    (await createShares(db(), cli, mette.user.id, { storyId: story.id, scheduledAt: when, posts: [{ connectionId: mette.connections[network]!.id, text }] }))[0]!;
  return { cli, story, mette, share };
}

async function setStatus(share: Share, status: ShareStatus, extra: Partial<Share> = {}) {
  const [row] = await db()
    .update(shares)
    .set({ status, ...extra })
    .where(eq(shares.id, share.id))
    .returning();
  return row!;
}

async function reload(share: Share) {
  const [row] = await db().select().from(shares).where(eq(shares.id, share.id));
  return row!;
}

const jobOf = (share: Share) => getQueue(publishQueueFor(share.network as "x" | "mastodon" | "linkedin")).getJob(`share-${share.id}`);

/** When the job will run: its creation time plus its delay. */
const runsAt = (job: Job) => job.timestamp + job.delay;

describe("listMyShares", () => {
  it("lists the person's own shares by status: waiting ones soonest first, the rest newest first", async () => {
    const { cli, story, mette, share } = await scene();
    const later = await share(at(5 * HOUR));
    const sooner = await share(at(2 * HOUR), "mastodon");
    const published = await setStatus(await share(at(3 * HOUR), "linkedin"), "published", { publishedAt: at(-HOUR), scheduledAt: at(-HOUR) });
    const failed = await setStatus(await share(at(4 * HOUR), "linkedin", "Anden tekst"), "failed", { errorCode: "rate_limited", scheduledAt: at(-2 * HOUR) });
    const cancelled = await cancelShare(db(), cli, mette.user.id, (await share(at(6 * HOUR), "linkedin", "Tredje tekst")).id);
    const intent = await createIntentShare(db(), cli, mette.user.id, { storyId: story.id, network: "facebook", text: "Se her" });
    // A colleague's share of the same story is not listed.
    const colleague = await makeSharer(cli, { networks: ["x"] });
    await createShares(db(), cli, colleague.user.id, { storyId: story.id, posts: [{ connectionId: colleague.connections.x!.id, text: "Kollega" }] });

    const ids = async (statuses: ShareStatus[]) => (await listMyShares(db(), cli, mette.user.id, statuses)).map((s) => s.id);
    expect(await ids(["scheduled"])).toEqual([intent.share.id, sooner.id, later.id]);
    expect(await ids(["published"])).toEqual([published.id]);
    expect(await ids(["failed"])).toEqual([failed.id]);
    expect(await ids(["cancelled"])).toEqual([cancelled.id]);
    expect(await ids(["published", "failed", "cancelled"])).toEqual([cancelled.id, published.id, failed.id]);
    expect(await ids(["publishing"])).toEqual([]);

    const [first] = await listMyShares(db(), cli, mette.user.id, ["published"]);
    expect(first).toMatchObject({ storyTitle: "Vindmøller ved Esbjerg", storyLanguage: "da", accountHandle: mette.connections.linkedin!.handle });
    const [window] = await listMyShares(db(), cli, mette.user.id, ["scheduled"]);
    expect(window).toMatchObject({ mode: "intent", accountHandle: null });
  });
});

describe("editShare", () => {
  it("checks a new text like a new one, keeps the tracked link and applies the tag", async () => {
    const { cli, mette, share } = await scene();
    const original = await share(at(2 * HOUR));
    const [link] = await db().select().from(trackedLinks).where(eq(trackedLinks.shareId, original.id));
    const tracked = original.text.split(/\s+/).find((w) => w.includes("/r/"))!;
    expect(tracked.endsWith(`/r/${link!.code}`)).toBe(true);

    await expect(editShare(db(), cli, mette.user.id, original.id, { text: "Sikke en Ærgerlig Løn" })).rejects.toMatchObject({
      status: 422,
      code: "shareBreaksRules",
      fieldErrors: { text: ["blockedPhrase:ærgerlig løn"] },
    });
    await expect(editShare(db(), cli, mette.user.id, original.id, { text: "Vind ".repeat(60) })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { text: ["tooLongFor:280"] },
    });
    expect((await reload(original)).text).toBe(original.text);

    const edited = await editShare(db(), cli, mette.user.id, original.id, { text: "Nye ord om vindmøllerne" });
    expect(edited.text.startsWith("Nye ord om vindmøllerne")).toBe(true);
    expect(edited.text.endsWith(TAG)).toBe(true);
    // What is shared is the story's link: the edited text still carries the share's tracked link.
    expect(edited.text).toContain(tracked);
    expect(edited.scheduledAt).toEqual(original.scheduledAt);
  });

  it("moves the time, spaced from colleagues again, and the publish job with it", async () => {
    const { cli, story, mette, share } = await scene();
    const colleague = await makeSharer(cli, { networks: ["x"] });
    const target = at(5 * HOUR);
    await createShares(db(), cli, colleague.user.id, { storyId: story.id, scheduledAt: target, posts: [{ connectionId: colleague.connections.x!.id, text: "Kollega" }] });
    const original = await share(at(2 * HOUR));
    expect(runsAt((await jobOf(original))!)).toBeCloseTo(original.scheduledAt.getTime(), -4);

    const moved = await editShare(db(), cli, mette.user.id, original.id, { scheduledAt: target.toISOString() });
    expect(moved.scheduledAt.getTime()).toBe(target.getTime() + 10 * MINUTE);
    const job = await jobOf(moved);
    expect(await job!.getState()).toBe("delayed");
    expect(Math.abs(runsAt(job!) - moved.scheduledAt.getTime())).toBeLessThan(2_000);

    // Its own old time does not count against it.
    const back = await editShare(db(), cli, mette.user.id, original.id, { scheduledAt: at(HOUR) });
    expect(Math.abs(back.scheduledAt.getTime() - Date.now() - HOUR)).toBeLessThan(5_000);
    expect(Math.abs(runsAt((await jobOf(back))!) - back.scheduledAt.getTime())).toBeLessThan(2_000);

    await expect(editShare(db(), cli, mette.user.id, original.id, { scheduledAt: at(-HOUR) })).rejects.toMatchObject({
      status: 422,
      code: "timeInPast",
      fieldErrors: { scheduledAt: ["timeInPast"] },
    });
  });

  it("refuses a time after the story's expiry, as creating does", async () => {
    const { cli, mette } = await scene();
    const story = await makePublishedStory(cli, { expiresAt: at(3 * HOUR) });
    const [original] = await createShares(db(), cli, mette.user.id, { storyId: story.id, scheduledAt: at(HOUR), posts: [{ connectionId: mette.connections.x!.id, text: "Hej" }] });
    await expect(editShare(db(), cli, mette.user.id, original!.id, { scheduledAt: at(5 * HOUR) })).rejects.toMatchObject({
      status: 422,
      code: "afterExpiry",
    });
    expect((await reload(original!)).scheduledAt).toEqual(original!.scheduledAt);
  });

  it("refuses once publishing has started, and for shares that are done (shareNotEditable)", async () => {
    const { cli, mette, share } = await scene();
    for (const status of ["publishing", "published", "failed", "cancelled"] as const) {
      const s = await setStatus(await share(at(2 * HOUR), "linkedin", `Tekst ${status}`), status);
      await expect(editShare(db(), cli, mette.user.id, s.id, { text: "Ny tekst" })).rejects.toMatchObject({ status: 409, code: "shareNotEditable" });
      await expect(editShare(db(), cli, mette.user.id, s.id, { scheduledAt: at(3 * HOUR) })).rejects.toMatchObject({ status: 409, code: "shareNotEditable" });
      expect(await reload(s)).toMatchObject({ status, text: s.text, scheduledAt: s.scheduledAt });
    }
  });
});

describe("cancelShare", () => {
  it("cancels a waiting share and takes its publish job off the queue", async () => {
    const { cli, mette, share } = await scene();
    const s = await share(at(2 * HOUR));
    expect(await jobOf(s)).toBeDefined();
    const cancelled = await cancelShare(db(), cli, mette.user.id, s.id);
    expect(cancelled).toMatchObject({ status: "cancelled", errorCode: "cancelled_by_user" });
    expect(cancelled.cancelledAt).toBeInstanceOf(Date);
    expect(await jobOf(s)).toBeUndefined();
  });

  it("refuses once publishing has started or the share is done", async () => {
    const { cli, mette, share } = await scene();
    for (const status of ["publishing", "published", "cancelled"] as const) {
      const s = await setStatus(await share(at(2 * HOUR), "linkedin", `Tekst ${status}`), status);
      await expect(cancelShare(db(), cli, mette.user.id, s.id)).rejects.toMatchObject({ status: 409, code: "shareNotCancellable" });
      expect((await reload(s)).status).toBe(status);
    }
  });
});

describe("retryShare", () => {
  it("tries a failed share again now: scheduled, its job waiting", async () => {
    const { cli, mette, share } = await scene();
    const s = await share(at(2 * HOUR), "mastodon");
    await getQueue("publish-mastodon").remove(`share-${s.id}`);
    await setStatus(s, "failed", { errorCode: "network_down", attempts: 3 });
    const before = Date.now();
    const retried = await retryShare(db(), cli, mette.user.id, s.id);
    expect(retried.status).toBe("scheduled");
    expect(retried.scheduledAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const job = await jobOf(retried);
    expect(job!.delay).toBe(0);
    expect(await job!.getState()).toBe("waiting");
  });

  it("queues the retry though the failed publish job is still kept on the queue", async () => {
    const { cli, mette, share } = await scene();
    const s = await share(at(2 * HOUR), "linkedin");
    const queue = getQueue("publish-linkedin");
    const connection = createRedis("worker");
    const worker = new Worker("publish-linkedin", null, { connection, prefix: bullPrefix("publish-linkedin"), autorun: false });
    try {
      // The publisher takes the job and it fails for good (kept, as removeOnFail keeps it).
      await (await queue.getJob(`share-${s.id}`))!.promote();
      const token = randomUUID();
      const job = (await worker.getNextJob(token, { block: false })) as Job | undefined;
      expect(job?.id).toBe(`share-${s.id}`);
      await job!.moveToFailed(new UnrecoverableError("LinkedIn answered 500 three times"), token);
      expect(await (await queue.getJob(`share-${s.id}`))!.getState()).toBe("failed");
      await setStatus(s, "failed", { errorCode: "network_error", attempts: 3 });

      const retried = await retryShare(db(), cli, mette.user.id, s.id);
      expect(retried.status).toBe("scheduled");
      const again = await queue.getJob(`share-${s.id}`);
      expect(await again!.getState()).toBe("waiting");
    } finally {
      await worker.close();
      await connection.quit();
    }
  });

  it("refuses a share that has not failed (shareNotRetryable)", async () => {
    const { cli, mette, share } = await scene();
    for (const status of ["scheduled", "publishing", "published", "cancelled"] as const) {
      const s = await setStatus(await share(at(2 * HOUR), "linkedin", `Tekst ${status}`), status);
      await expect(retryShare(db(), cli, mette.user.id, s.id)).rejects.toMatchObject({ status: 409, code: "shareNotRetryable" });
      expect((await reload(s)).status).toBe(status);
    }
  });
});

describe("another person's share", () => {
  it("is not found (404, not 403) for get, edit, cancel and retry, and stays as it was", async () => {
    const { cli, mette, share } = await scene();
    const waiting = await share(at(2 * HOUR));
    const failed = await setStatus(await share(at(3 * HOUR), "linkedin"), "failed", { errorCode: "x" });
    const colleague = await makeSharer(cli, { networks: ["x"] });
    const { cli: otherOrg } = await makeOrganization("Andet Firma ApS");
    const stranger = await makeSharer(otherOrg, { networks: ["x"] });
    const notFound = { status: 404, code: "notFound" };

    for (const [scope, userId] of [
      [cli, colleague.user.id],
      [otherOrg, stranger.user.id],
      [otherOrg, mette.user.id],
    ] as const) {
      await expect(getMyShare(db(), scope, userId, waiting.id)).rejects.toMatchObject(notFound);
      await expect(editShare(db(), scope, userId, waiting.id, { text: "Overtaget" })).rejects.toMatchObject(notFound);
      await expect(cancelShare(db(), scope, userId, waiting.id)).rejects.toMatchObject(notFound);
      await expect(retryShare(db(), scope, userId, failed.id)).rejects.toMatchObject(notFound);
    }
    await expect(getMyShare(db(), cli, mette.user.id, randomUUID())).rejects.toMatchObject(notFound);

    expect(await reload(waiting)).toMatchObject({ status: "scheduled", text: waiting.text });
    expect((await reload(failed)).status).toBe("failed");
    expect(await jobOf(waiting)).toBeDefined();
    expect(await getMyShare(db(), cli, mette.user.id, waiting.id)).toMatchObject({ id: waiting.id });
  });
});

import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, stories } from "@/db/schema";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/errors";
import { getQueue } from "@/lib/queue";
import { approveStory, createStory, moveStoryWindow, submitStory } from "@/lib/stories";
import { localToInstant } from "@/lib/time";
import { makeMember, makeOrganization } from "../support/factories";

const ZONE = "Europe/Copenhagen";
const DAY = 86_400_000;

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error("expected a refusal, but it succeeded");
    },
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw error;
  return { status: error.status, code: error.code };
}

async function row(storyId: string) {
  const [story] = await db().select().from(stories).where(eq(stories.id, storyId));
  return story!;
}

async function newsroom() {
  const { cli } = await makeOrganization("Kalenderhuset ApS");
  const author = await makeMember(cli, ["editor"], { name: "Ida Planlægger" });
  const reviewer = await makeMember(cli, ["editor"], { name: "Bo Godkender" });
  return { author, reviewer };
}

/** An approved story in the window given as wall-clock times in Copenhagen. */
async function approved(n: Awaited<ReturnType<typeof newsroom>>, from: string, to: string) {
  const story = await createStory(db(), n.author.scope, { title: "Åbent hus", language: "da", publishAt: localToInstant(from, ZONE), expiresAt: localToInstant(to, ZONE) });
  await submitStory(db(), n.author.scope, story.id);
  await approveStory(db(), n.reviewer.scope, story.id);
  return story;
}

describe("moving a story's publish window in the calendar", () => {
  it("moves publish and expiry time by whole days, keeping the time of day across the change to summer time", async () => {
    const n = await newsroom();
    const story = await approved(n, "2027-03-26T08:00", "2027-03-27T17:30");

    const moved = await moveStoryWindow(db(), n.author.scope, story.id, 3, ZONE);

    expect(moved.status).toBe("approved");
    expect(moved.publishAt).toEqual(localToInstant("2027-03-29T08:00", ZONE));
    expect(moved.expiresAt).toEqual(localToInstant("2027-03-30T17:30", ZONE));
    // One hour less than three days: the clocks went forward in between.
    expect(moved.publishAt!.getTime() - localToInstant("2027-03-26T08:00", ZONE).getTime()).toBe(3 * DAY - 3_600_000);

    const back = await moveStoryWindow(db(), n.author.scope, story.id, -1, ZONE);
    expect(back.publishAt).toEqual(localToInstant("2027-03-28T08:00", ZONE));
    expect(back.expiresAt).toEqual(localToInstant("2027-03-29T17:30", ZONE));
  });

  it("saves like the editor does: an audit row with before and after, and a publish job at the new time", async () => {
    const n = await newsroom();
    const story = await approved(n, "2027-06-10T09:15", "2027-06-20T09:15");

    const moved = await moveStoryWindow(db(), n.author.scope, story.id, 2, ZONE);

    const [entry] = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, story.id), eq(auditLog.action, "story.update")))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(entry).toMatchObject({ actorUserId: n.author.user.id });
    expect((entry!.before as { publishAt: string }).publishAt).toBe(localToInstant("2027-06-10T09:15", ZONE).toISOString());
    expect((entry!.after as { publishAt: string }).publishAt).toBe(localToInstant("2027-06-12T09:15", ZONE).toISOString());

    const queue = getQueue("lifecycle");
    expect(await queue.getJob(`story-publish-${story.id}-${moved.publishAt!.getTime()}`)).toMatchObject({ name: "story.publish", data: { storyId: story.id } });
    expect(await queue.getJob(`story-expire-${story.id}-${moved.expiresAt!.getTime()}`)).toMatchObject({ name: "story.expire", data: { storyId: story.id } });
  });

  it("moves a story still in review", async () => {
    const n = await newsroom();
    const story = await createStory(db(), n.author.scope, { title: "Til godkendelse", language: "da", publishAt: localToInstant("2027-05-03T10:00", ZONE) });
    await submitStory(db(), n.author.scope, story.id);

    const moved = await moveStoryWindow(db(), n.author.scope, story.id, 1, ZONE);
    expect(moved).toMatchObject({ status: "in_review", publishAt: localToInstant("2027-05-04T10:00", ZONE), expiresAt: null });
  });

  it("refuses a story that is live, and leaves it alone", async () => {
    const n = await newsroom();
    const story = await createStory(db(), n.author.scope, { title: "Allerede ude", language: "da", publishAt: new Date(Date.now() - DAY) });
    await submitStory(db(), n.author.scope, story.id);
    expect((await approveStory(db(), n.reviewer.scope, story.id)).status).toBe("published");

    expect(await refusal(moveStoryWindow(db(), n.author.scope, story.id, 2, ZONE))).toEqual({ status: 409, code: "storyNotMovable" });
    expect((await row(story.id)).publishAt).toEqual(story.publishAt);
  });

  it("refuses a move into the past", async () => {
    const n = await newsroom();
    const publishAt = new Date(Date.now() + 2 * 3_600_000);
    const story = await createStory(db(), n.author.scope, { title: "Snart", language: "da", publishAt });
    await submitStory(db(), n.author.scope, story.id);

    expect(await refusal(moveStoryWindow(db(), n.author.scope, story.id, -1, ZONE))).toEqual({ status: 422, code: "moveIntoPast" });
    expect((await row(story.id)).publishAt).toEqual(publishAt);
  });

  it("does not find another organisation's story", async () => {
    const n = await newsroom();
    const story = await approved(n, "2027-04-01T08:00", "2027-04-02T08:00");
    const other = await newsroom();

    expect(await refusal(moveStoryWindow(db(), other.author.scope, story.id, 1, ZONE))).toEqual({ status: 404, code: "notFound" });
    expect((await row(story.id)).publishAt).toEqual(localToInstant("2027-04-01T08:00", ZONE));
  });
});

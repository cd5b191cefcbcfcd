import { and, asc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications, shares, type NewShare } from "@/db/schema";
import { db } from "@/lib/db";
import { countUnreadNotices, listNotices, markNoticesRead } from "@/lib/notifications";
import { sendNoticeMail } from "@/lib/notifications/mail";
import { getQueue } from "@/lib/queue";
import { approveStory, archiveStory, createStory, runDueLifecycle, submitStory } from "@/lib/stories";
import type { Scope } from "@/lib/tenant";
import { setUserLocale } from "@/lib/users";
import { catchMail } from "../support/catch-mail";
import { makeMember, makeOrganization } from "../support/factories";

const HOUR = 3_600_000;

const mailbox = catchMail();

/** A share row as the composer would leave it (no connection needed: the column is nullable). */
async function makeShare(scope: Scope, values: Pick<NewShare, "storyId" | "userId"> & Partial<NewShare>) {
  const [share] = await db()
    .insert(shares)
    .values({ orgId: scope.orgId, mode: "api", network: "x", status: "scheduled", scheduledAt: new Date(Date.now() + 2 * HOUR), text: "Læs den her!", ...values })
    .returning();
  return share!;
}

/**
 * tests/support/mail-catcher's parseMail keeps the folding space between two adjacent
 * RFC 2047 encoded words of a long subject ("…Færøerne ” er…"), which RFC 2047 §6.2 says
 * to drop; compare subjects without whitespace until it does.
 */
const squash = (text: string) => text.replace(/\s+/g, "");

async function sharesById(ids: string[]) {
  const rows = await db().select().from(shares).where(inArray(shares.id, ids));
  return new Map(rows.map((r) => [r.id, r]));
}

async function noticesOf(orgId: string) {
  return db().select().from(notifications).where(eq(notifications.orgId, orgId)).orderBy(asc(notifications.createdAt));
}

/** A published story, one other published story, and employees with shares of both. */
async function scene(options: { expiresAt?: Date } = {}) {
  const { cli } = await makeOrganization("Havbrug ApS");
  const author = await makeMember(cli, ["editor"], { name: "Ida Redaktør" });
  const reviewer = await makeMember(cli, ["editor"], { name: "Bo Godkender" });
  const mette = await makeMember(cli, ["employee"], { name: "Mette Jensen" });
  const john = await makeMember(cli, ["employee"], { name: "John Smith" });
  const bystander = await makeMember(cli, ["employee"], { name: "Ulla Udenfor" });
  await setUserLocale(db(), mette.user.id, "da");
  await setUserLocale(db(), john.user.id, "en");

  const publish = async (title: string, extra: Record<string, unknown> = {}) => {
    const story = await createStory(db(), author.scope, { title, language: "da", ...extra });
    await submitStory(db(), author.scope, story.id);
    return approveStory(db(), reviewer.scope, story.id);
  };
  const story = await publish("Laks fra Færøerne", options.expiresAt ? { expiresAt: options.expiresAt } : {});
  const otherStory = await publish("Muslinger i Limfjorden");
  expect([story.status, otherStory.status]).toEqual(["published", "published"]);

  const s = (values: Parameters<typeof makeShare>[1]) => makeShare(cli, values);
  const metteFirst = await s({ storyId: story.id, userId: mette.user.id });
  const metteSecond = await s({ storyId: story.id, userId: mette.user.id, network: "linkedin", scheduledAt: new Date(Date.now() + 20 * HOUR) });
  const johnsOnly = await s({ storyId: story.id, userId: john.user.id, network: "mastodon" });
  const alreadyOut = await s({
    storyId: story.id,
    userId: bystander.user.id,
    status: "published",
    scheduledAt: new Date(Date.now() - HOUR),
    publishedAt: new Date(Date.now() - HOUR),
    externalId: "1790000000000000000",
  });
  const inFlight = await s({ storyId: story.id, userId: bystander.user.id, status: "publishing", scheduledAt: new Date(Date.now() - 1000) });
  const ofOtherStory = await s({ storyId: otherStory.id, userId: mette.user.id });

  return {
    cli,
    author,
    mette,
    john,
    bystander,
    story,
    otherStory,
    cancelledIds: [metteFirst.id, metteSecond.id, johnsOnly.id],
    untouched: { alreadyOut, inFlight, ofOtherStory },
  };
}

describe("withdrawing a story", () => {
  it("cancels exactly its scheduled shares and tells each employee affected once, with the count", async () => {
    const { cli, author, mette, john, story, cancelledIds, untouched } = await scene();
    const before = Date.now();

    const result = await archiveStory(db(), author.scope, story.id, "Forkerte tal");

    expect(result.cancelledShares).toBe(3);
    expect(result.story).toMatchObject({ status: "archived" });
    const rows = await sharesById([...cancelledIds, ...Object.values(untouched).map((s) => s.id)]);
    for (const id of cancelledIds) {
      const share = rows.get(id)!;
      expect(share).toMatchObject({ status: "cancelled", errorCode: "story_withdrawn" });
      expect(share.cancelledAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    }
    expect(rows.get(untouched.alreadyOut.id)).toMatchObject({ status: "published", cancelledAt: null, errorCode: null });
    expect(rows.get(untouched.inFlight.id)).toMatchObject({ status: "publishing", cancelledAt: null, errorCode: null });
    expect(rows.get(untouched.ofOtherStory.id)).toMatchObject({ status: "scheduled", cancelledAt: null, errorCode: null });

    const notices = await noticesOf(cli.orgId);
    expect(notices).toHaveLength(2);
    const byUser = new Map(notices.map((n) => [n.userId, n]));
    expect(byUser.get(mette.user.id)).toMatchObject({ kind: "story.withdrawn", readAt: null, data: { storyId: story.id, title: "Laks fra Færøerne", count: 2 } });
    expect(byUser.get(john.user.id)).toMatchObject({ kind: "story.withdrawn", data: { storyId: story.id, title: "Laks fra Færøerne", count: 1 } });

    // One mail job per notice on the notify queue.
    for (const notice of notices) {
      const job = await getQueue("notify").getJob(`notice-mail-${notice.id}`);
      expect(job).toMatchObject({ name: "notification.mail", data: { notificationId: notice.id } });
    }
  });

  it("mails each notice in the reader's language, naming the story", async () => {
    const { cli, author, mette, john, story } = await scene();
    await archiveStory(db(), author.scope, story.id);
    const notices = await noticesOf(cli.orgId);
    const metteNotice = notices.find((n) => n.userId === mette.user.id)!;
    const johnNotice = notices.find((n) => n.userId === john.user.id)!;

    expect(await sendNoticeMail(db(), metteNotice.id)).toBe("sent");
    expect(await sendNoticeMail(db(), johnNotice.id)).toBe("sent");

    const toMette = mailbox.current.mails.find((m) => m.to.includes(mette.user.email))!;
    expect(squash(toMette.subject)).toBe(squash("“Laks fra Færøerne” er trukket tilbage"));
    expect(toMette.text).toContain("Historien “Laks fra Færøerne” er trukket tilbage");
    expect(toMette.text).toContain("dine 2 planlagte delinger af den er annulleret");
    expect(toMette.text).toContain("http://localhost:3999/notifications");
    const toJohn = mailbox.current.mails.find((m) => m.to.includes(john.user.email))!;
    expect(squash(toJohn.subject)).toBe(squash("“Laks fra Færøerne” was withdrawn"));
    expect(toJohn.text).toContain("The story “Laks fra Færøerne” has been withdrawn");
    expect(toJohn.text).toContain("your scheduled share of it was cancelled");
  });

  it("says a notice that no longer exists is missing", async () => {
    expect(await sendNoticeMail(db(), "00000000-0000-4000-8000-000000000000")).toBe("missing");
  });

  it("withdraws a story nobody scheduled without notices", async () => {
    const { cli } = await makeOrganization();
    const editor = await makeMember(cli, ["editor"]);
    const story = await createStory(db(), editor.scope, { title: "Kladde", language: "da" });
    const result = await archiveStory(db(), editor.scope, story.id);
    expect(result).toMatchObject({ cancelledShares: 0, story: { status: "archived" } });
    expect(await noticesOf(cli.orgId)).toEqual([]);
  });
});

describe("a story expiring", () => {
  it("cancels its scheduled shares through the lifecycle, with an expiry notice and mail", async () => {
    const expiresAt = new Date(Date.now() + HOUR);
    const { cli, mette, john, story, cancelledIds, untouched } = await scene({ expiresAt });

    const result = await runDueLifecycle(db(), { storyId: story.id, now: new Date(expiresAt.getTime() + 1000) });
    expect(result).toEqual({ published: 0, archived: 1 });

    const rows = await sharesById([...cancelledIds, untouched.ofOtherStory.id]);
    for (const id of cancelledIds) expect(rows.get(id)).toMatchObject({ status: "cancelled", errorCode: "story_expired" });
    expect(rows.get(untouched.ofOtherStory.id)!.status).toBe("scheduled");

    const notices = await noticesOf(cli.orgId);
    expect(notices.map((n) => [n.userId, n.kind, n.data.count]).sort()).toEqual(
      [
        [mette.user.id, "story.expired", 2],
        [john.user.id, "story.expired", 1],
      ].sort(),
    );
    for (const notice of notices) expect(await getQueue("notify").getJob(`notice-mail-${notice.id}`)).toBeTruthy();

    const metteNotice = notices.find((n) => n.userId === mette.user.id)!;
    expect(await sendNoticeMail(db(), metteNotice.id)).toBe("sent");
    const mail = mailbox.current.mails.filter((m) => m.to.includes(mette.user.email)).at(-1)!;
    expect(squash(mail.subject)).toBe(squash("“Laks fra Færøerne” er udløbet"));
    expect(mail.text).toContain("slutningen af sin delingsperiode");

    // Run again: no second round of notices.
    await runDueLifecycle(db(), { storyId: story.id, now: new Date(expiresAt.getTime() + 2000) });
    expect(await noticesOf(cli.orgId)).toHaveLength(2);
  });
});

describe("reading notices", () => {
  it("marks only the reader's own notices read", async () => {
    const { cli, author, mette, john, story } = await scene();
    await archiveStory(db(), author.scope, story.id);
    const notices = await noticesOf(cli.orgId);
    const metteNotice = notices.find((n) => n.userId === mette.user.id)!;
    const johnNotice = notices.find((n) => n.userId === john.user.id)!;

    expect(await countUnreadNotices(db(), mette.scope, mette.user.id)).toBe(1);
    // Mette sends John's notice id along with her own: only hers is marked.
    await markNoticesRead(db(), mette.scope, mette.user.id, [johnNotice.id, metteNotice.id]);
    expect(await countUnreadNotices(db(), mette.scope, mette.user.id)).toBe(0);
    expect(await countUnreadNotices(db(), john.scope, john.user.id)).toBe(1);
    const [johns] = await db().select().from(notifications).where(and(eq(notifications.id, johnNotice.id)));
    expect(johns!.readAt).toBeNull();

    // "Mark all" is all of one's own too.
    await markNoticesRead(db(), john.scope, john.user.id);
    expect(await countUnreadNotices(db(), john.scope, john.user.id)).toBe(0);
    expect((await listNotices(db(), john.scope, john.user.id)).map((n) => n.id)).toEqual([johnNotice.id]);

    // Another organisation's scope sees and marks nothing.
    const other = await makeOrganization();
    expect(await listNotices(db(), other.cli, john.user.id)).toEqual([]);
  });
});

import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notifications, shares, trackedLinks, type Share, type SocialConnection } from "@/db/schema";
import { closeDb, db } from "@/lib/db";
import { trackedUrl } from "@/lib/links/tracked-links";
import { updateLinkPlacement } from "@/lib/orgs/link-placement";
import { redis } from "@/lib/queue";
import { createShares } from "@/lib/shares";
import { postFirstComment, publishShare } from "@/lib/shares/publish";
import { reconcileShares } from "@/lib/shares/reconcile";
import { getQueue } from "@/lib/queue";
import { publishJobId } from "@/lib/queue/publish";
import { startFakeMastodon, type FakeMastodon } from "../fakes/mastodon";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { acceptCurrentGuidelines, makeMember, makeOrganization, makePublishedStory } from "../support/factories";
import { clearRedisPrefix } from "../support/test-env";
import { envOverride } from "../support/env-override";
import { connectFakeAccount } from "../support/fake-accounts";

/**
 * first_comment (issue 15, item 7): the post goes out without its tracked link and the link
 * follows as the author's first reply, exactly once; a refused reply leaves the post published
 * and tells the person. Mastodon only so far.
 */

let database: TestDatabase;
let mastodonFake: FakeMastodon;
const { set: setEnv, restore: restoreEnv } = envOverride();

beforeAll(async () => {
  [database, mastodonFake] = await Promise.all([createTestDatabase("first_comment"), startFakeMastodon()]);
  setEnv({ DATABASE_URL: database.url, APP_URL: "https://ripple.dk", ALLOW_PRIVATE_FETCH: undefined, FETCH_ALLOW_HOSTS: new URL(mastodonFake.url).host });
}, 60_000);

afterAll(async () => {
  await closeDb();
  await Promise.all([mastodonFake?.close(), database?.drop()]);
  await clearRedisPrefix(process.env.REDIS_URL!, process.env.QUEUE_PREFIX!);
  restoreEnv();
});

const TEXT = "Vi åbner en ny fabrik i Esbjerg (200 nye job) #GrønOmstilling";

async function scene() {
  const { cli } = await makeOrganization("Vindmølle A/S");
  const story = await makePublishedStory(cli, { title: "Ny fabrik i Esbjerg", summary: "200 nye job", canonicalUrl: "https://vindmoelle.example/nyheder/fabrik" });
  const member = await makeMember(cli, ["employee"], { name: "Mette Jensen" });
  await acceptCurrentGuidelines(cli, member.user.id);
  const name = `mette_${randomBytes(4).toString("hex")}`;
  const who = await connectFakeAccount({ mastodon: mastodonFake } as never, cli, member.user.id, "mastodon", name, { displayName: "Mette Jensen" });
  await updateLinkPlacement(db(), cli, { linkedin: "card", x: "card", mastodon: "first_comment", bluesky: "card" });
  const [share] = await createShares(db(), member.scope, member.user.id, { storyId: story.id, posts: [{ connectionId: (who.connection as SocialConnection).id, text: TEXT }] });
  expect(share!.placement).toBe("first_comment");
  const [link] = await db().select({ code: trackedLinks.code }).from(trackedLinks).where(eq(trackedLinks.shareId, share!.id));
  return { userId: member.user.id, who, share: share!, link: trackedUrl(link!.code) };
}

async function reload(id: string): Promise<Share> {
  const [row] = await db().select().from(shares).where(eq(shares.id, id));
  return row!;
}

const statusesOf = (externalId: string) => [...mastodonFake.statuses.values()].filter((st) => st.account.id === externalId);
const isPostBy = (accessToken: string) => (r: { method: string; path: string; headers: Record<string, unknown> }) => r.method === "POST" && r.path === "/api/v1/statuses" && r.headers.authorization === `Bearer ${accessToken}`;

describe("the setting", () => {
  it("offers first_comment on every network with a posting API, and nothing that is not a placement", async () => {
    const { cli } = await makeOrganization();
    await expect(updateLinkPlacement(db(), cli, { linkedin: "first_comment", x: "first_comment", mastodon: "first_comment", bluesky: "first_comment" })).resolves.toEqual({
      linkedin: "first_comment",
      x: "first_comment",
      mastodon: "first_comment",
      bluesky: "first_comment",
    });
    await expect(updateLinkPlacement(db(), cli, { linkedin: "card", x: "card", mastodon: "card", bluesky: "comment" } as never)).rejects.toThrow();
    await expect(updateLinkPlacement(db(), cli, { linkedin: "card", x: "card", mastodon: "card", bluesky: "card", threads: "first_comment" } as never)).rejects.toThrow();
  });
});

describe("first_comment on Mastodon", () => {
  it("posts the text without the link, then the link as the author's first reply, once", async () => {
    const { who, share, link } = await scene();
    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    const row = await reload(share.id);
    const [post, ...rest] = statusesOf(who.externalId).filter((st) => !st.inReplyToId);
    expect(rest).toHaveLength(0);
    expect(post!.text).not.toContain(link);
    expect(post!.text).toContain("Vi åbner en ny fabrik i Esbjerg (200 nye job) #GrønOmstilling");
    const replies = statusesOf(who.externalId).filter((st) => st.inReplyToId === post!.id);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain(link);
    expect(row).toMatchObject({ status: "published", externalId: post!.id, commentStatus: "posted", commentExternalId: replies[0]!.id });
    // A second run does nothing.
    expect(await publishShare(db(), redis(), share.id)).toBe("skipped");
    expect(statusesOf(who.externalId)).toHaveLength(2);
  });

  it("a refused reply (403) leaves the share published with one post, and tells the person", async () => {
    const { who, share, userId } = await scene();
    // The post goes through, the reply after it is refused.
    mastodonFake.inject({ match: (r) => isPostBy(who.accessToken)(r) && "in_reply_to_id" in (r.body as object), status: 403, body: { error: "This action is not allowed" } });
    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    const row = await reload(share.id);
    expect(row).toMatchObject({ status: "published", commentStatus: "failed", commentExternalId: null });
    expect(statusesOf(who.externalId)).toHaveLength(1);
    const notices = await db().select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.kind, "share.commentFailed")));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.data).toMatchObject({ title: "Ny fabrik i Esbjerg", network: "mastodon" });
  });

  it("a reply that fails with 500 until the last attempt ends failed, the post kept, one notice", async () => {
    const { who, share, userId } = await scene();
    mastodonFake.inject({ match: (r) => isPostBy(who.accessToken)(r) && "in_reply_to_id" in (r.body as object), status: 500, times: 2 });
    await expect(publishShare(db(), redis(), share.id)).rejects.toThrow();
    expect(await reload(share.id)).toMatchObject({ status: "published", commentStatus: "pending" });
    expect(await publishShare(db(), redis(), share.id, { lastAttempt: true })).toBe("skipped");
    expect(await reload(share.id)).toMatchObject({ status: "published", commentStatus: "failed" });
    expect(statusesOf(who.externalId)).toHaveLength(1);
    const notices = await db().select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.kind, "share.commentFailed")));
    expect(notices).toHaveLength(1);
  });

  it("a crash between posting the reply and recording it ends with exactly one reply", async () => {
    const { who, share, link } = await scene();
    // The reply reaches Mastodon, the worker dies before recording it: the share stays "pending".
    mastodonFake.inject({ match: (r) => isPostBy(who.accessToken)(r) && "in_reply_to_id" in (r.body as object), status: 500, times: 1 });
    await expect(publishShare(db(), redis(), share.id)).rejects.toThrow();
    const post = statusesOf(who.externalId)[0]!;
    // …as if the reply had been made and the answer lost (posted by hand, no idempotency key).
    const { adapterFor } = await import("@/lib/networks/registry");
    const adapter = adapterFor("mastodon");
    await adapter.comment!({ instanceUrl: mastodonFake.url, client: null }, { accessToken: who.accessToken, refreshToken: null, expiresAt: null, refreshExpiresAt: null, scopes: [] }, { externalId: post.id, url: null }, link, "another-key");
    expect(await reload(share.id)).toMatchObject({ commentStatus: "pending" });
    expect(await postFirstComment(db(), share.id)).toBe("posted");
    const replies = statusesOf(who.externalId).filter((st) => st.inReplyToId === post.id);
    expect(replies).toHaveLength(1);
    expect(await reload(share.id)).toMatchObject({ status: "published", commentStatus: "posted", commentExternalId: replies[0]!.id });
  });

  it("a comment whose job Redis lost is queued again by the reconciler, and the job posts it once", async () => {
    const { who, share, link } = await scene();
    // The post goes out; the reply fails once and the job that would retry it is gone.
    mastodonFake.inject({ match: (r) => isPostBy(who.accessToken)(r) && "in_reply_to_id" in (r.body as object), status: 500, times: 1 });
    await expect(publishShare(db(), redis(), share.id)).rejects.toThrow();
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    await db().update(shares).set({ publishedAt: tenMinutesAgo }).where(eq(shares.id, share.id));
    await (await getQueue("publish-mastodon").getJob(publishJobId(share.id)))?.remove();

    expect((await reconcileShares(db())).commentsResumed).toBeGreaterThanOrEqual(1);
    expect(await getQueue("publish-mastodon").getJob(publishJobId(share.id))).toBeDefined();
    // Its job live: the next round leaves it alone.
    const again = await reconcileShares(db());
    expect(await getQueue("publish-mastodon").getJob(publishJobId(share.id))).toBeDefined();
    expect(again.commentsResumed).toBe(0);

    // What the job does: the share is published, so only the comment is resumed.
    expect(await publishShare(db(), redis(), share.id)).toBe("skipped");
    const post = statusesOf(who.externalId).find((st) => !st.inReplyToId)!;
    const replies = statusesOf(who.externalId).filter((st) => st.inReplyToId === post.id);
    expect(replies.map((r) => r.text)).toEqual([expect.stringContaining(link)]);
    expect(await reload(share.id)).toMatchObject({ commentStatus: "posted", commentExternalId: replies[0]!.id });
    // Resolved: the reconciler no longer picks it.
    await (await getQueue("publish-mastodon").getJob(publishJobId(share.id)))?.remove();
    expect((await reconcileShares(db())).commentsResumed).toBe(0);
  });
});

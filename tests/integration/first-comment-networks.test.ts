import { randomBytes } from "node:crypto";
import { AtpAgent, type AppBskyFeedPost } from "@atproto/api";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notifications, shares, socialConnections, trackedLinks, type Share, type SocialConnection } from "@/db/schema";
import { connectBluesky } from "@/lib/connections/connect";
import { closeDb, db } from "@/lib/db";
import { trackedUrl } from "@/lib/links/tracked-links";
import { blueskyCommentKey, blueskyRecordKey } from "@/lib/networks/bluesky";
import { adapterFor } from "@/lib/networks/registry";
import type { OutgoingPost, TokenSet } from "@/lib/networks/types";
import { apiBudget, updateXApiSettings } from "@/lib/orgs/api-budget";
import { updateLinkPlacement } from "@/lib/orgs/link-placement";
import { redis } from "@/lib/queue";
import { createShares } from "@/lib/shares";
import { postFirstComment, publishShare } from "@/lib/shares/publish";
import type { Scope } from "@/lib/tenant";
import { startFakeLinkedIn, type FakeLinkedIn } from "../fakes/linkedin";
import { startFakeX, type FakeX } from "../fakes/x";
import { atprotoNetworkMissing, startAtprotoNetwork, type AtprotoNetwork } from "../support/atproto";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { envOverride } from "../support/env-override";
import { connectFakeAccount } from "../support/fake-accounts";
import { acceptCurrentGuidelines, makeMember, makeOrganization, makePublishedStory } from "../support/factories";
import { clearRedisPrefix } from "../support/test-env";

/**
 * first_comment on LinkedIn (Comments API), X (a reply) and Bluesky (a reply in the same
 * thread, on a real local PDS), issue 15 item 7: the post goes out without its tracked link,
 * the link follows as the author's first comment, each exactly once; a post whose words
 * another share already posted is not taken for this share's.
 */

const LINKEDIN_CLIENT = { clientId: "ripple-linkedin-client", clientSecret: "ripple-linkedin-secret-0123456789" };
const X_CLIENT = { clientId: "ripple-x-client", clientSecret: "ripple-x-secret-0123456789abcdef" };
const TEXT = "Vi åbner en ny fabrik i Esbjerg (200 nye job) #GrønOmstilling 🌱";
const atprotoMissing = atprotoNetworkMissing();

let database: TestDatabase;
let linkedinFake: FakeLinkedIn;
let xFake: FakeX;
let network: AtprotoNetwork | undefined;
const { set: setEnv, restore: restoreEnv } = envOverride();

beforeAll(async () => {
  [database, linkedinFake, xFake, network] = await Promise.all([
    createTestDatabase("first_comment_networks"),
    startFakeLinkedIn(LINKEDIN_CLIENT),
    startFakeX(X_CLIENT),
    atprotoMissing ? Promise.resolve(undefined) : startAtprotoNetwork({ accounts: [{ handle: "sofie.test" }, { handle: "jonas.test" }] }),
  ]);
  setEnv({
    DATABASE_URL: database.url,
    // A real top-level domain: X's fake wraps links in t.co, as X does.
    APP_URL: "https://ripple.dk",
    ALLOW_PRIVATE_FETCH: undefined,
    FETCH_ALLOW_HOSTS: [linkedinFake.url, xFake.url, ...(network ? [network.pdsUrl, network.appviewUrl] : [])].map((url) => new URL(url).host).join(","),
    LINKEDIN_API_URL: linkedinFake.url,
    LINKEDIN_AUTH_URL: linkedinFake.url,
    LINKEDIN_CLIENT_ID: LINKEDIN_CLIENT.clientId,
    LINKEDIN_CLIENT_SECRET: LINKEDIN_CLIENT.clientSecret,
    LINKEDIN_VERSION: undefined,
    X_API_URL: xFake.url,
    X_AUTH_URL: xFake.url,
    X_CLIENT_ID: X_CLIENT.clientId,
    X_CLIENT_SECRET: X_CLIENT.clientSecret,
    ...(network && { BLUESKY_APPVIEW_URL: network.appviewUrl }),
  });
}, 150_000);

afterAll(async () => {
  await closeDb();
  await Promise.all([linkedinFake?.close(), xFake?.close(), network?.close(), database?.drop()]);
  await clearRedisPrefix(process.env.REDIS_URL!, process.env.QUEUE_PREFIX!);
  restoreEnv();
}, 60_000);

type Org = Awaited<ReturnType<typeof makeOrganization>>;

async function organisation(): Promise<{ org: Org; member: Awaited<ReturnType<typeof makeMember>> }> {
  const org = await makeOrganization("Vindmølle A/S");
  await updateLinkPlacement(db(), org.cli, { linkedin: "first_comment", x: "first_comment", mastodon: "card", bluesky: "first_comment" });
  const member = await makeMember(org.cli, ["employee"], { name: "Mette Jensen" });
  await acceptCurrentGuidelines(org.cli, member.user.id);
  return { org, member };
}

/** One share of a new story from `connection`, with its tracked link. */
async function shareFrom(cli: Scope, member: Awaited<ReturnType<typeof makeMember>>, connection: SocialConnection, text = TEXT) {
  const story = await makePublishedStory(cli, { title: "Ny fabrik i Esbjerg", summary: "200 nye job", canonicalUrl: `https://vindmoelle.example/nyheder/fabrik-${randomBytes(3).toString("hex")}` });
  const [share] = await createShares(db(), member.scope, member.user.id, { storyId: story.id, posts: [{ connectionId: connection.id, text }] });
  expect(share!.placement).toBe("first_comment");
  const [link] = await db().select({ code: trackedLinks.code }).from(trackedLinks).where(eq(trackedLinks.shareId, share!.id));
  return { share: share!, link: trackedUrl(link!.code) };
}

async function reload(id: string): Promise<Share> {
  const [row] = await db().select().from(shares).where(eq(shares.id, id));
  return row!;
}

const bearer = (accessToken: string): TokenSet => ({ accessToken, refreshToken: null, expiresAt: null, refreshExpiresAt: null, scopes: [] });

/** As if a worker died right after the network took the post: the share still "publishing", its try long stale. */
async function diedAfterPosting(share: Share) {
  await db()
    .update(shares)
    .set({ status: "publishing", publishingStartedAt: new Date(Date.now() - 5 * 60_000), firstAttemptAt: new Date(Date.now() - 5 * 60_000), attempts: 1 })
    .where(eq(shares.id, share.id));
}

function outgoing(share: Share, link: string): OutgoingPost {
  return {
    shareId: share.id,
    createdAt: share.createdAt,
    text: share.text,
    trackedUrl: link,
    language: "da",
    link: { url: link, title: "Ny fabrik i Esbjerg", description: "200 nye job", imageUrl: null },
    placement: "first_comment",
  };
}

const noticesOf = (userId: string) => db().select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.kind, "share.commentFailed")));

describe("first_comment on X", () => {
  async function xScene() {
    const { org, member } = await organisation();
    const name = `mette_${randomBytes(4).toString("hex")}`;
    const who = await connectFakeAccount({ x: xFake } as never, org.cli, member.user.id, "x", name);
    const tweetsOf = () => xFake.tweets.filter((t) => t.authorId === who.externalId && !t.deleted);
    return { org, member, who, tweetsOf };
  }

  it("posts the words without the link, then the link as the author's reply, metered as a post and a post with a link", async () => {
    const { org, member, who, tweetsOf } = await xScene();
    const { share, link } = await shareFrom(org.cli, member, who.connection);
    expect(await publishShare(db(), redis(), share.id)).toBe("published");

    const [post, reply, ...rest] = tweetsOf();
    expect(rest).toHaveLength(0);
    expect(post!.sentText).toBe(TEXT);
    expect(post!.inReplyToId).toBeNull();
    expect(reply!.inReplyToId).toBe(post!.id);
    expect(reply!.sentText).toBe(link);
    expect(await reload(share.id)).toMatchObject({ status: "published", externalId: post!.id, commentStatus: "posted", commentExternalId: reply!.id });
    // X's prices: the post without a link, the reply with one.
    const budget = await apiBudget(db(), org.cli.orgId, "x");
    expect(budget!.used.posts).toBe(2);
    expect(budget!.used.spent).toBeCloseTo(budget!.prices.post + budget!.prices.postWithLink, 6);
    // Run again: nothing more.
    expect(await publishShare(db(), redis(), share.id)).toBe("skipped");
    expect(tweetsOf()).toHaveLength(2);
  });

  it("a worker killed after X took the post: the retry finds the post by its words and adds one reply", async () => {
    const { org, member, who, tweetsOf } = await xScene();
    const { share, link } = await shareFrom(org.cli, member, who.connection);
    const first = await adapterFor("x").publish!({ instanceUrl: null, client: null }, bearer(who.accessToken), outgoing(share, link));
    await diedAfterPosting(share);

    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    const posts = tweetsOf().filter((t) => !t.inReplyToId);
    expect(posts.map((t) => t.id)).toEqual([first.externalId]);
    expect(tweetsOf().filter((t) => t.inReplyToId === first.externalId)).toHaveLength(1);
    expect(await reload(share.id)).toMatchObject({ status: "published", externalId: first.externalId, commentStatus: "posted" });
  });

  it("a reply lost after X took it is found among the author's posts, not sent twice", async () => {
    const { org, member, who, tweetsOf } = await xScene();
    const { share, link } = await shareFrom(org.cli, member, who.connection);
    // The reply fails once (5xx): the post stays published, its comment pending.
    xFake.inject({ match: (r) => r.method === "POST" && r.path === "/2/tweets" && "reply" in (r.body as object), status: 503, times: 1 });
    await expect(publishShare(db(), redis(), share.id)).rejects.toThrow();
    const post = (await reload(share.id)).externalId!;
    expect(await reload(share.id)).toMatchObject({ status: "published", commentStatus: "pending" });
    // …as if that reply had reached X and only the answer was lost.
    await adapterFor("x").comment!({ instanceUrl: null, client: null }, bearer(who.accessToken), { externalId: post, url: null }, link, "lost");

    expect(await postFirstComment(db(), share.id)).toBe("posted");
    const replies = tweetsOf().filter((t) => t.inReplyToId === post);
    expect(replies).toHaveLength(1);
    expect(await reload(share.id)).toMatchObject({ commentStatus: "posted", commentExternalId: replies[0]!.id });
  });

  it("the same words as an earlier share: X refuses them, and the earlier share's post is not taken for this one", async () => {
    const { org, member, who, tweetsOf } = await xScene();
    const earlier = await shareFrom(org.cli, member, who.connection);
    expect(await publishShare(db(), redis(), earlier.share.id)).toBe("published");
    const again = await shareFrom(org.cli, member, who.connection);

    expect(await publishShare(db(), redis(), again.share.id)).toBe("needs_attention");
    expect(await reload(again.share.id)).toMatchObject({ status: "needs_attention", errorCode: "duplicate_text", externalId: null, commentStatus: null });
    // The earlier post has its one reply, with the earlier share's link only.
    const earlierPost = (await reload(earlier.share.id)).externalId!;
    expect(tweetsOf().filter((t) => t.inReplyToId === earlierPost).map((t) => t.sentText)).toEqual([earlier.link]);
  });

  it("a budget with room for the post but not the reply: the post stays, the comment fails, the person is told", async () => {
    const { org, member, who, tweetsOf } = await xScene();
    const { share } = await shareFrom(org.cli, member, who.connection);
    const prices = { post: 0.015, postWithLink: 0.2, read: 0.005 };
    await updateXApiSettings(db(), org.cli, { enabled: true, budget: { kind: "money", amount: 0.1 }, prices });

    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    expect(tweetsOf()).toHaveLength(1);
    expect(await reload(share.id)).toMatchObject({ status: "published", commentStatus: "failed" });
    expect(await noticesOf(member.user.id)).toHaveLength(1);
  });
});

describe("first_comment on LinkedIn", () => {
  async function linkedinScene(scopes?: string[]) {
    const { org, member } = await organisation();
    const name = `mette_${randomBytes(4).toString("hex")}`;
    const who = await connectFakeAccount({ linkedin: linkedinFake } as never, org.cli, member.user.id, "linkedin", name, { displayName: "Mette Jensen", scopes });
    const author = `urn:li:person:${who.externalId}`;
    const postsOf = () => linkedinFake.posts.filter((p) => p.author === author && !p.deleted);
    const commentsOn = (urn: string) => linkedinFake.comments.filter((c) => c.object === urn);
    return { org, member, who, author, postsOf, commentsOn };
  }
  const WRITE_ONLY = ["openid", "profile", "email", "w_member_social", "r_member_postAnalytics"];

  it("posts the commentary without the link or an article, then the link through the Comments API as the author", async () => {
    const { org, member, who, author, postsOf, commentsOn } = await linkedinScene(WRITE_ONLY);
    const { share, link } = await shareFrom(org.cli, member, who.connection);
    expect(await publishShare(db(), redis(), share.id)).toBe("published");

    const [post, ...rest] = postsOf();
    expect(rest).toHaveLength(0);
    expect(post!.commentary).not.toContain("ripple.dk");
    // Hashtags stay LinkedIn's hashtag template; the parentheses stay escaped.
    expect(post!.commentary).toBe("Vi åbner en ny fabrik i Esbjerg \\(200 nye job\\) {hashtag|\\#|GrønOmstilling} 🌱");
    expect(post!.body).not.toHaveProperty("content");
    const comments = commentsOn(post!.urn);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ actor: author, text: link });
    expect(await reload(share.id)).toMatchObject({ status: "published", externalId: post!.urn, commentStatus: "posted", commentExternalId: comments[0]!.urn });
  });

  it("a worker killed after LinkedIn took the post: posting the words again names the post (DUPLICATE_POST), one post, one comment", async () => {
    const { org, member, who, postsOf, commentsOn } = await linkedinScene(WRITE_ONLY);
    const { share, link } = await shareFrom(org.cli, member, who.connection);
    const first = await adapterFor("linkedin").publish!({ instanceUrl: null, client: null, account: { externalId: who.externalId, handle: "Mette Jensen" } }, bearer(who.accessToken), outgoing(share, link));
    await diedAfterPosting(share);

    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    expect(postsOf().map((p) => p.urn)).toEqual([first.externalId]);
    expect(commentsOn(first.externalId)).toHaveLength(1);
  });

  it("the same words as an earlier share: LinkedIn's duplicate names the earlier share's post, which is not taken for this one", async () => {
    const { org, member, who, postsOf, commentsOn } = await linkedinScene(WRITE_ONLY);
    const earlier = await shareFrom(org.cli, member, who.connection);
    expect(await publishShare(db(), redis(), earlier.share.id)).toBe("published");
    const again = await shareFrom(org.cli, member, who.connection);

    expect(await publishShare(db(), redis(), again.share.id)).toBe("needs_attention");
    expect(await reload(again.share.id)).toMatchObject({ errorCode: "duplicate_text", externalId: null });
    expect(postsOf()).toHaveLength(1);
    expect(commentsOn(postsOf()[0]!.urn).map((c) => c.text)).toEqual([earlier.link]);
  });

  it("a comment whose outcome is lost, without the permission to read comments: failed and the person told, never a second comment", async () => {
    const { org, member, who, postsOf, commentsOn } = await linkedinScene(WRITE_ONLY);
    const { share } = await shareFrom(org.cli, member, who.connection);
    linkedinFake.inject({ match: (r) => r.method === "POST" && r.path.startsWith("/rest/socialActions/"), status: 504, times: 1 });
    await expect(publishShare(db(), redis(), share.id)).rejects.toThrow();
    expect(await reload(share.id)).toMatchObject({ status: "published", commentStatus: "pending" });

    expect(await postFirstComment(db(), share.id)).toBe("failed");
    expect(commentsOn(postsOf()[0]!.urn)).toHaveLength(0);
    expect(await reload(share.id)).toMatchObject({ status: "published", commentStatus: "failed" });
    expect(await noticesOf(member.user.id)).toHaveLength(1);
  });

  it("with r_member_social the retry finds the comment that got through and records it", async () => {
    const { org, member, who, postsOf, commentsOn } = await linkedinScene([...WRITE_ONLY, "r_member_social"]);
    const { share, link } = await shareFrom(org.cli, member, who.connection);
    linkedinFake.inject({ match: (r) => r.method === "POST" && r.path.startsWith("/rest/socialActions/"), status: 504, times: 1 });
    await expect(publishShare(db(), redis(), share.id)).rejects.toThrow();
    const urn = postsOf()[0]!.urn;
    // …as if the comment had been made and its answer lost.
    await adapterFor("linkedin").comment!({ instanceUrl: null, client: null, account: { externalId: who.externalId, handle: "Mette Jensen" } }, bearer(who.accessToken), { externalId: urn, url: null }, link, "lost");

    expect(await postFirstComment(db(), share.id)).toBe("posted");
    expect(commentsOn(urn)).toHaveLength(1);
    expect(await reload(share.id)).toMatchObject({ commentStatus: "posted", commentExternalId: commentsOn(urn)[0]!.urn });
  });
});

describe.skipIf(Boolean(atprotoMissing))("first_comment on Bluesky (real local PDS)", () => {
  it("posts the words without link or card, then the link as a reply in the same thread, under a key of its own: a retry rewrites it, never adds one", { timeout: 60_000 }, async () => {
    const { org, member } = await organisation();
    const account = network!.account("sofie.test");
    const connection = await connectBluesky(db(), member.scope, member.user.id, { identifier: account.handle, appPassword: account.appPassword, pdsUrl: network!.pdsUrl });
    const [row] = await db().select().from(socialConnections).where(eq(socialConnections.id, connection.id));
    const { share, link } = await shareFrom(org.cli, member, row!);

    expect(await publishShare(db(), redis(), share.id)).toBe("published");
    const published = await reload(share.id);
    const pds = new AtpAgent({ service: network!.pdsUrl });
    const rkey = blueskyRecordKey({ shareId: share.id, createdAt: share.createdAt });
    expect(published.externalId).toBe(`at://${account.did}/app.bsky.feed.post/${rkey}`);
    const { data: post } = await pds.com.atproto.repo.getRecord({ repo: account.did, collection: "app.bsky.feed.post", rkey });
    const postRecord = post.value as AppBskyFeedPost.Record;
    expect(postRecord.text).toBe(TEXT);
    expect(postRecord.embed).toBeUndefined();

    const commentKey = blueskyCommentKey(rkey, `${share.id}:comment`);
    expect(published).toMatchObject({ commentStatus: "posted", commentExternalId: `at://${account.did}/app.bsky.feed.post/${commentKey}` });
    const { data: reply } = await pds.com.atproto.repo.getRecord({ repo: account.did, collection: "app.bsky.feed.post", rkey: commentKey });
    const replyRecord = reply.value as AppBskyFeedPost.Record;
    expect(replyRecord.text).toBe(link);
    expect(replyRecord.reply).toEqual({ root: { uri: post.uri, cid: post.cid }, parent: { uri: post.uri, cid: post.cid } });
    expect(replyRecord.facets?.flatMap((f) => f.features)).toEqual([{ $type: "app.bsky.richtext.facet#link", uri: link }]);

    // A try that died before recording the reply: the retry finds it under its key.
    await db().update(shares).set({ commentStatus: "pending", commentExternalId: null }).where(eq(shares.id, share.id));
    expect(await postFirstComment(db(), share.id)).toBe("posted");
    const { data: all } = await pds.com.atproto.repo.listRecords({ repo: account.did, collection: "app.bsky.feed.post" });
    expect(all.records.map((r) => r.uri).sort()).toEqual([post.uri, reply.uri].sort());
    expect(await reload(share.id)).toMatchObject({ commentExternalId: reply.uri });
  });
});

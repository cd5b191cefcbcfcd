import { AppBskyEmbedExternal, type AppBskyFeedPost, AtpAgent, RichText } from "@atproto/api";
import { TID } from "@atproto/common-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAtprotoNetwork, type AtprotoNetwork } from "../support/atproto";

/**
 * The local Bluesky network (tests/support/atproto, a real PLC + PDS + AppView on Node 22)
 * as the app's Bluesky adapter will use it from Node 20: log in with an app password, write
 * a post with a link facet and a link card under a client-chosen TID rkey (so a retry
 * cannot post twice), and read like/repost/reply counts back from the AppView.
 * Needs tests/support/atproto/install.sh to have run.
 */

let network: AtprotoNetwork;

beforeAll(async () => {
  network = await startAtprotoNetwork({ accounts: [{ handle: "alice.test" }, { handle: "bob.test" }] });
}, 120_000);

afterAll(async () => {
  await network?.close();
}, 90_000);

describe("local AT Protocol network", () => {
  it("takes an idempotent post with a link facet and card, and counts engagement on the AppView", { timeout: 120_000 }, async () => {
    const alice = network.account("alice.test");

    // The adapter's side: a session from handle + app password (com.atproto.server.createSession).
    const agent = new AtpAgent({ service: network.pdsUrl });
    await agent.login({ identifier: alice.handle, password: alice.appPassword });
    expect(agent.session?.did).toBe(alice.did);

    // Non-ASCII text before the link, so UTF-8 byte offsets differ from string indexes.
    const link = "https://example.com/news/größer-werden?utm_source=ripple";
    const rt = new RichText({ text: `Grüße aus dem Team 🎉 Unsere Story: ${link} #ripple` });
    rt.detectFacetsWithoutResolution();
    const linkFacet = rt.facets?.find((f) => f.features.some((feature) => feature.$type === "app.bsky.richtext.facet#link"));
    expect(linkFacet).toBeDefined();
    const bytes = Buffer.from(rt.text, "utf8");
    expect(bytes.subarray(linkFacet!.index.byteStart, linkFacet!.index.byteEnd).toString("utf8")).toBe(link);
    expect(linkFacet!.index.byteStart).toBeGreaterThan(rt.text.indexOf(link)); // bytes, not UTF-16 units

    const rkey = TID.nextStr();
    expect(rkey).toMatch(/^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/);
    const external = { uri: link, title: "Wir werden größer", description: "Die Story aus Ripple" };
    const record: AppBskyFeedPost.Record = {
      $type: "app.bsky.feed.post",
      text: rt.text,
      facets: rt.facets,
      embed: { $type: "app.bsky.embed.external", external },
      langs: ["de"],
      createdAt: new Date().toISOString(),
    };
    const write = () => agent.com.atproto.repo.putRecord({ repo: alice.did, collection: "app.bsky.feed.post", rkey, record });

    const first = await write();
    expect(first.data.uri).toBe(`at://${alice.did}/app.bsky.feed.post/${rkey}`);
    // A retry with the same rkey updates the same record instead of posting twice.
    const second = await write();
    expect(second.data.uri).toBe(first.data.uri);
    const listed = await agent.com.atproto.repo.listRecords({ repo: alice.did, collection: "app.bsky.feed.post" });
    expect(listed.data.records.map((r) => r.uri)).toEqual([first.data.uri]);
    const { uri, cid } = second.data;

    // Engagement from another account, through the launcher.
    await network.like(uri, cid, "bob.test");
    await network.repost(uri, cid, "bob.test");
    const answer = await network.reply(uri, cid, "bob.test", "Glückwunsch!");
    expect(answer.uri).toMatch(/^at:\/\/did:plc:[a-z0-9]+\/app\.bsky\.feed\.post\/[a-z0-9]+$/);
    await network.processAll();

    // The AppView, read directly (no auth) …
    const appview = new AtpAgent({ service: network.appviewUrl });
    const { data } = await appview.app.bsky.feed.getPosts({ uris: [uri] });
    expect(data.posts).toHaveLength(1);
    const post = data.posts[0]!;
    expect(post).toMatchObject({ uri, cid, likeCount: 1, repostCount: 1, replyCount: 1 });
    expect(post.author.handle).toBe("alice.test");
    const indexed = post.record as AppBskyFeedPost.Record;
    expect(indexed.facets).toEqual(rt.facets);
    expect(AppBskyEmbedExternal.isView(post.embed)).toBe(true);
    expect((post.embed as AppBskyEmbedExternal.View).external).toMatchObject(external);

    // … and through Alice's PDS, which proxies app.bsky.* to the AppView (the adapter's path).
    const viaPds = await agent.app.bsky.feed.getPosts({ uris: [uri] });
    expect(viaPds.data.posts[0]).toMatchObject({ likeCount: 1, repostCount: 1, replyCount: 1 });
  });
});

import { randomUUID } from "node:crypto";
import { AtpAgent, type AppBskyFeedPost } from "@atproto/api";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { saveLinkPlacementAction } from "@/app/(app)/admin/settings/actions";
import { auditLog, type Role } from "@/db/schema";
import { db } from "@/lib/db";
import { bluesky, blueskyRecordKey } from "@/lib/networks/bluesky";
import { linkedin } from "@/lib/networks/linkedin";
import type { AccountContext, OutgoingPost, TokenSet } from "@/lib/networks/types";
import { getOrganizationSettings } from "@/lib/orgs";
import { updateLinkPlacement } from "@/lib/orgs/link-placement";
import { createShares } from "@/lib/shares";
import { startFakeLinkedIn, type FakeLinkedIn } from "../fakes/linkedin";
import { atprotoNetworkMissing, startAtprotoNetwork, type AtprotoNetwork } from "../support/atproto";
import { envOverride } from "../support/env-override";
import { makeMember, makeOrganization, makePublishedStory, makeSharer } from "../support/factories";

/**
 * Where the link goes (issue 15, item 7): the organisation chooses per network between a
 * link card and the URL in the text; each share records the choice when it is made, and
 * publishing leaves the card out for "text" (LinkedIn without content.article, Bluesky
 * without an embed) while the URL stays in the text and the share stays findable by it.
 */

const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

function signIn(member: { user: { id: string }; scope: { orgId: string } }, roles: Role[]) {
  session.current = { userId: member.user.id, orgId: member.scope.orgId, orgName: "", roles };
}

const LINKEDIN_CLIENT = { clientId: "ripple-linkedin-client", clientSecret: "ripple-linkedin-secret-0123456789" };
const atprotoMissing = atprotoNetworkMissing();
const CARDS = { linkedin: "card", x: "card", mastodon: "card", bluesky: "card" } as const;

let linkedinFake: FakeLinkedIn;
let network: AtprotoNetwork | undefined;
const { set: setEnv, restore: restoreEnv } = envOverride();
const hostOf = (url: string) => new URL(url).host;

beforeAll(async () => {
  [linkedinFake, network] = await Promise.all([
    startFakeLinkedIn(LINKEDIN_CLIENT),
    atprotoMissing ? Promise.resolve(undefined) : startAtprotoNetwork({ accounts: [{ handle: "sofie.test" }] }),
  ]);
  setEnv({
    ALLOW_PRIVATE_FETCH: undefined,
    FETCH_ALLOW_HOSTS: [linkedinFake.url, ...(network ? [network.pdsUrl, network.appviewUrl] : [])].map(hostOf).join(","),
    LINKEDIN_API_URL: linkedinFake.url,
    LINKEDIN_AUTH_URL: linkedinFake.url,
    LINKEDIN_VERSION: undefined,
    ...(network && { BLUESKY_APPVIEW_URL: network.appviewUrl }),
  });
}, 150_000);

afterAll(async () => {
  restoreEnv();
  await Promise.all([linkedinFake?.close(), network?.close()]);
}, 90_000);

const bearer = (accessToken: string): TokenSet => ({ accessToken, refreshToken: null, expiresAt: null, refreshExpiresAt: null, scopes: [] });

function outgoing(placement: "card" | "text"): OutgoingPost {
  const trackedUrl = `https://ripple.dk/r/${randomUUID().replace(/-/g, "").slice(0, 10)}`;
  return {
    shareId: randomUUID(),
    createdAt: new Date(Date.now() - 1000),
    text: `Vores nye fabrik i Esbjerg åbner i dag: ${trackedUrl}`,
    trackedUrl,
    language: "da",
    link: { url: trackedUrl, title: "Ny fabrik i Esbjerg", description: "200 nye job", imageUrl: "https://nordlys.example/fabrik.png" },
    placement,
  };
}

describe("the organisation's setting", () => {
  it("is the card on every network until an admin changes it; the change is audited and recorded on new shares", async () => {
    const { cli } = await makeOrganization();
    expect((await getOrganizationSettings(db(), cli.orgId)).linkPlacement).toEqual(CARDS);
    const admin = await makeMember(cli, ["admin"]);
    const story = await makePublishedStory(cli, { title: "Nordlys bygger vindmøller", canonicalUrl: "https://nordlys.example/vindmoeller" });
    const mette = await makeSharer(cli, { networks: ["x", "mastodon"] });

    const before = await createShares(db(), cli, mette.user.id, { storyId: story.id, posts: [{ connectionId: mette.connections.x!.id, text: "Se her https://nordlys.example/vindmoeller" }] });
    expect(before.map((s) => s.placement)).toEqual(["card"]);

    signIn(admin, ["admin"]);
    expect(await saveLinkPlacementAction({ ...CARDS, mastodon: "text" })).toMatchObject({ ok: true });
    expect((await getOrganizationSettings(db(), cli.orgId)).linkPlacement).toEqual({ ...CARDS, mastodon: "text" });
    const [entry] = await db().select().from(auditLog).where(and(eq(auditLog.orgId, cli.orgId), eq(auditLog.action, "org.linkPlacement")));
    expect(entry).toMatchObject({ actorUserId: admin.user.id, before: CARDS, after: { ...CARDS, mastodon: "text" } });

    const after = await createShares(db(), cli, mette.user.id, {
      storyId: story.id,
      posts: [
        { connectionId: mette.connections.x!.id, text: "Igen https://nordlys.example/vindmoeller" },
        { connectionId: mette.connections.mastodon!.id, text: "Igen https://nordlys.example/vindmoeller" },
      ],
    });
    expect(Object.fromEntries(after.map((s) => [s.network, s.placement]))).toEqual({ x: "card", mastodon: "text" });
    // The share made before the change keeps the placement it was made with.
    expect(before[0]!.placement).toBe("card");
  });

  it("\"compare both\" alternates the story's shares on the network between card and text", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const story = await makePublishedStory(cli, { title: "Nordlys måler", canonicalUrl: "https://nordlys.example/maaling" });
    await updateLinkPlacement(db(), admin.scope, { ...CARDS, mastodon: "compare" });
    const placements: string[] = [];
    for (let i = 0; i < 6; i++) {
      const sharer = await makeSharer(cli, { networks: ["x", "mastodon"] });
      const made = await createShares(db(), cli, sharer.user.id, {
        storyId: story.id,
        posts: [
          { connectionId: sharer.connections.mastodon!.id, text: "Se https://nordlys.example/maaling" },
          { connectionId: sharer.connections.x!.id, text: "Se https://nordlys.example/maaling" },
        ],
      });
      const byNetwork = Object.fromEntries(made.map((s) => [s.network, s.placement]));
      // X keeps its own setting (the card); Mastodon compares.
      expect(byNetwork.x).toBe("card");
      placements.push(byNetwork.mastodon!);
    }
    expect(placements).toEqual(["card", "text", "card", "text", "card", "text"]);
  });

  it("refuses an unknown placement, a placement for the wrong network and an unknown network, changing nothing; only admins may change it", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const editor = await makeMember(cli, ["editor", "manager"]);

    signIn(admin, ["admin"]);
    for (const bad of [{ ...CARDS, x: "banner" }, { ...CARDS, x: "first-comment" }, { ...CARDS, threads: "text" }, { ...CARDS, mastodon: null }]) {
      expect(await saveLinkPlacementAction(bad as never)).toMatchObject({ ok: false, error: "invalidInput" });
    }
    await expect(updateLinkPlacement(db(), admin.scope, { ...CARDS, linkedin: "comment" } as never)).rejects.toThrow();

    signIn(editor, ["editor", "manager"]);
    expect(await saveLinkPlacementAction({ ...CARDS, linkedin: "text" })).toEqual({ ok: false, error: "forbidden" });

    expect((await getOrganizationSettings(db(), cli.orgId)).linkPlacement).toEqual(CARDS);
    expect(await db().select().from(auditLog).where(and(eq(auditLog.orgId, cli.orgId), eq(auditLog.action, "org.linkPlacement")))).toEqual([]);
  });
});

describe("publishing with the URL in the text", () => {
  it("LinkedIn: the post has the commentary with the link and no article; the recovery look-up still finds it", async () => {
    // r_member_social lets findPost read the member's recent posts (networks.md §1).
    const token = linkedinFake.createToken("sofie-holm", ["openid", "profile", "email", "w_member_social", "r_member_social"]);
    const member = linkedinFake.member("sofie-holm");
    const ctx: AccountContext = { instanceUrl: null, client: null, account: { externalId: member.sub, handle: "Sofie Holm" } };
    const post = outgoing("text");

    const made = await linkedin.publish!(ctx, bearer(token), post);

    const request = linkedinFake.requests.findLast((r) => r.method === "POST" && r.path === "/rest/posts")!;
    const body = request.body as Record<string, unknown>;
    expect(body).not.toHaveProperty("content");
    expect(body.commentary).toContain(post.trackedUrl);
    expect(await linkedin.findPost!(ctx, bearer(token), post)).toMatchObject({ externalId: made.externalId });

    // The card placement, same adapter: the article is there.
    await linkedin.publish!(ctx, bearer(token), { ...outgoing("card"), link: { ...post.link, imageUrl: null } });
    const cardRequest = linkedinFake.requests.findLast((r) => r.method === "POST" && r.path === "/rest/posts")!;
    expect((cardRequest.body as { content?: { article?: unknown } }).content?.article).toBeDefined();
  });

  it.skipIf(Boolean(atprotoMissing))("Bluesky (real local PDS): the record has the link facet and no embed; findPost finds it", { timeout: 60_000 }, async () => {
    const account = network!.account("sofie.test");
    const { tokens } = await bluesky.login(network!.pdsUrl, { identifier: account.handle, password: account.appPassword });
    const ctx: AccountContext = { instanceUrl: network!.pdsUrl, client: null };
    const post = outgoing("text");

    const made = await bluesky.publish!(ctx, tokens, post);

    const pds = new AtpAgent({ service: network!.pdsUrl });
    const { data } = await pds.com.atproto.repo.getRecord({ repo: account.did, collection: "app.bsky.feed.post", rkey: blueskyRecordKey(post) });
    const record = data.value as AppBskyFeedPost.Record;
    expect(record.embed).toBeUndefined();
    expect(record.text).toBe(post.text);
    const link = record.facets?.flatMap((f) => f.features).find((feature) => feature.$type === "app.bsky.richtext.facet#link");
    expect(link).toMatchObject({ uri: post.trackedUrl });
    expect(await bluesky.findPost!(ctx, tokens, post)).toEqual(made);
  });
});

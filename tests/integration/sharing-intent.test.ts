import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { organizations, shares, trackedLinks, type NetworkId } from "@/db/schema";
import { db } from "@/lib/db";
import { trackedUrl } from "@/lib/links/tracked-links";
import { updateGovernance } from "@/lib/orgs/governance";
import { confirmIntentShare, createIntentShare, createShares } from "@/lib/shares";
import type { Scope } from "@/lib/tenant";
import { makeMember, makeOrganization, makePublishedStory, makeSharer } from "../support/factories";

/**
 * Sharing through a network's own share window (networks.md §8): the share and its
 * tracked link are recorded, the window's address carries the tracked link (and the text
 * where the window takes one), and the person then says whether they posted it.
 */

const TAG = "#nordlysansat";
const STORY_URL = "https://nordlys.example/nyheder/vindmoeller";
const TRACKED = /^http:\/\/localhost:3999\/r\/[0-9A-Za-z]{10}$/;

async function scene() {
  const { cli } = await makeOrganization("Nordlys Energi A/S");
  await updateGovernance(db(), cli, { approvalRequired: false, disclosureHashtag: TAG, blockedWords: [] });
  const story = await makePublishedStory(cli, { canonicalUrl: STORY_URL });
  const jonas = await makeSharer(cli, { networks: [], name: "Jonas Holm" });
  return { cli, story, jonas };
}

async function setFacebookAppId(scope: Scope, appId: string) {
  const [org] = await db().select().from(organizations).where(eq(organizations.id, scope.orgId));
  await db()
    .update(organizations)
    .set({ settings: { ...org!.settings, facebookAppId: appId } })
    .where(eq(organizations.id, scope.orgId));
}

async function codeOf(shareId: string) {
  const [link] = await db().select().from(trackedLinks).where(eq(trackedLinks.shareId, shareId));
  return link!;
}

/** What each network's window must look like: host, path, and the parameters it carries. */
type Expectation = { host: string; path: string; params: (ctx: { link: string; text: string }) => Record<string, string>; takesText: boolean };

const windows: Record<Exclude<NetworkId, "facebook">, Expectation> = {
  linkedin: { host: "www.linkedin.com", path: "/sharing/share-offsite/", params: ({ link }) => ({ url: link }), takesText: false },
  xing: { host: "www.xing.com", path: "/spi/shares/new", params: ({ link }) => ({ url: link }), takesText: false },
  x: { host: "x.com", path: "/intent/tweet", params: ({ text }) => ({ text }), takesText: true },
  bluesky: { host: "bsky.app", path: "/intent/compose", params: ({ text }) => ({ text }), takesText: true },
  threads: { host: "www.threads.net", path: "/intent/post", params: ({ text }) => ({ text }), takesText: true },
  mastodon: { host: "social.example.dk", path: "/share", params: ({ text }) => ({ text }), takesText: true },
};

describe("createIntentShare: the share window of each network", () => {
  for (const [network, expected] of Object.entries(windows) as Array<[keyof typeof windows, Expectation]>) {
    it(`${network}: ${expected.host}${expected.path} with the tracked link${expected.takesText ? " in the text" : ", the text to copy"}`, async () => {
      const { cli, story, jonas } = await scene();
      const result = await createIntentShare(db(), cli, jonas.user.id, {
        storyId: story.id,
        network,
        text: `Flot arbejde! ${STORY_URL}`,
        ...(network === "mastodon" ? { mastodonInstance: "https://social.example.dk/" } : {}),
      });

      const link = trackedUrl((await codeOf(result.share.id)).code);
      expect(link).toMatch(TRACKED);
      expect(result.share).toMatchObject({ network, mode: "intent", status: "scheduled", connectionId: null, userId: jonas.user.id });
      expect(result.share.text).toBe(`Flot arbejde! ${link} ${TAG}`);

      const url = new URL(result.url);
      expect(url.protocol).toBe("https:");
      expect(url.host).toBe(expected.host);
      expect(url.pathname).toBe(expected.path);
      expect(Object.fromEntries(url.searchParams)).toEqual(expected.params({ link, text: result.share.text }));
      if (expected.takesText) expect(url.searchParams.get("text")).toContain(link);
      expect(result.copyText).toBe(expected.takesText ? null : result.share.text);
    });
  }

  it("facebook without an app id: the sharer with the tracked link, the text to copy", async () => {
    const { cli, story, jonas } = await scene();
    const result = await createIntentShare(db(), cli, jonas.user.id, { storyId: story.id, network: "facebook", text: "Flot arbejde!" });
    const link = trackedUrl((await codeOf(result.share.id)).code);
    const url = new URL(result.url);
    expect(`${url.host}${url.pathname}`).toBe("www.facebook.com/sharer/sharer.php");
    expect(Object.fromEntries(url.searchParams)).toEqual({ u: link });
    expect(result.copyText).toBe(`Flot arbejde! ${link} ${TAG}`);
  });

  it("facebook with the organisation's app id: the official share dialog with href and the disclosure hashtag", async () => {
    const { cli, story, jonas } = await scene();
    await setFacebookAppId(cli, "123456789012");
    const result = await createIntentShare(db(), cli, jonas.user.id, { storyId: story.id, network: "facebook", text: "Flot arbejde!" });
    const link = trackedUrl((await codeOf(result.share.id)).code);
    const url = new URL(result.url);
    expect(`${url.host}${url.pathname}`).toBe("www.facebook.com/dialog/share");
    expect(Object.fromEntries(url.searchParams)).toEqual({ app_id: "123456789012", display: "popup", href: link, hashtag: TAG });
    expect(result.copyText).toBe(result.share.text);
  });

  it("records the tracked link with the network as utm_source", async () => {
    const { cli, story, jonas } = await scene();
    const result = await createIntentShare(db(), cli, jonas.user.id, { storyId: story.id, network: "xing", text: "Se her" });
    const row = await codeOf(result.share.id);
    const destination = new URL(row.destination);
    expect(destination.searchParams.get("utm_source")).toBe("xing");
    expect(destination.searchParams.get("utm_medium")).toBe("employee_advocacy");
    expect(destination.searchParams.get("utm_campaign")).toBe(story.slug);
    expect(destination.searchParams.get("utm_content")).toBe(result.share.id);
  });

  it("hands the window the tracked link even when the text also mentions another address with /r/ in it", async () => {
    const { cli, story, jonas } = await scene();
    const result = await createIntentShare(db(), cli, jonas.user.id, {
      storyId: story.id,
      network: "linkedin",
      text: "Som diskuteret på https://www.reddit.com/r/Denmark i går",
    });
    const link = trackedUrl((await codeOf(result.share.id)).code);
    expect(new URL(result.url).searchParams.get("url")).toBe(link);
  });

  it("refuses a text over the limit on every share-window network, and records nothing", async () => {
    const { cli, story, jonas } = await scene();
    const over = { facebook: "ø".repeat(5001), xing: "ø".repeat(3001), threads: "🌱".repeat(130), bluesky: "ø".repeat(301), mastodon: "ø".repeat(501), linkedin: "ø".repeat(3001) } as const;
    for (const [network, text] of Object.entries(over)) {
      await expect(createIntentShare(db(), cli, jonas.user.id, { storyId: story.id, network: network as keyof typeof over, text })).rejects.toMatchObject({
        status: 422,
        fieldErrors: { text: [expect.stringMatching(/^tooLongFor:/)] },
      });
    }
    expect(await db().select().from(shares).where(eq(shares.userId, jonas.user.id))).toEqual([]);
  });

  it("checks the text like any share (the tag and the tracked link counted) and refuses before the guidelines are accepted", async () => {
    const { cli, story, jonas } = await scene();
    await expect(
      createIntentShare(db(), cli, jonas.user.id, { storyId: story.id, network: "x", text: "Vindmøller ved Esbjerg. ".repeat(11).slice(0, 250) }),
    ).rejects.toMatchObject({ status: 422, fieldErrors: { text: ["tooLongFor:280"] } });

    const newcomer = await makeMember(cli, ["employee"]);
    await expect(createIntentShare(db(), cli, newcomer.user.id, { storyId: story.id, network: "linkedin", text: "Hej" })).rejects.toMatchObject({
      status: 409,
      code: "guidelinesNotAccepted",
    });
    const rows = await db().select().from(shares).where(eq(shares.orgId, cli.orgId));
    expect(rows).toHaveLength(0);
  });
});

describe("confirmIntentShare: did you post it?", () => {
  it("yes marks the share published now; no cancels it", async () => {
    const { cli, story, jonas } = await scene();
    const posted = await createIntentShare(db(), cli, jonas.user.id, { storyId: story.id, network: "linkedin", text: "Se her" });
    const skipped = await createIntentShare(db(), cli, jonas.user.id, { storyId: story.id, network: "facebook", text: "Se her" });
    const before = Date.now();

    const yes = await confirmIntentShare(db(), cli, jonas.user.id, posted.share.id, true);
    expect(yes).toMatchObject({ id: posted.share.id, status: "published", cancelledAt: null });
    expect(yes.publishedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(yes.publishedAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

    const no = await confirmIntentShare(db(), cli, jonas.user.id, skipped.share.id, false);
    expect(no).toMatchObject({ id: skipped.share.id, status: "cancelled", publishedAt: null });
    expect(no.cancelledAt).toBeInstanceOf(Date);
  });

  it("answers only once: a second answer is refused and changes nothing", async () => {
    const { cli, story, jonas } = await scene();
    const a = await createIntentShare(db(), cli, jonas.user.id, { storyId: story.id, network: "linkedin", text: "Se her" });
    const b = await createIntentShare(db(), cli, jonas.user.id, { storyId: story.id, network: "xing", text: "Se her" });
    await confirmIntentShare(db(), cli, jonas.user.id, a.share.id, true);
    await confirmIntentShare(db(), cli, jonas.user.id, b.share.id, false);

    await expect(confirmIntentShare(db(), cli, jonas.user.id, a.share.id, false)).rejects.toMatchObject({ name: "DomainError" });
    await expect(confirmIntentShare(db(), cli, jonas.user.id, b.share.id, true)).rejects.toMatchObject({ name: "DomainError" });
    const [ra] = await db().select().from(shares).where(eq(shares.id, a.share.id));
    const [rb] = await db().select().from(shares).where(eq(shares.id, b.share.id));
    expect(ra).toMatchObject({ status: "published", cancelledAt: null });
    expect(rb).toMatchObject({ status: "cancelled", publishedAt: null });
  });

  it("answers 404 for another person's share, and for a share Ripple posts itself", async () => {
    const { cli, story, jonas } = await scene();
    const mine = await createIntentShare(db(), cli, jonas.user.id, { storyId: story.id, network: "linkedin", text: "Se her" });
    const colleague = await makeSharer(cli, { networks: ["x"] });
    await expect(confirmIntentShare(db(), cli, colleague.user.id, mine.share.id, true)).rejects.toMatchObject({ status: 404, code: "notFound" });

    const [apiShare] = await createShares(db(), cli, colleague.user.id, { storyId: story.id, posts: [{ connectionId: colleague.connections.x!.id, text: "Se her" }] });
    await expect(confirmIntentShare(db(), cli, colleague.user.id, apiShare!.id, true)).rejects.toMatchObject({ status: 404 });

    const [row] = await db().select().from(shares).where(eq(shares.id, mine.share.id));
    expect(row).toMatchObject({ status: "scheduled", publishedAt: null });
  });
});

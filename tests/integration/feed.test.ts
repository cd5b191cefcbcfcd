import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { shares, stories, storyAudiences, storyTopics, type NetworkId, type NewStory, type ShareStatus, type StoryStatus } from "@/db/schema";
import { db } from "@/lib/db";
import { updateFeedSettings } from "@/lib/orgs/feed-settings";
import { decodeFeedCursor, listFeed, listFeedCards } from "@/lib/stories/feed";
import { createTeam } from "@/lib/teams";
import { createTopic } from "@/lib/topics";
import type { Scope } from "@/lib/tenant";
import { makeMember, makeOrganization } from "../support/factories";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(Date.now() - ms);
const ahead = (ms: number) => new Date(Date.now() + ms);

type StoryOptions = Partial<Omit<NewStory, "orgId" | "slug">> & { audiences?: string[] };

/** A story inserted straight into the tables (published an hour ago unless told otherwise). */
async function makeStory(scope: Scope, title: string, options: StoryOptions = {}) {
  const { audiences = [], ...values } = options;
  const [story] = await db()
    .insert(stories)
    .values({
      orgId: scope.orgId,
      slug: `${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${randomBytes(3).toString("hex")}`,
      title,
      language: "da",
      status: "published" as StoryStatus,
      publishAt: ago(HOUR),
      publishedAt: ago(HOUR),
      ...values,
    })
    .returning();
  if (audiences.length > 0) await db().insert(storyAudiences).values(audiences.map((teamId) => ({ storyId: story!.id, teamId })));
  return story!;
}

async function feedTitles(scope: Scope, userId: string) {
  return (await listFeed(db(), scope, userId, { limit: 50 })).items.map((s) => s.title);
}

/** Salg ─┬─ Salg Øst        Teknik
 *        └─ Salg Vest */
async function organisation() {
  const { cli } = await makeOrganization();
  const salg = await createTeam(db(), cli, { name: "Salg" });
  const oest = await createTeam(db(), cli, { name: "Salg Øst", parentId: salg.id });
  const vest = await createTeam(db(), cli, { name: "Salg Vest", parentId: salg.id });
  const teknik = await createTeam(db(), cli, { name: "Teknik" });
  return { cli, salg, oest, vest, teknik };
}

describe("the employee feed", () => {
  it("shows stories for the whole organisation and for the member's team or any team above it", async () => {
    const { cli, salg, oest, vest, teknik } = await organisation();
    const jonas = await makeMember(cli, ["employee"], { teamId: oest.id });

    await makeStory(cli, "For alle");
    await makeStory(cli, "For Salg", { audiences: [salg.id] });
    await makeStory(cli, "For Salg Øst", { audiences: [oest.id] });
    await makeStory(cli, "For Salg Vest", { audiences: [vest.id] });
    await makeStory(cli, "For Teknik", { audiences: [teknik.id] });
    await makeStory(cli, "For Teknik og Salg Øst", { audiences: [teknik.id, oest.id] });

    expect((await feedTitles(cli, jonas.user.id)).sort()).toEqual(["For Salg", "For Salg Øst", "For Teknik og Salg Øst", "For alle"].sort());
  });

  it("shows a member of a parent team the stories for that team, not those for its sub-teams", async () => {
    const { cli, salg, oest } = await organisation();
    const anne = await makeMember(cli, ["manager", "employee"], { teamId: salg.id });
    await makeStory(cli, "For Salg", { audiences: [salg.id] });
    await makeStory(cli, "For Salg Øst", { audiences: [oest.id] });

    expect(await feedTitles(cli, anne.user.id)).toEqual(["For Salg"]);
  });

  it("shows a member without a team only the stories for everyone", async () => {
    const { cli, salg } = await organisation();
    const loner = await makeMember(cli, ["employee"]);
    await makeStory(cli, "For alle");
    await makeStory(cli, "For Salg", { audiences: [salg.id] });

    expect(await feedTitles(cli, loner.user.id)).toEqual(["For alle"]);
  });

  it("shows only published stories", async () => {
    const { cli } = await organisation();
    const member = await makeMember(cli, ["employee"]);
    for (const status of ["draft", "in_review", "approved", "archived"] as const) {
      await makeStory(cli, `Status ${status}`, { status, publishedAt: null });
    }
    await makeStory(cli, "Status published");

    expect(await feedTitles(cli, member.user.id)).toEqual(["Status published"]);
  });

  it("shows a story only inside its publish window", async () => {
    const { cli } = await organisation();
    const member = await makeMember(cli, ["employee"]);
    await makeStory(cli, "Not yet", { publishAt: ahead(HOUR) });
    await makeStory(cli, "Expired", { publishAt: ago(10 * DAY), expiresAt: ago(HOUR) });
    await makeStory(cli, "Expiring later", { publishAt: ago(2 * HOUR), expiresAt: ahead(DAY) });
    await makeStory(cli, "No window", { publishAt: null });

    expect((await feedTitles(cli, member.user.id)).sort()).toEqual(["Expiring later", "No window"]);
  });

  it("puts pinned stories first, then the newest", async () => {
    const { cli } = await organisation();
    const member = await makeMember(cli, ["employee"]);
    await makeStory(cli, "Old", { publishAt: ago(5 * DAY), publishedAt: ago(5 * DAY) });
    await makeStory(cli, "Pinned and old", { publishAt: ago(9 * DAY), publishedAt: ago(9 * DAY), pinned: true });
    await makeStory(cli, "Newest", { publishAt: ago(HOUR) });
    await makeStory(cli, "Yesterday", { publishAt: ago(DAY) });

    expect(await feedTitles(cli, member.user.id)).toEqual(["Pinned and old", "Newest", "Yesterday", "Old"]);
  });

  it("orders a story published without a scheduled time by when it went live", async () => {
    const { cli } = await organisation();
    const member = await makeMember(cli, ["employee"]);
    // Published straight away ten days ago: no publish_at, only published_at.
    await makeStory(cli, "Ten days old", { publishAt: null, publishedAt: ago(10 * DAY), createdAt: ago(10 * DAY) });
    await makeStory(cli, "An hour old", { publishAt: ago(HOUR), publishedAt: ago(HOUR) });

    expect(await feedTitles(cli, member.user.id)).toEqual(["An hour old", "Ten days old"]);
  });

  it("never shows another organisation's stories, even to a member of both", async () => {
    const mine = await organisation();
    const theirs = await organisation();
    const member = await makeMember(mine.cli, ["employee"], { teamId: mine.oest.id });
    await makeMember(theirs.cli, ["employee"], { email: member.user.email, teamId: theirs.oest.id });
    await makeStory(mine.cli, "Ours");
    await makeStory(theirs.cli, "Theirs for all");
    await makeStory(theirs.cli, "Theirs for Salg", { audiences: [theirs.salg.id] });

    expect(await feedTitles(mine.cli, member.user.id)).toEqual(["Ours"]);
    expect((await feedTitles(theirs.cli, member.user.id)).sort()).toEqual(["Theirs for Salg", "Theirs for all"]);
  });

  it("returns what the feed card needs and honours the limit", async () => {
    const { cli } = await organisation();
    const member = await makeMember(cli, ["employee"]);
    const story = await makeStory(cli, "Card", { summary: "Kort resumé", canonicalUrl: "https://nordlys.example/card", language: "en" });
    await makeStory(cli, "Older", { publishAt: ago(DAY) });

    const page = await listFeed(db(), cli, member.user.id, { limit: 1 });
    const [first, ...rest] = page.items;
    expect(rest).toEqual([]);
    expect(page.nextCursor).not.toBeNull();
    expect(first).toMatchObject({ id: story.id, title: "Card", summary: "Kort resumé", canonicalUrl: "https://nordlys.example/card", language: "en", pinned: false });
  });
});

/** A share row as the publisher leaves it: published (at `at`) or still scheduled (for `at`). */
async function share(scope: Scope, storyId: string, userId: string, network: NetworkId, status: ShareStatus, at: Date, mode: "api" | "intent" = "api") {
  await db()
    .insert(shares)
    .values({ orgId: scope.orgId, storyId, userId, network, mode, text: "Se her", status, scheduledAt: at, publishedAt: status === "published" ? at : null });
}

async function cards(scope: Scope, userId: string) {
  const page = await listFeedCards(db(), scope, userId, { limit: 50 });
  return new Map(page.items.map((card) => [card.title, card]));
}

describe("the feed's cards", () => {
  it("say when and where the viewer shared a story: the latest published share's date and every network it went to", async () => {
    const { cli } = await organisation();
    const me = await makeMember(cli, ["employee"]);
    const shared = await makeStory(cli, "Delt");
    const planned = await makeStory(cli, "Planlagt");
    const windowOnly = await makeStory(cli, "Kun vindue");
    await makeStory(cli, "Urørt");
    const dec3 = new Date("2026-12-03T09:00:00Z");
    await share(cli, shared.id, me.user.id, "linkedin", "published", new Date("2026-12-01T09:00:00Z"));
    await share(cli, shared.id, me.user.id, "x", "published", dec3);
    await share(cli, shared.id, me.user.id, "mastodon", "failed", ahead(HOUR));
    await share(cli, planned.id, me.user.id, "bluesky", "scheduled", ahead(DAY));
    // A share window opened and never confirmed is no share.
    await share(cli, windowOnly.id, me.user.id, "facebook", "scheduled", ago(HOUR), "intent");

    const byTitle = await cards(cli, me.user.id);
    expect(byTitle.get("Delt")!.myShare).toEqual({ status: "published", networks: ["linkedin", "x"], at: dec3 });
    expect(byTitle.get("Planlagt")!.myShare).toMatchObject({ status: "scheduled", networks: ["bluesky"] });
    expect(byTitle.get("Kun vindue")!.myShare).toBeNull();
    expect(byTitle.get("Urørt")!.myShare).toBeNull();
  });

  it("count the colleagues who published a share, each once, not the viewer nor another organisation's people", async () => {
    const mine = await organisation();
    const theirs = await organisation();
    const me = await makeMember(mine.cli, ["employee"]);
    const [anna, bo, cleo] = await Promise.all([makeMember(mine.cli, ["employee"]), makeMember(mine.cli, ["employee"]), makeMember(mine.cli, ["employee"])]);
    const stranger = await makeMember(theirs.cli, ["employee"]);
    const story = await makeStory(mine.cli, "Populær");
    await share(mine.cli, story.id, anna.user.id, "linkedin", "published", ago(HOUR));
    await share(mine.cli, story.id, anna.user.id, "x", "published", ago(HOUR));
    await share(mine.cli, story.id, bo.user.id, "linkedin", "published", ago(HOUR));
    await share(mine.cli, story.id, cleo.user.id, "linkedin", "scheduled", ahead(HOUR));
    await share(mine.cli, story.id, me.user.id, "linkedin", "published", ago(HOUR));
    // A row wrongly carrying another organisation's id never counts here.
    await share(theirs.cli, story.id, stranger.user.id, "linkedin", "published", ago(HOUR));

    expect((await cards(mine.cli, me.user.id)).get("Populær")!.colleagues).toBe(2);
    expect((await cards(mine.cli, cleo.user.id)).get("Populær")!.colleagues).toBe(3);
  });

  it("hide the colleague count when the organisation turns it off", async () => {
    const { cli } = await organisation();
    const me = await makeMember(cli, ["employee"]);
    const other = await makeMember(cli, ["employee"]);
    const admin = await makeMember(cli, ["admin"]);
    const story = await makeStory(cli, "Stille");
    await share(cli, story.id, other.user.id, "linkedin", "published", ago(HOUR));
    expect((await cards(cli, me.user.id)).get("Stille")!.colleagues).toBe(1);

    await updateFeedSettings(db(), admin.scope, { showColleagueShares: false });
    expect((await cards(cli, me.user.id)).get("Stille")!.colleagues).toBeNull();
  });

  it("carry the stored image key and the story's topics, and keep the keyset pages", async () => {
    const { cli } = await organisation();
    const me = await makeMember(cli, ["employee"]);
    const wind = await createTopic(db(), cli, "Vind");
    const sol = await createTopic(db(), cli, "Sol");
    const story = await makeStory(cli, "Med billede", { imageUrl: "https://nordlys.example/a.png", imageKey: `${cli.orgId}/abcdefghijklmnopqrstuvwx.png` });
    await db().insert(storyTopics).values([{ storyId: story.id, topicId: wind.id }, { storyId: story.id, topicId: sol.id }]);
    await makeStory(cli, "Uden billede", { publishAt: ago(DAY) });

    const first = await listFeedCards(db(), cli, me.user.id, { limit: 1 });
    expect(first.items).toHaveLength(1);
    expect(first.items[0]).toMatchObject({ title: "Med billede", imageKey: `${cli.orgId}/abcdefghijklmnopqrstuvwx.png`, myShare: null, colleagues: 0 });
    expect(first.items[0]!.topicIds.sort()).toEqual([wind.id, sol.id].sort());
    const second = await listFeedCards(db(), cli, me.user.id, { limit: 1, cursor: decodeFeedCursor(first.nextCursor!)! });
    expect(second.items).toMatchObject([{ title: "Uden billede", imageKey: null, topicIds: [] }]);
    expect(second.nextCursor).toBeNull();
  });
});

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { stories, storyAudiences, type NewStory, type StoryStatus } from "@/db/schema";
import { db } from "@/lib/db";
import { listFeed } from "@/lib/stories/feed";
import { createTeam } from "@/lib/teams";
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

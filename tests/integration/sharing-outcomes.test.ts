import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { shares } from "@/db/schema";
import { db } from "@/lib/db";
import { createShares, outcomeSettled, shareOutcomes } from "@/lib/shares";
import { makeOrganization, makePublishedStory, makeSharer } from "../support/factories";

/** What the composer shows after "Share": the person's own shares only, and when it may stop asking. */

describe("shareOutcomes", () => {
  it("answers for the person's own shares and leaves out a colleague's and another organisation's", async () => {
    const { cli } = await makeOrganization();
    const { cli: other } = await makeOrganization();
    const story = await makePublishedStory(cli);
    const otherStory = await makePublishedStory(other);
    const me = await makeSharer(cli, { networks: ["x", "mastodon"] });
    const colleague = await makeSharer(cli, { networks: ["x"] });
    const stranger = await makeSharer(other, { networks: ["x"] });
    const later = new Date(Date.now() + 3 * 3_600_000);
    const mine = await createShares(db(), cli, me.user.id, {
      storyId: story.id,
      scheduledAt: later,
      posts: [
        { connectionId: me.connections.x!.id, text: "Mit opslag" },
        { connectionId: me.connections.mastodon!.id, text: "Mit andet opslag" },
      ],
    });
    const [theirs] = await createShares(db(), cli, colleague.user.id, { storyId: story.id, posts: [{ connectionId: colleague.connections.x!.id, text: "Kollegas" }] });
    const [foreign] = await createShares(db(), other, stranger.user.id, { storyId: otherStory.id, posts: [{ connectionId: stranger.connections.x!.id, text: "Fremmed" }] });
    await db().update(shares).set({ status: "published", externalUrl: "https://x.example/status/1", publishedAt: new Date() }).where(eq(shares.id, mine[0]!.id));

    const answer = await shareOutcomes(db(), cli, me.user.id, [mine[0]!.id, mine[1]!.id, theirs!.id, foreign!.id]);
    expect(answer.map((o) => o.id).sort()).toEqual([mine[0]!.id, mine[1]!.id].sort());
    expect(answer.find((o) => o.id === mine[0]!.id)).toMatchObject({ status: "published", externalUrl: "https://x.example/status/1", network: "x" });
    expect(answer.find((o) => o.id === mine[1]!.id)).toMatchObject({ status: "scheduled", network: "mastodon", externalUrl: null });
    // The colleague's own share, asked in another organisation's scope: nothing.
    expect(await shareOutcomes(db(), other, colleague.user.id, [theirs!.id])).toEqual([]);
    expect(await shareOutcomes(db(), cli, colleague.user.id, [theirs!.id])).toHaveLength(1);
  });
});

describe("outcomeSettled", () => {
  const now = new Date("2026-12-04T12:00:00Z");
  it("waits while a share due now is on its way, and stops at an end or a time still ahead", () => {
    expect(outcomeSettled({ status: "scheduled", scheduledAt: now }, now)).toBe(false);
    expect(outcomeSettled({ status: "publishing", scheduledAt: now }, now)).toBe(false);
    expect(outcomeSettled({ status: "scheduled", scheduledAt: new Date(now.getTime() + 10 * 60_000) }, now)).toBe(true);
    for (const status of ["published", "failed", "cancelled", "needs_attention"] as const) expect(outcomeSettled({ status, scheduledAt: now }, now)).toBe(true);
  });
});

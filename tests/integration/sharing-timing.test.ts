import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { organizations, reachSnapshots, shares } from "@/db/schema";
import { db } from "@/lib/db";
import { getOrganizationSettings } from "@/lib/orgs";
import { suggestShareTime } from "@/lib/shares";
import { nextOccurrence, spreadFromColleagues } from "@/lib/shares/timing";
import type { Scope } from "@/lib/tenant";
import { makeMember, makeOrganization, makePublishedStory } from "../support/factories";

/**
 * When to share: the person's own best weekday and hour once they have enough published
 * shares with engagement, else the organisation's default windows — in the organisation's
 * time zone, at least 30 minutes ahead, right across daylight-saving changes.
 */

const MINUTE = 60_000;
const CPH = "Europe/Copenhagen";

/** Weekday, hour and minute of an instant on the wall clock of a zone. */
function wallClock(instant: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", day: "2-digit", month: "2-digit" })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return { weekday: parts.weekday, hour: Number(parts.hour), minute: Number(parts.minute), date: `${parts.day}/${parts.month}` };
}

async function suggest(scope: Scope, userId: string, now: Date) {
  const settings = await getOrganizationSettings(db(), scope.orgId);
  return suggestShareTime(db(), scope, userId, { timeZone: settings.timeZone, windows: settings.defaultShareWindows, now });
}

/** A published share by the person at an instant, with the engagement its latest snapshot reports. */
async function publishedShare(scope: Scope, storyId: string, userId: string, publishedAt: Date, engagement: { likes: number; comments?: number; reshares?: number } | null, mode: "api" | "intent" = "api") {
  const [share] = await db()
    .insert(shares)
    .values({ orgId: scope.orgId, storyId, userId, network: "linkedin", mode, text: "Delt", status: "published", scheduledAt: publishedAt, publishedAt })
    .returning();
  if (engagement) {
    // An early snapshot with less, then the latest one that counts.
    await db()
      .insert(reachSnapshots)
      .values([
        { orgId: scope.orgId, shareId: share!.id, poll: 0, capturedAt: new Date(publishedAt.getTime() + 60 * MINUTE), likes: 0, comments: 0, reshares: 0 },
        {
          orgId: scope.orgId,
          shareId: share!.id,
          poll: 2,
          capturedAt: new Date(publishedAt.getTime() + 24 * 60 * MINUTE),
          impressions: 1000,
          likes: engagement.likes,
          comments: engagement.comments ?? null,
          reshares: engagement.reshares ?? null,
        },
      ]);
  }
  return share!;
}

async function scene() {
  const { cli } = await makeOrganization();
  const story = await makePublishedStory(cli);
  const person = await makeMember(cli, ["employee"]);
  return { cli, story, person };
}

describe("suggestShareTime without history: the organisation's default windows", () => {
  it("suggests the next default window (Tuesday 08, Wednesday 12, Thursday 08) in Copenhagen time", async () => {
    const { cli, person } = await scene();
    // Monday 2 March 2026, 10:00 in Copenhagen (CET).
    const now = new Date("2026-03-02T09:00:00Z");
    const suggestion = await suggest(cli, person.user.id, now);
    expect(suggestion!.basis).toBe("organisation");
    expect(wallClock(suggestion!.at, CPH)).toEqual({ weekday: "Tue", hour: 8, minute: 0, date: "03/03" });
    expect(suggestion!.at.toISOString()).toBe("2026-03-03T07:00:00.000Z");
    expect(suggestion!.at.getTime() - now.getTime()).toBeGreaterThanOrEqual(30 * MINUTE);
  });

  it("skips a window less than 30 minutes ahead, and takes one exactly 30 minutes ahead", async () => {
    const { cli, person } = await scene();
    // Tuesday 3 March 2026, 07:45 in Copenhagen: 08:00 is only 15 minutes away.
    const close = await suggest(cli, person.user.id, new Date("2026-03-03T06:45:00Z"));
    expect(wallClock(close!.at, CPH)).toMatchObject({ weekday: "Wed", hour: 12, minute: 0, date: "04/03" });
    // 07:30: 08:00 is exactly 30 minutes away.
    const exact = await suggest(cli, person.user.id, new Date("2026-03-03T06:30:00Z"));
    expect(exact!.at.toISOString()).toBe("2026-03-03T07:00:00.000Z");
  });

  it("wraps round the week: after Thursday's window, next Tuesday", async () => {
    const { cli, person } = await scene();
    const suggestion = await suggest(cli, person.user.id, new Date("2026-03-05T10:00:00Z"));
    expect(wallClock(suggestion!.at, CPH)).toMatchObject({ weekday: "Tue", hour: 8, date: "10/03" });
  });

  it("uses the organisation's own time zone", async () => {
    const { cli, person } = await scene();
    const [org] = await db().select().from(organizations).where(eq(organizations.id, cli.orgId));
    await db()
      .update(organizations)
      .set({ settings: { ...org!.settings, timeZone: "America/New_York", defaultShareWindows: [{ weekday: 5, hour: 9 }] } })
      .where(eq(organizations.id, cli.orgId));
    const suggestion = await suggest(cli, person.user.id, new Date("2026-03-02T09:00:00Z"));
    expect(wallClock(suggestion!.at, "America/New_York")).toMatchObject({ weekday: "Fri", hour: 9, minute: 0, date: "06/03" });
  });

  it("says nothing when the organisation has no windows", async () => {
    const { cli, person } = await scene();
    expect(await suggestShareTime(db(), cli, person.user.id, { timeZone: CPH, windows: [], now: new Date("2026-03-02T09:00:00Z") })).toBeNull();
  });
});

describe("suggestShareTime with history: the person's best weekday and hour", () => {
  /** Three Tuesday-08 shares that did well, three Thursday-14 ones that did not (Copenhagen time, winter). */
  async function history(scope: Scope, storyId: string, userId: string) {
    for (const iso of ["2026-01-06T07:15:00Z", "2026-01-13T07:20:00Z", "2026-01-20T07:05:00Z"]) {
      await publishedShare(scope, storyId, userId, new Date(iso), { likes: 10, comments: 3, reshares: 2 });
    }
    for (const iso of ["2026-01-08T13:00:00Z", "2026-01-15T13:10:00Z", "2026-01-22T13:30:00Z"]) {
      await publishedShare(scope, storyId, userId, new Date(iso), { likes: 2, reshares: 1 });
    }
  }

  it("suggests next Tuesday 08:00 local when Tuesdays at 08 earned the most", async () => {
    const { cli, story, person } = await scene();
    await history(cli, story.id, person.user.id);
    // Friday 23 January 2026, 11:00 in Copenhagen.
    const now = new Date("2026-01-23T10:00:00Z");
    const suggestion = await suggest(cli, person.user.id, now);
    expect(suggestion).toEqual({ at: new Date("2026-01-27T07:00:00Z"), basis: "history" });
    expect(wallClock(suggestion!.at, CPH)).toMatchObject({ weekday: "Tue", hour: 8, minute: 0 });
  });

  it("keeps 08:00 on the wall clock when daylight saving time starts before that Tuesday", async () => {
    const { cli, story, person } = await scene();
    await history(cli, story.id, person.user.id);
    // Friday 27 March 2026; the clocks go forward on Sunday 29 March.
    const suggestion = await suggest(cli, person.user.id, new Date("2026-03-27T10:00:00Z"));
    expect(suggestion).toEqual({ at: new Date("2026-03-31T06:00:00Z"), basis: "history" });
  });

  it("goes by the person's own shares only: not a colleague's, not share-window shares", async () => {
    const { cli, story, person } = await scene();
    await history(cli, story.id, person.user.id);
    const colleague = await makeMember(cli, ["employee"]);
    // The colleague did brilliantly on Thursdays at 14; the person's window shares on Mondays at 10 got nothing measured.
    for (let i = 0; i < 6; i++) await publishedShare(cli, story.id, colleague.user.id, new Date(Date.UTC(2026, 0, 8 + 7 * (i % 3), 13)), { likes: 500 });
    for (let i = 0; i < 6; i++) await publishedShare(cli, story.id, person.user.id, new Date(Date.UTC(2026, 0, 5 + 7 * (i % 3), 9)), { likes: 900 }, "intent");
    const suggestion = await suggest(cli, person.user.id, new Date("2026-01-23T10:00:00Z"));
    expect(suggestion).toEqual({ at: new Date("2026-01-27T07:00:00Z"), basis: "history" });
  });

  it("falls back to the organisation's windows with fewer than five published shares, or no engagement at all", async () => {
    const { cli, story, person } = await scene();
    for (const iso of ["2026-01-06T07:15:00Z", "2026-01-13T07:20:00Z", "2026-01-20T07:05:00Z", "2026-01-08T13:00:00Z"]) {
      await publishedShare(cli, story.id, person.user.id, new Date(iso), { likes: 50 });
    }
    // Friday → the first default window is Tuesday 08 too, so ask on a Tuesday afternoon: Wednesday 12 is next.
    const now = new Date("2026-01-27T14:00:00Z");
    expect(await suggest(cli, person.user.id, now)).toMatchObject({ basis: "organisation" });
    expect(wallClock((await suggest(cli, person.user.id, now))!.at, CPH)).toMatchObject({ weekday: "Wed", hour: 12 });

    const quiet = await makeMember(cli, ["employee"]);
    for (let i = 0; i < 6; i++) await publishedShare(cli, story.id, quiet.user.id, new Date(Date.UTC(2026, 0, 6 + 7 * (i % 3), 7)), i % 2 ? { likes: 0 } : null);
    expect(await suggest(cli, quiet.user.id, now)).toMatchObject({ basis: "organisation" });
  });
});

describe("nextOccurrence across daylight-saving changes (Europe/Copenhagen)", () => {
  it("keeps the wall-clock hour when the clocks go forward (29 March 2026)", () => {
    const at = nextOccurrence({ weekday: 2, hour: 8 }, CPH, new Date("2026-03-27T12:00:00Z"));
    expect(at.toISOString()).toBe("2026-03-31T06:00:00.000Z"); // 08:00 CEST
    // On the day itself, after the change.
    expect(nextOccurrence({ weekday: 7, hour: 8 }, CPH, new Date("2026-03-29T00:30:00Z")).toISOString()).toBe("2026-03-29T06:00:00.000Z");
    // Before the change on the same day: 01:00 is still CET.
    expect(nextOccurrence({ weekday: 7, hour: 1 }, CPH, new Date("2026-03-28T23:30:00Z")).toISOString()).toBe("2026-03-29T00:00:00.000Z");
  });

  it("keeps the wall-clock hour when the clocks go back (25 October 2026)", () => {
    expect(nextOccurrence({ weekday: 2, hour: 8 }, CPH, new Date("2026-10-23T12:00:00Z")).toISOString()).toBe("2026-10-27T07:00:00.000Z"); // 08:00 CET
    expect(nextOccurrence({ weekday: 7, hour: 12 }, CPH, new Date("2026-10-24T12:00:00Z")).toISOString()).toBe("2026-10-25T11:00:00.000Z");
  });

  it("never answers an hour the clocks skip with a time before `from`, and stays on the right day", () => {
    const from = new Date("2026-03-28T12:00:00Z");
    const at = nextOccurrence({ weekday: 7, hour: 2 }, CPH, from); // 02:00 does not exist that night
    expect(at.getTime()).toBeGreaterThanOrEqual(from.getTime());
    expect(wallClock(at, CPH)).toMatchObject({ weekday: "Sun", date: "29/03" });
  });

  it("answers `from` itself when it is the start of the slot, and a week later just after it", () => {
    const start = new Date("2026-03-03T07:00:00Z"); // Tuesday 08:00 CET
    expect(nextOccurrence({ weekday: 2, hour: 8 }, CPH, start)).toEqual(start);
    expect(nextOccurrence({ weekday: 2, hour: 8 }, CPH, new Date(start.getTime() + 1)).toISOString()).toBe("2026-03-10T07:00:00.000Z");
  });
});

describe("spreadFromColleagues", () => {
  it("moves a time past every colleague's share closer than the spacing, and leaves a free time alone", async () => {
    const { cli, story, person } = await scene();
    const colleague = await makeMember(cli, ["employee"]);
    const t = new Date("2030-01-01T08:00:00Z");
    for (const offset of [0, 10, 25]) {
      await db()
        .insert(shares)
        .values({ orgId: cli.orgId, storyId: story.id, userId: colleague.user.id, network: "x", mode: "api", text: "x", status: "scheduled", scheduledAt: new Date(t.getTime() + offset * MINUTE) });
    }
    const spread = (at: Date, spacingMinutes = 10) => spreadFromColleagues(db(), { storyId: story.id, network: "x", userId: person.user.id, at, spacingMinutes });
    expect((await spread(t)).toISOString()).toBe("2030-01-01T08:35:00.000Z");
    expect((await spread(new Date(t.getTime() - 10 * MINUTE))).toISOString()).toBe("2030-01-01T07:50:00.000Z");
    expect((await spread(t, 0)).toISOString()).toBe(t.toISOString());
    // The colleague's own shares are not spaced from each other.
    expect((await spreadFromColleagues(db(), { storyId: story.id, network: "x", userId: colleague.user.id, at: t, spacingMinutes: 10 })).toISOString()).toBe(t.toISOString());
  });
});

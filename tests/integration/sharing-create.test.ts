import { randomBytes, randomUUID } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { networkApps, shares, socialConnections, trackedLinks, type Share } from "@/db/schema";
import { db } from "@/lib/db";
import { ensureDemoConnection, DEMO_INSTANCE } from "@/lib/demo-network";
import { checkShareText } from "@/lib/governance/check-text";
import { trackedUrl } from "@/lib/links/tracked-links";
import { createOrganization } from "@/lib/orgs";
import { updateGovernance } from "@/lib/orgs/governance";
import { getQueue } from "@/lib/queue";
import { checkEmployeeText, createShares, withTrackedLink } from "@/lib/shares";
import { createTeam } from "@/lib/teams";
import { trustedScope, type Scope } from "@/lib/tenant";
import { makeConnection, makeMember, makeOrganization, makePublishedStory, makeSharer, uniqueSlug } from "../support/factories";

/**
 * createShares: one share per chosen account, the story's link swapped for a tracked link,
 * the organisation's rules applied to the final text, colleagues spaced out, a publish job
 * per share — and every refusal leaves nothing behind.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TAG = "#nordlysansat";
const STORY_URL = "https://nordlys.example/nyheder/vindmoeller?ref=feed";
const TRACKED = /^http:\/\/localhost:3999\/r\/([0-9A-Za-z]{10})$/;

/** An organisation with a disclosure tag and a blocked phrase, a story, and an employee with an X and a Mastodon account. */
async function scene() {
  const { org, cli } = await makeOrganization("Nordlys Energi A/S");
  await updateGovernance(db(), cli, { approvalRequired: false, disclosureHashtag: TAG, blockedWords: ["ærgerlig løn"] });
  const story = await makePublishedStory(cli, { title: "Nordlys bygger vindmøller", canonicalUrl: STORY_URL });
  const mette = await makeSharer(cli, { networks: ["x", "mastodon"], name: "Mette Jensen" });
  return { org, cli, story, mette };
}

/** Rows a refused share could have left behind, in the organisation. */
async function footprint(orgId: string) {
  const [[s], [l]] = await Promise.all([
    db().select({ n: count() }).from(shares).where(eq(shares.orgId, orgId)),
    db().select({ n: count() }).from(trackedLinks).where(eq(trackedLinks.orgId, orgId)),
  ]);
  return { shares: s!.n, trackedLinks: l!.n };
}

async function linkOf(share: Pick<Share, "id">) {
  const [link] = await db().select().from(trackedLinks).where(eq(trackedLinks.shareId, share.id));
  return link!;
}

/** The tracked link in a share's text (the one word that is a link to /r/). */
function trackedIn(text: string): string {
  const links = text.split(/\s+/).filter((w) => w.includes("/r/"));
  expect(links).toHaveLength(1);
  return links[0]!;
}

async function publishJob(share: Share) {
  return getQueue(`publish-${share.network as "x" | "mastodon" | "linkedin" | "bluesky"}`).getJob(`share-${share.id}`);
}

const at = (ms: number) => new Date(Date.now() + ms);

describe("createShares: what is written", () => {
  it("writes one scheduled api share per account, the story link replaced by a tracked link and the tag appended", async () => {
    const { cli, story, mette } = await scene();
    const when = at(2 * HOUR);
    const text = `Vi bygger vindmøller ved Esbjerg: ${STORY_URL}`;

    const created = await createShares(db(), cli, mette.user.id, {
      storyId: story.id,
      scheduledAt: when.toISOString(),
      posts: [
        { connectionId: mette.connections.x!.id, text },
        { connectionId: mette.connections.mastodon!.id, text },
      ],
    });

    expect(created).toHaveLength(2);
    expect(created.map((s) => s.network)).toEqual(["x", "mastodon"]);
    const codes = new Set<string>();
    for (const share of created) {
      expect(share).toMatchObject({
        storyId: story.id,
        userId: mette.user.id,
        status: "scheduled",
        mode: "api",
        scheduledAt: when,
        publishedAt: null,
        attempts: 0,
      });
      expect(share.connectionId).toBe(mette.connections[share.network]!.id);
      expect(share.text).not.toContain(STORY_URL);
      const link = trackedIn(share.text);
      const code = TRACKED.exec(link)?.[1];
      expect(code, link).toBeDefined();
      codes.add(code!);
      expect(share.text).toBe(`Vi bygger vindmøller ved Esbjerg: ${link} ${TAG}`);

      const row = await linkOf(share);
      expect(row).toMatchObject({ orgId: cli.orgId, code, storyId: story.id, shareId: share.id });
      expect(trackedUrl(row.code)).toBe(link);
      const destination = new URL(row.destination);
      expect(`${destination.origin}${destination.pathname}`).toBe("https://nordlys.example/nyheder/vindmoeller");
      expect(Object.fromEntries(destination.searchParams)).toEqual({
        ref: "feed",
        utm_source: share.network,
        utm_medium: "employee_advocacy",
        utm_campaign: story.slug,
        utm_content: share.id,
      });
    }
    expect(codes.size).toBe(2);

    const [stored] = await db().select().from(shares).where(eq(shares.id, created[0]!.id));
    expect(stored).toMatchObject({ text: created[0]!.text, status: "scheduled" });
  });

  it("appends the tracked link to a text that leaves the story link out", async () => {
    const { cli, story, mette } = await scene();
    const [share] = await createShares(db(), cli, mette.user.id, {
      storyId: story.id,
      posts: [{ connectionId: mette.connections.x!.id, text: "  Stolt af vores nye vindmøllepark!  " }],
    });
    const link = trackedIn(share!.text);
    expect(link).toMatch(TRACKED);
    expect(share!.text).toBe(`Stolt af vores nye vindmøllepark! ${link} ${TAG}`);
  });

  it("does not cut a longer address that only begins with the story link in two", async () => {
    const { cli, mette } = await scene();
    const story = await makePublishedStory(cli, { canonicalUrl: "https://nordlys.example/nyheder/vind" });
    const related = "https://nordlys.example/nyheder/vind-og-sol";
    const [share] = await createShares(db(), cli, mette.user.id, {
      storyId: story.id,
      posts: [{ connectionId: mette.connections.mastodon!.id, text: `Se også ${related}` }],
    });
    // The related article's address must survive whole, and the tracked link be a link of its own.
    expect(share!.text.split(/\s+/), share!.text).toContain(related);
    expect(trackedIn(share!.text)).toMatch(TRACKED);
  });

  it("puts a publish job on the network's queue with the share's job id, delayed to its time", async () => {
    const { cli, story, mette } = await scene();
    const when = at(3 * HOUR);
    const created = await createShares(db(), cli, mette.user.id, {
      storyId: story.id,
      scheduledAt: when,
      posts: [
        { connectionId: mette.connections.x!.id, text: "Vindmøller!" },
        { connectionId: mette.connections.mastodon!.id, text: "Vindmøller!" },
      ],
    });
    for (const share of created) {
      const job = await publishJob(share);
      expect(job, share.network).toBeDefined();
      expect(job!.queueName).toBe(`publish-${share.network}`);
      expect(job!.id).toBe(`share-${share.id}`);
      expect(job!.name).toBe("share.publish");
      expect(job!.data).toEqual({ shareId: share.id });
      expect(await job!.getState()).toBe("delayed");
      expect(Math.abs(job!.timestamp + job!.delay - when.getTime())).toBeLessThan(2_000);
      expect(Math.abs(job!.delay - 3 * HOUR)).toBeLessThan(10_000);
    }
    // Nothing on another network's queue.
    expect(await getQueue("publish-linkedin").getJob(`share-${created[0]!.id}`)).toBeUndefined();
  });

  it("shares now when no time is given: the job waits with no delay", async () => {
    const { cli, story, mette } = await scene();
    const before = Date.now();
    const [share] = await createShares(db(), cli, mette.user.id, { storyId: story.id, posts: [{ connectionId: mette.connections.x!.id, text: "Nu!" }] });
    expect(share!.scheduledAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(share!.scheduledAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const job = await publishJob(share!);
    expect(job!.delay).toBe(0);
    expect(await job!.getState()).toBe("waiting");
  });

  it("accepts a time a few seconds in the past (the time it took to press the button)", async () => {
    const { cli, story, mette } = await scene();
    const [share] = await createShares(db(), cli, mette.user.id, {
      storyId: story.id,
      scheduledAt: at(-20_000),
      posts: [{ connectionId: mette.connections.x!.id, text: "Nu!" }],
    });
    expect(share!.status).toBe("scheduled");
  });

  it("shares through the demo network's account in a demo organisation", async () => {
    const org = await createOrganization(db(), { name: "Demo ApS", slug: uniqueSlug("demo"), isDemo: true }, { kind: "cli" });
    const cli = trustedScope(org.id, { kind: "cli" });
    const story = await makePublishedStory(cli);
    const anna = await makeSharer(cli, { networks: [] });
    await ensureDemoConnection(db(), cli, anna.user.id);
    await ensureDemoConnection(db(), cli, anna.user.id);
    const connections = await db().select().from(socialConnections).where(eq(socialConnections.userId, anna.user.id));
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({ network: "mastodon", instanceUrl: DEMO_INSTANCE, status: "active" });

    const [share] = await createShares(db(), cli, anna.user.id, { storyId: story.id, posts: [{ connectionId: connections[0]!.id, text: "Prøver demoen" }] });
    expect(share).toMatchObject({ network: "mastodon", mode: "api", status: "scheduled" });
    expect(await publishJob(share!)).toBeDefined();
  });
});

describe("createShares: refusals write nothing", () => {
  async function expectRefused(orgId: string, attempt: () => Promise<unknown>, expected: Record<string, unknown>) {
    const before = await footprint(orgId);
    await expect(attempt()).rejects.toMatchObject(expected);
    expect(await footprint(orgId)).toEqual(before);
  }

  it("refuses a member who has not accepted the guidelines (409 guidelinesNotAccepted)", async () => {
    const { cli, story } = await scene();
    const newcomer = await makeMember(cli, ["employee"]);
    const account = await makeConnection(cli, newcomer.user.id, { network: "x" });
    await expectRefused(
      cli.orgId,
      () => createShares(db(), cli, newcomer.user.id, { storyId: story.id, posts: [{ connectionId: account.id, text: "Hej" }] }),
      { status: 409, code: "guidelinesNotAccepted" },
    );
  });

  it("refuses a text that fits X alone but not once the tracked link and the tag are in", async () => {
    const { cli, story, mette } = await scene();
    const text = "Stolt af vores nye vindmøllepark ved Esbjerg. ".repeat(6).slice(0, 250).trim();
    // The check of the bare text (tag counted) passes; the posted text would not.
    expect(checkShareText("x", text, { disclosureHashtag: TAG, blockedWords: [] }).ok).toBe(true);
    await expectRefused(
      cli.orgId,
      () => createShares(db(), cli, mette.user.id, { storyId: story.id, posts: [{ connectionId: mette.connections.x!.id, text }] }),
      { status: 422, code: "shareBreaksRules", fieldErrors: { "posts.0.text": ["tooLongFor:280"] } },
    );
  });

  it("is all or nothing: a good Mastodon post is not written when the X post beside it is too long", async () => {
    const { cli, story, mette } = await scene();
    const text = "Stolt af vores nye vindmøllepark ved Esbjerg. ".repeat(6).slice(0, 250).trim();
    await expectRefused(
      cli.orgId,
      () => createShares(db(), cli, mette.user.id, {
        storyId: story.id,
        posts: [
          { connectionId: mette.connections.mastodon!.id, text },
          { connectionId: mette.connections.x!.id, text },
        ],
      }),
      { status: 422, fieldErrors: { "posts.1.text": ["tooLongFor:280"] } },
    );
  });

  it("refuses a blocked phrase in any case, Danish letters included", async () => {
    const { cli, story, mette } = await scene();
    await expectRefused(
      cli.orgId,
      () => createShares(db(), cli, mette.user.id, { storyId: story.id, posts: [{ connectionId: mette.connections.x!.id, text: "Sikke en ÆRGERLIG LØN vi får" }] }),
      { status: 422, code: "shareBreaksRules", fieldErrors: { "posts.0.text": ["blockedPhrase:ærgerlig løn"] } },
    );
    // A word that merely contains the phrase's letters is fine.
    await expect(
      createShares(db(), cli, mette.user.id, { storyId: story.id, posts: [{ connectionId: mette.connections.x!.id, text: "Uærgerlig lønsomhed" }] }),
    ).resolves.toHaveLength(1);
  });

  it("refuses a time in the past", async () => {
    const { cli, story, mette } = await scene();
    await expectRefused(
      cli.orgId,
      () => createShares(db(), cli, mette.user.id, { storyId: story.id, scheduledAt: at(-2 * HOUR), posts: [{ connectionId: mette.connections.x!.id, text: "Hej" }] }),
      { status: 422, code: "timeInPast", fieldErrors: { scheduledAt: ["timeInPast"] } },
    );
  });

  it("refuses a time after the story's expiry", async () => {
    const { cli, mette } = await scene();
    const story = await makePublishedStory(cli, { expiresAt: at(3 * HOUR) });
    await expectRefused(
      cli.orgId,
      () => createShares(db(), cli, mette.user.id, { storyId: story.id, scheduledAt: at(4 * HOUR), posts: [{ connectionId: mette.connections.x!.id, text: "Hej" }] }),
      { status: 422, code: "afterExpiry", fieldErrors: { scheduledAt: ["afterExpiry"] } },
    );
  });

  it("refuses another person's account, an account of another organisation and an unknown id (unknownConnection)", async () => {
    const { cli, story, mette } = await scene();
    const colleague = await makeSharer(cli, { networks: ["x"] });
    // Mette herself in a second organisation, with an account there.
    const { cli: other } = await makeOrganization("Andet Firma ApS");
    const metteThere = await makeMember(other, ["employee"], { email: mette.user.email });
    expect(metteThere.user.id).toBe(mette.user.id);
    const accountThere = await makeConnection(other, mette.user.id, { network: "x" });

    for (const connectionId of [colleague.connections.x!.id, accountThere.id, randomUUID()]) {
      await expectRefused(
        cli.orgId,
        () => createShares(db(), cli, mette.user.id, { storyId: story.id, posts: [{ connectionId, text: "Hej" }] }),
        { status: 422, code: "unknownConnection", fieldErrors: { "posts.0.connectionId": ["unknownConnection"] } },
      );
    }
  });

  it("refuses an expired or revoked account", async () => {
    const { cli, story, mette } = await scene();
    for (const status of ["expired", "revoked"] as const) {
      const account = await makeConnection(cli, mette.user.id, { network: "linkedin", status });
      await expectRefused(
        cli.orgId,
        () => createShares(db(), cli, mette.user.id, { storyId: story.id, posts: [{ connectionId: account.id, text: "Hej" }] }),
        { status: 422, code: "connectionExpired", fieldErrors: { "posts.0.connectionId": ["connectionExpired"] } },
      );
    }
  });

  it("answers 404 for a story the employee may not see: another team's, a draft, not yet live, expired, another organisation's", async () => {
    const { cli, mette } = await scene();
    const team = await createTeam(db(), cli, { name: "Teknik" });
    const { cli: other } = await makeOrganization("Andet Firma ApS");
    const hidden = [
      await makePublishedStory(cli, { title: "Kun for Teknik", audiences: [team.id] }),
      await makePublishedStory(cli, { title: "Kladde", status: "draft", publishAt: null, publishedAt: null }),
      await makePublishedStory(cli, { title: "Senere", status: "approved", publishAt: at(HOUR), publishedAt: null }),
      await makePublishedStory(cli, { title: "Udløbet", expiresAt: at(-MINUTE) }),
      await makePublishedStory(other, { title: "Andet firma" }),
    ];
    for (const story of hidden) {
      await expectRefused(
        cli.orgId,
        () => createShares(db(), cli, mette.user.id, { storyId: story.id, posts: [{ connectionId: mette.connections.x!.id, text: "Hej" }] }),
        { status: 404, code: "notFound" },
      );
    }
  });
});

describe("createShares: colleagues are spaced out", () => {
  async function colleagues(cli: Scope, n: number) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await makeSharer(cli, { networks: ["x", "mastodon"] }));
    return out;
  }

  const share = (cli: Scope, person: Awaited<ReturnType<typeof makeSharer>>, storyId: string, when: Date, network: "x" | "mastodon" = "x") =>
    createShares(db(), cli, person.user.id, { storyId, scheduledAt: when, posts: [{ connectionId: person.connections[network]!.id, text: "Se her" }] }).then(
      ([s]) => s!,
    );

  function expectSpaced(times: Date[], minutes: number) {
    const sorted = times.map((t) => t.getTime()).sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(minutes * MINUTE);
  }

  it("gives three colleagues sharing at the same time on the same network times at least 10 minutes apart", async () => {
    const { cli, story } = await scene();
    const people = await colleagues(cli, 3);
    const when = at(HOUR);
    const made = [];
    for (const person of people) made.push(await share(cli, person, story.id, when));
    expect(made.map((s) => s.scheduledAt.getTime() - when.getTime())).toEqual([0, 10 * MINUTE, 20 * MINUTE]);
    // The jobs follow the moved times.
    for (const s of made) {
      const job = await publishJob(s);
      expect(Math.abs(job!.timestamp + job!.delay - s.scheduledAt.getTime())).toBeLessThan(2_000);
    }
  });

  it("keeps them spaced when all three press the button at once", async () => {
    const { cli, story } = await scene();
    const people = await colleagues(cli, 3);
    const when = at(HOUR);
    const made = await Promise.all(people.map((person) => share(cli, person, story.id, when)));
    const times = made.map((s) => s.scheduledAt);
    expect(new Set(times.map((t) => t.getTime())).size).toBe(3);
    expectSpaced(times, 10);
    expect(Math.min(...times.map((t) => t.getTime()))).toBe(when.getTime());
  });

  it("does not push a share on another network or of another story", async () => {
    const { cli, story } = await scene();
    const other = await makePublishedStory(cli, { title: "Solceller" });
    const [a, b, c, d] = await colleagues(cli, 4);
    const when = at(HOUR);
    await share(cli, a!, story.id, when);
    expect((await share(cli, b!, story.id, when, "mastodon")).scheduledAt).toEqual(when);
    expect((await share(cli, c!, other.id, when)).scheduledAt).toEqual(when);
    expect((await share(cli, d!, story.id, when)).scheduledAt.getTime()).toBe(when.getTime() + 10 * MINUTE);
  });

  it("refuses a share that spacing would push past the story's expiry, and writes nothing", async () => {
    const { cli } = await scene();
    const when = at(HOUR);
    const story = await makePublishedStory(cli, { expiresAt: new Date(when.getTime() + 15 * MINUTE) });
    const [a, b, c] = await colleagues(cli, 3);
    await share(cli, a!, story.id, when);
    await share(cli, b!, story.id, when);
    const before = await footprint(cli.orgId);
    await expect(share(cli, c!, story.id, when)).rejects.toMatchObject({ status: 422, code: "afterExpiry" });
    expect(await footprint(cli.orgId)).toEqual(before);
  });
});

describe("createShares: a Mastodon instance's own limit", () => {
  async function instance(maxCharacters: number | null) {
    const url = `https://social-${randomBytes(4).toString("hex")}.example`;
    await db().insert(networkApps).values({
      network: "mastodon",
      instanceUrl: url,
      redirectUri: "http://localhost:3999/connections/mastodon/callback",
      clientId: "client",
      clientSecretEnc: "not-used",
      scopes: "read write:statuses",
      maxCharacters,
    });
    return url;
  }

  const long = "Vindmøller og havvind. ".repeat(40).slice(0, 700);

  it("lets a 700-character text through on an instance that allows 1000", async () => {
    const { cli, story, mette } = await scene();
    const account = await makeConnection(cli, mette.user.id, { network: "mastodon", instanceUrl: await instance(1000) });
    const [share] = await createShares(db(), cli, mette.user.id, { storyId: story.id, posts: [{ connectionId: account.id, text: long }] });
    expect(share).toMatchObject({ network: "mastodon", connectionId: account.id, status: "scheduled" });
    expect(share!.text.startsWith(long.trim())).toBe(true);

    const check = await checkEmployeeText(db(), cli, { network: "mastodon", text: long, userId: mette.user.id, connectionId: account.id });
    expect(check).toMatchObject({ ok: true, limit: 1000 });
  });

  it("refuses the same text on an instance with the default 500", async () => {
    const { cli, story, mette } = await scene();
    const plain = await makeConnection(cli, mette.user.id, { network: "mastodon", instanceUrl: await instance(null) });
    const before = await footprint(cli.orgId);
    await expect(createShares(db(), cli, mette.user.id, { storyId: story.id, posts: [{ connectionId: plain.id, text: long }] })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { "posts.0.text": ["tooLongFor:500"] },
    });
    expect(await footprint(cli.orgId)).toEqual(before);
  });
});

describe("checkEmployeeText: a copy of a colleague's text", () => {
  it("calls a word-for-word copy of a colleague's share identical, though the colleague's carries the tag and tracked link", async () => {
    const { cli, story, mette } = await scene();
    const colleague = await makeSharer(cli, { networks: ["x"] });
    const words = "Læs om vores nye kontor i Aarhus";
    await createShares(db(), cli, colleague.user.id, { storyId: story.id, posts: [{ connectionId: colleague.connections.x!.id, text: words }] });

    // Before anyone shared the short text, it is no copy.
    const fresh = await checkEmployeeText(db(), cli, { network: "x", text: "Se det her", userId: mette.user.id, storyId: story.id });
    expect(fresh.duplicate).toBeNull();
    await createShares(db(), cli, colleague.user.id, { storyId: story.id, posts: [{ connectionId: colleague.connections.x!.id, text: "Se det her" }] });

    const long = await checkEmployeeText(db(), cli, { network: "x", text: words, userId: mette.user.id, storyId: story.id });
    const short = await checkEmployeeText(db(), cli, { network: "x", text: "Se det her", userId: mette.user.id, storyId: story.id });
    // The colleague's stored texts read "… http://…/r/<code> #nordlysansat"; links are ignored, the tag must be too.
    expect([long.duplicate, short.duplicate]).toEqual([
      { kind: "identical", similarity: 1 },
      { kind: "identical", similarity: 1 },
    ]);
  });

  it("does not compare with the person's own shares or another story's", async () => {
    const { cli, story, mette } = await scene();
    const other = await makePublishedStory(cli, { title: "Solceller" });
    const colleague = await makeSharer(cli, { networks: ["x"] });
    const words = "Læs om vores nye kontor i Aarhus";
    await createShares(db(), cli, mette.user.id, { storyId: story.id, posts: [{ connectionId: mette.connections.x!.id, text: words }] });
    await createShares(db(), cli, colleague.user.id, { storyId: other.id, posts: [{ connectionId: colleague.connections.x!.id, text: words }] });
    const check = await checkEmployeeText(db(), cli, { network: "x", text: words, userId: mette.user.id, storyId: story.id });
    expect(check.duplicate).toBeNull();
  });
});

describe("withTrackedLink", () => {
  const tracked = "https://ripple.example/r/AbCdEfGhIj";
  it("replaces every occurrence of the story link, appends the link when it is missing, and never doubles it", () => {
    expect(withTrackedLink("Se https://a.example/x og https://a.example/x", "https://a.example/x", tracked)).toBe(`Se ${tracked} og ${tracked}`);
    expect(withTrackedLink("  Se her  ", "https://a.example/x", tracked)).toBe(`Se her ${tracked}`);
    expect(withTrackedLink(`Se ${tracked}`, "https://a.example/x", tracked)).toBe(`Se ${tracked}`);
    expect(withTrackedLink("   ", null, tracked)).toBe(tracked);
  });
});

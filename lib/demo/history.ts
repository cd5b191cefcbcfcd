import { TZDate } from "@date-fns/tz";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { memberships, shares, socialConnections, stories, storyVariants, trackedLinks, users, type Locale } from "@/db/schema";
import type { DemoHistory } from "@/db/seed";
import type { Database } from "@/lib/db";
import { connectDemoAccount, DEMO_INSTANCE } from "@/lib/demo-network";
import { acceptGuidelines, guidelinesStatus } from "@/lib/guidelines";
import { encodeClick } from "@/lib/links/click-stream";
import { referrerHost } from "@/lib/links/client-address";
import { isBotRequest } from "@/lib/links/detect-bot";
import { clientLinkHash } from "@/lib/links/click-limit";
import { writeClickBatch, type StreamEntry } from "@/lib/links/ingest";
import { visitorHash } from "@/lib/links/visitor-hash";
import { log } from "@/lib/log";
import { getOrganizationSettings } from "@/lib/orgs";
import { updateLinkPlacement } from "@/lib/orgs/link-placement";
import { storeSnapshot } from "@/lib/reach/poll";
import { recordPublished } from "@/lib/reach/published";
import { REACH_POLLS_MS } from "@/lib/reach/schedule";
import { createShares } from "@/lib/shares/create";
import { feedStory } from "@/lib/stories/feed";
import { publishShare } from "@/lib/shares/publish";
import { trustedScope, type Scope } from "@/lib/tenant";
import { utcDay } from "@/lib/time";
import { mulberry32, type Random } from "./random";

/**
 * The demo organisation's past, played through the application's own code with past
 * timestamps: members share stories on the demo network (createShares, publishShare),
 * the shares are counted (recordPublished, as the reconciler does), visitors click the
 * tracked links (writeClickBatch, the click consumer's write), and the demo network's
 * metrics are stored as the reach poll stores them (storeSnapshot). Rollups and points come
 * from those paths alone. Every choice is drawn from one fixed-seed generator, in a fixed
 * order, so two runs with the same `now` give the same figures.
 */

const TIME_ZONE = "Europe/Copenhagen";
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** No share is made within a day of `now` (the seed's present stays quiet). */
const QUIET_BEFORE_NOW_MS = DAY_MS;
const CLICK_BATCH = 2_000;
/** Stories played, and shares measured, at the same time (each on its own connection). */
const CONCURRENCY = 4;
const SEED = 0x5eed_2026;

export type DemoHistoryInput = { orgId: string; now: Date };
export type DemoHistorySummary = { shares: number; clicks: number; botClicks: number; snapshots: number };

/** The personas a visitor signs in as first share often, so their own pages are full too. */
const REGULARS = new Map([
  ["jonas@nordlys.example", 0.85],
  ["anne@nordlys.example", 0.6],
  ["soren@nordlys.example", 0.7],
  ["ida@nordlys.example", 0.6],
  ["mette@nordlys.example", 0.5],
]);

type Member = { userId: string; email: string; joinedAt: Date; enthusiasm: number; followers: number };
type StoryRow = { id: string; slug: string; language: Locale; canonicalUrl: string | null; title: string; publishAt: Date; expiresAt: Date | null };
type PlannedShare = { storyId: string; userId: string; at: Date; text: string; variantId: string | null };

/** Hours of a working day by weight (Copenhagen time): mornings and lunch high, evenings low. */
const SHARE_HOURS = [0, 0, 0, 0, 0, 0, 1, 3, 9, 10, 8, 6, 7, 6, 5, 4, 3, 2, 2, 3, 3, 2, 1, 0];
const CLICK_HOURS = [1, 0, 0, 0, 0, 1, 2, 5, 9, 10, 9, 8, 9, 8, 7, 7, 6, 5, 5, 6, 7, 6, 4, 2];

/** Browsers people click from, and the crawlers and previewers that fetch links too. */
const BROWSERS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
];
const BOTS = [
  "http.rb/5.2.0 (Mastodon/4.3.1; +https://mastodon.social/)",
  "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
  "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
];
const REFERRERS = ["https://demo.ripple/", "https://demo.ripple/", "https://www.linkedin.com/", "https://t.co/", null, null];

export async function playDemoHistory(db: Database, input: DemoHistoryInput): Promise<DemoHistorySummary> {
  // Hundreds of "share finished" lines would bury the seed's own output.
  const level = log.level;
  log.level = "warn";
  try {
    return await play(db, input);
  } finally {
    log.level = level;
  }
}

async function play(db: Database, input: DemoHistoryInput): Promise<DemoHistorySummary> {
  const random = mulberry32(SEED);
  const scope = trustedScope(input.orgId, { kind: "system" });
  const members = await loadMembers(db, scope, random);
  await connectEveryone(db, scope, members);
  const storyRows = await loadStories(db, scope, input.now);
  const texts = await shareTexts(db, storyRows);

  const plan = planShares(random, members, storyRows, texts, input.now);
  // The demo organisation measures where the link goes on its network: half the people's
  // shares of each story carry a card, half the URL in the text (story analytics compares).
  const { linkPlacement } = await getOrganizationSettings(db, input.orgId);
  await updateLinkPlacement(db, scope, { ...linkPlacement, mastodon: "compare" });
  // A lazy client never connects: demo posts take no rate-limit slot (lib/shares/publish).
  const redis = new Redis({ lazyConnect: true, maxRetriesPerRequest: 0 });
  let published: Array<{ id: string; at: Date }>;
  try {
    published = await makeShares(db, redis, scope, plan);
  } finally {
    redis.disconnect();
  }
  for (let i = 0; i < published.length; i += 200) await recordPublished(db, published.slice(i, i + 200).map((p) => p.id));

  const facts = await shareFactsForHistory(db, published.map((p) => p.id));
  const clicks = await playClicks(db, random, facts, input.now);
  const snapshots = await playMetrics(db, random, facts, input.now);
  return { shares: published.length, clicks: clicks.human, botClicks: clicks.bots, snapshots };
}

async function loadMembers(db: Database, scope: Scope, random: Random): Promise<Member[]> {
  const rows = await db
    .select({ userId: memberships.userId, email: users.email, joinedAt: memberships.joinedAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.status, "active")))
    .orderBy(asc(users.email));
  return rows.map((row) => {
    // Some share nearly everything, most now and then; the sign-in personas are regulars.
    const drawn = 0.2 + 0.75 * random() ** 1.5;
    return {
      userId: row.userId,
      email: row.email,
      joinedAt: row.joinedAt ?? new Date(0),
      enthusiasm: Math.max(drawn, REGULARS.get(row.email) ?? 0),
      followers: Math.round(80 + 1400 * random() ** 3),
    };
  });
}

/** Each member on the demo network since they joined, having read the guidelines if asked to. */
async function connectEveryone(db: Database, scope: Scope, members: readonly Member[]) {
  for (const member of members) {
    await connectDemoAccount(db, scope, member.userId, { followerCount: member.followers, at: member.joinedAt });
    const status = await guidelinesStatus(db, scope, member.userId);
    if (!status.accepted) await acceptGuidelines(db, scope, member.userId, status.version, member.joinedAt);
  }
}

async function loadStories(db: Database, scope: Scope, now: Date): Promise<StoryRow[]> {
  const rows = await db
    .select({ id: stories.id, slug: stories.slug, language: stories.language, canonicalUrl: stories.canonicalUrl, title: stories.title, publishAt: stories.publishAt, expiresAt: stories.expiresAt })
    .from(stories)
    .where(and(eq(stories.orgId, scope.orgId), eq(stories.status, "published")))
    .orderBy(asc(stories.publishAt), asc(stories.slug));
  return rows.filter((r): r is StoryRow => r.publishAt !== null && r.publishAt.getTime() < now.getTime() - QUIET_BEFORE_NOW_MS);
}

/** The demo network is Mastodon-like: the story's Mastodon texts in its language, else its title and link. */
async function shareTexts(db: Database, storyRows: readonly StoryRow[]): Promise<Map<string, Array<{ text: string; variantId: string | null }>>> {
  const variants = storyRows.length
    ? await db
        .select({ id: storyVariants.id, storyId: storyVariants.storyId, language: storyVariants.language, text: storyVariants.text })
        .from(storyVariants)
        .where(and(inArray(storyVariants.storyId, storyRows.map((s) => s.id)), eq(storyVariants.network, "mastodon")))
        .orderBy(asc(storyVariants.storyId), asc(storyVariants.position))
    : [];
  return new Map(
    storyRows.map((story) => {
      const own = variants.filter((v) => v.storyId === story.id && v.language === story.language).map((v) => ({ text: v.text, variantId: v.id as string | null }));
      const fallback = { text: `${story.title}\n\n${story.canonicalUrl ?? ""}`, variantId: null };
      return [story.id, own.length ? [...own, fallback] : [fallback]];
    }),
  );
}

/** Who shares what, when: decided up front, in a fixed order, before any write. */
function planShares(random: Random, members: readonly Member[], storyRows: readonly StoryRow[], texts: Map<string, Array<{ text: string; variantId: string | null }>>, now: Date): PlannedShare[] {
  const plan: PlannedShare[] = [];
  const latest = now.getTime() - QUIET_BEFORE_NOW_MS;
  for (const story of storyRows) {
    const appeal = 0.55 + 0.45 * random();
    const options = texts.get(story.id)!;
    for (const member of members) {
      const roll = random();
      const when = shareMoment(random, story.publishAt);
      const pick = options[Math.floor(random() * options.length)]!;
      if (member.joinedAt >= story.publishAt || roll > member.enthusiasm * appeal) continue;
      const until = Math.min(latest, story.expiresAt ? story.expiresAt.getTime() - HOUR_MS : Number.POSITIVE_INFINITY);
      if (when.getTime() >= until) continue;
      plan.push({ storyId: story.id, userId: member.userId, at: when, text: pick.text, variantId: pick.variantId });
    }
  }
  return plan;
}

/** Mostly on the day a story goes live or the next, in office hours, rarely at a weekend. */
function shareMoment(random: Random, liveAt: Date): Date {
  const day = weighted(random, [50, 22, 10, 6, 5, 4, 3]);
  let at = localMoment(liveAt, day, weighted(random, SHARE_HOURS), Math.floor(random() * 60));
  const weekday = new TZDate(at.getTime(), TIME_ZONE).getDay();
  if ((weekday === 0 || weekday === 6) && random() < 0.75) at = new Date(at.getTime() + (weekday === 6 ? 2 : 1) * DAY_MS);
  return at.getTime() <= liveAt.getTime() ? new Date(liveAt.getTime() + (5 + Math.floor(random() * 50)) * 60_000) : at;
}

/** `hour:minute` Copenhagen time, `days` days after the Copenhagen date of `from`. */
function localMoment(from: Date, days: number, hour: number, minute: number): Date {
  const local = new TZDate(from.getTime(), TIME_ZONE);
  return new Date(new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + days, hour, minute, TIME_ZONE).getTime());
}

function weighted(random: Random, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let roll = random() * total;
  for (const [i, w] of weights.entries()) {
    roll -= w;
    if (roll < 0) return i;
  }
  return weights.length - 1;
}

/**
 * Each planned share made as the composer makes it (at its moment) and published by the
 * publisher's own function at its scheduled time, oldest first.
 */
async function makeShares(db: Database, redis: Redis, scope: Scope, plan: readonly PlannedShare[]): Promise<Array<{ id: string; at: Date }>> {
  const connections = await db
    .select({ id: socialConnections.id, userId: socialConnections.userId })
    .from(socialConnections)
    .where(and(eq(socialConnections.orgId, scope.orgId), eq(socialConnections.instanceUrl, DEMO_INSTANCE)));
  const connectionOf = new Map(connections.map((c) => [c.userId, c.id]));
  // A story's shares one after another, oldest first (colleagues' shares of it are spaced
  // out by the order they came in); a few stories at a time.
  const byStory = new Map<string, PlannedShare[]>();
  for (const planned of [...plan].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    byStory.set(planned.storyId, [...(byStory.get(planned.storyId) ?? []), planned]);
  }
  const perStory = await inPool([...byStory.values()], CONCURRENCY, async (storyPlan) => {
    const made: Array<{ id: string; at: Date }> = [];
    for (const planned of storyPlan) {
      // Stories for some teams only reach their members: the others never saw it in their feed.
      if (!(await feedStory(db, scope, planned.userId, planned.storyId, planned.at))) continue;
      const post = { connectionId: connectionOf.get(planned.userId)!, text: planned.text, variantId: planned.variantId };
      const [share] = await createShares(db, scope, planned.userId, { storyId: planned.storyId, posts: [post] }, planned.at, { enqueue: false });
      const outcome = await publishShare(db, redis, share!.id, { now: share!.scheduledAt, followUp: false });
      if (outcome !== "published") throw new Error(`Demo history: share ${share!.id} was not published (${outcome})`);
      made.push({ id: share!.id, at: share!.scheduledAt });
    }
    return made;
  });
  return perStory.flat();
}

/** `work` on every item, at most `limit` at a time; the results in the items' order. */
async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

type HistoryShare = { id: string; orgId: string; linkId: string; code: string; publishedAt: Date; externalId: string; followers: number };

async function shareFactsForHistory(db: Database, ids: readonly string[]): Promise<HistoryShare[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: shares.id, orgId: shares.orgId, linkId: trackedLinks.id, code: trackedLinks.code, publishedAt: shares.publishedAt, externalId: shares.externalId, followers: socialConnections.followerCount })
    .from(shares)
    .innerJoin(trackedLinks, eq(trackedLinks.shareId, shares.id))
    .innerJoin(socialConnections, eq(socialConnections.id, shares.connectionId))
    .where(inArray(shares.id, [...ids]));
  const byId = new Map(rows.map((r) => [r.id, r]));
  // In the order the shares were made: the generator's draws then follow the same order every run.
  return ids.map((id) => {
    const r = byId.get(id)!;
    return { id: r.id, orgId: r.orgId, linkId: r.linkId, code: r.code, publishedAt: r.publishedAt!, externalId: r.externalId!, followers: r.followers ?? 120 };
  });
}

/**
 * Visitors following the shares' tracked links over the days after each share: most on the
 * first two days, in waking hours, fewer at weekends; about one in nine a crawler or link
 * previewer. Written in batches by the click consumer's own write, which makes the unique
 * visitors, the rollups and the click points.
 */
async function playClicks(db: Database, random: Random, history: readonly HistoryShare[], now: Date): Promise<{ human: number; bots: number }> {
  // The visitor hashes' salt of each day, as the redirect would have drawn it (never stored).
  const salts = new Map<string, Buffer>();
  const saltOf = (day: string) => {
    let salt = salts.get(day);
    if (!salt) salts.set(day, (salt = Buffer.from(Array.from({ length: 32 }, () => Math.floor(random() * 256)))));
    return salt;
  };
  const entries: Array<{ at: number; fields: string[]; isBot: boolean }> = [];
  let human = 0;
  let bots = 0;
  for (const share of history) {
    const interest = 0.4 + random() * 1.2;
    const expected = Math.max(2, Math.round((6 + share.followers * 0.035) * interest));
    const visitors = Array.from({ length: Math.ceil(expected * 0.85) }, () => ({ ip: `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`, ua: BROWSERS[Math.floor(random() * BROWSERS.length)]! }));
    // Link previewers fetch right after posting.
    const previews = Math.floor(random() * 2.5);
    for (let i = 0; i < previews; i++) {
      const at = share.publishedAt.getTime() + Math.floor(random() * 120_000);
      const ua = BOTS[Math.floor(random() * BOTS.length)]!;
      const method = random() < 0.3 ? "HEAD" : "GET";
      if (at < now.getTime()) entries.push({ at, ...clickFields(share, at, `198.51.100.${1 + i}`, ua, method, null, saltOf(utcDay(new Date(at)))) });
    }
    for (let i = 0; i < expected; i++) {
      const day = weighted(random, [40, 22, 11, 7, 5, 4, 3, 2, 2, 1, 1, 1, 1]);
      let at = localMoment(share.publishedAt, day, weighted(random, CLICK_HOURS), Math.floor(random() * 60)).getTime() + Math.floor(random() * 60_000);
      const weekday = new TZDate(at, TIME_ZONE).getDay();
      const skipWeekend = (weekday === 0 || weekday === 6) && random() < 0.55;
      if (at <= share.publishedAt.getTime()) at = share.publishedAt.getTime() + Math.floor(random() * 3 * HOUR_MS);
      // Now and then a crawler instead of a person.
      const crawler = random() < 0.06;
      const visitor = visitors[Math.floor(random() * visitors.length)]!;
      const referer = REFERRERS[Math.floor(random() * REFERRERS.length)]!;
      if (skipWeekend || at >= now.getTime()) continue;
      if (crawler) entries.push({ at, ...clickFields(share, at, "203.0.113.9", BOTS[3]!, "GET", null, saltOf(utcDay(new Date(at)))) });
      else entries.push({ at, ...clickFields(share, at, visitor.ip, visitor.ua, "GET", referer, saltOf(utcDay(new Date(at)))) });
    }
  }
  entries.sort((a, b) => a.at - b.at);
  if (entries.length > 0) await ensureClickPartitions(db, new Date(entries[0]!.at), new Date(entries.at(-1)!.at));
  // Stream ids as Redis gives them: milliseconds, then a sequence within the millisecond.
  const stream: StreamEntry[] = [];
  let last = -1;
  let sequence = 0;
  for (const entry of entries) {
    sequence = entry.at === last ? sequence + 1 : 0;
    last = entry.at;
    stream.push([`${entry.at}-${sequence}`, entry.fields]);
    if (entry.isBot) bots++;
    else human++;
  }
  for (let i = 0; i < stream.length; i += CLICK_BATCH) {
    const batch = stream.slice(i, i + CLICK_BATCH);
    await writeClickBatch(db, batch);
  }
  return { human, bots };
}

/**
 * Monthly partitions for the past months, as maintenance makes them ahead of time; where one
 * cannot be made (the default partition already holds rows of that month) the clicks go there.
 */
async function ensureClickPartitions(db: Database, from: Date, to: Date) {
  try {
    await db.execute(sql`select ripple_ensure_click_partitions(${from.toISOString()}::timestamptz, ${to.toISOString()}::timestamptz)`);
  } catch (error) {
    log.warn({ err: error }, "demo history: past click partitions not made; the clicks go to the default partition");
  }
}

/** What the redirect would put on the stream for this request, and whether it counts as a bot's. */
function clickFields(share: HistoryShare, at: number, ip: string, userAgent: string, method: string, referer: string | null, salt: Buffer): { fields: string[]; isBot: boolean } {
  const isBot = isBotRequest(method, userAgent);
  const fields = encodeClick({
    linkId: share.linkId,
    orgId: share.orgId,
    shareId: share.id,
    at,
    visitorHash: visitorHash(salt, ip, userAgent, share.code),
    clientHash: clientLinkHash(salt, ip, share.code),
    isBot,
    referrerHost: referrerHost(referer),
  });
  return { fields, isBot };
}

/** The polls (6 h, 3 d, 30 d) the demo network answers: a network need not answer every one, and three keep the seed fast. */
const MEASURED_POLLS = [1, 3, 5];

/**
 * The demo network's own counts of each post at those polls, stored by the poll's storage
 * function: favourites, boosts and replies grow and level off.
 */
async function playMetrics(db: Database, random: Random, history: readonly HistoryShare[], now: Date): Promise<number> {
  const growth = [0.2, 0.5, 0.75, 0.9, 0.97, 1];
  // Drawn first, in the shares' order; then stored a few shares at a time.
  const counts = history.map((share) => {
    const likes = Math.round((2 + share.followers * 0.02) * (0.3 + random() * 1.4));
    return { share, likes, boosts: Math.round(likes * (0.15 + random() * 0.25)), replies: Math.round(likes * (0.05 + random() * 0.15)) };
  });
  const perShare = await inPool(counts, CONCURRENCY, async ({ share, likes, boosts, replies }) => {
    let stored = 0;
    for (const [poll, after] of REACH_POLLS_MS.entries()) {
      if (!MEASURED_POLLS.includes(poll)) continue;
      const measuredAt = new Date(share.publishedAt.getTime() + after);
      if (measuredAt >= now) break;
      const part = growth[poll]!;
      const saved = await storeSnapshot(db, { id: share.id, orgId: share.orgId, externalId: share.externalId, publishedAt: share.publishedAt }, poll, {
        impressions: null,
        reached: null,
        reactions: Math.round(likes * part),
        reposts: Math.round(boosts * part),
        replies: Math.round(replies * part),
        quotes: null,
        clicks: null,
        saves: null,
        measuredAt,
        source: "network",
      });
      if (saved) stored++;
    }
    return stored;
  });
  return perShare.reduce((a, b) => a + b, 0);
}

/** The history as db/seed's seedDemo takes it. */
export const demoHistory: DemoHistory = async (db, demo) => {
  await playDemoHistory(db, { orgId: demo.orgId, now: demo.now });
};

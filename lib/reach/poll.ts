import { and, asc, eq, sql } from "drizzle-orm";
import { reachSnapshots, shares, socialConnections, type SocialConnection } from "@/db/schema";
import { actingContext, connectionTokens, decryptTokens, markConnectionBroken, refreshConnection } from "@/lib/connections";
import type { Database } from "@/lib/db";
import { RetryLater } from "@/lib/errors";
import { reserveApiCall } from "@/lib/orgs/api-budget";
import { isDemoConnection } from "@/lib/demo-network";
import { log } from "@/lib/log";
import { adapterFor } from "@/lib/networks/registry";
import { isConnectable, NetworkError, UNEXPECTED_ANSWER, type MetricsResult, type NetworkAdapter, type PostMetrics, type TokenSet } from "@/lib/networks/types";
import { awardPoints } from "./points";
import { addToRollups, shareFacts } from "./rollups";
import { utcDay } from "@/lib/time";
import { endPolls, movePollOn } from "./schedule";

/**
 * The outcome of one metric poll of one share ("share.poll"). "ended" is a normal end, never
 * a failed job: the share's schedule is removed for good. One share per job, and how a
 * poll decides: docs/design-notes.md, "Reach polls".
 */
export type PollOutcome = "stored" | "unchanged" | "no_answer" | "unreadable" | "over_budget" | "ended";

/** Waited out when a network answers 429 without saying how long. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 15 * 60_000;

async function endPolling(db: Database, shareId: string, poll: number, reason: string, details: Record<string, unknown> = {}): Promise<PollOutcome> {
  await endPolls(db, shareId);
  log.info({ shareId, poll, reason, ...details }, "reach polling ended");
  return "ended";
}

/** The counts a snapshot keeps, in its own column names. */
type Counts = { impressions: number | null; likes: number | null; comments: number | null; reshares: number | null; quotes: number | null };
const engagementKeys = ["likes", "comments", "reshares", "quotes"] as const;

/**
 * Increase over the last reported value of each count (earlier oldest first): null adds
 * nothing and a first report starts from 0, so a figure that comes and goes (X's private
 * fields after 30 days) is never counted twice nor taken away. An unlike gives a negative.
 */
export function increaseOver(earlier: readonly Counts[], now: Counts): { impressions: number; engagements: number } {
  const increase = (key: keyof Counts) => {
    const current = now[key];
    if (current === null) return 0;
    const before = earlier.findLast((s) => s[key] !== null)?.[key] ?? 0;
    return current - before;
  };
  return { impressions: increase("impressions"), engagements: engagementKeys.reduce((sum, key) => sum + increase(key), 0) };
}

export type PolledShare = { id: string; orgId: string; externalId: string; publishedAt: Date };

/**
 * Stores one poll's metrics as a snapshot. Adds to rollups and points only when the snapshot
 * is new (a retried job conflicts and adds nothing). The share's row is locked first, so a
 * late retry overtaken by the next poll computes its increase after it, not alongside.
 * Exported for the demo's history (lib/demo), which measures its own network's posts.
 */
export async function storeSnapshot(db: Database, share: PolledShare, poll: number, metrics: PostMetrics): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.select({ id: shares.id }).from(shares).where(eq(shares.id, share.id)).for("no key update");
    const earlier = await tx
      .select({
        capturedAt: reachSnapshots.capturedAt,
        impressions: reachSnapshots.impressions,
        likes: reachSnapshots.likes,
        comments: reachSnapshots.comments,
        reshares: reachSnapshots.reshares,
        quotes: reachSnapshots.quotes,
      })
      .from(reachSnapshots)
      .where(and(eq(reachSnapshots.shareId, share.id), eq(reachSnapshots.source, "measured")))
      .orderBy(asc(reachSnapshots.capturedAt));
    // Snapshots follow each other in the order their increases were added, also when a
    // poll measured before the one that overtook it.
    const latest = earlier.at(-1)?.capturedAt.getTime() ?? 0;
    const capturedAt = new Date(Math.max(metrics.measuredAt.getTime(), latest + 1));
    const counts: Counts = { impressions: metrics.impressions, likes: metrics.reactions, comments: metrics.replies, reshares: metrics.reposts, quotes: metrics.quotes };
    const [inserted] = await tx
      .insert(reachSnapshots)
      .values({
        orgId: share.orgId,
        shareId: share.id,
        capturedAt,
        source: "measured",
        poll,
        ...counts,
        reached: metrics.reached,
        // The network's count of link clicks stays here: clicks in the rollups are our redirect's only.
        clicks: metrics.clicks,
        saves: metrics.saves,
        raw: metrics,
      })
      .onConflictDoNothing()
      .returning({ id: reachSnapshots.id });
    if (!inserted) return false;

    const { impressions, engagements } = increaseOver(earlier, counts);
    const facts = (await shareFacts(tx, [share.id])).get(share.id);
    if (facts) {
      await addToRollups(tx, [{ facts, day: utcDay(capturedAt), delta: { impressions, engagements } }]);
      await awardPoints(tx, [{ orgId: facts.orgId, userId: facts.userId, action: "engagement", count: engagements, shareId: share.id, at: capturedAt }]);
    }
    return true;
  });
}

/**
 * A 401 although the connection holds a refresh token: renew once (under the
 * connection's row lock, as the publisher does) and ask again. Null when there is nothing
 * to renew with or the network refused (refreshConnection then marked the connection).
 */
async function renewedAfter(db: Database, error: unknown, connection: SocialConnection, adapter: NetworkAdapter, tokens: TokenSet, now: Date): Promise<TokenSet | null> {
  if (!(error instanceof NetworkError) || error.kind !== "unauthorized" || !tokens.refreshToken || !adapter.refresh) return null;
  try {
    const renewed = await refreshConnection(db, connection.id, now, Number.POSITIVE_INFINITY);
    return renewed && renewed.accessToken !== tokens.accessToken ? renewed : null;
  } catch (refreshError) {
    if (refreshError instanceof NetworkError && refreshError.kind === "unauthorized") return null;
    throw refreshError;
  }
}

/**
 * Runs poll `poll` of the share, then moves its schedule on: to the next poll, or none once
 * polling ended. Throws for a retry (the row stays claimed; the processor moves it on when
 * the last attempt fails).
 */
export async function pollShare(db: Database, shareId: string, poll: number, now = new Date()): Promise<PollOutcome> {
  const outcome = await pollOnce(db, shareId, poll, now);
  if (outcome !== "ended") await movePollOn(db, shareId, poll, now);
  return outcome;
}

async function pollOnce(db: Database, shareId: string, poll: number, now: Date): Promise<PollOutcome> {
  const [row] = await db
    .select({
      share: { id: shares.id, orgId: shares.orgId, status: shares.status, mode: shares.mode, externalId: shares.externalId, publishedAt: shares.publishedAt },
      connection: socialConnections,
      stored: sql<boolean>`exists (select 1 from ${reachSnapshots} where ${reachSnapshots.shareId} = ${shares.id} and ${reachSnapshots.source} = 'measured' and ${reachSnapshots.poll} = ${poll})`,
    })
    .from(shares)
    .leftJoin(socialConnections, eq(socialConnections.id, shares.connectionId))
    .where(eq(shares.id, shareId));
  if (!row) return endPolling(db, shareId, poll, "share_deleted");
  if (row.stored) return "unchanged";
  const { share, connection } = row;
  if (share.status !== "published" || share.mode !== "api" || !share.externalId || !share.publishedAt) return endPolling(db, shareId, poll, "not_published");
  if (!connection) return endPolling(db, shareId, poll, "disconnected");
  if (isDemoConnection(connection) || !isConnectable(connection.network)) return endPolling(db, shareId, poll, "no_metrics");
  const adapter = adapterFor(connection.network);
  if (!adapter.metrics) return endPolling(db, shareId, poll, "no_metrics");
  const polled: PolledShare = { id: share.id, orgId: share.orgId, externalId: share.externalId, publishedAt: share.publishedAt };
  const posts = [{ externalId: polled.externalId, publishedAt: polled.publishedAt }];
  // A paid API (X): the read is reserved against the organisation's budget; when it says no
  // this poll is skipped (later ones ask again, a new month may allow them).
  if (adapter.pricing && (await reserveApiCall(db, share.orgId, connection.network, "read", { now, count: posts.length })) !== "ok") {
    log.info({ shareId, poll, network: connection.network }, "reach poll skipped: the organisation's API budget is spent");
    return "over_budget";
  }

  let result: MetricsResult;
  try {
    // A connection known dead (or whose refresh is refused now) is still asked, once, with
    // the tokens it has: a network whose counts are public (Bluesky's AppView) answers
    // without a live token; one that needs it answers 401 and polling ends.
    let dead = connection.status === "revoked" || connection.status === "expired";
    let tokens: TokenSet | null = null;
    if (!dead) {
      try {
        tokens = await connectionTokens(db, connection, now);
      } catch (error) {
        if (!(error instanceof NetworkError && error.kind === "unauthorized")) throw error;
        dead = true;
      }
    }
    tokens ??= decryptTokens(connection);
    if (!tokens) return endPolling(db, shareId, poll, "tokens_erased");
    const ctx = await actingContext(db, connection);
    try {
      result = await adapter.metrics(ctx, tokens, posts);
    } catch (error) {
      const renewed = dead ? null : await renewedAfter(db, error, connection, adapter, tokens, now);
      if (!renewed) throw error;
      result = await adapter.metrics(ctx, renewed, posts);
    }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    const details = { network: connection.network, status: error.status, code: error.code };
    switch (error.kind) {
      case "unauthorized":
        // The person is told once (markConnectionBroken changes a working connection only,
        // and a refused refresh has marked it already).
        await markConnectionBroken(db, connection, "revoked", error.message).catch((e) => log.error({ err: e, connectionId: connection.id }, "could not mark the connection"));
        return endPolling(db, shareId, poll, "unauthorized", details);
      case "forbidden":
        // LinkedIn without r_member_postAnalytics: no later poll would be allowed either.
        return endPolling(db, shareId, poll, "forbidden", details);
      case "rateLimited":
        throw new RetryLater(error.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS, error.message);
      case "invalid":
        if (error.details.code !== UNEXPECTED_ANSWER) throw error;
        // An answer in a shape we cannot read (a changed API version): asking again would get
        // the same, so this poll ends, named in the log; later polls still ask.
        log.error({ shareId, poll, ...details, reason: error.message }, "reach poll: the network's answer has a shape Ripple cannot read");
        return "unreadable";
      default:
        throw error;
    }
  }

  const answer = result.get(polled.externalId);
  if (answer === undefined) {
    log.debug({ shareId, poll, network: connection.network }, "no metrics for the post this time");
    return "no_answer";
  }
  if (answer === "gone") return endPolling(db, shareId, poll, "gone", { network: connection.network });
  return (await storeSnapshot(db, polled, poll, answer)) ? "stored" : "unchanged";
}

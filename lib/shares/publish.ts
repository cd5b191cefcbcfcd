import type { RedisClient } from "@/lib/queue";
import { and, eq, getTableColumns, lt, lte, sql, type SQL } from "drizzle-orm";
import { organizations, reachPolls, shares, socialConnections, stories, trackedLinks, users, type Share, type SocialConnection } from "@/db/schema";
import { actingContext, connectionTokens, markConnectionBroken, refreshConnection } from "@/lib/connections";
import type { Database } from "@/lib/db";
import { isDemoConnection, postToDemoNetwork } from "@/lib/demo-network";
import { RetryLater } from "@/lib/errors";
import { findBlockedPhrases } from "@/lib/governance/blocked-words";
import { trackedUrl } from "@/lib/links/tracked-links";
import { log } from "@/lib/log";
import { postedText } from "@/lib/networks/appearance";
import { adapterFor } from "@/lib/networks/registry";
import { API_VERSION_RETIRED, isConnectable, NetworkError, type AccountContext, type NetworkAdapter, type OutgoingPost, type PublishedPost, type TokenSet } from "@/lib/networks/types";
import { parseSettings } from "@/lib/orgs";
import { reserveApiCall, type Reservation } from "@/lib/orgs/api-budget";
import { addNotices } from "@/lib/notifications";
import { trustedScope } from "@/lib/tenant";
import { queueSharePush } from "@/lib/push/fan-out";
import { FIRST_POLL } from "@/lib/reach/schedule";
import { refusedByNetwork, takePostSlot } from "./rate-limit";

/** share_window: the organisation's budget for a paid API said no; the person posts it through the share window. */
export type PublishOutcome = "published" | "skipped" | "failed" | "needs_attention" | "share_window";

/**
 * A share left in "publishing" this long has lost its worker (killed mid-publish): the
 * next job for it recovers it. Longer than a whole try (network calls time out after
 * 10 s each) and than the publish job's lock (30 s), which a live worker renews.
 */
export const STALE_PUBLISHING_MS = 60_000;
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/**
 * What taking a share for publishing writes: `now` a placeholder or a timestamp. updatedAt is
 * set here: in a prepared statement drizzle's own (onUpdate) would be the moment it was prepared.
 */
function takeForPublishing(now: unknown) {
  return {
    status: "publishing" as const,
    publishingStartedAt: sql`${now}::timestamptz`,
    firstAttemptAt: sql`coalesce(${shares.firstAttemptAt}, ${now}::timestamptz)`,
    attempts: sql`${shares.attempts} + 1`,
    updatedAt: sql`${now}::timestamptz`,
  };
}

/**
 * A guarded UPDATE that takes the share, and in the same statement what publishing it needs:
 * the account, the story, the organisation's rules and the tracked link. One statement, not
 * two: per share the database's round trips are most of the publisher's cost (npm run bench
 * -- publish).
 */
function claimWithContext(db: Database, name: string, guard: SQL) {
  const claimed = db.$with("claimed").as(
    db
      .update(shares)
      .set(takeForPublishing(sql.placeholder("now")))
      .where(and(eq(shares.id, sql.placeholder("shareId")), eq(shares.mode, "api"), guard))
      .returning(),
  );
  // The claimed row's columns, each read from the CTE (drizzle selects a CTE itself as one value).
  const share = Object.fromEntries(Object.keys(getTableColumns(shares)).map((key) => [key, claimed[key as keyof typeof claimed]])) as unknown as ReturnType<typeof getTableColumns<typeof shares>>;
  return db
    .with(claimed)
    .select({
      share,
      connection: socialConnections,
      story: { status: stories.status, expiresAt: stories.expiresAt, title: stories.title, summary: stories.summary, imageUrl: stories.imageUrl, language: stories.language },
      settings: organizations.settings,
      code: trackedLinks.code,
    })
    .from(claimed)
    .innerJoin(organizations, eq(organizations.id, share.orgId))
    .leftJoin(socialConnections, eq(socialConnections.id, share.connectionId))
    .leftJoin(stories, eq(stories.id, share.storyId))
    .leftJoin(trackedLinks, eq(trackedLinks.shareId, share.id))
    .prepare(name);
}

/**
 * The claims every publish tries, prepared once per database handle: drizzle builds their SQL
 * once, and PostgreSQL parses and plans them once per connection. `due`: scheduled and due;
 * `stale`: "publishing" since before `staleBefore`, left by a dead worker.
 */
function prepareStatements(db: Database) {
  // Published, and its first metric poll scheduled (unless `followUp` is false), in one statement.
  const done = db.$with("published").as(
    db
      .update(shares)
      .set({
        status: "published",
        publishedAt: sql`${sql.placeholder("publishedAt")}::timestamptz`,
        externalId: sql`${sql.placeholder("externalId")}`,
        externalUrl: sql`${sql.placeholder("externalUrl")}`,
        errorCode: null,
        lastError: null,
        updatedAt: sql`${sql.placeholder("now")}::timestamptz`,
      })
      .where(and(eq(shares.id, sql.placeholder("shareId")), eq(shares.status, "publishing")))
      .returning({ id: shares.id, orgId: shares.orgId, publishedAt: shares.publishedAt }),
  );
  return {
    published: db
      .with(done)
      .insert(reachPolls)
      .select(
        db
          .select({
            shareId: done.id,
            orgId: done.orgId,
            poll: sql<number>`${FIRST_POLL.poll}::smallint`.as("poll"),
            dueAt: sql<Date>`${done.publishedAt} + ${FIRST_POLL.afterMs}::float8 * interval '1 millisecond'`.as("due_at"),
          })
          .from(done)
          .where(sql`${sql.placeholder("followUp")}::boolean`),
      )
      .onConflictDoNothing({ target: reachPolls.shareId })
      .prepare("publish_published"),
    due: claimWithContext(db, "publish_claim_due", and(eq(shares.status, "scheduled"), lte(shares.scheduledAt, sql`${sql.placeholder("dueBy")}::timestamptz`))!),
    stale: claimWithContext(db, "publish_claim_stale", and(eq(shares.status, "publishing"), lt(shares.publishingStartedAt, sql`${sql.placeholder("staleBefore")}::timestamptz`))!),
  };
}
const prepared = new WeakMap<Database, ReturnType<typeof prepareStatements>>();
function statements(db: Database) {
  let found = prepared.get(db);
  if (!found) prepared.set(db, (found = prepareStatements(db)));
  return found;
}

type Claimed = Awaited<ReturnType<ReturnType<typeof prepareStatements>["due"]["execute"]>>[number];

/**
 * A guarded UPDATE takes the share: scheduled and due, or "publishing" left by a dead worker
 * (`recovering`: the first try may have reached the network). Anything else is not ours.
 */
async function claim(db: Database, shareId: string, now: Date): Promise<{ claimed: Claimed; recovering: boolean } | null> {
  const { due, stale } = statements(db);
  const [fresh] = await due.execute({ shareId, now: now.toISOString(), dueBy: new Date(now.getTime() + 2_000).toISOString() });
  if (fresh) return { claimed: fresh, recovering: false };
  const [recovered] = await stale.execute({ shareId, now: now.toISOString(), staleBefore: new Date(now.getTime() - STALE_PUBLISHING_MS).toISOString() });
  if (recovered) return { claimed: recovered, recovering: true };
  // Still publishing and not yet stale: its worker may be alive (a job that stalled while
  // its worker was busy) or dead (killed). Come back when it counts as stale, never sooner.
  const [busy] = await db
    .select({ startedAt: shares.publishingStartedAt })
    .from(shares)
    .where(and(eq(shares.id, shareId), eq(shares.mode, "api"), eq(shares.status, "publishing")));
  if (busy) {
    const staleAt = (busy.startedAt?.getTime() ?? now.getTime()) + STALE_PUBLISHING_MS;
    throw new RetryLater(Math.max(1_000, staleAt - now.getTime() + 1_000), "Another try of this share is under way");
  }
  return null;
}

async function finish(db: Database, share: Share, values: Partial<typeof shares.$inferInsert>): Promise<PublishOutcome> {
  await db
    .update(shares)
    .set(values)
    .where(and(eq(shares.id, share.id), eq(shares.status, "publishing")));
  log.info({ shareId: share.id, network: share.network, status: values.status, errorCode: values.errorCode }, "share finished");
  return values.status as PublishOutcome;
}

async function published(db: Database, share: Share, post: PublishedPost, options: PublishOptions): Promise<PublishOutcome> {
  const publishedAt = options.now ?? new Date();
  // Published, and its first metric poll scheduled, in one statement: a share can never be
  // published without its polls (lib/reach/schedule.ts). Counted as shared by the reconciler.
  await statements(db).published.execute({
    shareId: share.id,
    publishedAt: publishedAt.toISOString(),
    externalId: post.externalId,
    externalUrl: post.url,
    now: new Date().toISOString(),
    followUp: options.followUp !== false,
  });
  log.info({ shareId: share.id, network: share.network, status: "published" }, "share finished");
  return "published";
}

/**
 * A two-step network's first step (a Threads container), committed on the share before the
 * second step is taken: a try that dies after this finds it and finishes that draft.
 */
async function saveDraft(db: Database, share: Share, draftId: string, recreated: boolean): Promise<void> {
  const saved = await db
    .update(shares)
    .set({ draftId, draftRecreated: recreated })
    .where(and(eq(shares.id, share.id), eq(shares.status, "publishing")))
    .returning({ id: shares.id });
  if (saved.length === 0) throw new Error("The share is no longer being published by this try");
}

/**
 * The budget of a paid API said no: the share becomes a share-window share, waiting for the
 * person (My shares offers the network's share window with the text), and they are told why.
 * Nothing was sent to the network.
 */
async function toShareWindow(db: Database, share: Share, reservation: Exclude<Reservation, "ok">, title: string): Promise<PublishOutcome> {
  const errorCode = reservation === "off" ? "api_posting_off" : "api_budget_reached";
  const moved = await db
    .update(shares)
    .set({ mode: "intent", status: "scheduled", errorCode, lastError: null, publishingStartedAt: null })
    .where(and(eq(shares.id, share.id), eq(shares.status, "publishing")))
    .returning({ id: shares.id });
  if (moved.length === 0) return "skipped";
  if (share.userId) await addNotices(db, trustedScope(share.orgId, { kind: "system" }), [{ userId: share.userId, kind: "share.shareWindow", data: { title, network: share.network, reason: errorCode } }]);
  log.info({ shareId: share.id, network: share.network, reason: errorCode }, "share moved to the share window");
  return "share_window";
}

/**
 * Back to scheduled, to be tried again. `reachedNetwork` false: this try certainly posted
 * nothing (a rate limit refused it), so it gives its attempt back — the next try is not a
 * "second try" that must first look for an earlier post.
 */
async function release(db: Database, share: Share, lastError: string | null, reachedNetwork = true) {
  await db
    .update(shares)
    .set({ status: "scheduled", lastError, ...(reachedNetwork ? {} : { attempts: sql`greatest(${shares.attempts} - 1, 0)` }) })
    .where(and(eq(shares.id, share.id), eq(shares.status, "publishing")));
}

type Target =
  | { kind: "demo"; connection: SocialConnection }
  | { kind: "network"; connection: SocialConnection; adapter: NetworkAdapter; ctx: AccountContext; tokens: TokenSet };

async function target(db: Database, connection: SocialConnection): Promise<Target> {
  if (isDemoConnection(connection)) return { kind: "demo", connection };
  if (!isConnectable(connection.network)) throw new NetworkError(connection.network, "invalid", `${connection.network} has no posting API`);
  const adapter = adapterFor(connection.network);
  const tokens = await connectionTokens(db, connection);
  if (!tokens) throw new NetworkError(connection.network, "unauthorized", "The account's tokens were erased");
  return { kind: "network", connection, adapter, ctx: await actingContext(db, connection), tokens };
}

async function send(db: Database, to: Target, post: OutgoingPost, at?: Date): Promise<PublishedPost> {
  if (to.kind === "demo") {
    const [author] = await db.select({ name: users.name }).from(users).where(eq(users.id, to.connection.userId));
    const made = await postToDemoNetwork(db, { orgId: to.connection.orgId, connectionId: to.connection.id, shareId: post.shareId, author: author?.name ?? to.connection.handle, text: post.text, createdAt: at });
    return { externalId: made.id, url: made.url };
  }
  if (!to.adapter.publish) throw new NetworkError(to.connection.network, "invalid", `Posting to ${to.connection.network} is not available`);
  return to.adapter.publish(to.ctx, to.tokens, post);
}

/**
 * Whether the post already exists at the network: the post, null (certainly not), or
 * "unknown". On a paid API the look-up is a read the budget must allow first; when it says
 * no the answer is "unknown" and `refused` is called (the share then needs attention).
 */
async function lookup(db: Database, to: Target, post: OutgoingPost, refused: () => void): Promise<PublishedPost | null | "unknown"> {
  if (to.kind === "demo") return null; // the demo network keeps one post per share by itself
  if (!to.adapter.findPost) return "unknown";
  if (to.adapter.pricing && (await reserveApiCall(db, to.connection.orgId, to.connection.network, "read")) !== "ok") {
    refused();
    return "unknown";
  }
  try {
    return await to.adapter.findPost(to.ctx, to.tokens, post);
  } catch (error) {
    log.warn({ err: error, shareId: post.shareId }, "could not look the post up");
    return "unknown";
  }
}

/**
 * Whether a post the network names for a first_comment share is another share's (same account,
 * same words): such a post has no tracked link to prove whose it is, so the shares already
 * recorded decide. A share with its link in the text needs no such check.
 */
async function heldByAnotherShare(db: Database, share: Share, externalId: string): Promise<boolean> {
  if (share.placement !== "first_comment" || !share.connectionId) return false;
  const [other] = await db
    .select({ id: shares.id })
    .from(shares)
    .where(and(eq(shares.connectionId, share.connectionId), eq(shares.externalId, externalId), sql`${shares.id} <> ${share.id}`))
    .limit(1);
  return other !== undefined;
}

export type CommentOutcome = "posted" | "failed" | "none";

/**
 * The link of a first_comment share as the first comment under its published post, exactly
 * once: "pending" is stored before the comment is sent and its id after, so a retry that finds
 * "pending" first asks the network for the comment (findComment) and only then sends again,
 * under the same idempotency key. A refused comment leaves the post as it is and tells the person.
 */
export async function postFirstComment(db: Database, shareId: string, options: { lastAttempt?: boolean } = {}): Promise<CommentOutcome> {
  const [row] = await db
    .select({ share: shares, connection: socialConnections, code: trackedLinks.code, title: stories.title })
    .from(shares)
    .leftJoin(socialConnections, eq(socialConnections.id, shares.connectionId))
    .leftJoin(stories, eq(stories.id, shares.storyId))
    .leftJoin(trackedLinks, eq(trackedLinks.shareId, shares.id))
    .where(eq(shares.id, shareId));
  const share = row?.share;
  if (!share || share.placement !== "first_comment" || share.status !== "published" || !share.externalId) return "none";
  if (share.commentStatus === "posted" || share.commentStatus === "failed") return "none";
  const text = row.code ? trackedUrl(row.code) : "";
  const parent: PublishedPost = { externalId: share.externalId, url: share.externalUrl };
  const failed = async (detail: string): Promise<CommentOutcome> => {
    const [marked] = await db
      .update(shares)
      .set({ commentStatus: "failed", lastError: detail.slice(0, 1000) })
      .where(and(eq(shares.id, share.id), eq(shares.commentStatus, "pending")))
      .returning({ id: shares.id });
    if (marked && share.userId) await addNotices(db, trustedScope(share.orgId, { kind: "system" }), [{ userId: share.userId, kind: "share.commentFailed", data: { title: row.title ?? "", network: share.network } }]);
    log.warn({ shareId: share.id, network: share.network, detail }, "first comment failed");
    return "failed";
  };
  const posted = async (externalId: string): Promise<CommentOutcome> => {
    await db.update(shares).set({ commentStatus: "posted", commentExternalId: externalId }).where(eq(shares.id, share.id));
    return "posted";
  };
  const retrying = share.commentStatus === "pending";
  // Claimed before anything reaches the network: a crash after this point is a retry.
  if (!retrying) await db.update(shares).set({ commentStatus: "pending" }).where(and(eq(shares.id, share.id), sql`${shares.commentStatus} is null`));
  if (!row.connection || !text) return failed("The account or the tracked link is gone");
  let to: Target;
  try {
    to = await target(db, row.connection);
  } catch (error) {
    return failed(String((error as Error)?.message ?? error));
  }
  if (to.kind !== "network" || !to.adapter.comment) return failed(`${share.network} takes no first comment`);
  const key = `${share.id}:comment`;
  // A paid API (X): the look-up is a read and the comment a post with a link, each reserved
  // against the organisation's budget first.
  const allowed = async (call: "read" | "postWithLink") => !to.adapter.pricing || (await reserveApiCall(db, share.orgId, share.network, call)) === "ok";
  if (retrying) {
    // Did the earlier try get through? Its comment is among the post's replies.
    const found = to.adapter.findComment && (await allowed("read")) ? await to.adapter.findComment(to.ctx, to.tokens, parent, text, key).catch(() => "unknown" as const) : "unknown";
    if (found && found !== "unknown") return posted(found.externalId);
    const safeRepeat = to.adapter.idempotencyWindowMs !== undefined && share.publishedAt !== null && Date.now() - share.publishedAt.getTime() < to.adapter.idempotencyWindowMs;
    if (found === "unknown" && !safeRepeat) return failed("The network could not say whether the earlier comment was posted");
  }
  if (!(await allowed("postWithLink"))) return failed("The organisation's budget for the network's API did not allow the comment");
  try {
    return posted((await to.adapter.comment(to.ctx, to.tokens, parent, text, key)).externalId);
  } catch (error) {
    // Maybe posted (a timeout): the retry looks first, the comment stays "pending".
    if (error instanceof NetworkError && error.transient && !options.lastAttempt) throw error;
    return failed(String((error as Error)?.message ?? error));
  }
}

/**
 * Publishes one share exactly once: a second try posts only when the network certainly has no
 * post, else the share needs the person's attention, never a blind repeat. RetryLater for rate
 * limits (no attempt spent). How: docs/design-notes.md, "Exactly-once publishing".
 */
/**
 * `now`: the moment of the publish (the share's publishedAt when given). `followUp: false`
 * schedules neither metric polls nor a push: for a caller that plays the past (lib/demo).
 */
export type PublishOptions = { now?: Date; lastAttempt?: boolean; followUp?: boolean };

export async function publishShare(db: Database, redis: RedisClient, shareId: string, options: PublishOptions = {}): Promise<PublishOutcome> {
  const claimed: { placement?: Share["placement"] } = {};
  const outcome = await publishOnce(db, redis, shareId, options, claimed);
  // Posted, failed or needing attention: the person hears it on their devices (when push is on).
  if (outcome !== "skipped" && options.followUp !== false) await queueSharePush(shareId, outcome);
  // first_comment: the link follows as the post's first comment, a step of its own after the
  // post is recorded. A retried job finds the share published ("skipped") and resumes here;
  // a share this try published is looked at again only when its link goes in a comment.
  if (outcome === "skipped" || (outcome === "published" && claimed.placement === "first_comment")) await postFirstComment(db, shareId, options);
  return outcome;
}

async function publishOnce(db: Database, redis: RedisClient, shareId: string, options: PublishOptions, seen: { placement?: Share["placement"] }): Promise<PublishOutcome> {
  const now = options.now ?? new Date();
  const taken = await claim(db, shareId, now);
  if (!taken) return "skipped";
  const { claimed: context, recovering } = taken;
  const share: Share = context.share;
  seen.placement = share.placement;
  const fail = (code: string, detail: string) => finish(db, share, { status: "failed", errorCode: code, lastError: detail.slice(0, 1000) });
  // A look-up the paid API's budget refused: the share needs the person, never a blind repeat.
  let lookupRefused = false;
  const refuseLookup = () => void (lookupRefused = true);
  const unknownOutcome = (detail: string) =>
    finish(db, share, lookupRefused ? { status: "needs_attention", errorCode: "lookup_over_budget", lastError: "The organisation's budget for the network's API did not allow the look-up" } : { status: "needs_attention", errorCode: "outcome_unknown", lastError: detail });

  const connection = context.connection;
  if (!connection) return fail("connection_removed", "The account was disconnected");
  if (connection.status === "revoked" || connection.status === "expired") return fail("connection_expired", `The connection is ${connection.status}`);
  const story = context.story;
  if (!story || story.status !== "published") return fail("story_withdrawn", "The story is no longer published");
  if (story.expiresAt && story.expiresAt <= now) return fail("story_expired", "The story's sharing window ended");
  // The rules may have changed since the share was scheduled.
  const { blockedWords } = parseSettings(context.settings);
  const blocked = findBlockedPhrases(share.text, blockedWords);
  if (blocked.length > 0) return fail("text_breaks_rules", `Blocked phrase: ${blocked.map((b) => b.phrase).join(", ")}`);

  const linkUrl = context.code ? trackedUrl(context.code) : "";
  const post: OutgoingPost = {
    shareId: share.id,
    createdAt: share.createdAt,
    text: share.text,
    trackedUrl: linkUrl,
    language: story.language,
    link: { url: linkUrl, title: story.title, description: story.summary, imageUrl: story.imageUrl },
    placement: share.placement,
    draft: { stored: share.draftId ? { id: share.draftId, recreated: share.draftRecreated } : null, save: (id, recreated) => saveDraft(db, share, id, recreated) },
  };

  let to: Target;
  try {
    to = await target(db, connection);
  } catch (error) {
    return handleFailure(error);
  }

  // A second try: did the first one get through? Within the network's idempotency window
  // a repeat returns the first post, so there is nothing to ask.
  const safeRepeat = to.kind === "network" && to.adapter.idempotencyWindowMs !== undefined && now.getTime() - (share.firstAttemptAt ?? now).getTime() < to.adapter.idempotencyWindowMs;
  if ((recovering || share.attempts > 1) && !safeRepeat) {
    const found = await lookup(db, to, post, refuseLookup);
    if (found && found !== "unknown") return takeFound(found);
    if (found === "unknown" && !(to.kind === "network" && to.adapter.repeatNamesFirstPost)) {
      return unknownOutcome("The network could not say whether the earlier try was posted");
    }
  }

  // A paid API (X): the post's cost is reserved against the organisation's budget first; when
  // the budget says no (or API posting is off) the person posts it through the share window.
  if (to.kind === "network" && to.adapter.pricing) {
    const reservation = await reserveApiCall(db, share.orgId, connection.network, post.trackedUrl && postedText(post).includes(post.trackedUrl) ? "postWithLink" : "post", { now, settings: context.settings });
    if (reservation !== "ok") return toShareWindow(db, share, reservation, story.title);
  }

  if (to.kind === "network") {
    const wait = await takePostSlot(redis, connection.network, connection.id, share.id);
    if (wait > 0) {
      await release(db, share, null, false);
      throw new RetryLater(wait, `The account's rate limit allows the next post in ${Math.ceil(wait / 1000)} s`);
    }
  }

  try {
    return await published(db, share, await send(db, to, post, options.now), options);
  } catch (error) {
    let renewed: Target | null;
    try {
      renewed = await renewedAfter(error, to);
    } catch (refreshError) {
      return handleFailure(refreshError);
    }
    if (!renewed) return handleFailure(error);
    to = renewed;
    try {
      return await published(db, share, await send(db, to, post, options.now), options);
    } catch (again) {
      return handleFailure(again);
    }
  }

  /**
   * A 401 despite a refresh token: the access token died early (revoked, or the network's clock
   * ahead of ours). A 401 posted nothing, so renew once and retry; null when that is impossible.
   */
  async function renewedAfter(error: unknown, current: Target): Promise<Target | null> {
    if (!(error instanceof NetworkError) || error.kind !== "unauthorized" || current.kind !== "network" || !current.tokens.refreshToken || !current.adapter.refresh) return null;
    try {
      const tokens = await refreshConnection(db, current.connection.id, now, Number.POSITIVE_INFINITY);
      return tokens && tokens.accessToken !== current.tokens.accessToken ? { ...current, tokens } : null;
    } catch (refreshError) {
      if (refreshError instanceof NetworkError && refreshError.kind === "unauthorized") return null;
      throw refreshError;
    }
  }

  /**
   * A post the network has for this share, found or named by a duplicate: published with it,
   * unless another share holds it (same words, no link to tell them apart): then this share's
   * words were refused and the person must change them.
   */
  async function takeFound(found: PublishedPost): Promise<PublishOutcome> {
    if (!(await heldByAnotherShare(db, share, found.externalId))) return published(db, share, found, options);
    return finish(db, share, { status: "needs_attention", errorCode: "duplicate_text", lastError: "The network already has a post of yours with these words (another share's); change the words and share again" });
  }

  async function handleFailure(error: unknown): Promise<PublishOutcome> {
    if (!(error instanceof NetworkError)) {
      const detail = String((error as Error)?.message ?? error);
      // Not the network's answer (a bug, the database, a token that no longer decrypts):
      // the queue retries; the last attempt ends the share with the reason kept.
      if (options.lastAttempt) {
        log.error({ err: error, shareId: share.id }, "share failed on its last attempt");
        return fail("unknown", detail);
      }
      await release(db, share, detail);
      throw error;
    }
    if (error.kind === "duplicate") {
      // The text carries the share's own tracked link: a duplicate of it is this share's post.
      // A first_comment post has no link: a duplicate another share already holds is that
      // share's post, and this one's words were refused.
      const existing = error.existingId;
      if (existing) return takeFound({ externalId: existing, url: to!.kind === "network" ? (to!.adapter.postUrl?.(existing) ?? null) : null });
      const found = await lookup(db, to!, post, refuseLookup);
      if (found && found !== "unknown") return takeFound(found);
      if (lookupRefused) return unknownOutcome(error.message);
      return finish(db, share, { status: "needs_attention", errorCode: "duplicate_unresolved", lastError: error.message });
    }
    if (error.kind === "rateLimited") {
      const wait = error.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS;
      if (connection) await refusedByNetwork(redis, connection.network, connection.id, share.id, wait);
      await release(db, share, error.message, false);
      throw new RetryLater(wait, error.message);
    }
    if (error.kind === "unavailable" && !options.lastAttempt) {
      // Maybe posted (a timeout after the network took it): the next try looks first.
      await release(db, share, error.message);
      throw error;
    }
    if (error.kind === "unauthorized") {
      await markConnectionBroken(db, connection!, "revoked", error.message).catch((e) => log.error({ err: e }, "could not mark the connection"));
    }
    // A retired API version is the server's configuration, not the post: named apart, so
    // publishing health points at the setting (lib/networks/linkedin-version.ts).
    return fail(error.code === API_VERSION_RETIRED ? "network_version_retired" : `network_${error.kind}`, error.message);
  }
}

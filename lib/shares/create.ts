import { randomUUID } from "node:crypto";
import { and, count, eq, sql } from "drizzle-orm";
import { shares, socialConnections, stories, storyVariants, type LinkPlacement, type NetworkId, type Share } from "@/db/schema";
import type { DbOrTx, Tx } from "@/lib/db";
import { instanceTextLimits } from "@/lib/connections";
import { DomainError, conflict, invalid, notFound } from "@/lib/errors";
import { guidelinesStatus } from "@/lib/guidelines";
import { createTrackedLink, newLinkCode, trackedUrl } from "@/lib/links/tracked-links";
import { shareWindowFor } from "@/lib/networks/registry";
import { isConnectable } from "@/lib/networks/types";
import { getOrganizationSettings, type OrganizationSettings } from "@/lib/orgs";
import { placementFor } from "@/lib/orgs/link-placement";
import { countPublishedNow } from "@/lib/reach/published";
import { feedStory, type FeedStory } from "@/lib/stories/feed";
import { enqueuePublish } from "@/lib/queue/publish";
import type { Scope } from "@/lib/tenant";
import { composeSchema, intentSchema } from "./schemas";
import { finalShareText } from "./share-text";
import { spreadFromColleagues } from "./timing";

/** Shares may be made a minute in the past (the time it took to press the button). */
const PAST_TOLERANCE_MS = 60_000;

async function shareableStory(db: DbOrTx, scope: Scope, userId: string, storyId: string, now = new Date()): Promise<FeedStory & { slug: string }> {
  const story = await feedStory(db, scope, userId, storyId, now);
  if (!story) throw notFound("Story");
  const [row] = await db.select({ slug: stories.slug }).from(stories).where(eq(stories.id, storyId));
  return { ...story, slug: row!.slug };
}

async function requireGuidelines(db: DbOrTx, scope: Scope, userId: string) {
  const status = await guidelinesStatus(db, scope, userId);
  if (!status.accepted) throw new DomainError(409, "guidelinesNotAccepted", "Read and accept the current guidelines first");
}

type NewShare = {
  story: FeedStory & { slug: string };
  userId: string;
  network: NetworkId;
  connectionId: string | null;
  /** The suggested text it started from, and whether that one was written with help. */
  variant: { id: string; assisted: boolean } | null;
  /** The person used writing help on the text ("in my words", a translation). */
  assisted?: boolean;
  text: string;
  mode: "api" | "intent";
  scheduledAt: Date;
  settings: OrganizationSettings;
  limit?: number;
  urlLength?: number;
  /** Where a refusal of the text is reported (the form field). */
  field: string;
  /** When the share was made (its row's createdAt); now when not given. */
  at?: Date;
};


/** Checks the final text (tracked link and disclosure in) and writes the share and its link. */
async function insertShare(tx: Tx, scope: Scope, input: NewShare): Promise<{ share: Share; linkUrl: string }> {
  if (!input.story.canonicalUrl) throw invalid("storyHasNoLink", "The story has no link to share");
  const id = randomUUID();
  const code = newLinkCode();
  const linkUrl = trackedUrl(code);
  const text = finalShareText({ ...input, storyUrl: input.story.canonicalUrl, linkUrl }, input.field);
  const [share] = await tx
    .insert(shares)
    .values({
      id,
      orgId: scope.orgId,
      storyId: input.story.id,
      userId: input.userId,
      connectionId: input.connectionId,
      variantId: input.variant?.id ?? null,
      network: input.network,
      mode: input.mode,
      text,
      assisted: Boolean(input.assisted) || Boolean(input.variant?.assisted),
      placement: await placementFor(input.settings, input.network, input.mode, () => sharesOfStoryOn(tx, input.story.id, input.network)),
      status: "scheduled",
      scheduledAt: input.scheduledAt,
      ...(input.at ? { createdAt: input.at } : {}),
    })
    .returning();
  await createTrackedLink(tx, scope, { code, shareId: id, storyId: input.story.id, destination: input.story.canonicalUrl, network: input.network, storySlug: input.story.slug });
  return { share: share!, linkUrl };
}

/**
 * Where the link of the next share of a story would go on each network, for the composer's
 * preview: the organisation's placement, "compare" resolved as creating the share would.
 */
export async function nextPlacements(db: DbOrTx, scope: Scope, settings: OrganizationSettings, storyId: string, networks: readonly NetworkId[]): Promise<Partial<Record<NetworkId, LinkPlacement>>> {
  const [story] = await db.select({ id: stories.id }).from(stories).where(and(eq(stories.id, storyId), eq(stories.orgId, scope.orgId)));
  if (!story) return {};
  const entries = await Promise.all(networks.map(async (network) => [network, await placementFor(settings, network, "api", () => sharesOfStoryOn(db, story.id, network))] as const));
  return Object.fromEntries(entries);
}

/** How many shares of the story on the network Ripple has posted or will post (the "compare" placement alternates by it). */
async function sharesOfStoryOn(tx: DbOrTx, storyId: string, network: NetworkId): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(shares)
    .where(and(eq(shares.storyId, storyId), eq(shares.network, network), eq(shares.mode, "api")));
  return row?.n ?? 0;
}

async function checkVariant(tx: Tx, storyId: string, variantId: string | null | undefined): Promise<{ id: string; assisted: boolean } | null> {
  if (!variantId) return null;
  const [row] = await tx.select({ id: storyVariants.id, assisted: storyVariants.assisted }).from(storyVariants).where(and(eq(storyVariants.id, variantId), eq(storyVariants.storyId, storyId)));
  return row ?? null;
}

/**
 * Shares a story from the employee's connected accounts, now or at a time: one share per
 * account, each text checked the way its network counts, spread from colleagues' shares
 * of the same story on the same network by the organisation's spacing. All or nothing.
 * `enqueue: false` leaves the publish jobs out, for a caller that publishes the shares
 * itself at their time (the demo's history, lib/demo).
 */
export async function createShares(db: DbOrTx, scope: Scope, userId: string, raw: unknown, now = new Date(), options: { enqueue?: boolean } = {}): Promise<Array<Share & { queued: boolean | null }>> {
  const input = composeSchema.parse(raw);
  await requireGuidelines(db, scope, userId);
  const story = await shareableStory(db, scope, userId, input.storyId, now);
  const settings = await getOrganizationSettings(db, scope.orgId);
  const desired = input.scheduledAt ?? now;
  if (desired.getTime() < now.getTime() - PAST_TOLERANCE_MS) throw invalid("timeInPast", "Choose a time in the future", { scheduledAt: ["timeInPast"] });
  if (story.expiresAt && desired >= story.expiresAt) throw invalid("afterExpiry", "The story is no longer shared by then", { scheduledAt: ["afterExpiry"] });

  const created = await db.transaction(async (tx) => {
    const out: Share[] = [];
    for (const [i, post] of input.posts.entries()) {
      const [connection] = await tx
        .select()
        .from(socialConnections)
        .where(and(eq(socialConnections.id, post.connectionId), eq(socialConnections.orgId, scope.orgId), eq(socialConnections.userId, userId)));
      if (!connection || !isConnectable(connection.network)) throw invalid("unknownConnection", "No such account of yours", { [`posts.${i}.connectionId`]: ["unknownConnection"] });
      if (connection.status === "expired" || connection.status === "revoked") {
        throw invalid("connectionExpired", "Re-connect this account first", { [`posts.${i}.connectionId`]: ["connectionExpired"] });
      }
      // Colleagues' shares of the story on this network are spaced out; take turns per story and network.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`share-spacing:${story.id}:${connection.network}`}, 0))`);
      const scheduledAt = await spreadFromColleagues(tx, { storyId: story.id, network: connection.network, userId, at: desired, spacingMinutes: settings.shareSpacingMinutes });
      if (story.expiresAt && scheduledAt >= story.expiresAt) {
        throw invalid("afterExpiry", "With colleagues' shares spaced out, this one would come after the story expires", { scheduledAt: ["afterExpiry"] });
      }
      const limits = await instanceTextLimits(tx, connection.network, connection.instanceUrl);
      const { share } = await insertShare(tx, scope, {
          story,
          userId,
          network: connection.network,
          connectionId: connection.id,
          variant: await checkVariant(tx, story.id, post.variantId),
          assisted: post.assisted,
          text: post.text,
          mode: "api",
          scheduledAt,
          settings,
          ...limits,
          field: `posts.${i}.text`,
          at: now,
        });
      out.push(share);
    }
    return out;
  });
  if (options.enqueue === false) return created.map((share) => ({ ...share, queued: null }));
  const queued = await Promise.all(created.map((share) => enqueuePublish(share)));
  return created.map((share, i) => ({ ...share, queued: queued[i]! }));
}

/**
 * A share through the network's own share window: the share and its tracked link are
 * recorded, and the window's address (with the text where the network takes one) comes
 * back. The person then says whether they posted it (confirmIntentShare).
 */
export async function createIntentShare(db: DbOrTx, scope: Scope, userId: string, raw: unknown) {
  const input = intentSchema.parse(raw);
  await requireGuidelines(db, scope, userId);
  const story = await shareableStory(db, scope, userId, input.storyId);
  const settings = await getOrganizationSettings(db, scope.orgId);
  const { share, linkUrl } = await db.transaction(async (tx) =>
    insertShare(tx, scope, {
      story,
      userId,
      network: input.network,
      connectionId: null,
      variant: await checkVariant(tx, story.id, input.variantId),
      assisted: input.assisted,
      text: input.text,
      mode: "intent",
      scheduledAt: new Date(),
      settings,
      field: "text",
    }),
  );
  return {
    share,
    url: shareWindowFor(input.network).url({
      url: linkUrl,
      text: share.text,
      hashtag: settings.disclosureHashtag,
      facebookAppId: settings.facebookAppId,
      mastodonInstance: input.mastodonInstance ?? null,
    }),
    /** Networks whose window takes no text: the text goes to the clipboard for pasting. */
    copyText: shareWindowFor(input.network).takesText ? null : share.text,
  };
}

/** "Did you post it?": yes marks the share published now, no cancels it. Only the person's own, only once. */
export async function confirmIntentShare(db: DbOrTx, scope: Scope, userId: string, shareId: string, posted: boolean): Promise<Share> {
  const [share] = await db
    .update(shares)
    .set(posted ? { status: "published", publishedAt: new Date() } : { status: "cancelled", cancelledAt: new Date(), errorCode: "not_posted" })
    .where(and(eq(shares.id, shareId), eq(shares.orgId, scope.orgId), eq(shares.userId, userId), eq(shares.mode, "intent"), eq(shares.status, "scheduled")))
    .returning();
  if (!share) {
    // Someone else's, or not an open share link: not found; one's own already answered: a conflict.
    const [own] = await db.select({ id: shares.id }).from(shares).where(and(eq(shares.id, shareId), eq(shares.orgId, scope.orgId), eq(shares.userId, userId), eq(shares.mode, "intent")));
    if (own) throw conflict("alreadyAnswered", "You already answered for this share");
    throw notFound("Share");
  }
  if (share.status === "published") await countPublishedNow(db, [share.id]);
  return share;
}

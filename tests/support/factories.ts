import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { socialConnections, stories, storyAudiences, storyTopics, trackedLinks, type NewStory, type Role } from "@/db/schema";
import { db } from "@/lib/db";
import { acceptGuidelines, guidelinesStatus } from "@/lib/guidelines";
import { addActiveMember } from "@/lib/members";
import { createOrganization } from "@/lib/orgs";
import { createShares } from "@/lib/shares";
import { trustedScope, type Scope } from "@/lib/tenant";

/** Small builders for integration tests; each call makes distinct rows, so tests can run side by side. */

export function uniqueSlug(base = "org"): string {
  return `${base}-${randomBytes(4).toString("hex")}`;
}

export function uniqueEmail(name = "person"): string {
  return `${name}.${randomBytes(4).toString("hex")}@example.test`;
}

export async function makeOrganization(name = "Test ApS") {
  const org = await createOrganization(db(), { name, slug: uniqueSlug() }, { kind: "cli" });
  return { org, cli: trustedScope(org.id, { kind: "cli" }) };
}

/** An active member; returns a scope acting as that member. */
export async function makeMember(cli: Scope, roles: Role[], options: { email?: string; name?: string; teamId?: string | null } = {}) {
  const { user, membership } = await addActiveMember(db(), cli, {
    email: options.email ?? uniqueEmail(roles[0]),
    name: options.name,
    roles,
    teamId: options.teamId ?? null,
  });
  return { user, membership, scope: trustedScope(cli.orgId, { kind: "user", userId: user.id }) };
}

// --- Sharing: stories, accounts and guidelines for the sharing tests -----------------------

/** A story inserted straight into the tables: published an hour ago unless told otherwise. */
export async function makePublishedStory(
  scope: Scope,
  options: Partial<Omit<NewStory, "orgId">> & { audiences?: string[]; topics?: string[] } = {},
) {
  const { audiences = [], topics = [], ...values } = options;
  const title = values.title ?? "Nordlys bygger vindmøller";
  const hourAgo = new Date(Date.now() - 3_600_000);
  const [story] = await db()
    .insert(stories)
    .values({
      orgId: scope.orgId,
      slug: `${uniqueSlug("story")}`,
      title,
      language: "da",
      status: "published",
      canonicalUrl: "https://nordlys.example/nyheder/vindmoeller",
      publishAt: hourAgo,
      publishedAt: hourAgo,
      ...values,
    })
    .returning();
  if (audiences.length > 0) await db().insert(storyAudiences).values(audiences.map((teamId) => ({ storyId: story!.id, teamId })));
  if (topics.length > 0) await db().insert(storyTopics).values(topics.map((topicId) => ({ storyId: story!.id, topicId })));
  return story!;
}

/** A connected account (no tokens: nothing is posted in these tests). */
export async function makeConnection(scope: Scope, userId: string, values: Partial<Omit<typeof socialConnections.$inferInsert, "orgId" | "userId">> = {}) {
  const network = values.network ?? "x";
  const [connection] = await db()
    .insert(socialConnections)
    .values({
      orgId: scope.orgId,
      userId,
      network,
      externalId: randomBytes(6).toString("hex"),
      handle: `@${network}-${randomBytes(3).toString("hex")}`,
      status: "active",
      ...(network === "mastodon" && values.instanceUrl === undefined ? { instanceUrl: "https://mastodon.example" } : {}),
      ...values,
    })
    .returning();
  return connection!;
}

/** The member acknowledges the organisation's current guidelines, as the guidelines page does. */
export async function acceptCurrentGuidelines(scope: Scope, userId: string) {
  const { version } = await guidelinesStatus(db(), scope, userId);
  await acceptGuidelines(db(), scope, userId, version);
}

/** An employee ready to share: guidelines accepted and one connected account per network asked for. */
export async function makeSharer(
  cli: Scope,
  options: { networks?: Array<"x" | "mastodon" | "linkedin" | "bluesky">; teamId?: string | null; name?: string; roles?: Role[] } = {},
) {
  const member = await makeMember(cli, options.roles ?? ["employee"], { teamId: options.teamId ?? null, name: options.name });
  await acceptCurrentGuidelines(cli, member.user.id);
  const connections: Record<string, typeof socialConnections.$inferSelect> = {};
  for (const network of options.networks ?? ["x"]) connections[network] = await makeConnection(cli, member.user.id, { network });
  return { ...member, connections };
}

/** A Mastodon share of a fresh story in a fresh organisation, and its tracked link (for click tests). */
export async function makeSharedLink() {
  const { cli, org } = await makeOrganization();
  const story = await makePublishedStory(cli);
  const person = await makeSharer(cli, { networks: ["mastodon"] });
  const [share] = await createShares(db(), cli, person.user.id, { storyId: story.id, posts: [{ connectionId: person.connections.mastodon!.id, text: "Se her" }] });
  const [link] = await db().select().from(trackedLinks).where(eq(trackedLinks.shareId, share!.id));
  return { org, cli, story, person, share: share!, link: link! };
}

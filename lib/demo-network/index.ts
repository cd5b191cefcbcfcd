import { and, desc, eq } from "drizzle-orm";
import { demoPosts, organizations, socialConnections, users } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { envFor } from "@/lib/env";
import { appUrl } from "@/lib/env/app-url";
import type { Scope } from "@/lib/tenant";

/**
 * In demo mode, a demo organisation's members start connected here, to share without a real
 * account. Not a URL, so nothing outside can reach it; every page showing it says it is a demo.
 */
export const DEMO_INSTANCE = "demo:local";

export function isDemoConnection(connection: { instanceUrl: string | null }): boolean {
  return connection.instanceUrl === DEMO_INSTANCE;
}

/** Whether this organisation gets the demo network (demo mode on, a demo organisation). */
export async function demoNetworkEnabled(db: DbOrTx, scope: Scope): Promise<boolean> {
  if (!envFor(["DEMO_MODE"]).DEMO_MODE) return false;
  const [org] = await db.select({ isDemo: organizations.isDemo }).from(organizations).where(eq(organizations.id, scope.orgId));
  return org?.isDemo ?? false;
}

/** Connects the person to the demo network if they are not yet (idempotent). */
export async function ensureDemoConnection(db: DbOrTx, scope: Scope, userId: string): Promise<void> {
  if (!(await demoNetworkEnabled(db, scope))) return;
  await connectDemoAccount(db, scope, userId);
}

/** The person's demo account, whether demo mode is on or not (the demo's history makes them before it is). */
export async function connectDemoAccount(db: DbOrTx, scope: Scope, userId: string, options: { followerCount?: number; at?: Date } = {}): Promise<void> {
  const [user] = await db.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, userId));
  if (!user) return;
  const local = user.email.split("@")[0]!.replace(/[^a-z0-9_]/gi, "").toLowerCase() || "demo";
  await db
    .insert(socialConnections)
    .values({
      orgId: scope.orgId,
      userId,
      network: "mastodon",
      externalId: `demo-${userId}`,
      handle: `@${local}@demo.ripple`,
      displayName: user.name,
      instanceUrl: DEMO_INSTANCE,
      followerCount: options.followerCount ?? 120,
      status: "active",
      ...(options.at ? { createdAt: options.at } : {}),
    })
    .onConflictDoNothing();
}

/** Posts a share to the demo network: once per share, however often it is retried. */
export async function postToDemoNetwork(db: DbOrTx, input: { orgId: string; connectionId: string; shareId: string; author: string; text: string; createdAt?: Date }) {
  await db.insert(demoPosts).values(input).onConflictDoNothing({ target: demoPosts.shareId });
  const [post] = await db.select().from(demoPosts).where(eq(demoPosts.shareId, input.shareId));
  return { id: post!.id, url: appUrl(`/demo-network#${post!.id}`) };
}

/** The demo network's timeline for one organisation, newest first. */
export async function demoTimeline(db: DbOrTx, scope: Scope, limit = 50) {
  return db.select().from(demoPosts).where(and(eq(demoPosts.orgId, scope.orgId))).orderBy(desc(demoPosts.createdAt)).limit(limit);
}

import { eq } from "drizzle-orm";
import { trackedLinks, type NetworkId } from "@/db/schema";
import { randomBase62 } from "@/lib/crypto";
import type { DbOrTx } from "@/lib/db";
import { appUrl } from "@/lib/env/app-url";
import type { Scope } from "@/lib/tenant";

/** Codes are 10 random base62 characters (about 59 bits): unguessable, short in a post. */
export const CODE_LENGTH = 10;
const CODE = /^[0-9A-Za-z]{8,32}$/;

export function isLinkCode(value: string): boolean {
  return CODE.test(value);
}

/** The story's address with the campaign parameters every share carries. */
export function withUtm(destination: string, params: { network: NetworkId; storySlug: string; shareId: string }): string {
  const url = new URL(destination);
  url.searchParams.set("utm_source", params.network);
  url.searchParams.set("utm_medium", "employee_advocacy");
  url.searchParams.set("utm_campaign", params.storySlug);
  url.searchParams.set("utm_content", params.shareId);
  return url.toString();
}

export function trackedUrl(code: string): string {
  return appUrl(`/r/${code}`);
}

export function newLinkCode(): string {
  return randomBase62(CODE_LENGTH);
}

/**
 * Stores a share's tracked link under a code drawn beforehand (the share's text already
 * carries it). A clash of two random 10-character codes would fail the transaction.
 */
export async function createTrackedLink(
  tx: DbOrTx,
  scope: Scope,
  input: { code: string; shareId: string; storyId: string; destination: string; network: NetworkId; storySlug: string },
) {
  const [row] = await tx
    .insert(trackedLinks)
    .values({ orgId: scope.orgId, code: input.code, shareId: input.shareId, storyId: input.storyId, destination: withUtm(input.destination, input) })
    .returning();
  return { ...row!, url: trackedUrl(row!.code) };
}

export type LinkTarget = { id: string; orgId: string; shareId: string | null; destination: string };

/**
 * Where a code leads, or null. Not scoped by organisation on purpose: a code is a public,
 * unguessable name and the redirect serves every organisation's links.
 */
export async function resolveLink(db: DbOrTx, code: string): Promise<LinkTarget | null> {
  if (!isLinkCode(code)) return null;
  const [row] = await db
    .select({ id: trackedLinks.id, orgId: trackedLinks.orgId, shareId: trackedLinks.shareId, destination: trackedLinks.destination })
    .from(trackedLinks)
    .where(eq(trackedLinks.code, code))
    .limit(1);
  return row ?? null;
}

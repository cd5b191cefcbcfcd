import { createHash } from "node:crypto";
import { and, asc, count, eq, inArray } from "drizzle-orm";
import { shares, storyVariants, type NetworkId, type Locale } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import type { Scope } from "@/lib/tenant";
import { listShareAccounts } from "./accounts";
import { colleaguesSharesOf } from "./colleagues";

export type StartingVariant = { variantId: string; text: string; language: Locale };

/**
 * The variant a person starts from (their language, else the story's, else any): the one
 * colleagues started from least, ties by a hash of person and story, so a team's posts do not
 * all begin alike and the same person sees the same start again.
 */
export async function startingVariant(
  db: DbOrTx,
  scope: Scope,
  input: { userId: string; storyId: string; network: NetworkId; languages: Locale[] },
): Promise<StartingVariant | null> {
  const variants = await db
    .select({ id: storyVariants.id, text: storyVariants.text, language: storyVariants.language, position: storyVariants.position })
    .from(storyVariants)
    .where(and(eq(storyVariants.storyId, input.storyId), eq(storyVariants.orgId, scope.orgId), eq(storyVariants.network, input.network)))
    .orderBy(asc(storyVariants.position));
  if (variants.length === 0) return null;
  const language = input.languages.find((l) => variants.some((v) => v.language === l));
  const pool = language ? variants.filter((v) => v.language === language) : variants;

  const usage = await db
    .select({ variantId: shares.variantId, n: count() })
    .from(shares)
    .where(
      and(
        colleaguesSharesOf(scope.orgId, input.storyId, input.userId),
        inArray(
          shares.variantId,
          pool.map((v) => v.id),
        ),
      ),
    )
    .groupBy(shares.variantId);
  const used = new Map(usage.map((u) => [u.variantId, u.n]));
  const seed = (id: string) => createHash("sha256").update(`${input.userId}:${input.storyId}:${id}`).digest().readUInt32BE(0);
  const chosen = [...pool].sort((a, b) => (used.get(a.id) ?? 0) - (used.get(b.id) ?? 0) || seed(a.id) - seed(b.id))[0]!;
  return { variantId: chosen.id, text: chosen.text, language: chosen.language };
}

/**
 * The variant a person would start from without choosing an account first (a digest's
 * link): for the network of their first working account, else the story's first network.
 */
export async function personalStartingVariant(db: DbOrTx, scope: Scope, input: { userId: string; storyId: string; languages: Locale[] }): Promise<StartingVariant | null> {
  const accounts = await listShareAccounts(db, scope, input.userId);
  let network = accounts.find((a) => a.status === "active" || a.status === "expiring")?.network;
  if (!network) {
    const [first] = await db
      .select({ network: storyVariants.network })
      .from(storyVariants)
      .where(and(eq(storyVariants.storyId, input.storyId), eq(storyVariants.orgId, scope.orgId)))
      .orderBy(asc(storyVariants.position))
      .limit(1);
    network = first?.network;
  }
  return network ? startingVariant(db, scope, { ...input, network }) : null;
}

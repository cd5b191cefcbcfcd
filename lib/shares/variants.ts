import { createHash } from "node:crypto";
import { and, asc, count, eq, inArray } from "drizzle-orm";
import { shares, storyVariants, type NetworkId, type Locale } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import type { Scope } from "@/lib/tenant";
import { listShareAccounts } from "./accounts";
import { colleaguesSharesOf } from "./colleagues";

export type StartingVariant = { variantId: string; text: string; language: Locale };

/** One suggested text as the composer offers it. */
export type Suggestion = { id: string; text: string; language: Locale };

/** A network's suggestions in the editor's order, and which one the person starts from. */
export type NetworkSuggestions = { suggestions: Suggestion[]; startId: string };

type VariantRow = Suggestion & { network: NetworkId; position: number };

async function storyVariantRows(db: DbOrTx, scope: Scope, storyId: string, networks?: readonly NetworkId[]): Promise<VariantRow[]> {
  return db
    .select({ id: storyVariants.id, text: storyVariants.text, language: storyVariants.language, network: storyVariants.network, position: storyVariants.position })
    .from(storyVariants)
    .where(and(eq(storyVariants.storyId, storyId), eq(storyVariants.orgId, scope.orgId), networks ? inArray(storyVariants.network, [...networks]) : undefined))
    .orderBy(asc(storyVariants.position));
}

/** The person's language's suggestions, else the story's, else any (languages in order of preference). */
function poolOf(variants: VariantRow[], languages: readonly Locale[]): VariantRow[] {
  const language = languages.find((l) => variants.some((v) => v.language === l));
  return language ? variants.filter((v) => v.language === language) : variants;
}

/** How often colleagues started from each variant of the story. */
async function usageOf(db: DbOrTx, scope: Scope, input: { userId: string; storyId: string }, ids: string[]): Promise<Map<string | null, number>> {
  if (ids.length === 0) return new Map();
  const usage = await db
    .select({ variantId: shares.variantId, n: count() })
    .from(shares)
    .where(and(colleaguesSharesOf(scope.orgId, input.storyId, input.userId), inArray(shares.variantId, ids)))
    .groupBy(shares.variantId);
  return new Map(usage.map((u) => [u.variantId, u.n]));
}

/**
 * The rotation: the variant colleagues started from least, ties by a hash of person and
 * story, so a team's posts do not all begin alike and the same person sees the same start again.
 */
function rotate(pool: VariantRow[], used: Map<string | null, number>, input: { userId: string; storyId: string }): VariantRow {
  const seed = (id: string) => createHash("sha256").update(`${input.userId}:${input.storyId}:${id}`).digest().readUInt32BE(0);
  return [...pool].sort((a, b) => (used.get(a.id) ?? 0) - (used.get(b.id) ?? 0) || seed(a.id) - seed(b.id))[0]!;
}

/** The variant a person starts from on one network (their language, else the story's, else any). */
export async function startingVariant(
  db: DbOrTx,
  scope: Scope,
  input: { userId: string; storyId: string; network: NetworkId; languages: Locale[] },
): Promise<StartingVariant | null> {
  const pool = poolOf(await storyVariantRows(db, scope, input.storyId, [input.network]), input.languages);
  if (pool.length === 0) return null;
  const chosen = rotate(pool, await usageOf(db, scope, input, pool.map((v) => v.id)), input);
  return { variantId: chosen.id, text: chosen.text, language: chosen.language };
}

/**
 * Every suggestion of the story for each network, in the editor's order, with the one the
 * rotation starts from. `variantId` (from a digest or chat link) starts its network from
 * that suggestion, in its language, when it is this story's; otherwise it is refused and
 * the rotation decides.
 */
export async function composeSuggestions(
  db: DbOrTx,
  scope: Scope,
  input: { userId: string; storyId: string; networks: readonly NetworkId[]; languages: readonly Locale[]; variantId?: string | null },
): Promise<{ byNetwork: Partial<Record<NetworkId, NetworkSuggestions>>; variantRefused: boolean }> {
  if (input.networks.length === 0) return { byNetwork: {}, variantRefused: Boolean(input.variantId) };
  const all = await storyVariantRows(db, scope, input.storyId);
  const asked = input.variantId ? all.find((v) => v.id === input.variantId) : undefined;
  const pools = new Map<NetworkId, VariantRow[]>();
  for (const network of input.networks) {
    const ofNetwork = all.filter((v) => v.network === network);
    const pool = poolOf(ofNetwork, asked?.network === network ? [asked.language] : input.languages);
    if (pool.length > 0) pools.set(network, pool);
  }
  const used = await usageOf(db, scope, input, [...pools.values()].flat().map((v) => v.id));
  const byNetwork: Partial<Record<NetworkId, NetworkSuggestions>> = {};
  for (const [network, pool] of pools) {
    const start = asked?.network === network ? asked : rotate(pool, used, input);
    byNetwork[network] = { suggestions: pool.map(({ id, text, language }) => ({ id, text, language })), startId: start.id };
  }
  return { byNetwork, variantRefused: Boolean(input.variantId) && !asked };
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

import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { emvRateVersions, networkIds, type NetworkId } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx, Tx } from "@/lib/db";
import { actorUserId, type Scope } from "@/lib/tenant";

/**
 * Earned media value: what the reach would have cost as paid media. The formula is open
 * and named, and every figure carries the formula and the organisation's rate version
 * that produced it, so a number in last quarter's report can be explained next year.
 *
 * emv-1: Σ over networks of impressions / 1000 × cpm + clicks × cpc + engagements × perEngagement,
 * where clicks are human clicks through our redirect (bots excluded) and engagements are
 * likes, comments, reshares and quotes the network reported.
 */
export const EMV_FORMULA = "emv-1";

export const emvRateSchema = z.object({
  cpm: z.number().min(0).max(10_000),
  cpc: z.number().min(0).max(10_000),
  perEngagement: z.number().min(0).max(10_000),
});
export type EmvRate = z.infer<typeof emvRateSchema>;
export type EmvRates = Record<NetworkId, EmvRate>;

export const emvTableInputSchema = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/, "currency"),
  rates: z.partialRecord(z.enum(networkIds), emvRateSchema),
});

export type EmvTable = { version: number; formula: string; currency: string; rates: EmvRates };

/**
 * Version 0: the defaults until an organisation sets its own, in DKK. Conservative, round
 * figures in the range of public paid-social price lists (CPM of promoted posts, CPC of
 * link clicks); meant to be edited, and labelled as defaults wherever shown.
 */
export const DEFAULT_EMV_TABLE: EmvTable = {
  version: 0,
  formula: EMV_FORMULA,
  currency: "DKK",
  rates: {
    linkedin: { cpm: 200, cpc: 20, perEngagement: 5 },
    x: { cpm: 50, cpc: 5, perEngagement: 1 },
    mastodon: { cpm: 30, cpc: 3, perEngagement: 1 },
    bluesky: { cpm: 30, cpc: 3, perEngagement: 1 },
    facebook: { cpm: 60, cpc: 6, perEngagement: 1.5 },
    xing: { cpm: 150, cpc: 15, perEngagement: 4 },
    threads: { cpm: 50, cpc: 5, perEngagement: 1 },
  },
};

function withDefaults(rates: Partial<Record<NetworkId, EmvRate>>): EmvRates {
  return { ...DEFAULT_EMV_TABLE.rates, ...rates };
}

/** The organisation's table now: its latest version, or the defaults (version 0). */
export async function currentEmvTable(db: DbOrTx, orgId: string): Promise<EmvTable> {
  const [row] = await db.select().from(emvRateVersions).where(eq(emvRateVersions.orgId, orgId)).orderBy(desc(emvRateVersions.version)).limit(1);
  if (!row) return DEFAULT_EMV_TABLE;
  return { version: row.version, formula: row.formula, currency: row.currency, rates: withDefaults(row.rates as Partial<Record<NetworkId, EmvRate>>) };
}

/** EMV of one network's figures under a table (emv-1). */
export function emvOf(table: EmvTable, network: NetworkId, figures: { impressions: number; clicks: number; engagements: number }): number {
  const rate = table.rates[network];
  if (!rate) return 0;
  return (figures.impressions / 1000) * rate.cpm + figures.clicks * rate.cpc + figures.engagements * rate.perEngagement;
}

/** Saves an edited table as the next version (the old ones stay); returns it. Admin-only: the caller checks the role. */
export async function saveEmvRates(db: DbOrTx, scope: Scope, raw: unknown): Promise<EmvTable> {
  const input = emvTableInputSchema.parse(raw);
  const run = async (tx: Tx) => {
    // Serialise concurrent saves of one organisation so versions stay 1, 2, 3, …
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`emv:${scope.orgId}`}))`);
    const [last] = await tx.select({ version: emvRateVersions.version }).from(emvRateVersions).where(eq(emvRateVersions.orgId, scope.orgId)).orderBy(desc(emvRateVersions.version)).limit(1);
    const version = (last?.version ?? 0) + 1;
    const rates = withDefaults(input.rates);
    await tx.insert(emvRateVersions).values({ orgId: scope.orgId, version, formula: EMV_FORMULA, rates, currency: input.currency, createdBy: actorUserId(scope) });
    await audit(tx, scope, { action: "emv.rates_saved", targetType: "organization", targetId: scope.orgId, after: { version, currency: input.currency, rates } });
    return { version, formula: EMV_FORMULA, currency: input.currency, rates };
  };
  // Inside a caller's transaction this is a savepoint.
  return db.transaction(run);
}

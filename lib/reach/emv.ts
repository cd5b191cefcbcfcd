import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { emvRateVersions, networkIds, users, type NetworkId } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx, Tx } from "@/lib/db";
import { actorUserId, type Scope } from "@/lib/tenant";

/**
 * emv-1 = Σ per network: impressions / 1000 × cpm + unique human visitors × cpc + engagements ×
 * perEngagement. Every figure carries formula and rate version, so an old report can be
 * explained; why unique visitors: docs/design-notes.md, "Earned media value".
 */
export const EMV_FORMULA = "emv-1";

export const emvRateSchema = z.object({
  cpm: z.number().min(0).max(10_000),
  cpc: z.number().min(0).max(10_000),
  perEngagement: z.number().min(0).max(10_000),
});
export type EmvRate = z.infer<typeof emvRateSchema>;
export type EmvRates = Record<NetworkId, EmvRate>;

/** ISO 4217 codes the runtime knows (DKK, EUR, …); asked once. */
const knownCurrencies = new Set(Intl.supportedValuesOf("currency"));

export const emvTableInputSchema = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/, "currency").refine((c) => knownCurrencies.has(c), "currency"),
  // Known networks only: an unknown key is refused, not silently dropped.
  rates: z.partialRecord(z.enum(networkIds), emvRateSchema),
});

/**
 * An amount as typed in a form: digits with at most one decimal separator, "." or ","
 * (Danish writes 12,5), then the same bounds as emvRateSchema. Numbers pass as they are.
 */
const formAmount = z
  .union([z.number(), z.string().trim().regex(/^\d{1,6}(?:[.,]\d{1,4})?$/, "emvAmount").transform((s) => Number(s.replace(",", ".")))])
  .pipe(z.number().min(0, "emvAmount").max(10_000, "emvAmount"));

/** The admin form's input: the table with amounts as typed; it parses into emvTableInputSchema's shape. */
export const emvFormSchema = z.object({
  currency: z.string().trim().toUpperCase().pipe(emvTableInputSchema.shape.currency),
  rates: z.partialRecord(z.enum(networkIds), z.object({ cpm: formAmount, cpc: formAmount, perEngagement: formAmount })),
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

/** Whether a table is Ripple's defaults rather than one the organisation saved. */
export function isDefaultEmvTable(table: Pick<EmvTable, "version">): boolean {
  return table.version === 0;
}

/** EMV of one network's figures under a table (emv-1). */
export function emvOf(table: EmvTable, network: NetworkId, figures: { impressions: number; clicks: number; engagements: number }): number {
  const rate = table.rates[network];
  if (!rate) return 0;
  return (figures.impressions / 1000) * rate.cpm + figures.clicks * rate.cpc + figures.engagements * rate.perEngagement;
}

/** Rollup figures (lib/reach/rollups.ts) as emv-1 reads them: clicks are the unique human visitors. */
export type EmvRollupFigures = { impressions: number; uniqueVisitors: number; engagements: number };

export function emvFiguresOf(row: EmvRollupFigures): { impressions: number; clicks: number; engagements: number } {
  return { impressions: row.impressions, clicks: row.uniqueVisitors, engagements: row.engagements };
}

/**
 * EMV of rollup rows, one per network or several (summed): always per network, since each
 * network has its rates. Rows under network 'all' (or any unknown id) are skipped, so
 * passing a rollup's per-network rows together with its total does not count twice.
 */
export function emvOfRollups(table: EmvTable, rows: ReadonlyArray<EmvRollupFigures & { network: string }>): number {
  let total = 0;
  for (const row of rows) {
    if (!(networkIds as readonly string[]).includes(row.network)) continue;
    total += emvOf(table, row.network as NetworkId, emvFiguresOf(row));
  }
  return total;
}

export type EmvVersion = EmvTable & { createdAt: Date; createdByName: string | null; createdByEmail: string | null };

/** Every saved version of the organisation's table, newest first, with who saved it and when. */
export async function listEmvVersions(db: DbOrTx, scope: Scope): Promise<EmvVersion[]> {
  const rows = await db
    .select({
      version: emvRateVersions.version,
      formula: emvRateVersions.formula,
      currency: emvRateVersions.currency,
      rates: emvRateVersions.rates,
      createdAt: emvRateVersions.createdAt,
      createdByName: users.name,
      createdByEmail: users.email,
    })
    .from(emvRateVersions)
    .leftJoin(users, eq(users.id, emvRateVersions.createdBy))
    .where(eq(emvRateVersions.orgId, scope.orgId))
    .orderBy(desc(emvRateVersions.version));
  return rows.map((r) => ({ ...r, rates: withDefaults(r.rates as Partial<Record<NetworkId, EmvRate>>) }));
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
    await audit(tx, scope, { action: "emv.rates_saved", targetType: "organization", targetId: scope.orgId, before: { version: last?.version ?? 0 }, after: { version, currency: input.currency, rates } });
    return { version, formula: EMV_FORMULA, currency: input.currency, rates };
  };
  // Inside a caller's transaction this is a savepoint.
  return db.transaction(run);
}

import { and, eq, sql } from "drizzle-orm";
import { type z } from "zod";
import { apiUsage, organizations, type NetworkId, type OrganizationSettingsJson } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { adapterFor } from "@/lib/networks/registry";
import { isConnectable, type ApiPricing } from "@/lib/networks/types";
import type { Scope } from "@/lib/tenant";
import { saveSettingsPart } from "./save-settings";
import { parseSettings, xApiSettingsSchema, type OrganizationSettings, type XApiSettings } from "./settings";

/**
 * The organisation's budget for a network whose API is paid per call (X): whether Ripple
 * posts through it at all, a monthly budget in posts or money, and the meter. Every paid call
 * (a post, the exactly-once look-up, a metric read) reserves its cost here first, in one
 * conditional UPDATE, so workers side by side never spend past the budget; what the budget
 * refuses is not called (docs/design-notes.md, "Paid APIs").
 */

export type ApiCall = "post" | "postWithLink" | "read";
/** ok: call; off: the organisation turned API posting off; budget: the month's budget is spent. */
export type Reservation = "ok" | "off" | "budget";

export type BudgetState = {
  network: NetworkId;
  enabled: boolean;
  kind: "posts" | "money";
  /** null: no cap. */
  amount: number | null;
  month: string;
  used: { posts: number; reads: number; spent: number };
  /** Posts or money left this month; null without a cap. */
  remaining: number | null;
  /** Whether a post with a link may go through the API now. */
  canPost: boolean;
  /** Why not, when it may not. */
  reason: "off" | "budget" | null;
  prices: { post: number; postWithLink: number; read: number };
  pricing: ApiPricing;
};

/** The networks that charge per call, and their published prices. */
export function pricingOf(network: NetworkId): ApiPricing | null {
  return isConnectable(network) ? (adapterFor(network).pricing ?? null) : null;
}

/** The calendar month (UTC) a call at `now` is metered in, as its first day. */
export function meterMonth(now: Date): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}-01`;
}

function budgetSettings(settings: OrganizationSettings, network: NetworkId): XApiSettings | null {
  return network === "x" ? settings.xApi : null;
}

/** Money to four decimals, as the meter stores it (numeric(14, 4)): 0.1 + 0.2 is 0.3 here. */
const toMeter = (value: number) => Math.round(value * 10_000) / 10_000;

/** What `count` calls of a kind cost at these unit prices, to the meter's four decimals. */
export function priceOf(prices: BudgetState["prices"], call: ApiCall, count: number): number {
  return toMeter(prices[call] * count);
}

/**
 * What is left of a month's budget and whether a post with a link still fits: posts left, or
 * money left to the meter's four decimals (so 1.00 less 0.80 leaves the 0.20 a post costs,
 * not 0.1999…). No cap (amount null): nothing to count down, always affordable.
 */
export function budgetLeft(
  budget: { kind: "posts" | "money"; amount: number | null },
  used: { posts: number; spent: number },
  prices: BudgetState["prices"],
): { remaining: number | null; affordable: boolean } {
  const { kind, amount } = budget;
  if (amount === null) return { remaining: null, affordable: true };
  const remaining = kind === "posts" ? Math.max(0, amount - used.posts) : Math.max(0, toMeter(amount - used.spent));
  return { remaining, affordable: kind === "posts" ? remaining >= 1 : remaining >= prices.postWithLink };
}

/** The organisation's stored settings (throws when it does not exist). */
async function settingsOf(db: DbOrTx, orgId: string): Promise<OrganizationSettingsJson> {
  const [org] = await db.select({ settings: organizations.settings }).from(organizations).where(eq(organizations.id, orgId));
  if (!org) throw notFound("Organisation");
  return org.settings;
}

/** The budget's settings for a paid network, with the unit prices its calls are metered at. */
function budgetConfig(settings: OrganizationSettingsJson, network: NetworkId, pricing: ApiPricing) {
  const config = budgetSettings(parseSettings(settings), network)!;
  const prices = config.prices ?? { post: pricing.post, postWithLink: pricing.postWithLink, read: pricing.read };
  return { ...config, prices };
}

/** The budget's state this month; null for a network that charges nothing. */
export async function apiBudget(db: DbOrTx, orgId: string, network: NetworkId, now = new Date()): Promise<BudgetState | null> {
  const pricing = pricingOf(network);
  if (!pricing) return null;
  const config = budgetConfig(await settingsOf(db, orgId), network, pricing);
  const month = meterMonth(now);
  const [row] = await db
    .select({ posts: apiUsage.posts, reads: apiUsage.reads, spent: apiUsage.spent })
    .from(apiUsage)
    .where(and(eq(apiUsage.orgId, orgId), eq(apiUsage.network, network), eq(apiUsage.month, month)));
  const used = { posts: row?.posts ?? 0, reads: row?.reads ?? 0, spent: Number(row?.spent ?? 0) };
  const { prices } = config;
  const { kind, amount } = config.budget;
  const { remaining, affordable } = budgetLeft(config.budget, used, prices);
  const reason = !config.enabled ? "off" : affordable ? null : "budget";
  return { network, enabled: config.enabled, kind, amount, month, used, remaining, canPost: reason === null, reason, prices, pricing };
}

/**
 * Reserves `count` calls of a kind against the month's meter: "ok" when the budget allows
 * them (and they are counted), else why not, counting nothing. A network without pricing is
 * always "ok" and metered nowhere. `settings`: the organisation's, when the caller has read
 * them already (the publisher has: the reservation is then one statement).
 */
export async function reserveApiCall(
  db: DbOrTx,
  orgId: string,
  network: NetworkId,
  call: ApiCall,
  options: { now?: Date; count?: number; settings?: OrganizationSettingsJson } = {},
): Promise<Reservation> {
  const pricing = pricingOf(network);
  if (!pricing) return "ok";
  const { now = new Date(), count = 1 } = options;
  const config = budgetConfig(options.settings ?? (await settingsOf(db, orgId)), network, pricing);
  // Reads (look-ups, metrics) stay allowed with API posting off: they serve posts already made.
  if (!config.enabled && call !== "read") return "off";
  const cost = priceOf(config.prices, call, count);
  const posts = call === "read" ? 0 : count;
  const reads = call === "read" ? count : 0;
  const { kind, amount } = config.budget;
  // Money: the cost must fit. Posts: a post must fit; a read needs a post left (once the
  // month's posts are spent, reads stop too: the budget says no).
  const fits = (used: { posts: number; spent: number }) =>
    amount === null || (kind === "money" ? toMeter(used.spent + cost) <= amount : posts > 0 ? used.posts + posts <= amount : used.posts < amount);
  // What does not fit an unused month fits no month: nothing to count.
  if (!fits({ posts: 0, spent: 0 })) return "budget";
  const fitsNow =
    amount === null
      ? sql`true`
      : kind === "money"
        ? sql`${apiUsage.spent} + ${cost} <= ${amount}`
        : posts > 0
          ? sql`${apiUsage.posts} + ${posts} <= ${amount}`
          : sql`${apiUsage.posts} < ${amount}`;
  // The month's first call makes its row with this call counted; later ones add to it only
  // while it fits: one statement, and the row's lock keeps workers side by side within the budget.
  const counted = await db
    .insert(apiUsage)
    .values({ orgId, network, month: meterMonth(now), posts, reads, spent: cost, updatedAt: now })
    .onConflictDoUpdate({
      target: [apiUsage.orgId, apiUsage.network, apiUsage.month],
      set: { posts: sql`${apiUsage.posts} + ${posts}`, reads: sql`${apiUsage.reads} + ${reads}`, spent: sql`${apiUsage.spent} + ${cost}`, updatedAt: now },
      setWhere: fitsNow,
    })
    .returning({ posts: apiUsage.posts });
  return counted.length > 0 ? "ok" : "budget";
}

/** What an admin may set: the X API switch, the budget and (optionally) the unit prices. */
export const xApiInputSchema = xApiSettingsSchema;
export type XApiInput = z.input<typeof xApiInputSchema>;

/** Saves the organisation's X API settings, audited with the values before and after. */
export async function updateXApiSettings(db: DbOrTx, scope: Scope, input: XApiInput): Promise<XApiSettings> {
  return saveSettingsPart(db, scope, { action: "org.xApi", before: (s) => s.xApi, stored: (xApi) => ({ xApi }) }, xApiInputSchema.parse(input));
}

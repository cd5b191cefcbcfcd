import { and, eq, sql } from "drizzle-orm";
import { aiUsage, memberships, organizations } from "@/db/schema";
import { aiConfig } from "@/lib/ai/client";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { DomainError, notFound } from "@/lib/errors";
import { meterMonth } from "@/lib/orgs/api-budget";
import { saveSettingsPart } from "@/lib/orgs/save-settings";
import { parseSettings, writingHelpSettingsSchema, type WritingHelpSettings } from "@/lib/orgs/settings";
import type { Scope } from "@/lib/tenant";

/**
 * Whether writing help may be used in an organisation now, and its monthly meter. Each
 * request to the model is reserved here first, in one conditional UPDATE, so two people
 * side by side never go past the budget (as the X API budget does, lib/orgs/api-budget.ts).
 */

/** notConfigured: the server has no model (AI_BASE_URL); off: the organisation turned it off; budget: this month's requests are used. */
export type WritingHelpUnavailable = "notConfigured" | "off" | "budget";

export type WritingHelpState = {
  configured: boolean;
  /** The model's name as configured, for the admin page; null when not configured. */
  model: string | null;
  settings: WritingHelpSettings;
  month: string;
  used: number;
  /** Requests left this month; null without a cap. */
  remaining: number | null;
  available: boolean;
  reason: WritingHelpUnavailable | null;
};

export async function writingHelpState(db: DbOrTx, orgId: string, now = new Date()): Promise<WritingHelpState> {
  const config = aiConfig();
  const [org] = await db.select({ settings: organizations.settings }).from(organizations).where(eq(organizations.id, orgId));
  if (!org) throw notFound("Organisation");
  const settings = parseSettings(org.settings).writingHelp;
  const month = meterMonth(now);
  const [row] = await db.select({ requests: aiUsage.requests }).from(aiUsage).where(and(eq(aiUsage.orgId, orgId), eq(aiUsage.month, month)));
  const used = row?.requests ?? 0;
  const remaining = settings.monthlyRequests === null ? null : Math.max(0, settings.monthlyRequests - used);
  const reason: WritingHelpUnavailable | null = !config ? "notConfigured" : !settings.enabled ? "off" : remaining === 0 ? "budget" : null;
  return { configured: config !== null, model: config?.model ?? null, settings, month, used, remaining, available: reason === null, reason };
}

/** The refusal a route or action shows when writing help cannot be used. */
export function writingHelpRefused(reason: WritingHelpUnavailable): DomainError {
  if (reason === "notConfigured") return new DomainError(404, "writingHelpNotConfigured", "Writing help is not set up on this server.");
  if (reason === "off") return new DomainError(403, "writingHelpOff", "Writing help is turned off for this organisation.");
  return new DomainError(429, "writingHelpBudgetSpent", "This month's writing help requests are used; it opens again next month.");
}

/**
 * Reserves one request to the model against the month's meter, or throws why it may not be
 * made (nothing counted then).
 */
export async function reserveWritingRequest(db: DbOrTx, orgId: string, now = new Date()): Promise<void> {
  const state = await writingHelpState(db, orgId, now);
  if (state.reason && state.reason !== "budget") throw writingHelpRefused(state.reason);
  const cap = state.settings.monthlyRequests;
  await db.insert(aiUsage).values({ orgId, month: state.month }).onConflictDoNothing();
  const updated = await db
    .update(aiUsage)
    .set({ requests: sql`${aiUsage.requests} + 1`, updatedAt: now })
    .where(and(eq(aiUsage.orgId, orgId), eq(aiUsage.month, state.month), cap === null ? sql`true` : sql`${aiUsage.requests} < ${cap}`))
    .returning({ requests: aiUsage.requests });
  if (updated.length === 0) throw writingHelpRefused("budget");
}

/** Saves the organisation's switch and budget, audited with the values before and after. */
export async function updateWritingHelpSettings(db: DbOrTx, scope: Scope, input: WritingHelpSettings): Promise<WritingHelpSettings> {
  return saveSettingsPart(db, scope, { action: "org.writingHelp", before: (s) => s.writingHelp, stored: (writingHelp) => ({ writingHelp }) }, writingHelpSettingsSchema.parse(input));
}

/** Whether the person lets writing help show the model a few of their earlier posts. */
export async function writingExamplesOptIn(db: DbOrTx, scope: Scope, userId: string): Promise<boolean> {
  const [row] = await db.select({ on: memberships.writingExamples }).from(memberships).where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId)));
  return row?.on ?? false;
}

/** The person's own choice, audited (an opt-in to sending their posts to the model). */
export async function setWritingExamplesOptIn(db: DbOrTx, scope: Scope, userId: string, on: boolean): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: memberships.id, on: memberships.writingExamples })
      .from(memberships)
      .where(and(eq(memberships.orgId, scope.orgId), eq(memberships.userId, userId)))
      .for("update");
    if (!row) throw notFound("Membership");
    if (row.on === on) return on;
    await tx.update(memberships).set({ writingExamples: on }).where(eq(memberships.id, row.id));
    await audit(tx, scope, { action: "member.writingExamples", targetType: "membership", targetId: row.id, before: { writingExamples: row.on }, after: { writingExamples: on } });
    return on;
  });
}

/** Throws the refusal when writing help cannot be used in the organisation now (before a stream starts). */
export async function ensureWritingHelp(db: DbOrTx, orgId: string): Promise<void> {
  const state = await writingHelpState(db, orgId);
  if (state.reason) throw writingHelpRefused(state.reason);
}

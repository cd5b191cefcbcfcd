import { TZDate } from "@date-fns/tz";
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { reachSnapshots, shares, type NetworkId } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import type { Scope } from "@/lib/tenant";

type Window = { weekday: number; hour: number };

/** Weekday 1 (Monday) … 7 (Sunday) and hour of an instant in a zone. */
function slotOf(instant: Date, timeZone: string): Window {
  const z = new TZDate(instant.getTime(), timeZone);
  return { weekday: z.getDay() === 0 ? 7 : z.getDay(), hour: z.getHours() };
}

/** The next start of a weekday-and-hour slot in the zone at or after `from`. */
export function nextOccurrence(slot: Window, timeZone: string, from: Date): Date {
  const start = new TZDate(from.getTime(), timeZone);
  for (let day = 0; day <= 7; day++) {
    const candidate = new TZDate(start.getFullYear(), start.getMonth(), start.getDate() + day, slot.hour, 0, 0, timeZone);
    const weekday = candidate.getDay() === 0 ? 7 : candidate.getDay();
    if (weekday === slot.weekday && candidate.getTime() >= from.getTime()) return new Date(candidate.getTime());
  }
  throw new Error("unreachable: every weekday occurs within eight days");
}

/** Fewer published shares than this, and a person's own history says too little. */
export const MIN_HISTORY = 5;

export type TimeSuggestion = { at: Date; basis: "history" | "organisation" };

/**
 * When to share next: the weekday and hour at which this person's own shares earned the most
 * engagement, once there are enough of them, else the organisation's default windows; always
 * at least 30 minutes ahead.
 */
export async function suggestShareTime(
  db: DbOrTx,
  scope: Scope,
  userId: string,
  options: { timeZone: string; windows: Window[]; now?: Date },
): Promise<TimeSuggestion | null> {
  const from = new Date((options.now ?? new Date()).getTime() + 30 * 60_000);
  const history = await db
    .select({
      publishedAt: shares.publishedAt,
      engagement: sql<number>`coalesce((select coalesce(r.likes, 0) + coalesce(r.comments, 0) + coalesce(r.reshares, 0) from ${reachSnapshots} r where r.share_id = "shares"."id" and r.source = 'measured' order by r.captured_at desc limit 1), 0)`,
    })
    .from(shares)
    .where(and(eq(shares.orgId, scope.orgId), eq(shares.userId, userId), eq(shares.status, "published"), eq(shares.mode, "api")))
    .orderBy(sql`${shares.publishedAt} desc`)
    .limit(500);
  if (history.length >= MIN_HISTORY) {
    const slots = new Map<string, { slot: Window; total: number; n: number }>();
    for (const row of history) {
      if (!row.publishedAt) continue;
      const slot = slotOf(row.publishedAt, options.timeZone);
      const key = `${slot.weekday}:${slot.hour}`;
      const entry = slots.get(key) ?? { slot, total: 0, n: 0 };
      entry.total += Number(row.engagement);
      entry.n += 1;
      slots.set(key, entry);
    }
    const best = [...slots.values()].sort((a, b) => b.total / b.n - a.total / a.n || b.n - a.n)[0];
    if (best && best.total > 0) return { at: nextOccurrence(best.slot, options.timeZone, from), basis: "history" };
  }
  const upcoming = options.windows.map((w) => nextOccurrence(w, options.timeZone, from)).sort((a, b) => a.getTime() - b.getTime());
  return upcoming[0] ? { at: upcoming[0], basis: "organisation" } : null;
}

/**
 * Moves a share's time later until it is at least `spacingMinutes` from every colleague's
 * share of the same story on the same network, so a team's posts do not land at once.
 */
export async function spreadFromColleagues(
  tx: DbOrTx,
  input: { storyId: string; network: NetworkId; userId: string; at: Date; spacingMinutes: number; exceptShareId?: string },
): Promise<Date> {
  if (input.spacingMinutes <= 0) return input.at;
  const gap = input.spacingMinutes * 60_000;
  const others = (
    await tx
      .select({ at: shares.scheduledAt })
      .from(shares)
      .where(
        and(
          eq(shares.storyId, input.storyId),
          eq(shares.network, input.network),
          eq(shares.mode, "api"),
          ne(shares.userId, input.userId),
          inArray(shares.status, ["scheduled", "publishing", "published"]),
          input.exceptShareId ? ne(shares.id, input.exceptShareId) : undefined,
        ),
      )
  )
    .map((r) => r.at.getTime())
    .sort((a, b) => a - b);
  let at = input.at.getTime();
  for (let moved = true; moved; ) {
    moved = false;
    for (const other of others) {
      if (Math.abs(at - other) < gap) {
        at = other + gap;
        moved = true;
      }
    }
  }
  return new Date(at);
}

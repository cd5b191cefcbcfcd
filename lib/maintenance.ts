import { lt, sql } from "drizzle-orm";
import { verificationTokens } from "@/db/schema";
import { purgeEndedSessions } from "@/lib/auth/sessions";
import type { DbOrTx } from "@/lib/db";
import { logClickPurge, purgeClickData } from "@/lib/links/retention";
import { foldOldDays } from "@/lib/reach/retention";

/**
 * Hourly housekeeping. Click partitions are made three months ahead so clicks never land in the
 * default partition. Each task runs even when another fails; every failure is then thrown.
 */
export async function runMaintenance(db: DbOrTx): Promise<{ partitionsCreated: number; expiredLinksRemoved: number; endedSessionsRemoved: number; rollupDaysFolded: number }> {
  // One real promise (a drizzle query runs again on every then()), awaited twice below.
  const creating = Promise.resolve(db.execute<{ created: number }>(sql`select ripple_ensure_click_partitions(now(), now() + interval '3 months') as created`));
  const [partitions, links, clicks, ended, folded] = await Promise.allSettled([
    creating,
    db.delete(verificationTokens).where(lt(verificationTokens.expires, new Date())).returning({ token: verificationTokens.token }),
    // Click retention, old salts and unique-visitor rows (lib/links/retention): after the
    // partitions are made, so the two never wait on each other's locks on click_events.
    creating.catch(() => undefined).then(() => purgeClickData(db)),
    // Signed-out sessions past the life of any copy of their cookie.
    purgeEndedSessions(db),
    // Daily rollup rows as old as the clicks dropped: their months hold them (lib/reach/retention).
    foldOldDays(db),
  ]);
  if (clicks.status === "fulfilled") logClickPurge(clicks.value);
  const failures = [partitions, links, clicks, ended, folded].filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as Error);
  if (failures.length > 0) throw new AggregateError(failures, `maintenance failed: ${failures.map((f) => f.message).join("; ")}`);
  return {
    partitionsCreated: Number((partitions as PromiseFulfilledResult<{ created: number }[]>).value[0]?.created ?? 0),
    expiredLinksRemoved: (links as PromiseFulfilledResult<unknown[]>).value.length,
    endedSessionsRemoved: (ended as PromiseFulfilledResult<number>).value,
    rollupDaysFolded: (folded as PromiseFulfilledResult<number>).value,
  };
}

import { and, inArray, isNotNull, lt } from "drizzle-orm";
import { socialConnections } from "@/db/schema";
import type { Database } from "@/lib/db";
import { log } from "@/lib/log";
import { adapters } from "@/lib/networks/registry";
import { isConnectable } from "@/lib/networks/types";
import { refreshConnection } from "./tokens";

/** Renew access tokens this long before they expire, so no post starts with a dying one. */
export const REFRESH_AHEAD_MS = 20 * 60_000;

/** The longest any network wants its tokens renewed ahead (Threads: a week). */
const LONGEST_AHEAD_MS = Math.max(REFRESH_AHEAD_MS, ...Object.values(adapters).map((adapter) => adapter.refreshAheadMs ?? 0));

/**
 * Renews every access token that expires within REFRESH_AHEAD_MS (or the network's own
 * refreshAheadMs) and has a refresh token (X every two hours, Bluesky's JWTs, Threads'
 * 60-day tokens in their last week). One failure does not stop the rest; a refused
 * refresh marks its connection (refreshConnection does that and tells the person).
 */
export async function refreshExpiringTokens(db: Database, now = new Date()): Promise<{ refreshed: number; failed: number }> {
  const due = await db
    .select({ id: socialConnections.id, network: socialConnections.network })
    .from(socialConnections)
    .where(
      and(
        inArray(socialConnections.status, ["active", "expiring"]),
        isNotNull(socialConnections.refreshTokenEnc),
        lt(socialConnections.tokenExpiresAt, new Date(now.getTime() + LONGEST_AHEAD_MS)),
      ),
    )
    .limit(1000);
  let refreshed = 0;
  let failed = 0;
  for (const { id, network } of due) {
    const ahead = Math.max(REFRESH_AHEAD_MS, (isConnectable(network) && adapters[network].refreshAheadMs) || 0);
    try {
      await refreshConnection(db, id, now, ahead);
      refreshed++;
    } catch (error) {
      failed++;
      log.warn({ err: error, connectionId: id }, "token refresh ahead of expiry failed");
    }
  }
  return { refreshed, failed };
}

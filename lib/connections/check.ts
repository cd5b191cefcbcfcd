import { and, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { socialConnections, type Notification } from "@/db/schema";
import type { Database } from "@/lib/db";
import { log } from "@/lib/log";
import { addNotices, mailNotices } from "@/lib/notifications";
import { adapters } from "@/lib/networks/registry";
import { connectableNetworks } from "@/lib/networks/types";
import { trustedScope } from "@/lib/tenant";
import { effectiveExpiry, EXPIRY_WARNING_MS } from "./manage";

/** Networks whose adapter can renew an access token with a refresh token. */
const refreshable = connectableNetworks.filter((network) => adapters[network].refresh !== undefined);

/**
 * effectiveExpiry() in SQL: the refresh token's end where Ripple can refresh, else the
 * access token's.
 */
const expirySql: SQL = sql`(case when ${socialConnections.refreshTokenEnc} is not null and ${inArray(socialConnections.network, refreshable)} then ${socialConnections.refreshExpiresAt} else ${socialConnections.tokenExpiresAt} end)`;

export type ConnectionCheckResult = { expiring: number; expired: number; nudged: number; restored: number };

/**
 * Connections ending within seven days become "expiring" (owner nudged once, in app and by
 * mail), past their end "expired", and active again when the end moved away. Conditional
 * updates, so concurrent runs nudge once (docs/design-notes.md, "Connection expiry").
 */
export async function checkConnections(db: Database, now = new Date()): Promise<ConnectionCheckResult> {
  const horizon = new Date(now.getTime() + EXPIRY_WARNING_MS);
  const working = inArray(socialConnections.status, ["active", "expiring"]);

  const restored = await db
    .update(socialConnections)
    .set({ status: "active", nudgedAt: null })
    .where(and(eq(socialConnections.status, "expiring"), sql`(${expirySql} is null or ${expirySql} > ${horizon.toISOString()}::timestamptz)`))
    .returning({ id: socialConnections.id });

  const candidates = await db
    .select({
      id: socialConnections.id,
      orgId: socialConnections.orgId,
      userId: socialConnections.userId,
      network: socialConnections.network,
      handle: socialConnections.handle,
      refreshTokenEnc: socialConnections.refreshTokenEnc,
      tokenExpiresAt: socialConnections.tokenExpiresAt,
      refreshExpiresAt: socialConnections.refreshExpiresAt,
    })
    .from(socialConnections)
    .where(and(working, sql`${expirySql} is not null and ${expirySql} <= ${horizon.toISOString()}::timestamptz`));

  const result: ConnectionCheckResult = { expiring: 0, expired: 0, nudged: 0, restored: restored.length };
  const notices: Notification[] = [];
  for (const row of candidates) {
    const expiry = effectiveExpiry(row);
    if (!expiry) continue;
    const data = { connectionId: row.id, network: row.network, handle: row.handle, expiresAt: expiry.toISOString() };
    const scope = trustedScope(row.orgId, { kind: "system" });
    const mine = eq(socialConnections.id, row.id);
    const added = await db.transaction(async (tx) => {
      if (expiry <= now) {
        const changed = await tx.update(socialConnections).set({ status: "expired" }).where(and(mine, working)).returning({ id: socialConnections.id });
        if (changed.length === 0) return [];
        result.expired++;
        return addNotices(tx, scope, [{ userId: row.userId, kind: "connection.expired", data }]);
      }
      const nudged = await tx
        .update(socialConnections)
        .set({ status: "expiring", nudgedAt: now })
        .where(and(mine, working, isNull(socialConnections.nudgedAt)))
        .returning({ id: socialConnections.id });
      if (nudged.length > 0) {
        result.expiring++;
        result.nudged++;
        return addNotices(tx, scope, [{ userId: row.userId, kind: "connection.expiring", data }]);
      }
      const marked = await tx.update(socialConnections).set({ status: "expiring" }).where(and(mine, eq(socialConnections.status, "active"))).returning({ id: socialConnections.id });
      result.expiring += marked.length;
      return [];
    });
    notices.push(...added);
  }
  await mailNotices(notices);
  if (result.expiring || result.expired || result.restored) log.info(result, "connections checked");
  return result;
}

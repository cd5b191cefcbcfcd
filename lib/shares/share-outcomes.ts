import { and, eq, inArray } from "drizzle-orm";
import { shares, type NetworkId, type ShareStatus } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import type { Scope } from "@/lib/tenant";

/** What became of a share, as the composer reports it after "Share". */
export type ShareOutcome = {
  id: string;
  network: NetworkId;
  connectionId: string | null;
  status: ShareStatus;
  scheduledAt: Date;
  externalUrl: string | null;
  errorCode: string | null;
};

/** Whether the composer can stop asking: an end state, or waiting for a time still ahead. */
export function outcomeSettled(outcome: Pick<ShareOutcome, "status" | "scheduledAt">, now = new Date()): boolean {
  if (outcome.status === "scheduled") return outcome.scheduledAt.getTime() > now.getTime() + 60_000;
  return outcome.status !== "publishing";
}

/** The person's own shares among `ids` (anyone else's are left out, as if they did not exist). */
export async function shareOutcomes(db: DbOrTx, scope: Scope, userId: string, ids: readonly string[]): Promise<ShareOutcome[]> {
  if (ids.length === 0) return [];
  return db
    .select({
      id: shares.id,
      network: shares.network,
      connectionId: shares.connectionId,
      status: shares.status,
      scheduledAt: shares.scheduledAt,
      externalUrl: shares.externalUrl,
      errorCode: shares.errorCode,
    })
    .from(shares)
    .where(and(eq(shares.orgId, scope.orgId), eq(shares.userId, userId), inArray(shares.id, [...ids])));
}

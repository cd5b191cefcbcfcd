import { and, asc, eq } from "drizzle-orm";
import { socialConnections, type NetworkId } from "@/db/schema";
import { accountColumns } from "@/lib/connections/manage";
import type { DbOrTx } from "@/lib/db";
import type { Scope } from "@/lib/tenant";

export type ShareAccount = {
  id: string;
  network: NetworkId;
  handle: string;
  displayName: string | null;
  instanceUrl: string | null;
  status: "active" | "expiring" | "expired" | "revoked";
  followerCount: number | null;
};

/** The person's connected accounts as compose offers them (never tokens). */
export async function listShareAccounts(db: DbOrTx, scope: Scope, userId: string): Promise<ShareAccount[]> {
  return db
    .select(accountColumns)
    .from(socialConnections)
    .where(and(eq(socialConnections.orgId, scope.orgId), eq(socialConnections.userId, userId)))
    .orderBy(asc(socialConnections.network), asc(socialConnections.handle));
}

import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { orgNetworkApps } from "@/db/schema";
import { audit } from "@/lib/audit";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { DomainError } from "@/lib/errors";
import type { DbOrTx } from "@/lib/db";
import { adapters } from "@/lib/networks/registry";
import { connectableNetworks, type ConnectableNetwork } from "@/lib/networks/types";
import type { Scope } from "@/lib/tenant";
import { secretContext } from "./secrets";

/**
 * An organisation's own app at a network whose apps belong to whoever runs them (Threads:
 * a Meta app's Threads app id and secret, docs/networks/threads.md). Entered by the admin;
 * the secret is encrypted for its row and never shown back, only whether one is set.
 */

/** The networks whose app an organisation brings itself. */
export const orgAppNetworks = connectableNetworks.filter((network) => {
  const adapter = adapters[network];
  return adapter.kind === "oauth" && adapter.clientSource.kind === "perOrganisation";
});

export const orgNetworkAppSchema = z.object({
  network: z.enum(connectableNetworks).refine((network) => orgAppNetworks.includes(network), { message: "networkUnavailable" }),
  /** Meta's app ids are digits; a few more characters are allowed for other networks' ids. */
  clientId: z.string({ error: "required" }).trim().min(1, "required").max(100, "tooLong").regex(/^[A-Za-z0-9_.-]+$/, "invalidCharacters"),
  /** Empty when the admin changes only the id: the stored secret stays. */
  clientSecret: z.string().trim().max(200, "tooLong").regex(/^[\x21-\x7e]*$/, "invalidCharacters").optional().default(""),
});
export type OrgNetworkAppInput = z.input<typeof orgNetworkAppSchema>;

/** What an admin sees of the app: the id, and that a secret is stored — never the secret. */
export type OrgNetworkAppView = { network: ConnectableNetwork; clientId: string; updatedAt: Date };

export async function orgNetworkApp(db: DbOrTx, orgId: string, network: ConnectableNetwork): Promise<{ clientId: string; clientSecret: string } | null> {
  const [row] = await db.select().from(orgNetworkApps).where(and(eq(orgNetworkApps.orgId, orgId), eq(orgNetworkApps.network, network))).limit(1);
  return row ? { clientId: row.clientId, clientSecret: decryptSecret(row.clientSecretEnc, secretContext.orgAppSecret(row.id)) } : null;
}

export async function listOrgNetworkApps(db: DbOrTx, orgId: string): Promise<OrgNetworkAppView[]> {
  const rows = await db
    .select({ network: orgNetworkApps.network, clientId: orgNetworkApps.clientId, updatedAt: orgNetworkApps.updatedAt })
    .from(orgNetworkApps)
    .where(eq(orgNetworkApps.orgId, orgId));
  return rows.filter((row): row is OrgNetworkAppView => orgAppNetworks.includes(row.network as ConnectableNetwork));
}

/**
 * Saves the organisation's app at the network: a new one needs its secret; a stored one keeps
 * its secret when none is typed. Audited with the id only.
 */
export async function saveOrgNetworkApp(db: DbOrTx, scope: Scope, input: OrgNetworkAppInput): Promise<OrgNetworkAppView> {
  const { network, clientId, clientSecret } = orgNetworkAppSchema.parse(input);
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(orgNetworkApps)
      .where(and(eq(orgNetworkApps.orgId, scope.orgId), eq(orgNetworkApps.network, network)))
      .for("update");
    if (!existing && !clientSecret) throw new DomainError(422, "validation", "A new app needs its secret", { clientSecret: ["required"] });
    const id = existing?.id ?? randomUUID();
    const secret = clientSecret ? { clientSecretEnc: encryptSecret(clientSecret, secretContext.orgAppSecret(id)) } : {};
    const [row] = existing
      ? await tx.update(orgNetworkApps).set({ clientId, ...secret, updatedAt: new Date() }).where(eq(orgNetworkApps.id, id)).returning()
      : await tx.insert(orgNetworkApps).values({ id, orgId: scope.orgId, network, clientId, clientSecretEnc: secret.clientSecretEnc! }).returning();
    await audit(tx, scope, {
      action: "org.networkApp",
      targetType: "organization",
      targetId: scope.orgId,
      before: existing ? { network, clientId: existing.clientId } : null,
      after: { network, clientId, secretChanged: Boolean(clientSecret) },
    });
    return { network, clientId: row!.clientId, updatedAt: row!.updatedAt };
  });
}

/** Removes the organisation's app: nobody there can connect the network until one is entered again. */
export async function removeOrgNetworkApp(db: DbOrTx, scope: Scope, network: ConnectableNetwork): Promise<boolean> {
  return db.transaction(async (tx) => {
    const removed = await tx
      .delete(orgNetworkApps)
      .where(and(eq(orgNetworkApps.orgId, scope.orgId), eq(orgNetworkApps.network, network)))
      .returning({ clientId: orgNetworkApps.clientId });
    if (removed.length === 0) return false;
    await audit(tx, scope, { action: "org.networkApp", targetType: "organization", targetId: scope.orgId, before: { network, clientId: removed[0]!.clientId }, after: null });
    return true;
  });
}

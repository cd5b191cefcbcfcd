import { randomBytes } from "node:crypto";
import type { Role } from "@/db/schema";
import { db } from "@/lib/db";
import { addActiveMember } from "@/lib/members";
import { createOrganization } from "@/lib/orgs";
import { trustedScope, type Scope } from "@/lib/tenant";

/** Small builders for integration tests; each call makes distinct rows, so tests can run side by side. */

export function uniqueSlug(base = "org"): string {
  return `${base}-${randomBytes(4).toString("hex")}`;
}

export function uniqueEmail(name = "person"): string {
  return `${name}.${randomBytes(4).toString("hex")}@example.test`;
}

export async function makeOrganization(name = "Test ApS") {
  const org = await createOrganization(db(), { name, slug: uniqueSlug() }, { kind: "cli" });
  return { org, cli: trustedScope(org.id, { kind: "cli" }) };
}

/** An active member; returns a scope acting as that member. */
export async function makeMember(cli: Scope, roles: Role[], options: { email?: string; name?: string; teamId?: string | null } = {}) {
  const { user, membership } = await addActiveMember(db(), cli, {
    email: options.email ?? uniqueEmail(roles[0]),
    name: options.name,
    roles,
    teamId: options.teamId ?? null,
  });
  return { user, membership, scope: trustedScope(cli.orgId, { kind: "user", userId: user.id }) };
}

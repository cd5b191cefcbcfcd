/**
 * Tenant data is read and written only with a Scope, made by lib/auth's guards (verified
 * session or API token) or by `trustedScope` where the caller established the organisation
 * itself (CLI, workers, seed), so no query can forget which organisation it serves.
 */
declare const orgIdBrand: unique symbol;
export type OrgId = string & { readonly [orgIdBrand]: true };

export type Actor =
  | { kind: "user"; userId: string }
  | { kind: "cli" }
  /** The company directory, provisioning over SCIM with the organisation's token. */
  | { kind: "directory" }
  | { kind: "system" };

export type Scope = { readonly orgId: OrgId; readonly actor: Actor };

export function trustedScope(orgId: string, actor: Actor): Scope {
  return { orgId: orgId as OrgId, actor };
}

export function actorUserId(scope: Scope): string | null {
  return scope.actor.kind === "user" ? scope.actor.userId : null;
}

/**
 * Every lib function that reads or writes tenant data takes a Scope. A Scope is made
 * only by the guards in lib/auth (from a verified session or API token) or by
 * `trustedScope` in code that has itself established the organisation (the CLI, the
 * workers, the seed). So a query cannot forget which organisation it serves.
 */
declare const orgIdBrand: unique symbol;
export type OrgId = string & { readonly [orgIdBrand]: true };

export type Actor =
  | { kind: "user"; userId: string }
  | { kind: "cli" }
  | { kind: "system" };

export type Scope = { readonly orgId: OrgId; readonly actor: Actor };

export function trustedScope(orgId: string, actor: Actor): Scope {
  return { orgId: orgId as OrgId, actor };
}

export function actorUserId(scope: Scope): string | null {
  return scope.actor.kind === "user" ? scope.actor.userId : null;
}

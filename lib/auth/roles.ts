import { roleIds, type Role } from "@/db/schema/ids";

export { roleIds, type Role };

/**
 * The app's sections and the roles that may use each. Navigation, page guards and the
 * role × page test all read this one table.
 */
export const sections = {
  feed: { path: "/feed", roles: ["employee"] },
  queue: { path: "/queue", roles: ["employee"] },
  connections: { path: "/connections", roles: ["employee"] },
  library: { path: "/library", roles: ["editor"] },
  reports: { path: "/reports", roles: ["manager"] },
  admin: { path: "/admin", roles: ["admin"] },
} as const satisfies Record<string, { path: string; roles: readonly Role[] }>;

export type Section = keyof typeof sections;
export const sectionIds = Object.keys(sections) as Section[];

/** A role requirement is never empty: "any-member" must be said out loud. */
export type RoleRequirement = readonly [Role, ...Role[]] | "any-member";

export function satisfies(roles: readonly Role[], requirement: RoleRequirement): boolean {
  return requirement === "any-member" ? true : requirement.some((r) => roles.includes(r));
}

export function visibleSections(roles: readonly Role[]): Section[] {
  return sectionIds.filter((id) => satisfies(roles, sections[id].roles as RoleRequirement));
}

/** Where a person lands after signing in: their first section, else their settings. */
export function homePath(roles: readonly Role[]): string {
  const first = visibleSections(roles)[0];
  return first ? sections[first].path : "/settings";
}

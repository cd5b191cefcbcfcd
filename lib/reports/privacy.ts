import { MIN_GROUP_SIZE } from "./schemas";

/**
 * The one privacy rule of every report: a group of fewer than MIN_GROUP_SIZE people shows no
 * figures, and not its exact size either. Team reports (page, CSV, API, weekly mail) and story
 * analytics build their groups through these functions only, so what is held back is missing
 * from the data itself and no view or export can print it (docs/design-notes.md, "Manager
 * reports"; tests/integration/reports-privacy.test.ts compares the four outputs).
 */

export { MIN_GROUP_SIZE };

/** True when a group of this many people may show its figures. */
export function mayShow(people: number): boolean {
  return people >= MIN_GROUP_SIZE;
}

/** A group's size as every output shows it: exact, or null under the threshold ("fewer than 5"). */
export function sizeShown(people: number): number | null {
  return mayShow(people) ? people : null;
}

export type Suppressed = { suppressed: true; size: null; figures: null };
export type Disclosed<F> = { suppressed: false; size: number; figures: F };

/**
 * Rows under MIN_GROUP_SIZE people, then the smallest shown ones until the people no shown row
 * accounts for (the held rows' people and `outside`, those in the total but in no row, counted
 * once) are none or at least MIN_GROUP_SIZE: a total minus the shown rows then gives no small
 * group away. A row nobody used (a suggested text no one started from) has nothing to protect
 * and is always shown.
 */
export function rowsToHold(
  groups: ReadonlyArray<{ key: string; people: ReadonlySet<string>; unused?: boolean }>,
  outside: ReadonlySet<string> = new Set(),
): Set<string> {
  const held = new Set(groups.filter((g) => !g.unused && !mayShow(g.people.size)).map((g) => g.key));
  const unaccounted = () => new Set([...outside, ...groups.filter((g) => held.has(g.key)).flatMap((g) => [...g.people])]).size;
  while (unaccounted() > 0 && !mayShow(unaccounted())) {
    const next = groups.filter((g) => !held.has(g.key) && !g.unused).sort((a, b) => a.people.size - b.people.size || (a.key < b.key ? -1 : 1))[0];
    if (!next) break;
    held.add(next.key);
  }
  return held;
}

/**
 * The rows of a total as every output shows them (a team's sub-teams, its join cohorts): each
 * with its size and figures, or, where rowsToHold holds it, neither. `figures` is only called
 * for a row that is shown.
 */
export function discloseRows<G extends { key: string; people: ReadonlySet<string> }, F>(
  groups: readonly G[],
  outside: ReadonlySet<string>,
  figures: (group: G) => F,
): Map<string, Suppressed | Disclosed<F>> {
  const held = rowsToHold(groups, outside);
  return new Map(
    groups.map((g): [string, Suppressed | Disclosed<F>] => [
      g.key,
      held.has(g.key) ? { suppressed: true, size: null, figures: null } : { suppressed: false, size: g.people.size, figures: figures(g) },
    ]),
  );
}

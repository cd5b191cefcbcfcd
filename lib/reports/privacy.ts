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
 * Who is in a group: the people, or (for groups no one is in twice, as a team's sub-teams and
 * its join cohorts are) just how many.
 */
export type People = ReadonlySet<string> | number;

const sizeOf = (people: People) => (typeof people === "number" ? people : people.size);

/** How many people the groups hold together: sets are joined, counts are of people in no other group. */
function together(groups: readonly People[]): number {
  const joined = new Set<string>();
  let counted = 0;
  for (const people of groups) {
    if (typeof people === "number") counted += people;
    else for (const id of people) joined.add(id);
  }
  return joined.size + counted;
}

/**
 * Rows under MIN_GROUP_SIZE people, then the smallest shown ones until the people no shown row
 * accounts for (the held rows' people and `outside`, those in the total but in no row, counted
 * once) are none or at least MIN_GROUP_SIZE: a total minus the shown rows then gives no small
 * group away. A row nobody used (a suggested text no one started from) has nothing to protect
 * and is always shown.
 */
export function rowsToHold(groups: ReadonlyArray<{ key: string; people: People; unused?: boolean }>, outside: People = 0): Set<string> {
  const people = new Map(groups.map((g) => [g.key, g.people]));
  return rowsToHoldBySize(
    groups.map((g) => ({ key: g.key, size: sizeOf(g.people), unused: g.unused })),
    (keys) => together([outside, ...keys.map((key) => people.get(key)!)]),
  );
}

/**
 * rowsToHold for groups known by their sizes and by how many people any of them hold together
 * (`together(keys)`: counted once, with those in the total but in no row), as SQL can count
 * them: a team's placements, which one person can be in several of.
 */
export function rowsToHoldBySize(groups: ReadonlyArray<{ key: string; size: number; unused?: boolean }>, together: (keys: string[]) => number): Set<string> {
  const held = new Set(groups.filter((g) => !g.unused && !mayShow(g.size)).map((g) => g.key));
  const unaccounted = () => together([...held]);
  while (unaccounted() > 0 && !mayShow(unaccounted())) {
    const next = groups.filter((g) => !held.has(g.key) && !g.unused).sort((a, b) => a.size - b.size || (a.key < b.key ? -1 : 1))[0];
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
export function discloseRows<G extends { key: string; people: People }, F>(
  groups: readonly G[],
  outside: People,
  figures: (group: G) => F,
): Map<string, Suppressed | Disclosed<F>> {
  const held = rowsToHold(groups, outside);
  return new Map(
    groups.map((g): [string, Suppressed | Disclosed<F>] => [
      g.key,
      held.has(g.key) ? { suppressed: true, size: null, figures: null } : { suppressed: false, size: sizeOf(g.people), figures: figures(g) },
    ]),
  );
}

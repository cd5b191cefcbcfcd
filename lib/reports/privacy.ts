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
 * A group as every output shows it: its size and figures, or neither. `figures` is only called
 * for a group that may show them.
 */
export function disclose<F>(people: number, figures: () => F): Suppressed | Disclosed<F> {
  return mayShow(people) ? { suppressed: false, size: people, figures: figures() } : { suppressed: true, size: null, figures: null };
}

/**
 * Rows under MIN_GROUP_SIZE people, then the smallest shown ones until the held rows cover that
 * many people (counted once), so a total minus the shown rows gives no small group away. A row
 * nobody used (a suggested text no one started from) has nothing to protect and is always shown.
 */
export function rowsToHold(groups: ReadonlyArray<{ key: string; people: ReadonlySet<string>; unused?: boolean }>): Set<string> {
  const held = new Set(groups.filter((g) => !g.unused && !mayShow(g.people.size)).map((g) => g.key));
  const heldPeople = () => new Set(groups.filter((g) => held.has(g.key)).flatMap((g) => [...g.people])).size;
  while (held.size > 0 && !mayShow(heldPeople())) {
    const next = groups.filter((g) => !held.has(g.key) && !g.unused).sort((a, b) => a.people.size - b.people.size || (a.key < b.key ? -1 : 1))[0];
    if (!next) break;
    held.add(next.key);
  }
  return held;
}

/**
 * How alike two share texts are, ignoring case, links, punctuation and spacing: 1 for the
 * same words in the same order, 0 for nothing in common. Word pairs (bigrams) catch a
 * text that only swaps a word or two; single words would call any reordering identical.
 */
function words(text: string): string[] {
  return text
    .normalize("NFC")
    .toLocaleLowerCase("da")
    .replace(/https?:\/\/\S+/g, " ")
    .split(/[^\p{L}\p{N}#@]+/u)
    .filter(Boolean);
}

function bigrams(list: string[]): Set<string> {
  if (list.length < 2) return new Set(list);
  const out = new Set<string>();
  for (let i = 0; i < list.length - 1; i++) out.add(`${list[i]} ${list[i + 1]}`);
  return out;
}

export function similarity(a: string, b: string): number {
  const wa = words(a);
  const wb = words(b);
  if (wa.length === 0 && wb.length === 0) return 1;
  if (wa.join(" ") === wb.join(" ")) return 1;
  const ba = bigrams(wa);
  const bb = bigrams(wb);
  let shared = 0;
  for (const g of ba) if (bb.has(g)) shared++;
  return shared / (ba.size + bb.size - shared);
}

/** At or above this, a text reads as a copy of a colleague's. */
export const NEAR_DUPLICATE = 0.8;

export type DuplicateWarning = { kind: "identical" | "nearlyIdentical"; similarity: number } | null;

export function duplicateWarning(text: string, colleagues: string[]): DuplicateWarning {
  let best = 0;
  for (const other of colleagues) best = Math.max(best, similarity(text, other));
  if (best >= 0.999) return { kind: "identical", similarity: 1 };
  if (best >= NEAR_DUPLICATE) return { kind: "nearlyIdentical", similarity: Math.round(best * 100) / 100 };
  return null;
}

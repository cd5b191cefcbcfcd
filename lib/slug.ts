/** Danish letters spelt the way Danes write them without æ, ø and å. */
const transliterations: Record<string, string> = { æ: "ae", ø: "oe", å: "aa", ß: "ss" };

/** A URL-safe slug: lower-case ASCII letters, digits and single dashes, at most `max` characters. */
export function slugify(text: string, max = 60): string {
  return text
    .toLowerCase()
    .replace(/[æøåß]/g, (c) => transliterations[c]!)
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/g, "");
}

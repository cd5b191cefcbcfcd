/** An absolute http(s) URL from a possibly relative one found in a page or feed, or null. */
export function absoluteHttp(value: unknown, base: string): string | null {
  const text = typeof value === "string" ? value.trim() : "";
  if (!text) return null;
  try {
    const url = new URL(text, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Query parameters that only say where a click came from; two links differing only in these are the same article. */
const TRACKING_PARAMETER = /^(utm_.+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok)$/i;

/**
 * The form two article links are compared in: trimmed, http(s) only, without the
 * fragment and without utm_* (and the common click-id) parameters. URL parsing also
 * lower-cases the host and drops a default port. Anything else → null.
 */
export function normalizeItemUrl(raw: string | null | undefined): string | null {
  const text = raw?.trim();
  if (!text) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  url.hash = "";
  // Only touched when there is something to remove: deleting re-serialises the whole query.
  for (const name of [...new Set(url.searchParams.keys())]) {
    if (TRACKING_PARAMETER.test(name)) url.searchParams.delete(name);
  }
  return url.href;
}

/**
 * What a stored canonical URL and a normalised item URL share before any query: scheme,
 * host and path, lower-cased, without a trailing slash. Used to find the few stories
 * worth normalising and comparing.
 */
export function urlStem(normalized: string): string {
  const url = new URL(normalized);
  return `${url.protocol}//${url.host}${url.pathname}`.toLowerCase().replace(/\/+$/, "");
}

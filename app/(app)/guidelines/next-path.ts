import { START_PAGE, returnPath } from "@/lib/auth/return-to";

/**
 * Where to go after acknowledging the guidelines ("/compose?story=…"): the `next` address
 * checked by returnPath (lib/auth/return-to); null when none was given or it was refused.
 */
export function continueTo(value: unknown): string | null {
  if (value === undefined) return null;
  const path = returnPath(value);
  return path === START_PAGE ? null : path;
}

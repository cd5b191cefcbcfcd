import { envFor, linkedinVersionFor } from "@/lib/env";

/**
 * How old the configured LinkedIn API version is. LinkedIn retires each monthly version about
 * a year after its release, and a retired one answers every call with 426: posting stops.
 * Operators are warned from WARN_FROM_MONTHS on, in /api/health, /api/metrics and on the
 * publishing-health page (docs/networks/linkedin.md, "Versions").
 */

export const LINKEDIN_VERSION_WARN_FROM_MONTHS = 10;

export type LinkedInVersionAge = {
  /** LINKEDIN_VERSION (YYYYMM). */
  version: string;
  /** Whole months from the version's month to this one (UTC). */
  ageMonths: number;
  /** At least LINKEDIN_VERSION_WARN_FROM_MONTHS old: set a newer one soon. */
  warning: boolean;
  /** A version that is live and released today: two months back. */
  suggested: string;
};

export function linkedinVersionAge(now = new Date(), version = envFor(["LINKEDIN_VERSION"]).LINKEDIN_VERSION): LinkedInVersionAge {
  const ageMonths = (now.getUTCFullYear() - Number(version.slice(0, 4))) * 12 + (now.getUTCMonth() + 1 - Number(version.slice(4, 6)));
  return { version, ageMonths, warning: ageMonths >= LINKEDIN_VERSION_WARN_FROM_MONTHS, suggested: linkedinVersionFor(now) };
}

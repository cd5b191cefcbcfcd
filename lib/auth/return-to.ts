import { appBaseUrl } from "@/lib/env/app-url";

/** Where a refused or missing return address leads: the start page, which sends each person to their home. */
export const START_PAGE = "/";

const MAX_LENGTH = 2048;

/** A control character (C0, DEL, C1) or a backslash: never part of an address we send anyone to. */
function hasUnsafeCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x5c) return true;
  }
  return false;
}

/** The text decoded until it stops changing (at most three rounds); null when an escape is malformed. */
function fullyDecoded(value: string): string | null {
  let current = value;
  for (let round = 0; round < 3; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/**
 * The one check for every return address Ripple accepts (callbackUrl, `next`, after signing
 * in or connecting an account): parsed as a URL against APP_URL, it must stay on APP_URL's
 * origin. The answer is a path on this site ("/compose?story=…"), never another host; anything
 * else — another origin, a protocol-relative or backslashed address, control characters,
 * their percent-encoded forms, user info, javascript: or data: — is the start page.
 */
export function safeReturnTo(raw: unknown, appUrl: string): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_LENGTH) return START_PAGE;
  const decoded = fullyDecoded(raw);
  if (decoded === null || hasUnsafeCharacter(raw) || hasUnsafeCharacter(decoded)) return START_PAGE;
  // "//evil", or the same written as %2F%2Fevil: a browser reads it as another host.
  if (/^\s*\/\//.test(decoded)) return START_PAGE;
  const base = new URL(appUrl);
  let url: URL;
  try {
    // With a scheme it is an address of its own ("https:evil.example" is not a path here).
    url = /^[a-z][a-z0-9+.-]*:/i.test(raw) ? new URL(raw) : new URL(raw, base);
  } catch {
    return START_PAGE;
  }
  if (url.origin !== base.origin || url.username || url.password) return START_PAGE;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // The path itself must not read as another host when sent on ("/.//evil" becomes "//evil").
  if (!path.startsWith("/") || path.startsWith("//")) return START_PAGE;
  return path;
}

/** safeReturnTo against this deployment's APP_URL. */
export function returnPath(raw: unknown): string {
  return safeReturnTo(raw, appBaseUrl());
}

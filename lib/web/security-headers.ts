/**
 * The response headers every answer of Ripple's own servers carries (the web server in
 * front of Next, lib/web/front.ts, and the standalone redirector).
 */

const PERMISSIONS_POLICY = "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), browsing-topics=()";
/** For answers without a policy of their own (API JSON, media, redirects); pages bring theirs (proxy.ts). */
export const FALLBACK_CSP = "default-src 'none'; frame-ancestors 'none'";
/** An HTML answer without a policy still may not be framed. */
export const FALLBACK_HTML_CSP = "frame-ancestors 'none'";

/** The headers every answer carries (HSTS only when the public address is https; without one, as in the redirector, none). */
export function securityHeaders(appUrl?: string): Array<[string, string]> {
  const headers: Array<[string, string]> = [
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "strict-origin-when-cross-origin"],
    ["Permissions-Policy", PERMISSIONS_POLICY],
  ];
  if (appUrl && new URL(appUrl).protocol === "https:") headers.push(["Strict-Transport-Security", "max-age=31536000; includeSubDomains"]);
  return headers;
}

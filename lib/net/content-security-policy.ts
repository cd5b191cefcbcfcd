/**
 * The Content-Security-Policy of Ripple's pages and of the queue dashboard (issue 14).
 *
 * Pages: scripts run only with the request's nonce (Next puts it on its own scripts when it
 * finds it in the request's policy, proxy.ts); 'strict-dynamic' lets those load the chunks
 * they import. No 'unsafe-inline' or 'unsafe-eval' for scripts in production. Styles allow
 * inline (React writes style attributes); a nonce there would switch 'unsafe-inline' off.
 * Images also from https: the story editor shows a link's picture before Ripple has stored
 * it, and Markdown bodies may show one. Forms post to this site, and the single sign-on form
 * is answered with a redirect to the identity provider (Chromium checks form-action there).
 */

/** 128 random bits, base64: a fresh one per page request. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

function serialise(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(" "))
    .join("; ");
}

export type PagePolicyOptions = {
  nonce: string;
  /** OIDC_ISSUER, when single sign-on is configured: its origin is a form-action target. */
  signInIssuer?: string;
  /** APP_URL is https: ask the browser to upgrade any http subresource. */
  https?: boolean;
  /** `next dev` needs eval for React's debugging aids; never in production. */
  development?: boolean;
};

export function pagePolicy({ nonce, signInIssuer, https = false, development = false }: PagePolicyOptions): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(development ? ["'unsafe-eval'"] : [])],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", "https:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "frame-src": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'", ...(signInIssuer ? [new URL(signInIssuer).origin] : [])],
    "frame-ancestors": ["'none'"],
  };
  if (https) directives["upgrade-insecure-requests"] = [];
  return serialise(directives);
}

/**
 * bull-board's page: its scripts and stylesheet are files from this site (no inline script;
 * the UI configuration is an inert JSON block), a <base> names its own path, and its loading
 * screen uses inline styles. Never framed, like every page.
 */
export const QUEUE_DASHBOARD_POLICY = serialise({
  "default-src": ["'self'"],
  "script-src": ["'self'"],
  "style-src": ["'self'", "'unsafe-inline'"],
  "img-src": ["'self'", "data:"],
  "font-src": ["'self'"],
  "connect-src": ["'self'"],
  "object-src": ["'none'"],
  "base-uri": ["'self'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
});

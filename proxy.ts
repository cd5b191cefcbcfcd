import { NextResponse, type NextRequest } from "next/server";
import { envFor } from "@/lib/env";
import { newNonce, pagePolicy } from "@/lib/net/content-security-policy";

/** The queue dashboard (bull-board) answers with a policy of its own (its route.ts). */
const QUEUE_DASHBOARD = /^\/admin\/queues(?:\/|$)/;

/**
 * Passes the requested path to server components (x-ripple-path), so a page that sends
 * a visitor to sign in can bring them back afterwards; and gives every page a
 * Content-Security-Policy with a fresh nonce. The policy goes on the request too: Next
 * reads the nonce from there and puts it on its own scripts (every page renders per
 * request; a prerendered page would carry no nonce and its scripts would be blocked).
 */
export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set("x-ripple-path", request.nextUrl.pathname + request.nextUrl.search);
  if (QUEUE_DASHBOARD.test(request.nextUrl.pathname)) return NextResponse.next({ request: { headers } });

  const { APP_URL, OIDC_ISSUER } = envFor(["APP_URL", "OIDC_ISSUER"]);
  const policy = pagePolicy({
    nonce: newNonce(),
    signInIssuer: OIDC_ISSUER,
    https: APP_URL.startsWith("https:"),
    development: process.env.NODE_ENV === "development",
  });
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

/** API, Next's files, media and the redirector get the server's fallback policy instead. */
export const config = {
  matcher: ["/((?!api/|_next/|media/|favicon.ico|r/).*)"],
};

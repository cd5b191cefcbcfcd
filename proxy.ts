import { NextResponse, type NextRequest } from "next/server";

/**
 * Passes the requested path to server components (x-ripple-path), so a page that sends
 * a visitor to sign in can bring them back afterwards.
 */
export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set("x-ripple-path", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ["/((?!api/|_next/|media/|favicon.ico|r/).*)"],
};

import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/config";
import { requestClientIp } from "@/lib/net/client-ip";
import { signInAttemptsSpent, signInMailSpent } from "@/lib/limits/sign-in";
import { problem } from "@/lib/problem";

/**
 * Auth.js's own endpoints (sign-in, callbacks, sign-out, session); it authenticates itself.
 * Posted to directly (not through the sign-in page's actions), a sign-in whose budget is
 * spent gets a 429 before Auth.js writes anything; the budgets are spent inside Auth.js
 * (lib/auth/config.ts), once per sign-in whichever way it came.
 */
export const { GET } = handlers;

async function spentBudget(request: NextRequest) {
  const path = request.nextUrl.pathname;
  const client = requestClientIp(request.headers);
  if (path.endsWith("/signin/nodemailer")) {
    const form = await request.clone().formData().catch(() => null);
    const email = form?.get("email");
    return signInMailSpent(typeof email === "string" ? email : "", client);
  }
  if (path.endsWith("/callback/demo") || path.endsWith("/callback/invitation")) return signInAttemptsSpent(client);
  return null;
}

export async function POST(request: NextRequest): Promise<Response> {
  const spent = await spentBudget(request);
  if (spent) return problem(429, "Too Many Requests", "Too many sign-in attempts: try again later.", request.nextUrl.pathname, { "Retry-After": String(spent.resetS) });
  return handlers.POST(request);
}

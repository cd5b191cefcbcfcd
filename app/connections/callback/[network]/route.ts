import { route } from "@/lib/auth/guard";
import { callbackParamsSchema, callbackQuerySchema, completeConnect } from "@/lib/connections";
import { env } from "@/lib/env";
import { DomainError } from "@/lib/errors";

/**
 * Where a network sends the browser back after the person approved (or declined) Ripple:
 * `${APP_URL}/connections/callback/<network>`, the redirect URI registered with every
 * network. The signed-in session must be the person who started: completeConnect only
 * finds a state of this person, once. Always answers 303 to the connections page, with
 * ?connected=<network> or ?error=<code> (each code has a message there).
 */
export const GET = route(
  { roles: ["employee"], auth: "session", params: callbackParamsSchema, query: callbackQuerySchema },
  async ({ ctx, params, query }) => {
    const target = new URL("/connections", env().APP_URL);
    try {
      await completeConnect(ctx.db, ctx.scope, ctx.userId, { network: params.network, state: query.state, code: query.code, error: query.error });
      target.searchParams.set("connected", params.network);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      target.searchParams.set("error", error.code);
    }
    return new Response(null, { status: 303, headers: { location: target.toString(), "cache-control": "no-store" } });
  },
);

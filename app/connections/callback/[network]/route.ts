import { route } from "@/lib/auth/guard";
import { callbackParamsSchema, callbackQuerySchema, completeConnect } from "@/lib/connections";
import { appUrl } from "@/lib/env/app-url";
import { DomainError } from "@/lib/errors";

/**
 * The redirect URI registered with every network. completeConnect finds a state of the signed-in
 * person only, and only once. Always a 303 to the connections page, with ?connected=<network> or
 * ?error=<code> (each code has a message there).
 */
export const GET = route(
  { roles: ["employee"], auth: "session", params: callbackParamsSchema, query: callbackQuerySchema },
  async ({ ctx, params, query }) => {
    let outcome: Record<string, string>;
    try {
      await completeConnect(ctx.db, ctx.scope, ctx.userId, { network: params.network, state: query.state, code: query.code, error: query.error });
      outcome = { connected: params.network };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      outcome = { error: error.code };
    }
    return new Response(null, { status: 303, headers: { location: appUrl("/connections", outcome), "cache-control": "no-store" } });
  },
);

import { composeCheckBodySchema } from "@/lib/api/shares";
import { route } from "@/lib/auth/guard";
import { checkEmployeeText } from "@/lib/shares";

/**
 * Measures a text the way the network counts, with the organisation's disclosure tag and
 * blocked phrases — the same check the compose page and the publisher use.
 */
export const POST = route(
  {
    roles: ["employee", "editor"],
    auth: "either",
    body: composeCheckBodySchema,
  },
  async ({ ctx, body }) => checkEmployeeText(ctx.db, ctx.scope, { ...body, userId: ctx.userId }),
);

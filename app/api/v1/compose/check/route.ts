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
  async ({ ctx, body }) => {
    const result = await checkEmployeeText(ctx.db, ctx.scope, { ...body, userId: ctx.userId });
    return {
      network: body.network,
      length: result.measure.length,
      limit: result.measure.limit,
      unit: result.measure.unit,
      ...(result.measure.byteLimit ? { bytes: result.measure.bytes, byteLimit: result.measure.byteLimit } : {}),
      ok: result.ok,
      text: result.text,
      problems: result.problems,
      duplicate: result.duplicate,
    };
  },
);

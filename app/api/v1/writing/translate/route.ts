import { noQuerySchema } from "@/lib/api/resources";
import { translateBodySchema, writingResponse } from "@/lib/api/writing";
import { route } from "@/lib/auth/guard";
import { ensureWritingHelp } from "@/lib/writing/budget";
import { translateText } from "@/lib/writing/rewrite";

/** Danish ⇄ English for a text to share; nothing is posted. */
export const POST = route({ roles: ["employee", "editor"], auth: "either", query: noQuerySchema, body: translateBodySchema }, async ({ request, ctx, body }) => {
  await ensureWritingHelp(ctx.db, ctx.orgId);
  return writingResponse(request, (options) => translateText(ctx.db, ctx.scope, body, options));
});

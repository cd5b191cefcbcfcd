import { noQuerySchema } from "@/lib/api/resources";
import { inMyWordsBodySchema, writingResponse } from "@/lib/api/writing";
import { route } from "@/lib/auth/guard";
import { ensureWritingHelp } from "@/lib/writing/budget";
import { rewriteInMyWords } from "@/lib/writing/rewrite";

/** For employees: a text in their own voice and tone (their earlier posts as examples only if they opted in); nothing is posted. */
export const POST = route({ roles: ["employee"], auth: "either", query: noQuerySchema, body: inMyWordsBodySchema }, async ({ request, ctx, body }) => {
  await ensureWritingHelp(ctx.db, ctx.orgId);
  return writingResponse(request, (options) => rewriteInMyWords(ctx.db, ctx.scope, ctx.userId, body, options));
});

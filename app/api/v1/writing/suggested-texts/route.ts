import { noQuerySchema } from "@/lib/api/resources";
import { suggestedTextsBodySchema, writingResponse } from "@/lib/api/writing";
import { route } from "@/lib/auth/guard";
import { ensureWritingHelp } from "@/lib/writing/budget";
import { generateSuggestedTexts } from "@/lib/writing/suggest";

/** For editors: suggested texts for a story, checked as compose checks a share; nothing is saved. */
export const POST = route({ roles: ["editor"], auth: "either", query: noQuerySchema, body: suggestedTextsBodySchema }, async ({ request, ctx, body }) => {
  await ensureWritingHelp(ctx.db, ctx.orgId);
  return writingResponse(request, (options) => generateSuggestedTexts(ctx.db, ctx.scope, body, options));
});

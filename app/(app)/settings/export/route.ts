import { z } from "zod";
import { route } from "@/lib/auth/guard";
import { exportMyData } from "@/lib/me/export";

export const dynamic = "force-dynamic";

/**
 * GET /settings/export: the signed-in person's own data in this organisation, as a JSON
 * file to download (GDPR access and portability). Session only: an API token cannot
 * take someone's whole file.
 */
export const GET = route({ roles: "any-member", auth: "session", query: z.object({}).strip() }, async ({ ctx }) => {
  const data = await exportMyData(ctx.db, ctx.scope, ctx.userId);
  const day = data.exportedAt.slice(0, 10);
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="ripple-my-data-${day}.json"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
});

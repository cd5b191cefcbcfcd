import { publicRoute } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { resolveLink } from "@/lib/links/tracked-links";

/** A share's tracked link: 302 to its stored destination, and only to it; unknown → 404. */
export const GET = publicRoute(async (_request, context) => {
  const { code } = (await context.params) as { code: string };
  const link = await resolveLink(db(), code);
  if (!link) {
    return new Response("<!doctype html><html lang=en><title>Link not found</title><h1>This link does not exist</h1>", {
      status: 404,
      headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
    });
  }
  return new Response(null, { status: 302, headers: { location: link.destination, "cache-control": "private, no-store", "referrer-policy": "no-referrer-when-downgrade" } });
});

import { publicRoute } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { readImage } from "@/lib/media";
import { isStorageKey } from "@/lib/storage";

/**
 * Uploaded story images, public by design: social networks' card crawlers fetch them.
 * Keys are unguessable; nothing but stored images is served.
 */
export const GET = publicRoute(async (_request, context) => {
  const { key } = (await context.params) as { key?: string[] };
  const joined = (key ?? []).join("/");
  if (!isStorageKey(joined)) return new Response("Not found", { status: 404 });
  const image = await readImage(db(), joined);
  if (!image) return new Response("Not found", { status: 404 });
  return new Response(new Uint8Array(image.bytes), {
    headers: {
      "content-type": image.contentType,
      "cache-control": "public, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    },
  });
});

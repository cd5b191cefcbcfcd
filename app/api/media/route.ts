import { route } from "@/lib/auth/guard";
import { invalid } from "@/lib/errors";
import { MAX_IMAGE_BYTES, saveImage } from "@/lib/media";

/** Upload a story image (multipart field "file"); answers 201 with its URL. */
export const POST = route({ roles: ["editor"], auth: "either" }, async ({ request, ctx }) => {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > MAX_IMAGE_BYTES + 64 * 1024) throw invalid("imageTooLarge", "Images can be at most 5 MB", { file: ["imageTooLarge"] });
  const form = await request.formData().catch(() => null);
  const file = form?.get("file");
  if (!(file instanceof Blob)) throw invalid("noFile", "Send the image as the multipart field \"file\"", { file: ["required"] });
  const saved = await saveImage(ctx.db, ctx.scope, Buffer.from(await file.arrayBuffer()));
  return Response.json(saved, { status: 201 });
});

import { eq } from "drizzle-orm";
import { media } from "@/db/schema";
import { randomBase62 } from "@/lib/crypto";
import type { DbOrTx } from "@/lib/db";
import { invalid } from "@/lib/errors";
import { objectStorage } from "@/lib/storage";
import { actorUserId, type Scope } from "@/lib/tenant";

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** The image type told by the file's first bytes (never by its name or the browser's claim). */
export function sniffImage(bytes: Buffer): { ext: "png" | "jpg" | "webp" | "gif"; contentType: string } | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { ext: "png", contentType: "image/png" };
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { ext: "jpg", contentType: "image/jpeg" };
  if (bytes.length >= 12 && bytes.toString("ascii", 0, 4) === "RIFF" && bytes.toString("ascii", 8, 12) === "WEBP") return { ext: "webp", contentType: "image/webp" };
  if (bytes.length >= 6 && (bytes.toString("ascii", 0, 6) === "GIF87a" || bytes.toString("ascii", 0, 6) === "GIF89a")) return { ext: "gif", contentType: "image/gif" };
  return null;
}

/** Stores an uploaded story image and returns its public path (/media/<key>). */
export async function saveImage(db: DbOrTx, scope: Scope, bytes: Buffer): Promise<{ url: string; key: string }> {
  if (bytes.length === 0) throw invalid("emptyFile", "The file is empty", { file: ["emptyFile"] });
  if (bytes.length > MAX_IMAGE_BYTES) throw invalid("imageTooLarge", "Images can be at most 5 MB", { file: ["imageTooLarge"] });
  const kind = sniffImage(bytes);
  if (!kind) throw invalid("notAnImage", "Upload a PNG, JPEG, WebP or GIF image", { file: ["notAnImage"] });
  const key = `${scope.orgId}/${randomBase62(24)}.${kind.ext}`;
  await objectStorage().put(key, bytes, kind.contentType);
  await db.insert(media).values({ orgId: scope.orgId, key, contentType: kind.contentType, byteSize: bytes.length, createdBy: actorUserId(scope) });
  return { url: `/media/${key}`, key };
}

/** An uploaded file's bytes and type, or null. */
export async function readImage(db: DbOrTx, key: string): Promise<{ bytes: Buffer; contentType: string } | null> {
  const [row] = await db.select().from(media).where(eq(media.key, key)).limit(1);
  if (!row) return null;
  const bytes = await objectStorage().get(key);
  return bytes ? { bytes, contentType: row.contentType } : null;
}

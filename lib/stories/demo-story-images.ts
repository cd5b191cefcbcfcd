import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";
import { and, eq, isNull, sql } from "drizzle-orm";
import { stories } from "@/db/schema";
import type { DbOrTx } from "@/lib/db";
import { saveImage } from "@/lib/media";
import { trustedScope } from "@/lib/tenant";
import { ownMediaKey } from "./story-image";

/**
 * Pictures for the demo's stories. The demo has no internet to fetch page images from, so
 * each story gets an abstract picture drawn here (the same one every time for the same
 * slug), stored through the upload path and recognised as our own the way an upload is.
 */

const WIDTH = 640;
const HEIGHT = 360;

/** Calm colour pairs in the spirit of an energy company's brand: sky, sea, forest, dusk, sand. */
const PALETTES: Array<[number[], number[], number[]]> = [
  [[14, 116, 144], [125, 211, 252], [240, 249, 255]],
  [[22, 101, 52], [134, 239, 172], [240, 253, 244]],
  [[67, 56, 202], [165, 180, 252], [238, 242, 255]],
  [[180, 83, 9], [253, 186, 116], [255, 247, 237]],
  [[15, 118, 110], [94, 234, 212], [240, 253, 250]],
  [[30, 64, 175], [147, 197, 253], [239, 246, 255]],
];

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** An RGB PNG: a diagonal gradient with a few soft circles, chosen by `seed`. A few kilobytes. */
export function renderDemoImage(seed: string, width = WIDTH, height = HEIGHT): Buffer {
  const hash = createHash("sha256").update(seed).digest();
  const [dark, light, pale] = PALETTES[hash[0]! % PALETTES.length]!;
  const circles = [0, 1, 2].map((i) => ({
    x: (hash[1 + i * 3]! / 255) * width,
    y: (hash[2 + i * 3]! / 255) * height,
    r: height * (0.2 + (hash[3 + i * 3]! / 255) * 0.45),
    colour: i === 0 ? pale! : light!,
    alpha: 0.35 + i * 0.1,
  }));
  // Colours in steps of 4 keep the picture smooth and the file small.
  const q = (v: number) => Math.min(255, Math.round(v / 4) * 4);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x++) {
      const t = (x / width) * 0.6 + (y / height) * 0.4;
      let rgb = [0, 1, 2].map((c) => dark![c]! + (light![c]! - dark![c]!) * t);
      for (const circle of circles) {
        const d = Math.hypot(x - circle.x, y - circle.y);
        if (d < circle.r) {
          const a = circle.alpha * Math.min(1, (circle.r - d) / 6);
          rgb = rgb.map((v, c) => v + (circle.colour[c]! - v) * a);
        }
      }
      raw.set(rgb.map(q), row + 1 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/**
 * Gives every story of the (demo) organisation without an image a drawn one, as if an
 * editor had uploaded it: saved through saveImage, imageUrl the upload's address on
 * `baseUrl`, imageKey found by the same check that recognises an upload.
 */
export async function seedDemoStoryImages(db: DbOrTx, orgId: string, baseUrl: string): Promise<{ stored: number }> {
  const scope = trustedScope(orgId, { kind: "system" });
  const rows = await db
    .select({ id: stories.id, slug: stories.slug })
    .from(stories)
    .where(and(eq(stories.orgId, orgId), isNull(stories.imageUrl)));
  for (const row of rows) {
    const saved = await saveImage(db, scope, renderDemoImage(row.slug));
    const imageUrl = new URL(saved.url, baseUrl).toString();
    await db.update(stories).set({ imageUrl, imageKey: await ownMediaKey(db, orgId, imageUrl), updatedAt: sql`${stories.updatedAt}` }).where(eq(stories.id, row.id));
  }
  return { stored: rows.length };
}

/**
 * Draws Ripple's icon (an SVG: a drop and two rings on the brand blue) and rasterises it with
 * the machine's Chromium into the files Next.js and the web app manifest serve. Run again
 * after changing the drawing: `npx tsx docs/icons/make-icons.ts`; commit what it writes.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";

const root = path.resolve(__dirname, "../..");
const blue = "#1d4ed8";

/** `rounded`: corners cut as a favicon shows; full-bleed for maskable and Apple icons (the platform masks them). */
function svg(rounded: boolean): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
  <rect width="512" height="512" rx="${rounded ? 112 : 0}" fill="${blue}"/>
  <g fill="none" stroke="#fff" stroke-linecap="round">
    <circle cx="256" cy="256" r="112" stroke-width="30" opacity="0.9"/>
    <circle cx="256" cy="256" r="178" stroke-width="26" opacity="0.55"/>
  </g>
  <circle cx="256" cy="256" r="50" fill="#fff"/>
</svg>`;
}

async function main() {
  writeFileSync(path.join(root, "docs/icons/icon.svg"), svg(true));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--disable-gpu"] });
  const page = await browser.newPage();
  const render = async (size: number, rounded: boolean): Promise<Buffer> => {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg(rounded).replace('width="512" height="512"', `width="${size}" height="${size}"`)}</body></html>`);
    return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  };
  const outputs: Array<[string, number, boolean]> = [
    ["app/icon.png", 512, true],
    ["app/apple-icon.png", 180, false],
    ["public/icons/icon-192.png", 192, true],
    ["public/icons/icon-512.png", 512, true],
    ["public/icons/maskable-512.png", 512, false],
  ];
  for (const [file, size, rounded] of outputs) writeFileSync(path.join(root, file), await render(size, rounded));
  // favicon.ico: an ICO directory holding PNG images of 16, 32 and 48 pixels.
  const images = await Promise.all([16, 32, 48].map(async (size) => ({ size, png: await render(size, true) })));
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(size, entry);
    header.writeUInt8(size, entry + 1);
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  writeFileSync(path.join(root, "app/favicon.ico"), Buffer.concat([header, ...images.map((i) => i.png)]));
  await browser.close();
}

void main();

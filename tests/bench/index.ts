import { readdirSync } from "node:fs";
import path from "node:path";

/**
 * `npm run bench -- <name>`: runs tests/bench/<name>.ts, whose default export is an async
 * function. Each benchmark measures against a baseline in the same run and ends its output
 * with one JSON line of figures. An unknown or missing name prints the list and exits 2.
 */
const available = readdirSync(__dirname)
  .filter((file) => file.endsWith(".ts") && file !== "index.ts" && !file.startsWith("_"))
  .map((file) => path.basename(file, ".ts"))
  .sort();

function usage(message?: string) {
  if (message) console.error(message);
  console.error(`usage: npm run bench -- <name>\n       npx tsx tests/bench/index.ts <name>\n\nbenchmarks: ${available.join(", ") || "(none)"}`);
  process.exitCode = 2;
}

async function main() {
  const name = process.argv[2];
  if (!name) return usage();
  if (!available.includes(name)) return usage(`unknown benchmark "${name}"`);
  const module = (await import(`./${name}`)) as { default?: () => Promise<void> };
  if (typeof module.default !== "function") throw new Error(`tests/bench/${name}.ts has no default export to run`);
  await module.default();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

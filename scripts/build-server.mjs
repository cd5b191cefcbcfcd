// The server roles as plain JavaScript: `npm run build` runs this after `next build`, so
// production runs `node dist/<role>.js` with no TypeScript runner and no devDependencies.
// Each role is one bundle of our own code (the @/ paths resolved from tsconfig.json); every
// package stays an import of node_modules, installed by `npm ci --omit=dev`.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import process from "node:process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const roles = { web: "workers/web.ts", workers: "workers/index.ts", redirector: "workers/redirector.ts", cli: "workers/cli.ts" };

rmSync(path.join(root, "dist"), { recursive: true, force: true });
const started = Date.now();
await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(Object.entries(roles).map(([name, file]) => [name, file])),
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  packages: "external",
  tsconfig: "tsconfig.json",
  sourcemap: "linked",
  logLevel: "warning",
});
process.stdout.write(`server roles built into dist/ (${Object.keys(roles).join(", ")}) in ${Date.now() - started} ms\n`);

import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The project's root: the nearest directory above this code with a package.json. The same
 * code runs from its source under tsx (db/, workers/) and bundled from dist/ in production.
 */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, "..");
  }
}

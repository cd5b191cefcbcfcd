import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";
import { exitOnConfigError } from "./startup";

/**
 * `npm start`: checks the configuration (one clear message and a non-zero exit when
 * something is missing), then serves the built app with `next start` on HOST:PORT.
 */
const config = exitOnConfigError(() => env());
const root = path.resolve(__dirname, "..");
if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
  process.stderr.write("No production build found: run `npm run build` first.\n");
  process.exit(1);
}
const nextBin = require.resolve("next/dist/bin/next");
const child = spawn(process.execPath, [nextBin, "start", "-p", String(config.PORT), "-H", config.HOST], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    // Auth.js would otherwise build its links and callbacks on the address it listens
    // on (http://0.0.0.0:PORT); the public address is APP_URL.
    AUTH_URL: process.env.AUTH_URL ?? config.APP_URL,
    AUTH_TRUST_HOST: process.env.AUTH_TRUST_HOST ?? "true",
    NEXT_TELEMETRY_DISABLED: "1",
    RIPPLE_PROCESS: "web",
  },
});
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

import { existsSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "@/db/root";
import { env } from "@/lib/env";
import { exitOnConfigError, exitOnMistake } from "./startup";

/**
 * `npm start`: checks the configuration (one clear message and a non-zero exit when
 * something is missing), then serves the built app on HOST:PORT from this process: our own
 * node:http server (lib/web/front.ts) owns the socket, bounds and checks each request and
 * stamps the client's address, then hands it to Next's request handler. SIGTERM: stop
 * accepting, let answers under way finish (at most 10 s), exit.
 */
const SHUTDOWN_DEADLINE_MS = 10_000;

const config = exitOnConfigError(() => env());
const root = projectRoot();

// Before Next and lib/log load: they read these once.
Object.assign(process.env, {
  // Auth.js would otherwise build its links and callbacks on the address it listens on
  // (http://0.0.0.0:PORT); the public address is APP_URL.
  AUTH_URL: process.env.AUTH_URL ?? config.APP_URL,
  AUTH_TRUST_HOST: process.env.AUTH_TRUST_HOST ?? "true",
  NEXT_TELEMETRY_DISABLED: "1",
  NODE_ENV: process.env.NODE_ENV || "production",
  RIPPLE_PROCESS: "web",
});

async function main() {
  // A replica URL or a Redis set-up that cannot be right stops the start, in words naming the variable.
  const [{ replicaMistake }, { redisMistake }] = await Promise.all([import("@/lib/db"), import("@/lib/queue")]);
  await exitOnMistake(replicaMistake, () => redisMistake());
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    process.stderr.write("No production build found: run `npm run build` first.\n");
    process.exit(1);
  }
  const [{ default: next }, { createFrontServer }, { log }] = await Promise.all([import("next"), import("@/lib/web/front"), import("@/lib/log")]);
  const app = next({ dev: false, dir: root, hostname: config.HOST, port: config.PORT });
  await app.prepare();
  const server = createFrontServer({ handler: app.getRequestHandler(), config: { appUrl: config.APP_URL, trustProxy: config.TRUST_PROXY } });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  log.info({ host: config.HOST, port: config.PORT, pid: process.pid }, "web listening");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "web stopping");
    const deadline = setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS + 2_000);
    deadline.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_DEADLINE_MS))]);
    server.closeAllConnections();
    await app.close().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  process.stderr.write(`The web server failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

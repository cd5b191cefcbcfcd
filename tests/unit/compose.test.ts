import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envKeys, parseEnv } from "@/lib/env";

/**
 * The compose file and the Containerfile (issue 17, item 7) against lib/env: every variable
 * the Ripple services set is one Ripple reads, each role gets what it needs to start, and
 * the image's start command and health check name files the build makes.
 */

const root = path.resolve(__dirname, "..", "..");
type Service = { image?: string; command?: string[]; environment?: Record<string, string> };
const compose = parse(readFileSync(path.join(root, "compose.yaml"), "utf8"), { merge: true }) as { services: Record<string, Service> };
const ripple = Object.entries(compose.services).filter(([, service]) => service.image === "ripple");

/** What an operator gives the `${VAR:?…}` and `${VAR:-…}` placeholders: the defaults, or a sample value. */
const samples: Record<string, string> = {
  AUTH_SECRET: "s".repeat(44),
  TOKEN_ENCRYPTION_KEY: "a".repeat(64),
  SMTP_URL: "smtp://mail.example.com:587",
  MAIL_FROM: "Ripple <ripple@example.com>",
};
function resolved(environment: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [key, String(value).replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => samples[name] ?? (kind === "-" ? (rest ?? "") : ""))]),
  );
}

describe("compose.yaml", () => {
  it("runs web, workers, redirector and the migration from the Ripple image, with PostgreSQL and Redis", () => {
    expect(ripple.map(([name]) => name).sort()).toEqual(["migrate", "redirector", "web", "workers"]);
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(["postgres", "redis"]));
    expect(compose.services.postgres!.image).toMatch(/\/postgres:15$/);
    // Redis keeps its jobs across a restart and refuses writes when full rather than evicting jobs.
    expect(compose.services.redis!.image).toMatch(/\/redis:7$/);
    expect(compose.services.redis!.command).toEqual(["redis-server", "--appendonly", "yes", "--maxmemory-policy", "noeviction"]);
  });

  it("sets only variables Ripple reads, and each role's set passes lib/env", () => {
    for (const [name, service] of ripple) {
      const environment = service.environment ?? {};
      for (const key of Object.keys(environment)) expect(envKeys, `${name}: ${key}`).toContain(key);
      const env = resolved(environment);
      if (name === "migrate") expect(env.DATABASE_URL, name).toMatch(/^postgres:\/\//);
      else expect(() => parseEnv(env), name).not.toThrow();
    }
  });

  it("starts each role from a file the server build makes", () => {
    const built = ["dist/web.js", "dist/workers.js", "dist/redirector.js", "dist/cli.js"];
    for (const [name, service] of ripple) {
      const file = service.command?.find((part) => part.startsWith("dist/")) ?? "dist/web.js";
      expect(built, name).toContain(file);
    }
  });
});

describe("package.json's production scripts", () => {
  it("run plain node on the server build, as the compose file does", () => {
    const { scripts } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(scripts.start).toMatch(/^node (--enable-source-maps )?dist\/web\.js$/);
    expect(scripts.workers).toMatch(/^RIPPLE_PROCESS=workers node (--enable-source-maps )?dist\/workers\.js$/);
    expect(scripts.redirector).toMatch(/^RIPPLE_PROCESS=redirector node (--enable-source-maps )?dist\/redirector\.js$/);
  });
});

describe("Containerfile", () => {
  const file = readFileSync(path.join(root, "Containerfile"), "utf8");
  const final = file.slice(file.lastIndexOf("\nFROM "));

  it("runs as a non-root user with production dependencies only, checks its health and starts the web", () => {
    expect(final).toMatch(/^USER node$/m);
    expect(file).toMatch(/npm ci --omit=dev/);
    // The build's cache stays behind: the image holds .next without it.
    expect(file).toMatch(/^RUN npm run build && rm -rf \.next\/cache$/m);
    expect(final).toMatch(/^HEALTHCHECK .*\/api\/health/m);
    expect(final).toMatch(/^CMD \["node", "--enable-source-maps", "dist\/web\.js"\]$/m);
    // What the final stage copies is what production-runtime.spec starts from.
    const copied = [...final.matchAll(/^COPY --from=\w+ \/app\/(\S+) /gm)].map((m) => m[1]);
    expect(copied).toEqual(["node_modules", "dist", ".next", "public", "next.config.js", "package.json", "db/migrations"]);
  });
});

import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../support/processes";

/**
 * `npm start` checks the configuration before anything else: a missing or malformed
 * variable stops it with one line naming the variable, exit 78 (EX_CONFIG), no stack.
 */
function startWeb(env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve("tsx/cli"), "workers/web.ts"], {
      cwd: projectRoot,
      env: { ...process.env, PORT: "3998", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

describe.concurrent("web start-up configuration", { timeout: 60_000 }, () => {
  it("refuses to start without AUTH_SECRET, in one line naming it", async () => {
    const result = await startWeb({ AUTH_SECRET: undefined });
    expect(result.code).toBe(78);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain("AUTH_SECRET");
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it("refuses a short AUTH_SECRET, naming it", async () => {
    const result = await startWeb({ AUTH_SECRET: "short" });
    expect(result.code).toBe(78);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/AUTH_SECRET must be at least 32 characters/);
  });

  it("names every missing variable in its one line", async () => {
    const result = await startWeb({ AUTH_SECRET: undefined, APP_URL: undefined });
    expect(result.code).toBe(78);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain("AUTH_SECRET");
    expect(result.stderr).toContain("APP_URL");
  });

  it("refuses a malformed PORT, naming it", async () => {
    const result = await startWeb({ PORT: "eighty" });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain("PORT");
  });
});

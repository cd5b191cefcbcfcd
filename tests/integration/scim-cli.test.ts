import { spawn } from "node:child_process";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, scimTokens } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto";
import { db } from "@/lib/db";
import { verifyScimToken } from "@/lib/scim";
import { makeOrganization, uniqueSlug } from "../support/factories";
import { projectRoot } from "../support/processes";

/** `npm run ripple -- scim:token --org <slug>` as an operator runs it: a real process. */
const tsxCli = require.resolve("tsx/cli");

function ripple(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsxCli, "workers/cli.ts", ...args], { cwd: projectRoot, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const lastLine = (text: string) => text.split("\n").filter((l) => l.trim() !== "").at(-1)!;

describe("scim:token", () => {
  it("prints a new SCIM token on its last line, revoking the previous one, stored and audited only as a hash", async () => {
    const { org } = await makeOrganization("Directory ApS");
    const first = await ripple(["scim:token", "--org", org.slug]);
    expect(first.code, first.stderr).toBe(0);
    const token = lastLine(first.stdout);
    expect(token).toMatch(/^scim_[0-9A-Za-z]{43}$/);
    expect(first.stdout).toContain("/scim/v2");
    expect(await verifyScimToken(db(), token)).toMatchObject({ orgId: org.id });

    const second = await ripple(["scim:token", "--org", org.slug]);
    const replacement = lastLine(second.stdout);
    expect(await verifyScimToken(db(), token)).toBeNull();
    expect(await verifyScimToken(db(), replacement)).toMatchObject({ orgId: org.id });

    const rows = await db().select().from(scimTokens).where(eq(scimTokens.orgId, org.id));
    expect(rows.map((r) => r.tokenHash).sort()).toEqual([sha256Hex(token), sha256Hex(replacement)].sort());
    const audit = await db().select().from(auditLog).where(eq(auditLog.orgId, org.id));
    expect(audit.filter((r) => r.action === "scim_token.create")).toHaveLength(2);
    expect(audit.every((r) => r.actorKind === "cli")).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(token.slice(5));
  });

  it("refuses an unknown organisation with exit 64", async () => {
    const result = await ripple(["scim:token", "--org", uniqueSlug("nowhere")]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/No organisation with the slug/);
  });
});

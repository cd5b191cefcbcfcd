import { readdirSync } from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * The lint rules that keep DESIGN.md's dependency direction (app → lib → db,
 * workers → lib → db) and force every route handler and server action through the
 * guards of lib/auth/guard. Each snippet is linted as if it lived at the given path.
 */

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: process.cwd() });
});

async function lint(file: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(process.cwd(), file) });
  return result!.messages.map((m) => ({ ruleId: m.ruleId, message: m.message, fatal: m.fatal ?? false }));
}

const RESTRICTED_PATHS = "import-x/no-restricted-paths";
const RESTRICTED_SYNTAX = "no-restricted-syntax";

describe("layering", { timeout: 60_000 }, () => {
  const forbidden: Array<[string, string, string, RegExp]> = [
    ["lib/", "lib/probe.ts", `import { usage } from "@/app/(app)/settings/actions";\nexport const x = usage;\n`, /lib\/ must not import/],
    ["lib/", "lib/probe.ts", `import { startWorker } from "@/workers/runtime";\nexport const x = startWorker;\n`, /lib\/ must not import/],
    ["db/", "db/probe.ts", `import { envFor } from "@/lib/env";\nexport const x = envFor;\n`, /db\/ imports nothing of ours/],
    ["app/", "app/(app)/probe/page.tsx", `import { createDatabase } from "@/db/client";\nexport const x = createDatabase;\n`, /app\/ reaches the database through lib/],
    ["app/", "app/(app)/probe/page.tsx", `import { startWorker } from "@/workers/runtime";\nexport const x = startWorker;\n`, /app\//],
    ["workers/", "workers/probe.ts", `import { usage } from "@/app/(app)/settings/actions";\nexport const x = usage;\n`, /workers\/ must not import app/],
  ];

  it.each(forbidden)("a file under %s importing the wrong layer is reported (%s)", async (_layer, file, code, message) => {
    const messages = await lint(file, code);
    const hits = messages.filter((m) => m.ruleId === RESTRICTED_PATHS);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.message).toMatch(message);
  });

  it("a relative import that crosses a layer is reported too", async () => {
    const messages = await lint("lib/probe.ts", `import { startWorker } from "../workers/runtime";\nexport const x = startWorker;\n`);
    expect(messages.map((m) => m.ruleId)).toContain(RESTRICTED_PATHS);
  });

  const allowed: Array<[string, string, string]> = [
    ["app → lib", "app/(app)/probe/page.tsx", `import { listMembers } from "@/lib/members";\nexport const x = listMembers;\n`],
    ["workers → lib", "workers/probe.ts", `import { getQueue } from "@/lib/queue";\nexport const x = getQueue;\n`],
    ["lib → db", "lib/probe.ts", `import { createDatabase } from "@/db/client";\nexport const x = createDatabase;\n`],
    ["lib → lib", "lib/probe.ts", `import { envFor } from "@/lib/env";\nexport const x = envFor;\n`],
  ];

  it.each(allowed)("%s reports nothing", async (_direction, file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });
});

describe("layering inside lib", { timeout: 60_000 }, () => {
  it("reports a back-edge: a lower room importing a higher one, by alias or relative path", async () => {
    const code = `import { publishShare } from "@/lib/shares/publish";\nimport { createShares } from "../shares/create";\nexport const x = [publishShare, createShares];\n`;
    const hits = (await lint("lib/reach/probe.ts", code)).filter((m) => m.ruleId === RESTRICTED_PATHS);
    expect(hits).toHaveLength(2);
    expect(hits[0]!.message).toMatch(/lib\/reach is in row \d+ of lib's layers/);
  });

  it("reports an import between two rooms of the same row", async () => {
    const messages = await lint("lib/reach/probe.ts", `import { createStory } from "@/lib/stories";\nexport const x = createStory;\n`);
    expect(messages.map((m) => m.ruleId)).toContain(RESTRICTED_PATHS);
  });

  it("reports a file-room (lib/time.ts) importing anything above it", async () => {
    const messages = await lint("lib/time.ts", `import { log } from "@/lib/log";\nexport const x = log;\n`);
    expect(messages.map((m) => m.ruleId)).toContain(RESTRICTED_PATHS);
  });

  it("accepts imports that run downward, and within one room", async () => {
    const code = `import { RetryLater } from "@/lib/errors";\nimport { enqueue } from "@/lib/queue";\nimport { REACH_POLLS_MS } from "./schedule";\nexport const x = [RetryLater, enqueue, REACH_POLLS_MS];\n`;
    expect(await lint("lib/reach/probe.ts", code)).toEqual([]);
  });

  it("places every room of lib in exactly one row", async () => {
    // @ts-expect-error -- the config is plain JavaScript without types
    const { libLayers } = (await import("../../eslint.config.mjs")) as { libLayers: string[][] };
    const rooms = readdirSync(path.join(process.cwd(), "lib")).map((name) => name.replace(/\.tsx?$/, ""));
    expect(libLayers.flat().toSorted()).toEqual(rooms.toSorted());
  });
});

describe("guarded route handlers and server actions", { timeout: 60_000 }, () => {
  it("reports a route handler exported as a bare function", async () => {
    const messages = await lint("app/api/v1/probe/route.ts", `export async function GET() {\n  return Response.json({ ok: true });\n}\n`);
    expect(messages.filter((m) => m.ruleId === RESTRICTED_SYNTAX)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/route\(\) or publicRoute\(\)/) }),
    ]);
  });

  it("reports a route handler exported as a bare arrow function", async () => {
    const messages = await lint("app/api/v1/probe/route.ts", `export const POST = async () => Response.json({ ok: true });\n`);
    expect(messages.map((m) => m.ruleId)).toContain(RESTRICTED_SYNTAX);
  });

  it("reports a server action exported as a bare async function", async () => {
    const messages = await lint("app/(app)/probe/actions.ts", `"use server";\n\nexport async function saveThing(input: FormData) {\n  return input.get("name");\n}\n`);
    expect(messages.filter((m) => m.ruleId === RESTRICTED_SYNTAX)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/action\(\) or publicAction\(\)/) }),
    ]);
  });

  it("reports a server action exported as a bare arrow function", async () => {
    const messages = await lint("app/(app)/probe/actions.ts", `"use server";\n\nexport const saveThing = async (input: FormData) => input.get("name");\n`);
    expect(messages.map((m) => m.ruleId)).toContain(RESTRICTED_SYNTAX);
  });

  it("accepts a route handler wrapped in route()", async () => {
    const code = `import { route } from "@/lib/auth/guard";\n\nexport const GET = route({ roles: "any-member", auth: "either" }, async ({ ctx }) => ({ roles: ctx.roles }));\n`;
    expect(await lint("app/api/v1/probe/route.ts", code)).toEqual([]);
  });

  it("accepts a server action wrapped in action()", async () => {
    const code = `"use server";\n\nimport { action } from "@/lib/auth/guard";\nimport { profileSchema, updateProfile } from "@/lib/users";\n\nexport const saveProfile = action({ roles: "any-member", input: profileSchema }, async (input, ctx) => {\n  await updateProfile(ctx.db, ctx.userId, input);\n  return true;\n});\n`;
    expect(await lint("app/(app)/probe/actions.ts", code)).toEqual([]);
  });

  it("leaves the Auth.js route alone", async () => {
    const messages = await lint("app/api/auth/[...nextauth]/route.ts", `export async function GET() {\n  return new Response(null);\n}\n`);
    expect(messages.filter((m) => m.ruleId === RESTRICTED_SYNTAX)).toEqual([]);
  });
});
